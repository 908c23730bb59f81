// Measures ranked on a stored chain under a scenario, through the REST API (POST
// /api/v1/measures/rank): the measures file the user picks or pastes is read by the server and
// sent as the `measures` document. Shows the API's numbers as a ranking table, a bar chart of the
// platform-days each measure avoids, and each platform before and after.
"use strict";

(function () {
  const D = window.ketenradarDashboard;
  const config = D.configOf("dashboard-config");
  const T = config.texts;
  const { number, percent } = D.numbers(config);
  const element = D.element;
  const svg = D.svg;

  function rankingChart(measures) {
    const width = 760, left = 220, right = 90, row = 26, bar = 16, top = 10;
    const height = top * 2 + measures.length * row + 20;
    const values = measures.map((m) => (Number.isFinite(m.loss_avoided) ? m.loss_avoided : null));
    const known = values.filter((v) => v !== null);
    // The scale runs from the smallest to the largest value and always includes zero, so a
    // measure that makes things worse (a negative value) is drawn to the left of the axis.
    const low = Math.min(0, ...known), high = Math.max(0, ...known);
    const span = high - low || 1;
    const plot = width - left - right;
    const x = (v) => left + ((v - low) / span) * plot;
    const chart = svg("svg", {
      xmlns: D.SVG, id: "ranking-chart", viewBox: `0 0 ${width} ${height}`, width: width, height: height,
      role: "img", "aria-label": T.chart,
    });
    chart.appendChild(svg("title", {}, T.chart));
    chart.appendChild(svg("line", { x1: x(0), x2: x(0), y1: 0, y2: height - 20, stroke: "#95a5a6" }));
    measures.forEach((m, i) => {
      const y = top + i * row;
      const value = values[i];
      chart.appendChild(svg("text", { x: left - 6, y: y + bar - 3, "text-anchor": "end", "font-size": 12, fill: "#1b2631" },
        m.id));
      if (value !== null) {
        const from = Math.min(x(0), x(value)), to = Math.max(x(0), x(value));
        chart.appendChild(svg("rect", {
          class: "bar", "data-measure": m.id, x: from, y: y, width: Math.max(to - from, 0), height: bar,
          fill: value < 0 ? "#c0392b" : "#1f4e79",
        }));
      }
      chart.appendChild(svg("text", { x: Math.max(x(0), value === null ? x(0) : x(value)) + 6, y: y + bar - 3, "font-size": 12,
        fill: "#1b2631" }, number(value, 2)));
    });
    chart.appendChild(svg("text", { x: left + plot / 2, y: height - 4, "text-anchor": "middle", "font-size": 12 },
      T.loss_avoided));
    const figure = element("figure", null, { class: "chart" });
    figure.appendChild(chart);
    figure.appendChild(element("figcaption", T.chart));
    return figure;
  }

  function show(result, ranking) {
    result.replaceChildren();
    result.appendChild(element("h2", ranking.scenario));
    result.appendChild(element("p", T.ranking_note, { class: "note" }));
    result.appendChild(D.table(
      "ranking",
      [T.rank, T.measure, T.name, T.kind, T.item, T.loss_avoided, T.cost, T.per_million, T.impact, T.effort],
      ranking.measures.map((m) => [
        number(m.rank, 0), m.id, m.name || config.missing, m.kind, m.item || config.missing,
        number(m.loss_avoided, 2), number(m.cost_eur, 0),
        // Per euro the figures are tiny: shown per million euros, as the command line does.
        number(Number.isFinite(m.loss_avoided_per_eur) ? m.loss_avoided_per_eur * 1e6 : null, 3),
        number(m.impact, 0), number(m.effort, 0),
      ]),
      [true, false, false, false, false, true, true, true, true, true],
    ));
    result.appendChild(rankingChart(ranking.measures));
    result.appendChild(element("h3", T.platforms));
    const rows = [];
    ranking.measures.forEach((m) => m.platforms.forEach((p) => rows.push([
      m.id, p.id, percent(p.availability_before, 1), percent(p.availability_after, 1),
      number(p.days_lost_before, 2), number(p.days_lost_after, 2),
    ])));
    result.appendChild(D.table(
      "ranking-platforms",
      [T.measure, T.platform, T.availability_before, T.availability_after, T.days_lost_before, T.days_lost_after],
      rows,
      [false, false, true, true, true, true],
    ));
    result.appendChild(element("p", `${T.rule}: ${ranking.rule}`, { class: "note" }));
    if ((ranking.notes || []).length) {
      result.appendChild(element("h3", T.notes));
      const list = element("ul");
      ranking.notes.forEach((note) => list.appendChild(element("li", note.text || JSON.stringify(note))));
      result.appendChild(list);
    }
    D.sources(result, ranking, T.sources);
  }

  const form = document.getElementById("measures-form");
  if (!form) {
    return;
  }
  const usesOwn = D.scenarioSource();
  D.fileInto(document.getElementById("measures-file"), document.getElementById("measures-text"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const status = document.getElementById("status");
    const result = document.getElementById("result");
    status.className = "";
    status.textContent = T.running;
    result.replaceChildren();
    try {
      const scenario = await D.scenarioOf(usesOwn, T, config.lang);
      const measures = await D.readDocument(document.getElementById("measures-text"), "measures.yaml", T, config.lang);
      const body = {
        chain: document.getElementById("chain").value,
        scenario: scenario,
        measures: measures,
        seed: Number(document.getElementById("seed").value || 0),
      };
      const draws = document.getElementById("draws").value;
      if (draws !== "") {
        body.draws = Number(draws);
      }
      show(result, await D.post("/api/v1/measures/rank", body, config.lang));
      status.textContent = T.done;
    } catch (error) {
      D.showError(status, result, error, T);
    }
  });
})();
