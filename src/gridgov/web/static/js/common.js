// What the page scripts share (cases.js, dashboard.js), as window.gridgov: loaded before
// them (defer keeps the order). No inline scripts (CSP).
(function () {
  "use strict";

  // A JSON answer of our own API, with the session's cookie; a refusal rejects.
  function getJSON(url) {
    return fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      });
  }

  // Leaflet's stylesheet and script (hashed URLs in data-leaflet-css/-js), added to the
  // page once, on demand.
  var leaflet = null;
  function loadLeaflet(element) {
    if (window.L) { return Promise.resolve(); }
    if (!leaflet) {
      leaflet = new Promise(function (resolve, reject) {
        var css = document.createElement("link");
        css.rel = "stylesheet";
        css.href = element.dataset.leafletCss;
        document.head.appendChild(css);
        var script = document.createElement("script");
        script.src = element.dataset.leafletJs;
        script.onload = function () { resolve(); };
        script.onerror = function () { reject(new Error("leaflet")); };
        document.head.appendChild(script);
      });
    }
    return leaflet;
  }

  window.gridgov = { getJSON: getJSON, loadLeaflet: loadLeaflet };
})();
