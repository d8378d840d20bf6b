/* coopgraph: combine the facets of the cooperation list (Land, Rechtsform, Handlungsfeld,
   members). Without JavaScript the form stays hidden and the list shows every cooperation. */
(function () {
  "use strict";
  var form = document.getElementById("facets");
  var list = document.getElementById("coop-list");
  var status = document.getElementById("facet-status");
  if (!form || !list) return;
  var items = Array.prototype.slice.call(list.children);
  var selects = Array.prototype.slice.call(form.querySelectorAll("select[data-facet]"));
  function apply() {
    var wanted = selects.map(function (s) { return [s.getAttribute("data-facet"), s.value]; })
      .filter(function (f) { return f[1]; });
    var shown = 0;
    items.forEach(function (li) {
      var ok = wanted.every(function (f) {
        return (" " + (li.getAttribute("data-" + f[0]) || "") + " ").indexOf(" " + f[1] + " ") >= 0;
      });
      li.hidden = !ok;
      if (ok) shown++;
    });
    status.textContent = status.getAttribute("data-template")
      .replace("%n", shown).replace("%m", items.length);
  }
  form.hidden = false;
  form.addEventListener("change", apply);
  form.addEventListener("reset", function () { setTimeout(apply, 0); });
  form.addEventListener("submit", function (e) { e.preventDefault(); });
})();
