// The service map: grids shaded by the share of households within the walk, each
// point's walking area, the points, and the places whose households are beyond it.
(function () {
  "use strict";
  var element = document.getElementById("service-map");
  if (!element) { return; }
  var map = L.map(element, { zoomSnap: 0.25, attributionControl: !!element.dataset.tiles });
  if (element.dataset.tiles) { L.tileLayer(element.dataset.tiles).addTo(map); }
  function get(path) {
    return fetch(path, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); });
  }
  function shade(share) {
    if (share === null || share === undefined) { return "#9aa0a6"; }
    return share >= 0.8 ? "#188038" : (share >= 0.4 ? "#e37400" : "#c5221f");
  }
  get("/api/v1/services/coverage/grids.geojson").then(function (grids) {
    var layer = L.geoJSON(grids, { style: function (f) {
      return { color: "#555", weight: 0.5, fillColor: shade(f.properties.share), fillOpacity: 0.45 };
    }, onEachFeature: function (f, l) {
      var p = f.properties;
      l.bindPopup(p.name + "<br>" + p.covered + " / " + p.households + " " + element.dataset.householdsLabel);
    } }).addTo(map);
    if (layer.getBounds().isValid()) { map.fitBounds(layer.getBounds()); }
    return get("/api/v1/services/isochrones.geojson");
  }).then(function (areas) {
    L.geoJSON(areas, { interactive: false, style: { color: "#1a73e8", weight: 1.5, fillColor: "#1a73e8", fillOpacity: 0.3 } }).addTo(map);
    return get("/api/v1/services/coverage/uncovered.geojson");
  }).then(function (spots) {
    L.geoJSON(spots, { pointToLayer: function (f, latlng) {
      return L.circleMarker(latlng, { radius: 1.5 + Math.min(2.5, f.properties.households / 20), color: "#5f2120", weight: 0, fillOpacity: 0.45 })
        .bindPopup(f.properties.households + " " + element.dataset.householdsLabel + " · " + f.properties.minutes + " " + element.dataset.minutesLabel);
    } }).addTo(map);
    return get("/api/v1/services/points.geojson");
  }).then(function (points) {
    L.geoJSON(points, { pointToLayer: function (f, latlng) {
      var a = document.createElement("a");
      a.href = "/services/points/" + encodeURIComponent(f.properties.code);
      a.textContent = f.properties.name;
      return L.circleMarker(latlng, { radius: f.properties.kind === "party_people_centre" ? 7 : 4, color: "#fff", weight: 1.5, fillColor: "#b3261e", fillOpacity: 1 }).bindPopup(a);
    } }).addTo(map);
  }).catch(function () { /* the table below still tells the figures */ });
})();
