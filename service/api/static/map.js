// geocheck map page: draws the reference set from the API and checks clicked points.
// No tiles by default (works offline): the border layer gives orientation.
"use strict";

const map = L.map("map", { worldCopyJump: true }).setView([34.0, 38.3], 7);
const layers = { borders: L.layerGroup(), sites: L.layerGroup(), routes: L.layerGroup(), zones: L.layerGroup() };
const status = document.getElementById("status");
window.geocheckMap = map;
window.geocheckLayers = layers;
window.geocheckReady = false;

async function api(path, options) {
  const response = await fetch(path, options);
  const body = await response.json();
  if (!response.ok) {
    // The field's own message says what is wrong better than the summary does.
    const messages = Object.values(body.errors || {}).flat();
    throw new Error(messages[0] || body.detail || response.statusText);
  }
  return body;
}

function metres(value) {
  return Math.abs(value) >= 1000 ? `${(value / 1000).toFixed(2)} km` : `${value.toFixed(1)} m`;
}

async function drawReference() {
  const [areas, sites, routes, zones] = await Promise.all(
    ["area", "site", "route", "zone"].map((kind) => api(`/features?kind=${kind}`)),
  );
  L.geoJSON(areas, { style: { color: "#777", weight: 1, fill: false } }).addTo(layers.borders);
  for (const site of sites.features) {
    const [lon, lat] = site.geometry.coordinates;
    const p = site.properties;
    L.circle([lat, lon], { radius: p.uncertainty_m, color: "#246", weight: 1, fillOpacity: 0.08 })
      .bindTooltip(`${p.name} (±${metres(p.uncertainty_m)})`)
      .addTo(layers.sites);
    L.circleMarker([lat, lon], { radius: 4, color: "#123", fillOpacity: 1 })
      .bindTooltip(p.name, { permanent: true, direction: "right", className: "site-label" })
      .addTo(layers.sites);
  }
  L.geoJSON(routes, { style: { color: "#c60", weight: 3 } })
    .bindTooltip((layer) => layer.feature.properties.name)
    .addTo(layers.routes);
  for (const zone of zones.features) {
    // The exact geodesic outline, densified by the server to a stated error.
    const outline = await api(`/zones/${encodeURIComponent(zone.id)}/polygon?max_error_m=10`);
    L.geoJSON(outline, { style: { color: "#c00", weight: 2, fillOpacity: 0.05 }, interactive: false })
      .addTo(layers.zones);
  }
  for (const group of Object.values(layers)) group.addTo(map);
  L.control.layers(null, {
    "Borders": layers.borders, "Sites (uncertainty rings)": layers.sites,
    "Routes": layers.routes, "Zones": layers.zones,
  }).addTo(map);
  L.control.scale().addTo(map);
}

async function check(point, at) {
  const body = await api("/check-zone", {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ point }),
  });
  const result = body.results[0];
  const lines = [`<b>${result.lat.toFixed(5)}, ${result.lon.toFixed(5)}</b>`,
    `Verdict: <span class="verdict verdict-${result.verdict}">${result.verdict}</span>`];
  for (const zone of result.zones) {
    lines.push(`${zone.zone}: ${zone.verdict}, ${metres(zone.distance_to_boundary_m)} to the boundary ` +
      `(${zone.distance_to_boundary_m < 0 ? "inside" : "outside"}; margin ${metres(zone.margin_m)})`);
  }
  const from = { lat: result.lat, lon: result.lon };
  for (const target of ["palmyra", "palmyra-damascus-highway"]) {
    try {
      const d = await api("/distance", {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ from, to: target }),
      });
      lines.push(`to ${d.to.name}: ${metres(d.distance_m)}`);
    } catch (error) {
      lines.push(`to ${target}: ${error.message}`);
    }
  }
  L.popup({ maxWidth: 420 }).setLatLng(at || [result.lat, result.lon]).setContent(lines.join("<br>")).openOn(map);
  if (!at) map.panTo([result.lat, result.lon]);
}

map.on("click", (event) => {
  const lon = ((event.latlng.lng + 540) % 360) - 180;
  check({ lat: event.latlng.lat, lon }, event.latlng).catch((error) => { status.textContent = error.message; });
});

document.getElementById("paste").addEventListener("submit", (event) => {
  event.preventDefault();
  status.textContent = "";
  const text = document.getElementById("point").value.trim();
  if (text) check(text).catch((error) => { status.textContent = error.message; });
});

drawReference()
  .then(() => { window.geocheckReady = true; })
  .catch((error) => { status.textContent = `Could not load the reference set: ${error.message}`; });
