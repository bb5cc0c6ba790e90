// Case pages, drawn with Leaflet and no tile server (outlines come from our own data):
//  - the public report form: tap the map or use the phone's location to fill lon/lat;
//    "report anonymously" hides the name and phone fields;
//  - the case page: the case's point inside its grid's outline;
//  - the map of open cases: circles per cell, sized by count, from /cases/map.json.
(function () {
  "use strict";
  var getJSON = window.gridgov.getJSON, loadLeaflet = window.gridgov.loadLeaflet;  // common.js
  var RED = "#b3261e", BLUE = "#1a73e8", ORANGE = "#e37400";

  function plainMap(element, options) {
    var settings = { attributionControl: false, zoomSnap: 0.5 };
    Object.keys(options || {}).forEach(function (k) { settings[k] = options[k]; });
    return L.map(element, settings);
  }

  function pointMarker(latlng) {
    return L.circleMarker(latlng, { radius: 9, color: RED, weight: 3, fillColor: RED, fillOpacity: 0.6 });
  }

  // ------------------------------------------------------------ the report form
  function reportForm() {
    var form = document.getElementById("report-form");
    if (!form) { return; }
    var lon = document.getElementById("report-lon");
    var lat = document.getElementById("report-lat");
    var status = document.getElementById("point-status");
    var row = document.getElementById("locate-row");
    var locate = document.getElementById("locate-me");
    var clear = document.getElementById("clear-point");
    var mapElement = document.getElementById("report-map");
    var anonymous = document.getElementById("report-anonymous");
    var who = document.getElementById("report-who");
    var map = null;
    var marker = null;

    function toggleWho() {
      var off = anonymous.checked;
      who.hidden = off;
      Array.prototype.forEach.call(who.querySelectorAll("input"), function (input) { input.disabled = off; });
    }
    if (anonymous && who) { anonymous.addEventListener("change", toggleWho); toggleWho(); }

    function showPoint(lng, lt) {
      status.textContent = status.dataset.chosen + ": " + lt.toFixed(5) + ", " + lng.toFixed(5);
      clear.hidden = false;
      if (!map) { return; }
      if (marker) { marker.setLatLng([lt, lng]); } else { marker = pointMarker([lt, lng]).addTo(map); }
    }

    function setPoint(lng, lt, centre) {
      lon.value = lng.toFixed(6);
      lat.value = lt.toFixed(6);
      showPoint(lng, lt);
      if (map && centre) { map.setView([lt, lng], Math.max(map.getZoom() || 0, 16)); }
    }

    function clearPoint() {
      lon.value = ""; lat.value = "";
      status.textContent = map ? status.dataset.hint : "";
      clear.hidden = true;
      if (marker) { map.removeLayer(marker); marker = null; }
    }

    row.hidden = false;
    if (!("geolocation" in navigator)) { locate.hidden = true; }
    locate.addEventListener("click", function () {
      locate.disabled = true;
      status.textContent = locate.dataset.busy;
      navigator.geolocation.getCurrentPosition(function (position) {
        locate.disabled = false;
        setPoint(position.coords.longitude, position.coords.latitude, true);
      }, function () {
        locate.disabled = false;
        status.textContent = locate.dataset.failed;
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });
    clear.addEventListener("click", clearPoint);
    if (lon.value && lat.value) { showPoint(parseFloat(lon.value), parseFloat(lat.value)); }

    placeSearch(function (place) {
      var address = form.querySelector("input[name=address]");
      if (address && !address.value) { address.value = place.name + (place.address ? " · " + place.address : ""); }
      setPoint(place.lon, place.lat, true);
      if (map) { map.setView([place.lat, place.lon], Math.max(map.getZoom(), 17)); }
    });
    if (!mapElement) { return; }
    if (window.L) { drawMap(); return; }
    if (!mapElement.dataset.leafletJs) { return; }
    // The map is not needed to report (the form works without it), so Leaflet and the
    // outlines load only when the person starts filling in the form or, once the page
    // has loaded and the browser is idle, when half of the map's box (kept empty, at its
    // size) is on the screen. The first paint and the form wait for none of it.
    var started = false;
    function start() {
      if (started) { return; }
      started = true;
      form.removeEventListener("focusin", start);
      loadLeaflet(mapElement).then(drawMap).catch(function () { mapElement.hidden = true; });
    }
    form.addEventListener("focusin", start);
    whenSettled(function () {
      if (started) { return; }
      if (!("IntersectionObserver" in window)) { start(); return; }
      var seen = new IntersectionObserver(function (entries) {
        if (entries.some(function (e) { return e.intersectionRatio >= 0.5; })) { seen.disconnect(); start(); }
      }, { threshold: [0.5] });
      seen.observe(mapElement);
    });

    function drawMap() {
      getJSON(mapElement.dataset.area).then(function (area) {
        mapElement.hidden = false;
        map = plainMap(mapElement);
        var outline = L.geoJSON(area, {
          interactive: false,
          style: { color: RED, weight: 2, fillColor: RED, fillOpacity: 0.04 }
        }).addTo(map);
        map.fitBounds(outline.getBounds(), { padding: [6, 6] });
        map.on("click", function (event) { setPoint(event.latlng.lng, event.latlng.lat, false); });
        if (mapElement.dataset.grids) {
          // Grid lines and names, drawn from our own data: no tile server needed.
          getJSON(mapElement.dataset.grids).then(function (grids) {
            L.geoJSON(grids, {
              interactive: false,
              style: { color: "#5f6368", weight: 1, fill: false, opacity: 0.6 },
              onEachFeature: function (feature, layer) {
                if (feature.properties && feature.properties.name) {
                  layer.bindTooltip(feature.properties.name, { permanent: false, direction: "center" });
                }
              }
            }).addTo(map);
          }).catch(function () { return null; });
        }
        if (mapElement.dataset.buildings) { buildingLayer(map, mapElement.dataset.buildings); }
        if (lon.value && lat.value) {
          setPoint(parseFloat(lon.value), parseFloat(lat.value), true);
        } else {
          status.textContent = status.dataset.hint;
        }
      }).catch(function () { mapElement.hidden = true; });
    }
  }

  // Runs action after the load event, when the browser is next idle.
  function whenSettled(action) {
    function idle() {
      if ("requestIdleCallback" in window) {
        window.requestIdleCallback(action, { timeout: 1500 });
      } else {
        window.setTimeout(action, 100);
      }
    }
    if (document.readyState === "complete") { idle(); } else { window.addEventListener("load", idle); }
  }

  // The register's buildings in view, loaded only once the map is zoomed in (so the
  // page's first load stays light); names are text, never HTML.
  function buildingLayer(map, url) {
    var layer = L.layerGroup().addTo(map);
    var last = "";
    function refresh() {
      if (map.getZoom() < 16) { layer.clearLayers(); last = ""; return; }
      var b = map.getBounds();
      var box = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(5); }).join(",");
      if (box === last) { return; }
      last = box;
      getJSON(url + "?bbox=" + encodeURIComponent(box)).then(function (data) {
        if (box !== last) { return; }
        layer.clearLayers();
        data.features.forEach(function (f) {
          var c = f.geometry.coordinates;
          var label = document.createElement("span");
          label.textContent = f.properties.name;
          L.circleMarker([c[1], c[0]], { radius: 4, color: BLUE, weight: 1, fillOpacity: 0.5, interactive: false })
            .bindTooltip(label, { permanent: map.getZoom() >= 17, direction: "right", className: "building-label" })
            .addTo(layer);
        });
      }).catch(function () { return null; });
    }
    map.on("moveend", refresh);
    refresh();
  }

  // The address box: buildings of the register whose name or address starts with the text.
  function placeSearch(choose) {
    var box = document.getElementById("place-search");
    if (!box) { return; }
    var input = document.getElementById("place-q");
    var go = document.getElementById("place-go");
    var list = document.getElementById("place-results");
    box.hidden = false;
    function say(text) {
      list.textContent = "";
      var li = document.createElement("li");
      li.className = "muted small"; li.textContent = text; list.appendChild(li);
    }
    function search() {
      var q = input.value.trim();
      if (!q) { list.textContent = ""; return; }
      getJSON(box.dataset.url + "?q=" + encodeURIComponent(q)).then(function (data) {
        if (!data.features.length) { say(box.dataset.none); return; }
        list.textContent = "";
        data.features.forEach(function (f) {
          var li = document.createElement("li");
          var pick = document.createElement("button");
          pick.type = "button"; pick.className = "link";
          pick.textContent = f.properties.name + (f.properties.address ? " · " + f.properties.address : "");
          pick.addEventListener("click", function () {
            list.textContent = "";
            choose({ name: f.properties.name, address: f.properties.address,
                     lon: f.geometry.coordinates[0], lat: f.geometry.coordinates[1] });
          });
          li.appendChild(pick); list.appendChild(li);
        });
      }).catch(function () { say(box.dataset.failed); });
    }
    go.addEventListener("click", search);
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); search(); }
    });
  }

  // ------------------------------------------------------------ the case page
  function caseMap() {
    var element = document.getElementById("case-map");
    if (!element || !window.L) { return; }
    var here = [parseFloat(element.dataset.lat), parseFloat(element.dataset.lon)];
    var map = plainMap(element);
    map.scrollWheelZoom.disable();
    map.setView(here, 16);
    pointMarker(here).addTo(map);
    if (!element.dataset.grid) { return; }
    getJSON("/api/v1/regions/" + encodeURIComponent(element.dataset.grid) + "/children.geojson")
      .then(function (data) {
        if (!data.parent || !data.parent.geometry) { return; }
        var shape = L.geoJSON(data.parent, {
          interactive: false,
          style: { color: ORANGE, weight: 2, fillColor: ORANGE, fillOpacity: 0.08 }
        }).addTo(map);
        shape.bringToBack();
        map.fitBounds(shape.getBounds().extend(here), { padding: [10, 10], maxZoom: 17 });
      })
      .catch(function () { /* the point alone still shows */ });
  }

  // ------------------------------------------------------------ the map of open cases
  function casesMap() {
    var element = document.getElementById("cases-map");
    if (!element || !window.L) { return; }
    var map = plainMap(element, { zoomSnap: 1 });
    var layer = L.layerGroup().addTo(map);
    var summary = document.getElementById("cases-map-summary");
    var ticket = 0;

    function describe(data) {
      if (!summary) { return; }
      var overdue = data.cells.reduce(function (n, c) { return n + c.overdue; }, 0);
      summary.textContent = (summary.dataset.template || "")
        .replace("{total}", data.total).replace("{overdue}", overdue)
        .replace("{unlocated}", data.unlocated);
    }

    function popup(cell) {
      var body = document.createElement("div");
      var link = document.createElement("a");
      link.href = "/cases/" + encodeURIComponent(cell.case_id);
      link.textContent = (element.dataset.openLabel || "Open") + " " + cell.tracking_code;
      body.appendChild(link);
      return body;
    }

    function draw(data) {
      layer.clearLayers();
      data.cells.forEach(function (cell) {
        var colour = cell.overdue ? RED : BLUE;
        var circle = L.circleMarker([cell.lat, cell.lon], {
          radius: Math.min(40, 9 + Math.sqrt(cell.count) * 4),
          color: colour, weight: 2, fillColor: colour, fillOpacity: 0.55
        });
        circle.bindTooltip(String(cell.count), { permanent: true, direction: "center", className: "cluster-label" });
        if (cell.case_id) {
          circle.bindPopup(popup(cell));
        } else {
          circle.on("click", function () { map.setView([cell.lat, cell.lon], Math.min(map.getZoom() + 2, 19)); });
        }
        circle.addTo(layer);
      });
      describe(data);
    }

    function load() {
      var mine = ++ticket;
      var zoom = Math.round(map.getZoom());
      return getJSON(element.dataset.json + "?zoom=" + zoom).then(function (data) {
        if (mine === ticket) { draw(data); }
        return data;
      });
    }

    function start() {
      map.on("zoomend", load);
      return load();
    }

    function withoutOutline() {
      // No outline to frame the view: look at the cases themselves.
      getJSON(element.dataset.json + "?zoom=12").then(function (data) {
        if (data.cells.length) {
          map.fitBounds(L.latLngBounds(data.cells.map(function (c) { return [c.lat, c.lon]; })).pad(0.2), { maxZoom: 15 });
        } else {
          map.setView([0, 0], 2);
        }
        start();
      });
    }

    if (!element.dataset.scope) { withoutOutline(); return; }
    getJSON("/api/v1/regions/" + encodeURIComponent(element.dataset.scope) + "/children.geojson")
      .then(function (data) {
        var parts = data.features.filter(function (f) { return f.geometry; });
        L.geoJSON({ type: "FeatureCollection", features: parts }, {
          interactive: false, style: { color: "#5d6677", weight: 1, fill: false, opacity: 0.6 }
        }).addTo(map);
        if (!data.parent.geometry) { withoutOutline(); return; }
        var outline = L.geoJSON(data.parent, {
          interactive: false, style: { color: RED, weight: 2, fillColor: RED, fillOpacity: 0.03 }
        }).addTo(map);
        map.fitBounds(outline.getBounds(), { padding: [6, 6] });
        start();
      })
      .catch(withoutOutline);
  }

  reportForm();
  caseMap();
  casesMap();
})();
