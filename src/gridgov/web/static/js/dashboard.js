// The leader's dashboard (/dashboard) and the monthly report (/indicators/report/…).
// Charts (ECharts) and the grid map (Leaflet) read their data from data-* attributes
// and /dashboard/map.json: no inline scripts (CSP). ?screen=wall reloads every minute.
(function () {
  "use strict";
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

  function read(element) {
    try { return JSON.parse(element.getAttribute("data-chart") || "null"); } catch (e) { return null; }
  }

  var charts = [];
  function chartOn(element) {
    var chart = window.echarts.init(element, wall ? "dark" : null, { renderer: "canvas" });
    charts.push(chart);
    return chart;
  }

  function percent(value) { return value === null || value === undefined ? "—" : value + "%"; }

  function trendChart(element) {
    var data = read(element);
    if (!data || !window.echarts) { return; }
    chartOn(element).setOption({
      backgroundColor: "transparent",
      color: ["#1a73e8", "#188038", "#e37400", "#9334e6"],
      tooltip: { trigger: "axis", valueFormatter: percent },
      legend: { top: 0, type: "scroll" },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.labels, boundaryGap: false },
      yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      series: data.series.map(function (s) {
        return { name: s.name, type: "line", data: s.data, symbolSize: 7, connectNulls: false };
      })
    });
  }

  function categoryChart(element) {
    var data = read(element);
    if (!data || !window.echarts) { return; }
    var rows = data.slice().reverse();  // the commonest at the top
    chartOn(element).setOption({
      backgroundColor: "transparent",
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: rows.map(function (r) { return r.name; }),
               axisLabel: { width: 140, overflow: "truncate" } },
      series: [{ type: "bar", data: rows.map(function (r) { return r.count; }), itemStyle: { color: "#1a73e8" },
                 label: { show: true, position: "right" } }]
    });
  }

  var trend = document.getElementById("trend-chart");
  if (trend) { trendChart(trend); }
  var categories = document.getElementById("category-chart");
  if (categories) { categoryChart(categories); }
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });

  function getJSON(url) {
    return fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      });
  }

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

  var mapElement = document.getElementById("dash-map");
  var form = document.getElementById("map-form");
  if (mapElement && form && mapElement.dataset.scope) { gridMap(mapElement, form); }

  if (root.dataset.refresh) {
    window.setTimeout(function () { window.location.reload(); }, Number(root.dataset.refresh) * 1000);
  }
})();
