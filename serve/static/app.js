// resistml formulation GUI: plain JavaScript, no build step, no external resources.
// app.js: API access, the formulation form, one prediction (table, contrast curve, energy curves).
"use strict";

const ROLES = ["acid_generator", "resin", "crosslinker", "polymerizable", "base"];
const DEFAULT_PARTS = { acid_generator: 5, resin: 100, crosslinker: 15, polymerizable: 20, base: 0.3 };
const SWEEP = { electron: [5, 10, 20, 30, 50, 70, 100, 150, 200], xray: [0.3, 0.5, 0.7, 1, 1.5, 2, 3, 5, 10] };
const SIM_SWEEP = { electron: [10, 30, 100], xray: [0.5, 1.5, 5] };
const ENERGY_FIELD = { electron: "beam_energy_keV", xray: "photon_energy_keV" };
const PROCESS_NUMBERS = ["beam_energy_keV", "photon_energy_keV", "thickness_nm", "peb_temp_C",
  "peb_time_s", "develop_time_s", "spot_size_nm"];
const TARGET_LABELS = { sensitivity: "sensitivity (D50)", gel_dose: "gel dose (D_g^i)", resolution_nm: "resolution",
  contrast: "contrast γ", ler_nm: "LER (3σ)" };
const TARGET_ORDER = ["sensitivity", "gel_dose", "resolution_nm", "contrast", "ler_nm"];

const state = { catalog: [], model: null, defs: null, failed: new Set(), current: null, seq: 0 };
const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "text") node.textContent = v; else if (v !== undefined && v !== null) node.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(c);
  return node;
}

async function api(path, body, { text = false } = {}) {
  const binary = body instanceof ArrayBuffer;
  const headers = { "Content-Type": binary ? "application/octet-stream" : text ? "text/plain" : "application/json" };
  const token = $("token").value.trim();
  if (token) headers.Authorization = "Bearer " + token;
  const init = body === undefined ? { headers } : { method: "POST", headers, body: text ? body : JSON.stringify(body) };
  const response = await fetch(path, init);
  const data = await response.json().catch(() => ({ detail: response.statusText }));
  if (!response.ok) {
    const detail = Array.isArray(data.detail)
      ? data.detail.map((d) => `${d.field || (d.loc || []).join(".")}: ${d.msg}`)
      : [String(data.detail || response.statusText)];
    const error = new Error(detail.join("\n"));
    error.lines = detail;
    error.status = response.status;
    throw error;
  }
  return data;
}

function fmt(x) {
  if (typeof x !== "number" || !Number.isFinite(x)) return "–";
  const a = Math.abs(x);
  return a !== 0 && (a < 0.01 || a >= 1e4) ? x.toExponential(2) : String(Number(x.toPrecision(3)));
}

