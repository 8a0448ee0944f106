// resistml formulation GUI: plain JavaScript, no build step, no external resources.
"use strict";

const ROLES = ["acid_generator", "resin", "crosslinker", "polymerizable", "base"];
const DEFAULT_PARTS = { acid_generator: 5, resin: 100, crosslinker: 15, polymerizable: 20, base: 0.3 };
const SWEEP_KEV = [5, 10, 15, 20, 25, 30, 40, 50, 60, 70, 80, 90, 100];
const PROCESS_NUMBERS = ["beam_energy_keV", "photon_energy_keV", "thickness_nm", "peb_temp_C",
  "peb_time_s", "develop_time_s", "spot_size_nm"];
const SVG_NS = "http://www.w3.org/2000/svg";

let catalog = [];
let modelInfo = null;

const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const node = tag.startsWith("svg:") ? document.createElementNS(SVG_NS, tag.slice(4)) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "text") node.textContent = v; else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c);
  return node;
}

async function api(path, body) {
  const headers = { "Content-Type": "application/json" };
  const token = $("token").value.trim();
  if (token) { headers.Authorization = "Bearer " + token; localStorage.setItem("resistml-token", token); }
  const init = body === undefined ? { headers } : { method: "POST", headers, body: JSON.stringify(body) };
  const response = await fetch(path, init);
  const data = await response.json().catch(() => ({ detail: response.statusText }));
  if (!response.ok) {
    const detail = Array.isArray(data.detail)
      ? data.detail.map((d) => `${d.field || (d.loc || []).join(".")}: ${d.msg}`)
      : [String(data.detail || response.statusText)];
    const error = new Error(detail.join("\n"));
    error.lines = detail;
    throw error;
  }
  return data;
}

// ---- component rows ----------------------------------------------------------------------
function structureCell(role, choice) {
  const cell = el("td", { class: "structure" });
  const select = el("select", { class: "pick" });
  for (const entry of catalog.filter((e) => e.role === role)) select.append(el("option", { value: entry.name, text: entry.name }));
  select.append(el("option", { value: "__smiles__", text: "SMILES…" }));
  if (choice) select.value = choice;
  const custom = el("div", { class: "custom" });
  custom.append(el("input", { class: "smiles", placeholder: role === "resin" ? "[*]CC([*])c1ccc(O)cc1 1.0" : "SMILES" }));
  if (role === "resin") {
    custom.append(el("input", { class: "mw", type: "number", placeholder: "Mw", value: "8000" }));
    custom.append(el("input", { class: "pdi", type: "number", placeholder: "PDI", value: "1.5", step: "any" }));
  }
  const sync = () => { custom.style.display = select.value === "__smiles__" ? "" : "none"; };
  select.addEventListener("change", sync);
  sync();
  cell.append(select, custom);
  return cell;
}

function addComponent(role = "acid_generator", choice = null, parts = null) {
  const row = el("tr", { class: "component" });
  const roleSelect = el("select", { class: "role" });
  for (const r of ROLES) roleSelect.append(el("option", { value: r, text: r.replace("_", " ") }));
  roleSelect.value = role;
  let cell = structureCell(role, choice);
  roleSelect.addEventListener("change", () => {
    const fresh = structureCell(roleSelect.value, null);
    row.replaceChild(fresh, cell);
    cell = fresh;
  });
  const partsInput = el("input", { class: "parts", type: "number", step: "any", value: String(parts ?? DEFAULT_PARTS[role]) });
  const remove = el("button", { type: "button", text: "×", title: "remove" });
  remove.addEventListener("click", () => row.remove());
  row.append(el("td", {}, roleSelect), cell, el("td", {}, partsInput), el("td", {}, remove));
  $("components").querySelector("tbody").append(row);
  return row;
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
  for (const key of PROCESS_NUMBERS) process[key] = Number($(key).value);
  const components = [...document.querySelectorAll("#components tr.component")].map(readComponent);
  return { name: "gui", components, process };
}

// ---- results -----------------------------------------------------------------------------
function fmt(x) {
  if (!Number.isFinite(x)) return "–";
  const a = Math.abs(x);
  return a !== 0 && (a < 0.01 || a >= 1e4) ? x.toExponential(2) : x.toPrecision(3);
}

