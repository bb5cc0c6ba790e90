// The map beside the hand edit of contact groups (/outreach/schemes/{id}): every
// building is a dot coloured by its group; the group being edited (?group=, or the
// group of the building tapped) is outlined and the target group dashed, the others
// fade. Tapping a building puts one of its households into the move form. A move made
// through the form is posted in the background: the map, the quality figures and the
// groups table are redrawn without leaving the page. Without JavaScript (or when a
// request fails) the form posts as usual and the page reloads with the new figures.
(function () {
  "use strict";
  var element = document.getElementById("contact-map");
  if (!element || typeof L === "undefined" || !window.fetch) { return; }
  var d = element.dataset;
  var form = document.getElementById("move-form");
  var numberInput = document.getElementById("move-household");
  var toInput = document.getElementById("move-to");
  var status = document.getElementById("group-figures");
  var hint = document.getElementById("contact-map-hint");
  element.hidden = false;
  if (hint) { hint.hidden = false; }

  var map = L.map(element, { zoomSnap: 0.25, attributionControl: !!d.tiles });
  if (d.tiles) { L.tileLayer(d.tiles, { attribution: d.attribution || "" }).addTo(map); }
  var layer = L.layerGroup().addTo(map);
  var data = null;
  var renderer = null;  // SVG (each dot an element) for a village; canvas past 1,500 dots
  var edited = d.group ? Number(d.group) : null;
  var selected = null;
  var fitted = false;

  function fill(template, values) {
    return (template || "").replace(/%\((\w+)\)s/g, function (_all, key) {
      return values[key] === undefined ? "" : String(values[key]);
    });
  }
  // Neighbouring group numbers get distant hues (the golden angle).
  function colour(n) { return "hsl(" + Math.round((n * 137.508) % 360) + ",70%,40%)"; }
  function target() {
    var n = toInput ? Number(toInput.value) : NaN;
    return n >= 1 ? n : null;
  }
  function groupOf(n) {
    if (!data || n === null) { return null; }
    return data.groups[n - 1] || null;
  }

  function line(g) {
    var text = fill(d.groupLabel, { n: g.number }) + ": " + fill(d.householdsLabel, { n: g.size }) +
      " (" + data.band.low + "–" + data.band.high + ") · " + fill(d.distanceLabel, { m: g.largest_distance_m });
    if (g.size < data.band.low || g.size > data.band.high) { text += " · " + d.outsideLabel; }
    return text;
  }

  function describe(extra) {
    if (!status) { return; }
    var parts = [];
    if (extra) { parts.push(extra); }
    if (selected) { parts.push(fill(d.pickLabel, { number: selected.number, n: selected.households })); }
    [edited, target()].forEach(function (n, i, all) {
      var g = groupOf(n);
      if (g && (i === 0 || n !== all[0])) { parts.push(line(g)); }
    });
    status.textContent = "";
    parts.forEach(function (text) {
      var row = document.createElement("span");
      row.textContent = text;  // household numbers come from the register: text, never HTML
      status.appendChild(row);
      status.appendChild(document.createElement("br"));
    });
  }

  function draw() {
    layer.clearLayers();
    if (!data) { return; }
    var to = target();
    var bounds = [];
    if (!renderer) { renderer = data.points.length > 1500 ? L.canvas({ padding: 0.5 }) : L.svg(); }
    data.points.forEach(function (p) {
      var inEdited = edited !== null && p.groups[String(edited)] !== undefined;
      var inTarget = to !== null && p.groups[String(to)] !== undefined;
      var chosen = selected !== null && selected.key === p.key;
      var focus = inEdited || inTarget;
      var marker = L.circleMarker([p.lat, p.lon], {
        renderer: renderer,
        radius: (chosen ? 9 : (focus ? 7 : 5)) + Math.min(3, Math.sqrt(p.households) / 3),
        color: chosen ? "#000" : (focus ? "#1d2330" : "#fff"),
        weight: chosen ? 3 : (focus ? 2 : 1),
        dashArray: inTarget && !inEdited ? "3 3" : null,
        fillColor: colour(p.group),
        fillOpacity: edited !== null && !focus ? 0.3 : 0.9
      });
      var tip = document.createElement("span");
      tip.textContent = p.number + " · " + Object.keys(p.groups).map(function (n) {
        return fill(d.groupLabel, { n: n }) + " " + fill(d.householdsLabel, { n: p.groups[n] });
      }).join(", ");
      marker.bindTooltip(tip);
      marker.on("click", function () { pick(p); });
      marker.addTo(layer);
      bounds.push([p.lat, p.lon]);
    });
    if (!fitted && bounds.length) { map.fitBounds(bounds, { padding: [12, 12], maxZoom: 18 }); fitted = true; }
  }

  function pick(p) {
    selected = p;
    edited = p.group;
    if (numberInput) { numberInput.value = p.number; }
    if (toInput) { toInput.focus(); }
    draw();
    describe();
  }

  function load() {
    return fetch(d.source, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); });
  }

  // The figures and the groups table, as the server words them in the reader's language.
  function refreshPage(to) {
    var url = window.location.pathname + "?group=" + encodeURIComponent(to);
    if (window.history && window.history.replaceState) { window.history.replaceState(null, "", url + "#edit"); }
    return fetch(url, { credentials: "same-origin" }).then(function (r) { return r.text(); }).then(function (html) {
      var page = new DOMParser().parseFromString(html, "text/html");
      ["scheme-figures", "scheme-groups"].forEach(function (id) {
        var fresh = page.getElementById(id);
        var old = document.getElementById(id);
        if (fresh && old) { old.replaceWith(document.importNode(fresh, true)); }
      });
    });
  }

  if (toInput) { toInput.addEventListener("input", function () { draw(); describe(); }); }
  if (form) {
    form.addEventListener("submit", function (event) {
      if (!window.FormData) { return; }
      event.preventDefault();
      var to = target();
      fetch(form.action, {
        method: "POST", body: new FormData(form), credentials: "same-origin",
        headers: { "Accept": "application/json" }
      }).then(function (r) {
        return r.json().then(function (body) { return { ok: r.ok, body: body }; });
      }).then(function (answer) {
        if (!answer.ok) {
          var reason = answer.body && answer.body.error ? answer.body.error.message : "";
          var details = answer.body && answer.body.error ? answer.body.error.details || [] : [];
          if (details.length) { reason = details.map(function (x) { return x.message; }).join(" "); }
          describe(fill(d.failedLabel, { reason: reason }));
          return null;
        }
        data = answer.body;
        edited = to;
        selected = null;
        if (numberInput) { numberInput.value = ""; }
        draw();
        describe(d.movedLabel);
        refreshPage(to).catch(function () { return null; });  // the map already shows it
        return null;
      }).catch(function () { form.submit(); });
    });
  }

  load().then(function (body) { data = body; draw(); describe(); }).catch(function (error) {
    element.setAttribute("data-error", String(error));
    element.hidden = true;
    if (hint) { hint.hidden = true; }
  });
})();