function download(name, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = el("a", { href: url, download: name });
  document.body.append(a); a.click(); a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function csvCell(v) {
  const s = v === null || v === undefined ? "" : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
const toCsv = (rows) => rows.map((r) => r.map(csvCell).join(",")).join("\n") + "\n";

function definition(target) { return state.defs?.targets?.[target]?.description || ""; }

// ---- component rows ----------------------------------------------------------------------
function structureCell(role, choice, comp = {}) {
  const cell = el("td", { class: "structure" });
  const select = el("select", { class: "pick", "aria-label": `${role.replace("_", " ")}: catalog entry or SMILES` });
  for (const entry of state.catalog.filter((e) => e.role === role)) {
    select.append(el("option", { value: entry.name, text: entry.name, title: entry.source || entry.smiles }));
  }
  select.append(el("option", { value: "__smiles__", text: "SMILES…" }));
  if (choice) select.value = choice;
  const custom = el("div", { class: "custom" });
  const smiles = comp.repeat_units ? comp.repeat_units.map((u) => `${u.smiles} ${u.fraction ?? ""}`.trim()).join("; ") : comp.smiles;
  custom.append(el("input", { class: "smiles", "aria-label": `${role} SMILES`, value: smiles || "",
    placeholder: role === "resin" ? "[*]CC([*])c1ccc(O)cc1 1.0" : "SMILES" }));
  if (role === "resin") {
    custom.append(el("input", { class: "mw", type: "number", "aria-label": "resin Mw", title: "Mw (g/mol)", placeholder: "Mw", value: String(comp.mw ?? 8000) }));
    custom.append(el("input", { class: "pdi", type: "number", "aria-label": "resin PDI", title: "PDI", placeholder: "PDI", value: String(comp.pdi ?? 1.5), step: "any" }));
  }
  const sync = () => { custom.style.display = select.value === "__smiles__" ? "" : "none"; };
  select.addEventListener("change", sync);
  sync();
  cell.append(select, custom);
  return cell;
}

function addComponent(role = "acid_generator", choice = null, parts = null, comp = {}) {
  const row = el("tr", { class: "component" });
  const roleSelect = el("select", { class: "role", "aria-label": "component role" });
  for (const r of ROLES) roleSelect.append(el("option", { value: r, text: r.replace("_", " ") }));
  roleSelect.value = role;
  let cell = structureCell(role, choice, comp);
  roleSelect.addEventListener("change", () => {
    const first = state.catalog.find((e) => e.role === roleSelect.value);
    const fresh = structureCell(roleSelect.value, first ? first.name : "__smiles__");
    row.replaceChild(fresh, cell);
    cell = fresh;
    formChanged();
  });
  const partsInput = el("input", { class: "parts", type: "number", step: "any", "aria-label": "parts by weight",
    title: "parts by weight", value: String(parts ?? DEFAULT_PARTS[role]) });
  const remove = el("button", { type: "button", text: "×", title: "remove this component", "aria-label": "remove component" });
  remove.addEventListener("click", () => { row.remove(); formChanged(); });
  row.append(el("td", {}, roleSelect), cell, el("td", {}, partsInput), el("td", {}, remove));
  $("components").querySelector("tbody").append(row);
  return row;
}

function defaultComponents() {
  $("components").querySelector("tbody").replaceChildren();
  for (const role of ["acid_generator", "resin", "crosslinker"]) {
    const first = state.catalog.find((e) => e.role === role);
    addComponent(role, first ? first.name : "__smiles__");
  }
}

function parseUnits(text) {
  return text.split(";").map((s) => s.trim()).filter(Boolean).map((chunk, _, all) => {
    const [smiles, fraction] = chunk.split(/\s+/);
    return { smiles, fraction: fraction === undefined && all.length === 1 ? 1 : Number(fraction) };
  });
}

function readComponent(row) {
  const role = row.querySelector(".role").value;
  const parts = Number(row.querySelector(".parts").value);
  const pick = row.querySelector(".pick").value;
  if (pick !== "__smiles__") return { catalog: pick, parts };
  const text = row.querySelector(".smiles").value.trim();
  if (role !== "resin") return { role, smiles: text, parts };
  return { role, repeat_units: parseUnits(text), mw: Number(row.querySelector(".mw").value),
    pdi: Number(row.querySelector(".pdi").value), parts };
}

function readFormulation() {
  const process = { radiation: $("radiation").value, developer: $("developer").value };
  const inactive = ENERGY_FIELD[process.radiation === "xray" ? "electron" : "xray"];
  for (const key of PROCESS_NUMBERS) if (key !== inactive) process[key] = Number($(key).value);
  const components = [...document.querySelectorAll("#components tr.component")].map(readComponent);
  return { name: $("form-name").value.trim() || "unnamed", components, process };
}

function fillForm(doc) {
  $("form-name").value = doc.name || "unnamed";
  $("components").querySelector("tbody").replaceChildren();
  for (const c of doc.components || []) {
    const entry = c.catalog ? state.catalog.find((e) => e.name === c.catalog) : null;
    const role = c.role || entry?.role || "acid_generator";
    addComponent(role, entry ? entry.name : "__smiles__", c.parts, entry ? {} : c);
  }
  const p = doc.process || {};
  for (const key of [...PROCESS_NUMBERS, "radiation", "developer"]) if (p[key] !== undefined) $(key).value = String(p[key]);
  syncRadiation();
  clearResults();
}

// ---- state of the results ----------------------------------------------------------------
function setStale(stale) {
  for (const id of ["result-body", "charts-section", "claims"]) $(id).classList.toggle("stale", stale);
  $("stale-note").hidden = !stale || !state.current;
}

function clearResults() {
  state.current = null;
  $("results").querySelector("tbody").replaceChildren();
  for (const id of ["domain-badge", "prints-badge", "domain-notes", "warnings", "claims",
    "chart-contrast", "chart-sensitivity", "chart-gel", "chart-resolution"]) $(id).replaceChildren();
  for (const id of ["export-csv", "export-json", "compare-add"]) $(id).disabled = true;
  setStale(false);
}

function formChanged() { if (state.current) setStale(true); }

function syncRadiation() {
  const rad = $("radiation").value;
  for (const [r, field] of Object.entries(ENERGY_FIELD)) {
    const label = document.querySelector(`label[data-field='${field}']`);
    label.classList.toggle("inactive", r !== rad);
    $(field).disabled = r !== rad;
  }
}

function showErrors(err) {
  $("errors").replaceChildren(...(err.lines || [String(err.message || err)]).map((l) => el("li", { text: l })));
}

// ---- one prediction ----------------------------------------------------------------------
function showPrediction(p, sim) {
  const body = $("results").querySelector("tbody");
  body.replaceChildren();
  const simProps = sim?.properties || {};
  for (const name of TARGET_ORDER) {
    const t = p?.targets?.[name];
    const unit = t?.unit || (name === "sensitivity" || name === "gel_dose" ? simProps.dose_unit : { resolution_nm: "nm", ler_nm: "nm", contrast: "1" }[name]);
    const s = simProps[name];
    body.append(el("tr", { "data-target": name },
      el("td", {}, el("span", { class: "help", title: definition(name), tabindex: "0", text: TARGET_LABELS[name] || name })),
      el("td", { class: "value", text: t ? `${fmt(t.value)} ± ${fmt(t.std)}` : "–", title: t ? `1σ range ${fmt(t.low)} – ${fmt(t.high)}` : "" }),
      el("td", { text: unit || "" }),
      el("td", { class: "simulated num", text: sim === undefined ? "…" : typeof s === "number" ? fmt(s) : "–" })));
  }
  const badge = $("domain-badge"), prints = $("prints-badge");
  badge.replaceChildren(); prints.replaceChildren();
  if (p) {
    badge.append(el("span", { class: "badge " + (p.in_domain ? "in" : "out"), text: p.in_domain ? "in training domain" : "outside training domain" }));
    if (typeof p.p_prints === "number") {
      const cls = p.p_prints >= 0.7 ? "ok" : p.p_prints >= 0.3 ? "warn" : "bad";
      prints.append(el("span", { class: "badge " + cls, id: "p-prints", title: "model's probability that this formulation prints (a resolution is found)", text: `p_prints ${p.p_prints.toFixed(2)}` }));
    }
    if (p.status) prints.append(" ", el("span", { class: "badge " + (p.status === "ok" ? "ok" : "warn"), id: "pred-status", text: `status: ${p.status}` }));
  }
  const notes = [...(p?.domain_notes || []), ...(p?.domain_reasons || p?.reasons || [])];
  $("domain-notes").replaceChildren(...notes.map((n) => el("li", { text: typeof n === "string" ? n : JSON.stringify(n) })));
  const warnings = [...new Set(p?.warnings || [])];
  $("warnings").replaceChildren(...warnings.map((n) => el("li", { text: "warning: " + n })));
}

function showClaims(result) {
  const box = $("claims");
  box.replaceChildren();
  const list = el("ul", { id: "claim-list" });
  for (const text of result.claim_texts) list.append(el("li", { text }));
  box.append(result.claims.length ? list : el("p", { text: "No claim of US 6,824,948 B1 is covered." }));
  const notes = result.claim_notes || [];
  if (notes.length) box.append(el("ul", { id: "claim-notes", class: "notes" }, ...notes.map((n) => el("li", { text: "reading: " + n }))));
  const classes = el("table", { class: "small" });
  for (const c of result.components) {
    classes.append(el("tr", {}, el("td", { text: c.name }), el("td", { text: c.role }), el("td", { text: c.classes.join(", ") || "–" })));
  }
  box.append(el("p", { class: "muted", text: "Recognised structure classes:" }), el("div", { class: "scroll" }, classes));
}

// Contrast curve: simulator curve(s) plus the model's D_g^i and D50 (and an idealised model line of slope γ).
function contrastSeries(sim, pred, color, name) {
  const series = [];
  const curve = sim?.contrast_curve || (sim && { dose: sim.contrast_dose, thickness: sim.contrast_thickness });
  if (curve?.dose?.length) series.push({ name: `${name ? name + ": " : ""}simulator`, color, points: curve.dose.map((d, i) => ({ x: d, y: curve.thickness[i] })), cls: "sim-curve" });
  const t = pred?.targets;
  if (t?.sensitivity && t?.contrast && !name) {
    const d50 = t.sensitivity.value, g = t.contrast.value, pts = [];
    for (let k = -40; k <= 40; k++) {
      const d = d50 * 10 ** (k / 40);
      pts.push({ x: d, y: Math.min(1, Math.max(0, 0.5 + g * Math.log10(d / d50))) });
    }
    series.push({ name: "model (slope γ through D50)", color: "#64748b", dash: "5 4", points: pts, cls: "model-curve" });
  }
  return series;
}

function drawContrast(holder, sims, preds, unit) {
  const series = [], vlines = [];
  sims.forEach((s, i) => series.push(...contrastSeries(s, preds[i], charts.PALETTE[i % 8], sims.length > 1 ? (s?.name || `#${i + 1}`) : "")));
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  const p0 = preds[0]?.targets;
  if (sims.length === 1 && p0) {
    vlines.push({ x: p0.gel_dose?.value, label: "D_g^i (model)", color: "#b35900", cls: "mark-gel", anchor: "end" });
    vlines.push({ x: p0.sensitivity?.value, label: "D50 (model)", color: "#1f6feb", row: 1, cls: "mark-d50", anchor: "start" });
    xs.push(p0.gel_dose?.value, p0.sensitivity?.value);
  }
  if (!xs.filter(Number.isFinite).length) { holder.replaceChildren(el("p", { class: "muted", text: "No contrast curve (the simulator did not answer)." })); return; }
  const gamma = p0?.contrast ? ` — model γ ${fmt(p0.contrast.value)}` : "";
  charts.drawChart(holder, { id: "contrast", title: `Contrast curve${sims.length === 1 ? gamma : ""}`, xLabel: `dose (${unit})`, yLabel: "normalised thickness",
    x: charts.axisRange(xs, { log: true }), y: { lo: 0, hi: 1.05, log: false, ticks: [0, 0.25, 0.5, 0.75, 1] }, series, vlines });
}

function energySweepForms(form) {
  const rad = form.process.radiation, field = ENERGY_FIELD[rad], chosen = form.process[field];
  const energies = [...new Set([...SWEEP[rad], chosen])].filter((e) => e > 0).sort((a, b) => a - b);
  return { rad, field, chosen, energies, forms: energies.map((e) => ({ ...form, name: `E=${e}`, process: { ...form.process, [field]: e } })) };
}

function drawEnergy(form, sweepPred, simPoints) {
  const { rad, chosen, energies } = energySweepForms(form);
  const range = state.model?.domain?.energy_keV?.[rad];
  const xLabel = rad === "xray" ? "photon energy (keV)" : "beam energy (keV)";
  for (const [target, holder] of [["sensitivity", "chart-sensitivity"], ["gel_dose", "chart-gel"], ["resolution_nm", "chart-resolution"]]) {
    const pts = sweepPred ? sweepPred.map((p, i) => ({ x: energies[i], y: p.targets[target]?.value, low: p.targets[target]?.low, high: p.targets[target]?.high })) : [];
    const sim = simPoints.map((s) => ({ x: s.energy, y: s.properties?.[target] })).filter((p) => typeof p.y === "number");
    const unit = sweepPred?.[0]?.targets[target]?.unit || (target === "resolution_nm" ? "nm" : rad === "xray" ? "mJ/cm2" : "uC/cm2");
    const ys = [...pts.flatMap((p) => [p.y, p.low, p.high]), ...sim.map((p) => p.y)];
    if (!ys.filter(Number.isFinite).length) { $(holder).replaceChildren(); continue; }
    const series = [];
    if (pts.length) series.push({ name: "model ±1σ", color: "#1f6feb", points: pts, band: true, markers: "circle", cls: "mean" });
    if (sim.length) series.push({ name: "simulator", color: "#c2410c", points: sim, line: false, markers: "square", markerCls: "sim-point" });
    charts.drawChart($(holder), { id: target, title: `${TARGET_LABELS[target]} vs energy (${unit})`, xLabel, yLabel: unit,
      x: charts.axisRange(energies, { log: true }), y: charts.axisRange(ys), series,
      shade: range ? [range[0], range[1], "training range"] : null,
      vlines: [{ x: chosen, label: `${chosen} keV`, color: "#111827", cls: "mark-energy" }] });
  }
}

async function run() {
  const seq = ++state.seq;
  const form = readFormulation();
  $("status").textContent = "checking…";
  $("errors").replaceChildren();
  setStale(true);
  let check;
  try {
    check = await api("/v1/check", { formulations: [form] });
  } catch (err) {
    if (seq !== state.seq) return;
    clearResults(); showErrors(err); $("status").textContent = "error: nothing predicted";
    return;
  }
  if (seq !== state.seq) return;
  const { rad, field, energies, forms } = energySweepForms(form);
  const simForms = [form, ...SIM_SWEEP[rad].filter((e) => e !== form.process[field]).map((e) => ({ ...form, name: `E=${e}`, process: { ...form.process, [field]: e } }))];
  $("status").textContent = "predicting…";
  const predP = api("/v1/predict", { formulations: [form, ...forms] }).catch((err) => err);
  const simP = api("/v1/simulate", { formulations: simForms }).catch((err) => err);
  const pred = await predP;
  if (seq !== state.seq) return;
  const ok = !(pred instanceof Error);
  clearResults();
  showClaims(check.results[0]);
  const p = ok ? { ...pred.predictions[0], warnings: [...(pred.predictions[0].warnings || []), ...check.results[0].warnings] } : null;
  if (!ok) showErrors(pred);
  showPrediction(p, undefined);
  if (window.innerWidth < 800) $("results-section").scrollIntoView({ block: "start" });
  state.current = { form, pred: p, sim: null, model: ok ? pred.model : null };
  $("status").textContent = "simulating…";
  const sims = await simP;
  if (seq !== state.seq) return;
  const simOk = !(sims instanceof Error);
  const sim = simOk ? sims.simulations[0] : null;
  state.current.sim = sim;
  showPrediction(p, sim);
  if (!simOk) $("results").querySelector("td.simulated")?.setAttribute("title", sims.message);
  const unit = p?.dose_unit || sim?.properties?.dose_unit || (rad === "xray" ? "mJ/cm2" : "uC/cm2");
  drawContrast($("chart-contrast"), [sim], [p], unit);
  const simPoints = simOk ? sims.simulations.map((s, i) => ({ energy: simForms[i].process[field], properties: s.properties })) : [];
  drawEnergy(form, ok ? pred.predictions.slice(1) : null, simPoints);
  state.current.sweep = ok ? { energies, field, preds: pred.predictions.slice(1) } : null;
  for (const id of ["export-csv", "export-json", "compare-add"]) $(id).disabled = false;
  $("status").textContent = ok ? `done (model ${pred.model})` : "no model prediction (simulator and check only)";
}

// ---- start-up and the token flow -------------------------------------------------------------
async function loadCatalog() {
  state.catalog = (await api("/v1/catalog")).components;
  const rows = [...document.querySelectorAll("#components tr.component")];
  if (!rows.length || rows.every((r) => r.querySelector(".pick").value === "__smiles__" && !r.querySelector(".smiles").value)) defaultComponents();
}

async function loadModel() {
  const info = $("model-info");
  try {
    state.model = await api("/v1/model");
    info.textContent = `model ${state.model.model_name} ${state.model.model_version}`;
    info.className = "";
  } catch (err) {
    state.model = null;
    info.className = "bad";
    info.textContent = err.status === 401 ? "model: API token needed" : err.status === 503 ? "no model loaded" : `model: unavailable (${err.message})`;
    throw err;
  }
}

async function loadTargets() {
  state.defs = await api("/v1/targets");
  for (const label of document.querySelectorAll("#process label[data-field]")) {
    const help = state.defs.process?.[label.dataset.field];
    if (!help) continue;
    const span = label.querySelector("span");
    const range = help.usual_range ? ` Usual range ${help.usual_range[0]}-${help.usual_range[1]}; physical limits ${help.physical_limits[0]}-${help.physical_limits[1]}.` : "";
    span.title = help.description + range;
    span.className = "help";
  }
  for (const row of document.querySelectorAll("#results tr[data-target] .help")) row.title = definition(row.closest("tr").dataset.target);
}

async function loadAll(names) {
  const loaders = { catalog: loadCatalog, model: loadModel, targets: loadTargets };
  const problems = [];
  for (const name of names) {
    try { await loaders[name](); state.failed.delete(name); } catch (err) {
      state.failed.add(name);
      if (name !== "model" || err.status === 401) problems.push(err.status === 401 ? `${name}: the server needs an API token (enter it above)` : `${name}: ${err.message}`);
    }
  }
  $("status").textContent = [...new Set(problems)].join("; ");
}

async function init() {
  $("token").value = localStorage.getItem("resistml-token") || "";
  await loadAll(["catalog", "targets", "model"]);
  if (!document.querySelector("#components tr.component")) defaultComponents();
  syncRadiation();
  $("token").addEventListener("change", async () => {
    const token = $("token").value.trim();
    if (token) localStorage.setItem("resistml-token", token); else localStorage.removeItem("resistml-token");
    await loadAll([...state.failed]);
  });
  $("add-component").addEventListener("click", () => { addComponent("polymerizable", (state.catalog.find((e) => e.role === "polymerizable") || {}).name || "__smiles__"); formChanged(); });
  $("predict-btn").addEventListener("click", run);
  $("radiation").addEventListener("change", () => { syncRadiation(); if (state.current) { clearResults(); $("status").textContent = "radiation changed: press Predict"; } });
  for (const id of ["components", "process", "form-name"]) {
    $(id).addEventListener("input", formChanged);
    $(id).addEventListener("change", (e) => { if (e.target.id !== "radiation") formChanged(); });
  }
  document.dispatchEvent(new Event("resistml-ready"));
  document.body.dataset.ready = "1";
}

window.gui = { state, api, el, fmt, download, toCsv, definition, drawContrast, readFormulation, fillForm, showErrors, TARGET_ORDER, TARGET_LABELS, $ };
window.addEventListener("DOMContentLoaded", init);