function bandSvg(t) {
  const w = 170, h = 16, lo = Math.max(t.value / 10, 1e-12), hi = t.value * 10;
  const logScale = t.value > 0 && t.low > 0;
  const x = (v) => logScale
    ? 5 + (w - 10) * (Math.log10(Math.min(Math.max(v, lo), hi)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))
    : w / 2 + (w / 2 - 5) * Math.max(-1, Math.min(1, (v - t.value) / (2 * (t.std || 1))));
  const svg = el("svg:svg", { width: w, height: h, class: "errorbar" });
  svg.append(el("svg:line", { x1: 5, x2: w - 5, y1: h / 2, y2: h / 2, stroke: "#d6dde5" }));
  svg.append(el("svg:line", { x1: x(t.low), x2: x(t.high), y1: h / 2, y2: h / 2, stroke: "#1f6feb", "stroke-width": 2 }));
  for (const v of [t.low, t.high]) svg.append(el("svg:line", { x1: x(v), x2: x(v), y1: 3, y2: h - 3, stroke: "#1f6feb", "stroke-width": 2 }));
  svg.append(el("svg:circle", { cx: x(t.value), cy: h / 2, r: 3.5, fill: "#1d2733" }));
  return svg;
}

function showPrediction(p) {
  const body = $("results").querySelector("tbody");
  body.replaceChildren();
  for (const [name, t] of Object.entries(p.targets)) {
    body.append(el("tr", { "data-target": name },
      el("td", { text: name.replace("_nm", "").replace("_", " ") }),
      el("td", { class: "value", text: `${fmt(t.value)} ± ${fmt(t.std)}` }),
      el("td", { text: t.unit }),
      el("td", {}, bandSvg(t)),
      el("td", { class: "simulated", text: "…" })));
  }
  $("domain-badge").replaceChildren(el("span", { class: "badge " + (p.in_domain ? "in" : "out"),
    text: p.in_domain ? "in training domain" : "outside training domain" }));
  $("domain-notes").replaceChildren(...p.domain_notes.map((n) => el("li", { text: n })));
  $("warnings").replaceChildren(...(p.warnings || []).map((n) => el("li", { text: "warning: " + n })));
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
  box.append(el("p", { class: "muted", text: "Recognised structure classes:" }), classes);
}

// ---- energy sweep chart -------------------------------------------------------------------
function lineChart(holder, title, unit, points, trainRange) {
  const w = 300, h = 210, m = { l: 52, r: 10, t: 20, b: 34 };
  const ys = points.flatMap((p) => [p.low, p.high]).filter(Number.isFinite);
  let y0 = Math.min(...ys), y1 = Math.max(...ys);
  if (!(y1 > y0)) { y0 -= 1; y1 += 1; }
  const pad = 0.06 * (y1 - y0); y0 = Math.max(0, y0 - pad); y1 += pad;
  const X = (e) => m.l + (w - m.l - m.r) * e / 100;
  const Y = (v) => h - m.b - (h - m.t - m.b) * (v - y0) / (y1 - y0);
  const svg = el("svg:svg", { width: w, height: h, viewBox: `0 0 ${w} ${h}`, "data-chart": title });
  svg.append(el("svg:text", { x: m.l, y: 13, text: `${title} (${unit})` }));
  for (let i = 0; i <= 4; i++) {
    const v = y0 + (y1 - y0) * i / 4;
    svg.append(el("svg:line", { x1: m.l, x2: w - m.r, y1: Y(v), y2: Y(v), stroke: "#eef1f4" }));
    svg.append(el("svg:text", { x: m.l - 4, y: Y(v) + 4, "text-anchor": "end", text: fmt(v) }));
  }
  for (const e of [0, 25, 50, 75, 100]) svg.append(el("svg:text", { x: X(e), y: h - m.b + 14, "text-anchor": "middle", text: String(e) }));
  svg.append(el("svg:text", { x: (m.l + w - m.r) / 2, y: h - 4, "text-anchor": "middle", text: "beam energy (keV)" }));
  if (trainRange) {
    for (const e of trainRange) svg.append(el("svg:line", { x1: X(e), x2: X(e), y1: m.t, y2: h - m.b, stroke: "#b35900", "stroke-dasharray": "4 3" }));
  }
  const band = points.map((p) => `${X(p.e)},${Y(p.high)}`).concat(points.slice().reverse().map((p) => `${X(p.e)},${Y(p.low)}`));
  svg.append(el("svg:polygon", { points: band.join(" "), fill: "#1f6feb", "fill-opacity": 0.18, class: "band" }));
  svg.append(el("svg:polyline", { points: points.map((p) => `${X(p.e)},${Y(p.value)}`).join(" "), fill: "none", stroke: "#1f6feb", "stroke-width": 2, class: "mean" }));
  for (const p of points) svg.append(el("svg:circle", { cx: X(p.e), cy: Y(p.value), r: 2.5, fill: "#1f6feb" }));
  svg.append(el("svg:line", { x1: m.l, x2: m.l, y1: m.t, y2: h - m.b, stroke: "#5b6b7c" }));
  svg.append(el("svg:line", { x1: m.l, x2: w - m.r, y1: h - m.b, y2: h - m.b, stroke: "#5b6b7c" }));
  holder.replaceChildren(svg);
}

