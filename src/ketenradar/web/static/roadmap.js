// A roadmap file the user picks or pastes, read by the REST API (POST /api/v1/roadmaps/show, the
// reader of `ketenradar roadmap show`) and shown: progress, the standard steps, the risks, and the
// interventions and milestones with owners, dates and status. A refused file shows every problem
// the reader found, located and in the page's language.
"use strict";

(function () {
  const D = window.ketenradarDashboard;
  const config = D.configOf("dashboard-config");
  const T = config.texts;
  const { number, percent } = D.numbers(config);
  const element = D.element;
  const missing = config.missing;

  const word = (words, code) => (code === null || code === undefined || code === "" ? missing : words[code] || code);
  const owners = (list) => ((list || []).length ? list.map((o) => word(T.owner_types, o)).join(", ") : missing);
  const text = (value) => (value === null || value === undefined || value === "" ? missing : String(value));

  function progress(answer) {
    const rows = [
      [T.interventions_word, answer.progress.interventions],
      [T.milestones_word, answer.progress.milestones],
      [T.overall_word, answer.progress.overall],
    ];
    const section = element("section", null, { id: "progress" });
    section.appendChild(element("h3", T.progress));
    section.appendChild(D.table(
      "progress-table",
      [T.progress, T.statuses.planned, T.statuses.in_progress, T.statuses.done, T.statuses.dropped, T.share_done],
      rows.map(([what, p]) => [what, number(p.planned, 0), number(p.in_progress, 0), number(p.done, 0),
        number(p.dropped, 0), percent(p.share_done, 0)]),
      [false, true, true, true, true, true],
    ));
    rows.forEach(([what, p]) => {
      const line = element("p", D.fill(T.progress_line, {
        what: what, done: number(p.done, 0), counted: number(p.planned + p.in_progress + p.done, 0),
        dropped: number(p.dropped, 0),
      }), { class: "progress-line" });
      if (p.share_done !== null) {
        const bar = element("progress", null, { max: "1", value: String(p.share_done) });
        bar.textContent = percent(p.share_done, 0);
        line.prepend(bar);
      }
      section.appendChild(line);
    });
    return section;
  }

  function show(result, answer) {
    const r = answer.roadmap;
    result.replaceChildren();
    result.appendChild(element("h2", D.fill(T.heading, { group: r.product_group, chain: r.chain.name })));
    if (r.drafted) {
      result.appendChild(element("p", D.fill(T.drafted, { date: r.drafted }), { class: "note" }));
    }
    result.appendChild(progress(answer));
    result.appendChild(element("h3", T.interventions));
    result.appendChild(D.table(
      "interventions",
      [T.id, T.name, T.owners, T.instrument, T.start, T.due, T.status, T.status_date, T.rank, T.loss_avoided],
      (r.interventions || []).map((i) => [i.id, text(i.name), owners(i.owners), text(i.instrument), text(i.start),
        text(i.due), word(T.statuses, i.status), text(i.status_date), number(i.rank, 0), number(i.loss_avoided, 1)]),
      [false, false, false, false, false, false, false, false, true, true],
    ));
    if (!(r.interventions || []).length) {
      result.appendChild(element("p", T.none, { class: "note", id: "no-interventions" }));
    }
    result.appendChild(element("p", T.loss_note, { class: "note" }));
    result.appendChild(element("h3", T.milestones));
    result.appendChild(D.table(
      "milestones",
      [T.id, T.name, T.step, T.owners, T.due, T.status, T.status_date],
      (r.milestones || []).map((m) => [m.id, text(m.what), word(T.step_titles, m.step), owners(m.owners), text(m.due),
        word(T.statuses, m.status), text(m.status_date)]),
      [false, false, false, false, false, false, false],
    ));
    result.appendChild(element("h3", T.steps));
    result.appendChild(D.table(
      "steps",
      [T.step, T.content],
      (r.steps || []).map((s) => [word(T.step_titles, s.step), text(s.content)]),
      [false, false],
    ));
    result.appendChild(element("h3", T.risks));
    result.appendChild(D.table(
      "risks",
      [T.id, T.kind, T.subject, T.detail],
      (r.risks || []).map((k) => [k.id, word(T.risk_kinds, k.kind), text(k.subject), text(k.detail)]),
      [false, false, false, false],
    ));
    if ((r.notes || []).length) {
      result.appendChild(element("h3", T.notes));
      const list = element("ul");
      r.notes.forEach((note) => list.appendChild(element("li", String(note))));
      result.appendChild(list);
    }
  }

  const form = document.getElementById("roadmap-form");
  const input = document.getElementById("roadmap-text");
  const status = document.getElementById("status");
  const result = document.getElementById("result");
  const download = document.getElementById("download");
  D.fileInto(document.getElementById("roadmap-file"), input);

  function refused(text) {
    const error = new Error(text);
    error.refused = true;
    error.problems = [];
    error.prefix = T.refused;
    return error;
  }

  // The text box's YAML can be saved as a file (a blob made here; nothing leaves the browser).
  function offerDownload() {
    if (download.href.startsWith("blob:")) {
      URL.revokeObjectURL(download.href);
    }
    download.href = URL.createObjectURL(new Blob([input.value], { type: "application/yaml" }));
    download.hidden = false;
  }

  async function run(busy, request) {
    status.className = "";
    status.textContent = busy;
    result.replaceChildren();
    try {
      show(result, await request());
      status.textContent = T.done;
    } catch (error) {
      if (error.refused && !error.prefix) {
        error.prefix = T.error;
      }
      D.showError(status, result, error, T);
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    run(T.running, async () => {
      if (!input.value.trim()) {
        throw refused(T.empty);
      }
      const body = { roadmap: input.value, name: input.dataset.name || "roadmap.yaml" };
      try {
        return await D.post("/api/v1/roadmaps/show", body, config.lang);
      } catch (error) {
        error.prefix = T.refused;
        throw error;
      }
    });
  });

  const draft = document.getElementById("draft-form");
  if (draft) {
    draft.addEventListener("submit", (event) => {
      event.preventDefault();
      run(T.drafting, async () => {
        const body = {
          chain: document.getElementById("draft-chain").value,
          product_group: document.getElementById("product-group").value,
        };
        const scenario = document.getElementById("draft-scenario").value;
        const start = document.getElementById("start").value.trim();
        if (scenario) {
          body.scenario = scenario;
        }
        if (start) {
          body.start = start;
        }
        const answer = await D.post("/api/v1/roadmaps/draft", body, config.lang);
        input.value = answer.yaml;
        input.dataset.name = "roadmap.yaml";
        offerDownload();
        return answer;
      });
    });
  }
  // Edits to a drafted roadmap are saved with it.
  input.addEventListener("input", () => {
    if (!download.hidden) {
      offerDownload();
    }
  });
})();
