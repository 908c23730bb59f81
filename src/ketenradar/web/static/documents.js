// What the dashboard's scripts share: numbers written like the server writes them, tables and SVG
// made with DOM calls (never HTML strings), requests to this server's API, and files the user
// picks or pastes. A YAML or JSON file is read by the server (POST /dashboard/document, the
// command line's reader) and its document sent to the API; errors are shown as the API located
// and translated them. Every text comes from the page's configuration, translated on the server.
"use strict";

(function () {
  const SVG = "http://www.w3.org/2000/svg";

  function configOf(id) {
    const node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function numbers(config) {
    function number(value, digits) {
      if (value === null || value === undefined || !Number.isFinite(value)) {
        return config.missing;
      }
      const fixed = Math.abs(value).toFixed(digits);
      const [whole, fraction] = fixed.split(".");
      const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, config.group);
      const sign = value < 0 && Number(fixed) !== 0 ? "-" : "";
      return sign + grouped + (fraction ? config.decimal + fraction : "");
    }
    function percent(value, digits) {
      if (value === null || value === undefined || !Number.isFinite(value)) {
        return config.missing;
      }
      return number(value * 100, digits) + "%";
    }
    return { number: number, percent: percent };
  }

  // Python's str.format with named fields, for the server's translated templates.
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? String(values[key]) : whole));
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

  async function post(path, body, lang) {
    const response = await fetch(`${path}?lang=${encodeURIComponent(lang)}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body),
    });
    let answer = null;
    try {
      answer = await response.json();
    } catch (ignored) {
      answer = null;
    }
    if (!response.ok) {
      const problem = answer && answer.error ? answer.error : null;
      const error = new Error(problem ? problem.message.split("\n")[0] : String(response.status));
      error.refused = true;
      error.problems = problem && problem.details && Array.isArray(problem.details.problems)
        ? problem.details.problems.map((p) => p.text || p.message)
        : [];
      if (problem && problem.details && Array.isArray(problem.details.fields)) {
        error.problems = error.problems.concat(
          problem.details.fields.map((f) => `${f.field}: ${f.message}`));
      }
      throw error;
    }
    return answer;
  }

  // The document of a picked or pasted file, read by the server as the command line reads files.
  async function readDocument(textarea, fallbackName, texts, lang) {
    const text = textarea.value;
    if (!text.trim()) {
      const error = new Error(texts.empty);
      error.refused = true;
      error.problems = [];
      throw error;
    }
    const name = textarea.dataset.name || fallbackName;
    try {
      const answer = await post("/dashboard/document", { name: name, text: text }, lang);
      return answer.document;
    } catch (error) {
      error.prefix = texts.refused;
      throw error;
    }
  }

  // A picked file fills the text box (so it can be checked and edited) and names what is sent.
  function fileInto(input, textarea) {
    if (!input || !textarea) {
      return;
    }
    input.addEventListener("change", async () => {
      const file = input.files && input.files[0];
      if (!file) {
        return;
      }
      textarea.value = await file.text();
      textarea.dataset.name = file.name;
    });
    textarea.addEventListener("input", () => {
      if (!input.files || !input.files.length) {
        delete textarea.dataset.name;
      }
    });
  }

  // The scenario comes from the library (its id) or from a file of one's own (its document).
  function scenarioSource() {
    const own = document.getElementById("source-own");
    const library = document.getElementById("source-library");
    const box = document.getElementById("own-scenario");
    const select = document.getElementById("scenario");
    if (!own || !library || !box) {
      return () => false;
    }
    const update = () => {
      box.hidden = !own.checked;
      select.disabled = own.checked;
    };
    own.addEventListener("change", update);
    library.addEventListener("change", update);
    update();
    fileInto(document.getElementById("scenario-file"), document.getElementById("scenario-text"));
    return () => own.checked;
  }

  async function scenarioOf(usesOwn, texts, lang) {
    if (usesOwn()) {
      return readDocument(document.getElementById("scenario-text"), "scenario.yaml", texts, lang);
    }
    return document.getElementById("scenario").value;
  }

  function showError(status, result, error, texts) {
    status.className = "error";
    status.textContent = error.refused ? `${error.prefix || texts.error} ${error.message}` : texts.failed;
    result.replaceChildren();
    if (error.refused && error.problems && error.problems.length) {
      const list = element("ul", null, { id: "problems", class: "problems error" });
      error.problems.forEach((text) => list.appendChild(element("li", text)));
      result.appendChild(list);
    }
  }

  function sources(result, answer, title) {
    const list = element("ul", null, { class: "sources" });
    (answer.sources || []).forEach((s) => list.appendChild(element("li", `${s.title}: ${s.citation}`)));
    if (list.childElementCount) {
      result.appendChild(element("h3", title));
      result.appendChild(list);
    }
  }

  window.ketenradarDashboard = {
    SVG: SVG,
    configOf: configOf,
    numbers: numbers,
    fill: fill,
    element: element,
    table: table,
    svg: svg,
    post: post,
    readDocument: readDocument,
    fileInto: fileInto,
    scenarioSource: scenarioSource,
    scenarioOf: scenarioOf,
    showError: showError,
    sources: sources,
  };
})();
