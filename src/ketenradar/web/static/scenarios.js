// The scenario runner: runs a shipped scenario on a stored chain through the REST API and shows
// the API's numbers (availability per platform; with "over time", the daily output as a line
// chart). Every text comes from the page's configuration, translated on the server; numbers are
// formatted like the server formats them (decimal sign and thousands separator of the language).
"use strict";

(function () {
  const config = JSON.parse(document.getElementById("dashboard-config").textContent);
  const T = config.texts;
  const SVG = "http://www.w3.org/2000/svg";
  const COLOURS = ["#1f4e79", "#c0392b", "#27ae60", "#8e44ad", "#d68910", "#17a589", "#5d6d7e"];

  function formatNumber(value, digits) {
    if (value === null || value === undefined || !Number.isFinite(value)) {
      return config.missing;
    }
    const fixed = Math.abs(value).toFixed(digits);
    const [whole, fraction] = fixed.split(".");
    const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, config.group);
    const sign = value < 0 && Number(fixed) !== 0 ? "-" : "";
    return sign + grouped + (fraction ? config.decimal + fraction : "");
  }

  function formatPercent(value, digits) {
    if (value === null || value === undefined || !Number.isFinite(value)) {
      return config.missing;
    }
    return formatNumber(value * 100, digits) + "%";
  }

  function element(tag, text, attributes) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) {
      node.textContent = text;
    }
    for (const [key, value] of Object.entries(attributes || {})) {
      node.setAttribute(key, value);
    }
    return node;
  }

  function table(id, headers, rows, numeric) {
    const wrap = element("div", null, { class: "table-wrap" });
    const result = element("table", null, { id: id });
    const head = result.createTHead().insertRow();
    headers.forEach((header, i) => head.appendChild(element("th", header, numeric[i] ? { class: "num" } : {})));
    const body = result.createTBody();
    for (const row of rows) {
      const tr = body.insertRow();
      row.forEach((cell, i) => tr.appendChild(element("td", cell, numeric[i] ? { class: "num" } : {})));
    }
    wrap.appendChild(result);
    return wrap;
  }

  function svg(tag, attributes, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [key, value] of Object.entries(attributes)) {
      node.setAttribute(key, String(value));
    }
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

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

  async function post(path, body) {
    const response = await fetch(`${path}?lang=${encodeURIComponent(config.lang)}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body),
    });
    const document_ = await response.json();
    if (!response.ok) {
      const error = new Error(document_.error ? document_.error.message : String(response.status));
      error.refused = true;
      throw error;
    }
    return document_;
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
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const status = document.getElementById("status");
    const result = document.getElementById("result");
    const body = {
      chain: document.getElementById("chain").value,
      scenario: document.getElementById("scenario").value,
    };
    const overTime = document.getElementById("over-time").checked;
    status.className = "";
    status.textContent = T.running;
    result.replaceChildren();
    try {
      const run = await post("/api/v1/scenarios/run", body);
      let simulation = null;
      if (overTime) {
        const horizon = Number(document.getElementById("horizon").value);
        simulation = await post("/api/v1/scenarios/simulate", { ...body, horizon_days: horizon });
      }
      showRun(result, run, simulation);
      status.textContent = T.done;
    } catch (error) {
      status.className = "error";
      status.textContent = error.refused ? `${T.error} ${error.message}` : T.failed;
    }
  });
})();
