// Draws grids from their own polygons with Leaflet (no tile server needed); tapping an
// area loads its children, the trail goes back up. A tile URL, when configured, adds a
// base map underneath. Used by /map (#grid-map) and the region page (#region-map).
(function () {
  "use strict";
  var COLOURS = { district: "#b3261e", street: "#1a73e8", community: "#188038",
                  grid: "#e37400", micro_grid: "#c5221f", dedicated: "#9334e6" };

  function colour(props) {
    return props.kind === "dedicated" ? COLOURS.dedicated : (COLOURS[props.level] || "#555");
  }

  function makeMap(element) {
    var map = L.map(element, { zoomSnap: 0.25, attributionControl: !!element.dataset.tiles });
    if (element.dataset.tiles) {
      L.tileLayer(element.dataset.tiles, { attribution: element.dataset.attribution || "" }).addTo(map);
    }
    return map;
  }

  function load(code, what) {
    return fetch("/api/v1/regions/" + encodeURIComponent(code) + "/" + (what || "children") + ".geojson",
                 { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      });
  }

  function drill(element) {
    var map = makeMap(element);
    var layer = null;
    var outline = null;
    var gridsLayer = null;
    var trail = document.getElementById("map-trail");
    var path = [];

    function renderTrail() {
      if (!trail) { return; }
      trail.textContent = "";
      path.forEach(function (step, i) {
        if (i > 0) {
          var sep = document.createElement("span");
          sep.className = "sep"; sep.textContent = "›"; trail.appendChild(sep);
        }
        var a = document.createElement("a");
        a.href = "#"; a.textContent = step.name;
        a.addEventListener("click", function (event) {
          event.preventDefault(); path = path.slice(0, i); show(step.code);
        });
        trail.appendChild(a);
      });
    }

    function show(code) {
      load(code).then(function (data) {
        var parent = data.parent.properties;
        path.push({ code: parent.code, name: parent.name });
        renderTrail();
        if (layer) { map.removeLayer(layer); }
        if (outline) { map.removeLayer(outline); }
        if (gridsLayer) { map.removeLayer(gridsLayer); gridsLayer = null; }
        if (parent.level !== "community" && parent.level !== "grid" && parent.level !== "micro_grid") {
          // Every grid underneath, thin and not clickable, so the whole cut is visible.
          load(parent.code, "grids").then(function (grids) {
            gridsLayer = L.geoJSON(grids, { interactive: false, style: function (f) {
              return { color: colour(f.properties), weight: 0.6, fill: false, opacity: 0.8 };
            } }).addTo(map);
            if (layer) { layer.bringToFront(); }
          });
        }
        if (data.parent.geometry) {
          outline = L.geoJSON(data.parent, { style: { color: colour(parent), weight: 3, fill: false } }).addTo(map);
        }
        var features = data.features.filter(function (f) { return f.geometry; });
        if (!features.length) {
          if (outline) { map.fitBounds(outline.getBounds()); } else if (path.length === 1) { empty(element); }
          return;
        }
        layer = L.geoJSON({ type: "FeatureCollection", features: features }, {
          style: function (f) {
            return { color: colour(f.properties), weight: 1.5, fillOpacity: 0.25 };
          },
          onEachFeature: function (f, l) {
            var p = f.properties;
            var body = document.createElement("div");
            var title = document.createElement("strong");
            title.textContent = p.name + " ";
            var code = document.createElement("code");
            code.textContent = p.code;
            body.appendChild(title); body.appendChild(code); body.appendChild(document.createElement("br"));
            var open = document.createElement("a");
            open.href = "/regions/" + encodeURIComponent(p.code);
            open.textContent = element.dataset.openLabel || "Open";
            body.appendChild(open);
            if (p.level !== "grid" && p.level !== "micro_grid") {
              body.appendChild(document.createTextNode(" · "));
              var down = document.createElement("a");
              down.href = "#"; down.textContent = element.dataset.downLabel || "Zoom in";
              down.addEventListener("click", function (event) { event.preventDefault(); map.closePopup(); show(p.code); });
              body.appendChild(down);
            }
            l.bindPopup(body);
            if (features.length <= 60) {
              var label = document.createElement("span");
              label.textContent = p.name;  // a region's name is text, never HTML
              l.bindTooltip(label, { permanent: true, direction: "center", className: "grid-label" });
            }
          }
        }).addTo(map);
        map.fitBounds(layer.getBounds(), { padding: [8, 8] });
      }).catch(function (error) {
        element.setAttribute("data-error", String(error));
        if (!path.length) { empty(element); }
      });
    }

    show(element.dataset.start);
  }

  function outlineOnly(element) {
    var map = makeMap(element);
    map.dragging.disable(); map.scrollWheelZoom.disable();
    load(element.dataset.code).then(function (data) {
      var shapes = L.geoJSON(data.parent, { style: { color: colour(data.parent.properties), weight: 2, fillOpacity: 0.15 } }).addTo(map);
      L.geoJSON({ type: "FeatureCollection", features: data.features.filter(function (f) { return f.geometry; }) },
                { style: function (f) { return { color: colour(f.properties), weight: 1, fillOpacity: 0.1 }; } }).addTo(map);
      map.fitBounds(shapes.getBounds(), { padding: [6, 6] });
    });
  }

  function empty(element) {
    var notice = document.getElementById("map-empty");
    if (notice) { notice.hidden = false; }
    element.hidden = true;
  }

  function fetchJSON(url) {
    return fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      });
  }

  // A resident (no scope): the district's outline and grid lines from the public
  // endpoints of the report form, names as text.
  function publicMap(element) {
    fetchJSON(element.dataset.area).then(function (area) {
      var map = makeMap(element);
      var shape = L.geoJSON(area, { interactive: false, style: { color: COLOURS.district, weight: 3, fillOpacity: 0.04 } }).addTo(map);
      map.fitBounds(shape.getBounds(), { padding: [8, 8] });
      fetchJSON(element.dataset.grids).then(function (grids) {
        L.geoJSON(grids, {
          style: { color: COLOURS.grid, weight: 1, fillOpacity: 0.08 },
          onEachFeature: function (f, l) {
            var label = document.createElement("span");
            label.textContent = f.properties.name;
            l.bindTooltip(label, { direction: "center", className: "grid-label" });
          }
        }).addTo(map);
      }).catch(function () { return null; });
    }).catch(function () { empty(element); });
  }

  var big = document.getElementById("grid-map");
  if (big && big.dataset.start) { drill(big); } else if (big && big.dataset.area) { publicMap(big); } else if (big) { empty(big); }
  var small = document.getElementById("region-map");
  if (small) { outlineOnly(small); }
})();
