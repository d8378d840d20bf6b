/* coopgraph serve: the YASGUI SPARQL editor on this server's endpoint. One query at a time
   (YASGUI's tab bar is hidden: its "+" button inside role=tablist and the aria-controls of
   tabs whose panel is not drawn are invalid ARIA); the saved queries are examples to load
   from a labelled list. YASGUI's own controls get accessible names as soon as they are drawn
   (a MutationObserver), its colours are overridden in editor.css. The plain form at /sparql
   works without JavaScript. */
(function () {
  "use strict";
  var el = document.getElementById("yasgui");
  if (!el || !window.Yasgui) return;
  var d = el.dataset;
  var endpoint = d.endpoint;
  var saved = JSON.parse(document.getElementById("saved-queries").textContent);
  var byName = {};
  saved.forEach(function (q) { byName[q.name] = q; });

  function name(node, text) {
    if (!node.getAttribute("aria-label") && !node.getAttribute("aria-labelledby")) {
      node.setAttribute("aria-label", text);
    }
  }
  function patch() {
    el.querySelectorAll(".CodeMirror textarea").forEach(function (t) { name(t, d.queryLabel); });
    el.querySelectorAll("input.autocomplete").forEach(function (t) { name(t, "Endpoint"); });
    el.querySelectorAll("select.tableSizer").forEach(function (t) { name(t, d.rowsLabel); });
    el.querySelectorAll(".yasr input[type=search], .yasr .tableFilter").forEach(function (t) {
      name(t, d.filterLabel);
    });
    el.querySelectorAll(".yasr th .dt-column-title:empty").forEach(function (t) {
      var s = document.createElement("span");
      s.className = "visually-hidden";
      s.textContent = d.rowNumber;
      t.appendChild(s);
    });
    el.querySelectorAll("[role=tab][aria-controls]").forEach(function (t) {
      if (!document.getElementById(t.getAttribute("aria-controls"))) t.removeAttribute("aria-controls");
    });
    el.querySelectorAll(".yasr_btn, .yasqe_share, .yasqe_queryButton").forEach(function (b) {
      if (!b.textContent.trim()) name(b, b.getAttribute("title") || "");
    });
  }

  var yasgui = new window.Yasgui(el, {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    persistenceId: null,
    populateFromUrl: false,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
  });
  // the editor grows with its query (editor.css): no inner scroll region that a keyboard
  // cannot reach (axe: scrollable-region-focusable); every line drawn, not just the visible
  var yasqe = yasgui.getTab().getYasqe();
  yasqe.setOption("viewportMargin", Infinity);
  yasgui.getTab().setQuery(d.initial);
  patch();
  new MutationObserver(patch).observe(el, { childList: true, subtree: true });

  var picker = document.getElementById("example");
  var formNote = document.getElementById("example-form");
  picker.parentNode.hidden = false;
  picker.addEventListener("change", function () {
    var q = byName[picker.value];
    formNote.textContent = "";
    if (!q) return;
    yasgui.getTab().setQuery(q.text);
    var link = document.createElement("a");
    link.href = d.base + "queries/" + q.name + "?lang=" + d.lang;
    link.textContent = q.title;
    formNote.appendChild(document.createTextNode(d.formText + " "));
    formNote.appendChild(link);
  });
})();