async function drawSweep(form) {
  const forms = SWEEP_KEV.map((e) => ({ ...form, name: `E=${e}`, process: { ...form.process, radiation: "electron", beam_energy_keV: e } }));
  const data = await api("/v1/predict", { formulations: forms });
  const range = modelInfo?.domain?.energy_keV?.electron;
  for (const [target, holder, title] of [["sensitivity", "chart-sensitivity", "sensitivity"], ["resolution_nm", "chart-resolution", "resolution"]]) {
    const points = data.predictions.map((p, i) => ({ e: SWEEP_KEV[i], ...p.targets[target] }));
    if (points.every((p) => p.value !== undefined)) lineChart($(holder), title, points[0].unit, points, range);
  }
}

async function showSimulation(form) {
  const cells = document.querySelectorAll("#results td.simulated");
  try {
    const data = await api("/v1/simulate", { formulations: [form] });
    const props = data.simulations[0].properties;
    for (const cell of cells) {
      const value = props[cell.parentElement.dataset.target];
      cell.textContent = typeof value === "number" ? fmt(value) : "no value";
    }
  } catch (err) {
    for (const cell of cells) cell.textContent = "–";
    cells[0]?.setAttribute("title", String(err.message));
  }
}

function showErrors(err) {
  $("errors").replaceChildren(...(err.lines || [String(err)]).map((l) => el("li", { text: l })));
}

async function run() {
  $("status").textContent = "predicting…";
  $("errors").replaceChildren();
  const form = readFormulation();
  let check;
  try {
    check = await api("/v1/check", { formulations: [form] });  // validates the formulation
  } catch (err) {
    showErrors(err);
    $("status").textContent = "error";
    return;
  }
  showClaims(check.results[0]);
  try {
    const pred = await api("/v1/predict", { formulations: [form] });
    showPrediction({ ...pred.predictions[0], warnings: check.results[0].warnings });
    await Promise.all([drawSweep(form), showSimulation(form)]);
    $("status").textContent = `done (model ${pred.model})`;
  } catch (err) {  // e.g. no model loaded: the physics simulator still answers
    showErrors(err);
    $("results").querySelector("tbody").replaceChildren(
      ...["sensitivity", "gel_dose", "resolution_nm", "contrast", "ler_nm"].map((t) =>
        el("tr", { "data-target": t }, el("td", { text: t.replace("_nm", "").replace("_", " ") }), el("td", { text: "–" }),
          el("td"), el("td"), el("td", { class: "simulated", text: "…" }))));
    await showSimulation(form);
    $("status").textContent = "no model prediction";
  }
}

async function init() {
  $("token").value = localStorage.getItem("resistml-token") || "";
  try { catalog = (await api("/v1/catalog")).components; } catch (err) { $("status").textContent = String(err.message); }
  try {
    modelInfo = await api("/v1/model");
    $("model-info").textContent = `model ${modelInfo.model_name} ${modelInfo.model_version}`;
  } catch (err) { $("model-info").textContent = "no model loaded"; }
  for (const role of ["acid_generator", "resin", "crosslinker"]) {
    const first = catalog.find((e) => e.role === role);
    addComponent(role, first ? first.name : "__smiles__");
  }
  $("add-component").addEventListener("click", () => addComponent("polymerizable", (catalog.find((e) => e.role === "polymerizable") || {}).name));
  $("predict-btn").addEventListener("click", run);
  document.body.dataset.ready = "1";
}

init();
