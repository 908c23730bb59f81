// The dashboard's Plotly charts: world maps (material, country) and the chain's Sankey.
// Each chart's figure is JSON in the page (script type="application/json"), built and translated
// on the server; this script only draws it. The map shapes come from this server
// (/static/vendor/world-110m.json and countries.geojson) and are handed to Plotly through
// window.PlotlyGeoAssets, so that Plotly never asks another site for them.
"use strict";

(function () {
  const charts = Array.from(document.querySelectorAll(".plotly-chart"));
  if (!charts.length || !window.Plotly) {
    return;
  }
  const options = { displayModeBar: false, responsive: true };
  let assets = null;

  function geoAssets() {
    if (assets === null) {
      assets = Promise.all([
        fetch("/static/vendor/world-110m.json").then((r) => r.json()),
        fetch("/static/vendor/countries.geojson").then((r) => r.json()),
      ]).then(([topology, shapes]) => {
        const store = (window.PlotlyGeoAssets = window.PlotlyGeoAssets || { topojson: {} });
        store.topojson = store.topojson || {};
        store.topojson.world_110m = topology;
        charts.forEach((div) => {
          if (div.dataset.geojsonKey) {
            store[div.dataset.geojsonKey] = shapes;
          }
        });
      });
    }
    return assets;
  }

  function draw(div) {
    if (div.dataset.drawn) {
      return Promise.resolve();
    }
    div.dataset.drawn = "pending";
    const figure = JSON.parse(document.getElementById(div.dataset.figure).textContent);
    const ready = div.dataset.geojsonKey ? geoAssets() : Promise.resolve();
    return ready
      .then(() => window.Plotly.newPlot(div, figure.data, figure.layout, options))
      .then(() => {
        div.dataset.drawn = "yes";
      });
  }

  // A chart inside a hidden part is drawn when the part is first shown (Plotly needs its size).
  charts.filter((div) => !div.closest("[hidden]")).forEach(draw);

  document.querySelectorAll("button[data-show]").forEach((button) => {
    button.addEventListener("click", () => {
      const group = button.closest("[role=group]");
      group.querySelectorAll("button[data-show]").forEach((other) => {
        const part = document.getElementById(other.dataset.show);
        const shown = other === button;
        part.hidden = !shown;
        other.setAttribute("aria-pressed", shown ? "true" : "false");
      });
      document.getElementById(button.dataset.show).querySelectorAll(".plotly-chart").forEach(draw);
    });
  });
})();
