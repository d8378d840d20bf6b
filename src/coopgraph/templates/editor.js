/* coopgraph serve: the YASGUI SPARQL editor on this server's endpoint, with the saved queries
   as tabs. The plain form at /sparql works without it. */
(function () {
  "use strict";
  var el = document.getElementById("yasgui");
  if (!el || !window.Yasgui) return;
  var endpoint = el.getAttribute("data-endpoint");
  var saved = JSON.parse(document.getElementById("saved-queries").textContent);
  var yasgui = new window.Yasgui(el, {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    persistenceId: null,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
  });
  saved.forEach(function (q) {
    yasgui.addTab(false, { name: q.name, yasqe: { value: q.text }, requestConfig: { endpoint: endpoint } });
  });
})();
