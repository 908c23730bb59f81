// The scenario runner: runs a shipped scenario, or a scenario file of the user's own, on a stored
// chain through the REST API and shows the API's numbers (availability per platform; with "over
// time", the daily output as a line chart). A scenario file is read by the server and sent as the
// `scenario` document of the request. Every text comes from the page's configuration, translated
// on the server; numbers are formatted like the server formats them (documents.js).
"use strict";

(function () {
  const D = window.ketenradarDashboard;
  const config = D.configOf("dashboard-config");
  const T = config.texts;
  const documentTexts = { ...T, ...((D.configOf("document-config") || {}).texts || {}) };
  const SVG = D.SVG;
  const COLOURS = ["#1f4e79", "#c0392b", "#27ae60", "#8e44ad", "#d68910", "#17a589", "#5d6d7e"];
  const formatNumber = D.numbers(config).number;
  const formatPercent = D.numbers(config).percent;
  const element = D.element;
  const table = D.table;
  const svg = D.svg;

  function lineChart(platforms) {
    const width = 760, height = 340, left = 70, right = 20, top = 16, bottom = 70;
    const days = Math.max(...platforms.map((p) => p.series.length));
    const plotWidth = width - left - right, plotHeight = height - top - bottom;
    const x = (day) => left + (days > 1 ? (day / (days - 1)) * plotWidth : 0);
    const y = (output) => top + (1 - Math.min(Math.max(output, 0), 1)) * plotHeight;
    const chart = svg("svg", {
      xmlns: SVG, id: "timeline-chart", viewBox: `0 0 ${width} ${height}`, width: width, height: height,
      role: "img", "aria-label": T.chart,
    });
    chart.appendChild(svg("title", {}, T.chart));
    for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
      chart.appendChild(svg("line", { x1: left, x2: width - right, y1: y(tick), y2: y(tick), stroke: "#eef1f1" }));
      chart.appendChild(svg("text", { x: left - 6, y: y(tick) + 4, "text-anchor": "end", "font-size": 11, fill: "#5d6d7e" },
        formatPercent(tick, 0)));
    }
    const step = Math.max(1, Math.ceil((days - 1) / 5));
    for (let day = 0; day < days; day += step) {
      chart.appendChild(svg("text", { x: x(day), y: top + plotHeight + 16, "text-anchor": "middle", "font-size": 11, fill: "#5d6d7e" },
        formatNumber(day, 0)));
    }
    chart.appendChild(svg("line", { x1: left, x2: left, y1: top, y2: top + plotHeight, stroke: "#95a5a6" }));
    chart.appendChild(svg("line", { x1: left, x2: width - right, y1: top + plotHeight, y2: top + plotHeight, stroke: "#95a5a6" }));
    chart.appendChild(svg("text", { x: left + plotWidth / 2, y: top + plotHeight + 34, "text-anchor": "middle", "font-size": 12 }, T.day));
    chart.appendChild(svg("text", { x: 14, y: top + plotHeight / 2, "text-anchor": "middle", "font-size": 12,
      transform: `rotate(-90 14 ${top + plotHeight / 2})` }, T.output));
    platforms.forEach((platform, i) => {
      const colour = COLOURS[i % COLOURS.length];
      // A missing day (null) breaks the line rather than being drawn as zero.
      let points = [];
      const flush = () => {
        if (points.length) {
          chart.appendChild(svg("polyline", { class: "series", "data-platform": platform.id, points: points.join(" "), stroke: colour }));
        }
        points = [];
      };
      platform.series.forEach((value, day) => {
        if (value === null || !Number.isFinite(value)) {
          flush();
        } else {
          points.push(`${x(day).toFixed(1)},${y(value).toFixed(1)}`);
        }
      });
      flush();
      const legendX = left + i * 150;
      chart.appendChild(svg("rect", { x: legendX, y: height - 22, width: 12, height: 12, fill: colour }));
      chart.appendChild(svg("text", { x: legendX + 16, y: height - 12, "font-size": 12 }, platform.id));
    });
    const figure = element("figure", null, { class: "chart" });
    figure.appendChild(chart);
    figure.appendChild(element("figcaption", T.chart));
    return figure;
  }

  function post(path, body) {
    return D.post(path, body, config.lang);
  }

  function showRun(result, run, simulation) {
    result.replaceChildren();
    result.appendChild(element("h2", run.scenario));
    result.appendChild(element("p", run.description, { class: "note" }));
    result.appendChild(table(
      "availability",
      [T.platform, T.availability, T.limited_by],
      run.platforms.map((p) => [p.id, formatPercent(p.availability, 1), (p.limited_by || []).join(", ")]),
      [false, true, false],
    ));
    result.appendChild(element("p", `${T.rule}: ${run.rule}`, { class: "note" }));
    if (simulation) {
      result.appendChild(element("h2", T.chart));
      result.appendChild(table(
        "timeline",
        [T.platform, T.days_lost, T.min_output, T.stockout_day],
        simulation.platforms.map((p) => [p.id, formatNumber(p.days_lost, 1), formatPercent(p.min_output, 1),
          p.stockout_day === null ? config.missing : formatNumber(p.stockout_day, 0)]),
        [false, true, true, true],
      ));
      result.appendChild(lineChart(simulation.platforms));
      result.appendChild(element("p", `${T.rule}: ${simulation.rule}`, { class: "note" }));
    }
    const notes = [...(run.notes || []), ...((simulation && simulation.notes) || [])];
    if (notes.length) {
      result.appendChild(element("h3", T.notes));
      const list = element("ul");
      notes.forEach((note) => list.appendChild(element("li", note.text || note.message || JSON.stringify(note))));
      result.appendChild(list);
    }
    const sources = element("ul", null, { class: "sources" });
    (run.sources || []).forEach((s) => sources.appendChild(element("li", `${s.title}: ${s.citation}`)));
    result.appendChild(element("h3", T.sources));
    result.appendChild(sources);
  }

  const form = document.getElementById("scenario-form");
  if (!form) {
    return;
  }
  const usesOwn = D.scenarioSource();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const status = document.getElementById("status");
    const result = document.getElementById("result");
    const overTime = document.getElementById("over-time").checked;
    status.className = "";
    status.textContent = T.running;
    result.replaceChildren();
    try {
      const body = {
        chain: document.getElementById("chain").value,
        scenario: await D.scenarioOf(usesOwn, documentTexts, config.lang),
      };
      const run = await post("/api/v1/scenarios/run", body);
      let simulation = null;
      if (overTime) {
        const horizon = Number(document.getElementById("horizon").value);
        simulation = await post("/api/v1/scenarios/simulate", { ...body, horizon_days: horizon });
      }
      showRun(result, run, simulation);
      status.textContent = T.done;
    } catch (error) {
      D.showError(status, result, error, documentTexts);
    }
  });
})();
