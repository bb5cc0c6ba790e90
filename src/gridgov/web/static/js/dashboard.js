// The leader's dashboard (/dashboard) and the monthly report (/indicators/report/…).
// The charts are drawn on the server (inline SVG); this script only adds the grid map
// (Leaflet, loaded when the map comes near the screen, so the first view needs neither
// its script nor its stylesheet) from data-* attributes and /dashboard/map.json: no
// inline scripts (CSP). ?screen=wall reloads every minute.
(function () {
  "use strict";
  var getJSON = window.gridgov.getJSON, loadLeaflet = window.gridgov.loadLeaflet;  // common.js
  var BANDS = { green: "#188038", amber: "#f9ab00", red: "#d93025" };
  var NO_DATA = "#9aa0a6";

  var print = document.getElementById("print-report");
  if (print) {
    print.addEventListener("click", function () { window.print(); });
  }

  var root = document.getElementById("dashboard");
  if (!root) { return; }
  var wall = root.classList.contains("dash-wall");
  if (wall) { document.body.classList.add("wall"); }
  Array.prototype.forEach.call(document.querySelectorAll(".js-hide"), function (el) { el.hidden = true; });

  function gridMap(element, form) {
    if (!window.L) { return; }
    var map = L.map(element, { zoomSnap: 0.25, attributionControl: !!element.dataset.tiles });
    if (element.dataset.tiles) {
      L.tileLayer(element.dataset.tiles, { attribution: element.dataset.attribution || "" }).addTo(map);
    }
    var values = {};
    var layer = null;

    function style(feature) {
      var v = values[feature.properties.code];
      return { color: wall ? "#e8eaed" : "#3c4043", weight: 1, fillOpacity: v ? 0.65 : 0.2,
               fillColor: v ? (BANDS[v.band] || NO_DATA) : NO_DATA };
    }

    function describe(l) {
      var p = l.feature.properties;
      var v = values[p.code];
      var body = document.createElement("div");
      var title = document.createElement("strong");
      title.textContent = p.name;
      body.appendChild(title);
      body.appendChild(document.createElement("br"));
      body.appendChild(document.createTextNode(v ? v.value.toFixed(2) : (element.dataset.noData || "—")));
      return body;
    }

    function popup(l) {
      var body = describe(l);
      var v = values[l.feature.properties.code];
      var q = new URLSearchParams(new FormData(form));
      if (v && q.get("period")) {
        body.appendChild(document.createElement("br"));
        var open = document.createElement("a");
        open.href = "/indicators/" + encodeURIComponent(q.get("tree")) + "/" +
          encodeURIComponent(q.get("period")) + "/" + encodeURIComponent(v.unit);
        open.textContent = element.dataset.openLabel || "Open";
        body.appendChild(open);
      }
      return body;
    }

    function refresh() {
      var q = new URLSearchParams(new FormData(form));
      q.delete("screen");
      return getJSON(element.dataset.values + "?" + q.toString()).then(function (found) {
        values = found || {};
        if (layer) { layer.setStyle(style); }
      }).catch(function (error) { element.setAttribute("data-error", String(error)); });
    }

    getJSON("/api/v1/regions/" + encodeURIComponent(element.dataset.scope) + "/grids.geojson")
      .then(function (grids) {
        layer = L.geoJSON(grids, {
          style: style,
          onEachFeature: function (feature, l) {
            l.bindTooltip(describe, { sticky: true });
            l.bindPopup(popup);
          }
        }).addTo(map);
        if (layer.getLayers().length) { map.fitBounds(layer.getBounds(), { padding: [8, 8] }); }
        return refresh();
      })
      .catch(function (error) { element.setAttribute("data-error", String(error)); });

    form.addEventListener("change", function (event) {
      if (event.target && event.target.name === "tree") {
        form.submit();  // another tree has other periods and indicators
        return;
      }
      var q = new URLSearchParams(new FormData(form));
      window.history.replaceState(null, "", "/dashboard?" + q.toString());
      refresh();
    });
  }

  function whenNear(element, action) {
    if (!("IntersectionObserver" in window)) { action(); return; }
    var seen = new IntersectionObserver(function (entries) {
      if (entries.some(function (e) { return e.isIntersecting; })) {
        seen.disconnect();
        action();
      }
    }, { rootMargin: "200px" });
    seen.observe(element);
  }

  var mapElement = document.getElementById("dash-map");
  var form = document.getElementById("map-form");
  if (mapElement && form && mapElement.dataset.scope) {
    whenNear(mapElement, function () {
      loadLeaflet(mapElement).then(function () { gridMap(mapElement, form); })
        .catch(function (error) { mapElement.setAttribute("data-error", String(error)); });
    });
  }

  if (root.dataset.refresh) {
    window.setTimeout(function () { window.location.reload(); }, Number(root.dataset.refresh) * 1000);
  }
})();
