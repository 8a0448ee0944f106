// resistml GUI: screen a CSV library (flat table format) in chunks; sort, filter, plot, open a row.
"use strict";

(() => {
  const { state, api, el, fmt, download, toCsv, definition, TARGET_ORDER, TARGET_LABELS, $ } = window.gui;
  const MAX_ROWS = 1000, CHUNK = 200, SHOWN = 100;
  const ROLES = ["acid_generator", "resin", "crosslinker", "polymerizable", "base"];
  const NUMERIC = ["beam_energy_keV", "photon_energy_keV", "thickness_nm", "peb_temp_C", "peb_time_s", "develop_time_s", "spot_size_nm"];
  let rows = [];  // {index, doc, pred, error}

  function parseCsv(text) {
    const out = [];
    let row = [], cell = "", quoted = false;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (quoted) {
        if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') quoted = false; else cell += c;
      } else if (c === '"') quoted = true;
      else if (c === ",") { row.push(cell); cell = ""; }
      else if (c === "\n" || c === "\r") {
        if (c === "\r" && text[i + 1] === "\n") i++;
        row.push(cell); cell = "";
        if (row.some((x) => x !== "")) out.push(row);
        row = [];
      } else cell += c;
    }
    row.push(cell);
    if (row.some((x) => x !== "")) out.push(row);
    return out;
  }

  const num = (v) => (v === undefined || v.trim() === "" ? undefined : Number(v));

  // One CSV row -> a formulation document (the rules of resistml.formulation.table.row_to_dict).
  function rowToDoc(rec, i) {
    const components = [];
    for (const role of ROLES) {
      for (let k = 0; k < 4; k++) {
        const col = k === 0 ? role : `${role}_${k + 1}`;
        const value = (rec[col] || "").trim(), parts = num(rec[`${col}_parts`]);
        if (!value || !parts) continue;
        const entry = state.catalog.find((e) => e.name.toLowerCase() === value.toLowerCase());
        const comp = { role, parts };
        if (entry) comp.catalog = entry.name;
        else if (role === "resin") comp.repeat_units = value.split(";").map((s) => s.trim()).filter(Boolean).map((u, _, all) => {
          const [smiles, f] = u.split(/\s+/); return { smiles, fraction: f === undefined && all.length === 1 ? 1 : Number(f) };
        });
        else comp.smiles = value;
        if (role === "resin") for (const key of ["mw", "pdi"]) if (num(rec[`${col}_${key}`]) !== undefined) comp[key] = num(rec[`${col}_${key}`]);
        components.push(comp);
      }
    }
    const process = {};
    for (const key of [...NUMERIC, "radiation", "developer", "substrate"]) {
      if (rec[key] !== undefined && rec[key].trim() !== "") process[key] = NUMERIC.includes(key) ? Number(rec[key]) : rec[key].trim();
    }
    delete process[process.radiation === "xray" ? "beam_energy_keV" : "photon_energy_keV"];
    return { name: rec.name?.trim() || `row ${i + 1}`, components, process };
  }

  async function predictChunk(items) {
    let todo = items;
    while (todo.length) {
      try {
        const data = await api("/v1/predict", { formulations: todo.map((r) => r.doc) });
        data.predictions.forEach((p, j) => { todo[j].pred = p; });
        return;
      } catch (err) {
        const bad = new Map();
        for (const line of err.lines || []) {
          const m = /^formulations\[(\d+)\]/.exec(line);
          if (m) bad.set(Number(m[1]), (bad.get(Number(m[1])) ? bad.get(Number(m[1])) + "; " : "") + line.replace(/^formulations\[\d+\]\.?/, ""));
        }
        if (err.status !== 422 || !bad.size) { for (const r of todo) r.error = err.message; return; }
        for (const [j, msg] of bad) todo[j].error = msg;
        todo = todo.filter((_, j) => !bad.has(j));
      }
    }
  }

  async function screen(file) {
    const status = $("screen-status"), bar = $("screen-progress");
    let table;
    if (/\.parquet$/i.test(file.name)) {
      try {
        const data = await api("/v1/table-file", await file.arrayBuffer(), { text: true });
        table = [data.columns, ...data.rows];
        if (data.total > data.rows.length) table.total = data.total;
      } catch (err) { status.textContent = `${file.name}: ${err.message}`; return; }
    } else table = parseCsv(await file.text());
    if (table.length < 2) { status.textContent = `${file.name}: no data rows`; return; }
    const header = table[0].map((h) => h.trim());
    let data = table.slice(1);
    const total = table.total || data.length;
    const note = total > MAX_ROWS ? ` (only the first ${MAX_ROWS} of ${total} rows)` : "";
    data = data.slice(0, MAX_ROWS);
    rows = data.map((cells, i) => {
      const rec = Object.fromEntries(header.map((h, j) => [h, cells[j] ?? ""]));
      return { index: i, doc: rowToDoc(rec, i), pred: null, error: null };
    });
    bar.hidden = false; bar.max = rows.length; bar.value = 0;
    for (let start = 0; start < rows.length; start += CHUNK) {
      status.textContent = `predicting ${Math.min(start + CHUNK, rows.length)} / ${rows.length}${note}…`;
      await predictChunk(rows.slice(start, start + CHUNK));
      bar.value = Math.min(start + CHUNK, rows.length);
    }
    const failed = rows.filter((r) => r.error).length;
    status.textContent = `${rows.length - failed} of ${rows.length} rows predicted${failed ? `, ${failed} invalid (see the table)` : ""}${note}`;
    $("screen-controls").hidden = false;
    render();
  }

  function visible() {
    const pmin = Number($("screen-pmin").value) || 0, resmax = Number($("screen-resmax").value);
    const key = $("screen-sort").value;
    const dir = key === "p_prints" || state.defs?.targets?.[key]?.direction === "higher" ? -1 : 1;
    const val = (r) => (key === "p_prints" ? r.pred?.p_prints : r.pred?.targets?.[key]?.value);
    return rows.filter((r) => r.pred && (typeof r.pred.p_prints !== "number" || r.pred.p_prints >= pmin)
      && (!(resmax > 0) || r.pred.targets.resolution_nm?.value <= resmax))
      .sort((a, b) => dir * ((val(a) ?? Infinity) - (val(b) ?? Infinity)));
  }

  function open(r) {
    window.gui.fillForm(r.doc);
    $("status").textContent = `opened "${r.doc.name}" from the library: press Predict`;
    $("h-form").scrollIntoView({ behavior: "instant", block: "start" });
  }

  function lerColor(t) {  // 0..1 -> blue, green, amber, red
    const stops = [[31, 111, 235], [34, 197, 94], [245, 158, 11], [220, 38, 38]];
    const x = Math.min(0.999, Math.max(0, t)) * 3, i = Math.floor(x), f = x - i;
    const c = stops[i].map((v, k) => Math.round(v + f * (stops[i + 1][k] - v)));
    return `rgb(${c.join(",")})`;
  }

  function render() {
    const shown = visible();
    const head = $("screen-table").querySelector("thead"), body = $("screen-table").querySelector("tbody");
    const hasP = rows.some((r) => typeof r.pred?.p_prints === "number");
    head.replaceChildren(el("tr", {}, el("th", { text: "#" }), el("th", { text: "name" }),
      ...TARGET_ORDER.map((t) => el("th", { title: definition(t), text: TARGET_LABELS[t] })), hasP ? el("th", { text: "p_prints" }) : null, el("th", { text: "" })));
    const list = [...shown.slice(0, SHOWN), ...rows.filter((r) => r.error).slice(0, 20)];
    body.replaceChildren(...list.map((r) => {
      const btn = el("button", { type: "button", text: "open", "aria-label": `open ${r.doc.name} in the form` });
      btn.addEventListener("click", () => open(r));
      if (r.error) return el("tr", { class: "bad-row" }, el("td", { text: String(r.index + 1) }), el("td", { text: r.doc.name }),
        el("td", { colspan: String(TARGET_ORDER.length + (hasP ? 1 : 0)), class: "errors", text: r.error }), el("td", {}, btn));
      return el("tr", { "data-index": String(r.index) }, el("td", { text: String(r.index + 1) }), el("td", { text: r.doc.name }),
        ...TARGET_ORDER.map((t) => el("td", { class: "num", text: `${fmt(r.pred.targets[t]?.value)} ${r.pred.targets[t]?.unit === "1" ? "" : r.pred.targets[t]?.unit || ""}` })),
        hasP ? el("td", { class: "num", text: r.pred.p_prints.toFixed(2) }) : null, el("td", {}, btn));
    }));
    // Sensitivity vs resolution, LER as colour (one dose unit per chart).
    const counts = {};
    for (const r of shown) counts[r.pred.dose_unit] = (counts[r.pred.dose_unit] || 0) + 1;
    const unit = Object.keys(counts).sort((a, b) => counts[b] - counts[a])[0];
    const pts = shown.filter((r) => r.pred.dose_unit === unit);
    const lers = pts.map((r) => r.pred.targets.ler_nm?.value).filter(Number.isFinite);
    const l0 = Math.min(...lers), l1 = Math.max(...lers);
    const holder = $("screen-chart");
    if (!pts.length) { holder.replaceChildren(); return; }
    const points = pts.map((r) => {
      const t = r.pred.targets, ler = t.ler_nm?.value;
      return { x: t.resolution_nm?.value, y: t.sensitivity?.value, index: r.index, r: 4,
        color: lerColor(l1 > l0 ? (Math.log(ler) - Math.log(l0)) / (Math.log(l1) - Math.log(l0)) : 0.5),
        title: `${r.doc.name}: resolution ${fmt(t.resolution_nm?.value)} nm, sensitivity ${fmt(t.sensitivity?.value)} ${unit}, LER ${fmt(ler)} nm (click to open)`,
        onclick: () => open(r) };
    });
    charts.drawChart(holder, { id: "screen", title: `Sensitivity vs resolution: ${pts.length} in ${unit}`, xLabel: "resolution (nm)", yLabel: `sensitivity (${unit})`,
      x: charts.axisRange(points.map((p) => p.x)), y: charts.axisRange(points.map((p) => p.y)),
      series: [{ name: "", color: "#1f6feb", points, line: false, markers: "circle", markerCls: "screen-point" }] });
    holder.append(el("p", { class: "muted" }, `LER (3σ) colour: ${fmt(l0)} nm `, el("span", { class: "colorbar" }),
      ` ${fmt(l1)} nm. Click a point to open it as a formulation.`
      + (pts.length < shown.length ? ` ${shown.length - pts.length} rows with another dose unit are in the table only.` : "")));
  }

  document.addEventListener("resistml-ready", () => {
    const sort = $("screen-sort");
    for (const t of [...TARGET_ORDER, "p_prints"]) sort.append(el("option", { value: t, text: TARGET_LABELS[t] || t }));
    $("screen-file").addEventListener("change", (e) => { if (e.target.files[0]) screen(e.target.files[0]); e.target.value = ""; });
    for (const id of ["screen-sort", "screen-pmin", "screen-resmax"]) $(id).addEventListener("input", render);
    $("screen-csv").addEventListener("click", () => {
      const out = [["row", "name", ...TARGET_ORDER.flatMap((t) => [t, `${t}_std`, `${t}_unit`]), "p_prints", "in_domain", "error"]];
      for (const r of rows) out.push([r.index + 1, r.doc.name, ...TARGET_ORDER.flatMap((t) => [r.pred?.targets[t]?.value, r.pred?.targets[t]?.std, r.pred?.targets[t]?.unit]), r.pred?.p_prints, r.pred?.in_domain, r.error]);
      download("screen.csv", toCsv(out), "text/csv");
    });
  });
  window.screenLib = { parseCsv, rowToDoc, get rows() { return rows; } };
})();
