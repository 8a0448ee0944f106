// resistml GUI: a small hand-written SVG chart (log/linear axes, nice ticks, bands, markers).
"use strict";

const SVG_NS = "http://www.w3.org/2000/svg";
const PALETTE = ["#1f6feb", "#c2410c", "#15803d", "#7c3aed", "#be185d", "#0e7490", "#a16207", "#475569"];

function svgEl(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

function tickLabel(v) {
  const a = Math.abs(v);
  if (a === 0) return "0";
  if (a >= 1e5 || a < 1e-3) return v.toExponential(0).replace("e+", "e");
  return String(Number(v.toPrecision(6)));
}

// "Nice" ticks: 1-2-5 steps on a linear axis, decades (plus 2 and 5 when few) on a log axis.
function niceTicks(lo, hi, log, target = 5) {
  if (log) {
    const d0 = Math.floor(Math.log10(lo)), d1 = Math.ceil(Math.log10(hi));
    const decades = d1 - d0;
    const mult = decades <= 1 ? [1, 2, 3, 5] : decades <= 3 ? [1, 2, 5] : [1];
    const step = decades > 6 ? Math.ceil(decades / 6) : 1;
    const ticks = [];
    for (let d = d0; d <= d1; d += step) for (const m of mult) {
      const v = m * 10 ** d;
      if (v >= lo * 0.999 && v <= hi * 1.001) ticks.push(Number(v.toPrecision(6)));
    }
    return ticks;
  }
  const raw = (hi - lo) / target, mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) || raw;
  const ticks = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

// Axis range: log when every value is positive and they span more than a factor 10 (or when forced).
function axisRange(values, { log = "auto", zero = false } = {}) {
  const vs = values.filter(Number.isFinite);
  if (!vs.length) return { lo: 0, hi: 1, log: false };
  let lo = Math.min(...vs), hi = Math.max(...vs);
  const isLog = log === true || (log === "auto" && lo > 0 && hi / lo > 10);
  if (isLog) {
    lo = lo > 0 ? lo : hi / 100;
    const ticks = niceTicks(lo, hi, true);
    const l0 = 10 ** Math.floor(Math.log10(lo)), h0 = 10 ** Math.ceil(Math.log10(hi));
    // widen to the nearest 1-2-5 value so the ends carry a label
    const down = [1, 2, 5].map((m) => m * l0).filter((v) => v <= lo).pop() || l0;
    const up = [1, 2, 5, 10].map((m) => m * h0 / 10).find((v) => v >= hi) || h0;
    return { lo: down, hi: up, log: true, ticks: ticks.length ? niceTicks(down, up, true) : [down, up] };
  }
  if (!(hi > lo)) { const d = Math.abs(lo) * 0.1 || 1; lo -= d; hi += d; }
  if (zero && lo > 0) lo = 0;
  const step = niceTicks(lo, hi, false)[1] - niceTicks(lo, hi, false)[0] || (hi - lo) / 4;
  lo = Math.floor(lo / step) * step; hi = Math.ceil(hi / step) * step;
  return { lo, hi, log: false, ticks: niceTicks(lo, hi, false) };
}

/* Draw a chart into holder.
   spec: {title, xLabel, yLabel, x: axisRange, y: axisRange, series: [{name, color, points:[{x,y,low,high}], dash,
   band, markers, line}], vlines: [{x, label, color, dash}], shade: [x0, x1, label], hlines: [{y, label}]} */
function drawChart(holder, spec) {
  const w = 380, h = 250, m = { l: 54, r: 12, t: 26, b: 40 };
  const X = spec.x, Y = spec.y;
  const sx = (v) => {
    const t = X.log ? (Math.log10(v) - Math.log10(X.lo)) / (Math.log10(X.hi) - Math.log10(X.lo)) : (v - X.lo) / (X.hi - X.lo);
    return m.l + (w - m.l - m.r) * Math.min(1.02, Math.max(-0.02, t));
  };
  const sy = (v) => {
    const t = Y.log ? (Math.log10(Math.max(v, Y.lo * 1e-3)) - Math.log10(Y.lo)) / (Math.log10(Y.hi) - Math.log10(Y.lo)) : (v - Y.lo) / (Y.hi - Y.lo);
    return h - m.b - (h - m.t - m.b) * Math.min(1.03, Math.max(-0.03, t));
  };
  const svg = svgEl("svg", { viewBox: `0 0 ${w} ${h}`, class: "chart", role: "img", "data-chart": spec.id || spec.title,
    "aria-label": spec.title });
  svg.append(svgEl("title", {}, spec.title));
  svg.append(svgEl("text", { x: 4, y: 15, class: "chart-title" }, spec.title));
  const clipId = "clip-" + Math.random().toString(36).slice(2);
  const defs = svgEl("defs");
  const clip = svgEl("clipPath", { id: clipId });
  clip.append(svgEl("rect", { x: m.l, y: m.t, width: w - m.l - m.r, height: h - m.t - m.b }));
  defs.append(clip); svg.append(defs);
  if (spec.shade) {
    const [a, b, label] = spec.shade;
    const x0 = sx(Math.max(a, X.lo)), x1 = sx(Math.min(b, X.hi));
    if (x1 > x0) {
      svg.append(svgEl("rect", { x: x0, y: m.t, width: x1 - x0, height: h - m.t - m.b, class: "shade" }));
      svg.append(svgEl("text", { x: (x0 + x1) / 2, y: h - m.b - 4, "text-anchor": "middle", class: "shade-label" }, label));
    }
  }
  for (const v of Y.ticks) {
    svg.append(svgEl("line", { x1: m.l, x2: w - m.r, y1: sy(v), y2: sy(v), class: "grid" }));
    svg.append(svgEl("text", { x: m.l - 4, y: sy(v) + 4, "text-anchor": "end", class: "tick" }, tickLabel(v)));
  }
  for (const v of X.ticks) {
    svg.append(svgEl("line", { x1: sx(v), x2: sx(v), y1: m.t, y2: h - m.b, class: "grid" }));
    svg.append(svgEl("text", { x: sx(v), y: h - m.b + 14, "text-anchor": "middle", class: "tick" }, tickLabel(v)));
  }
  svg.append(svgEl("text", { x: (m.l + w - m.r) / 2, y: h - 6, "text-anchor": "middle", class: "axis-label" },
    spec.xLabel + (X.log ? " (log)" : "")));
  svg.append(svgEl("text", { x: 12, y: (m.t + h - m.b) / 2, "text-anchor": "middle", class: "axis-label",
    transform: `rotate(-90 12 ${(m.t + h - m.b) / 2})` }, spec.yLabel + (Y.log ? " (log)" : "")));
  const plot = svgEl("g", { "clip-path": `url(#${clipId})` });
  svg.append(plot);
  for (const s of spec.series) {
    const pts = s.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
    if (s.band) {
      const bp = pts.filter((p) => Number.isFinite(p.low) && Number.isFinite(p.high));
      const poly = bp.map((p) => `${sx(p.x)},${sy(p.high)}`).concat(bp.slice().reverse().map((p) => `${sx(p.x)},${sy(p.low)}`));
      if (poly.length) plot.append(svgEl("polygon", { points: poly.join(" "), fill: s.color, "fill-opacity": 0.16, class: "band" }));
    }
    if (s.line !== false && pts.length > 1) {
      plot.append(svgEl("polyline", { points: pts.map((p) => `${sx(p.x)},${sy(p.y)}`).join(" "), fill: "none",
        stroke: s.color, "stroke-width": 2, "stroke-dasharray": s.dash || "", class: s.cls || "line" }));
    }
    if (s.markers) {
      for (const p of pts) {
        const c = svgEl(s.markers === "square" ? "rect" : "circle", s.markers === "square"
          ? { x: sx(p.x) - 3.5, y: sy(p.y) - 3.5, width: 7, height: 7 } : { cx: sx(p.x), cy: sy(p.y), r: p.r || 3.5 });
        c.setAttribute("fill", p.color || s.color);
        c.setAttribute("class", s.markerCls || "point");
        if (p.title) c.append(svgEl("title", {}, p.title));
        if (p.onclick) { c.addEventListener("click", p.onclick); c.setAttribute("tabindex", "0"); c.style.cursor = "pointer";
          c.addEventListener("keydown", (e) => { if (e.key === "Enter") p.onclick(); }); }
        if (p.index !== undefined) c.setAttribute("data-index", p.index);
        plot.append(c);
      }
    }
  }
  for (const v of spec.vlines || []) {
    if (!Number.isFinite(v.x) || v.x < X.lo || v.x > X.hi) continue;
    svg.append(svgEl("line", { x1: sx(v.x), x2: sx(v.x), y1: m.t, y2: h - m.b, stroke: v.color || "#334155",
      "stroke-dasharray": v.dash || "5 3", "stroke-width": 1.5, class: v.cls || "vline" }));
    const left = v.anchor === "end" || (v.anchor !== "start" && sx(v.x) > w - m.r - 60);
    svg.append(svgEl("text", { x: sx(v.x) + (left ? -3 : 3), y: m.t + 12 + (v.row || 0) * 12, class: "vlabel",
      fill: v.color || "#334155", "text-anchor": left ? "end" : "start" }, v.label));
  }
  for (const v of spec.hlines || []) {
    svg.append(svgEl("line", { x1: m.l, x2: w - m.r, y1: sy(v.y), y2: sy(v.y), stroke: "#94a3b8", "stroke-dasharray": "2 3" }));
  }
  svg.append(svgEl("line", { x1: m.l, x2: m.l, y1: m.t, y2: h - m.b, class: "axis" }));
  svg.append(svgEl("line", { x1: m.l, x2: w - m.r, y1: h - m.b, y2: h - m.b, class: "axis" }));
  const legend = document.createElement("div");
  legend.className = "legend";
  for (const s of spec.series.filter((s) => s.name)) {
    const item = document.createElement("span");
    const sw = document.createElement("i");
    sw.style.background = s.color;
    if (s.markers && s.line === false) sw.className = s.markers === "square" ? "sq" : "dot";
    item.append(sw, document.createTextNode(s.name));
    legend.append(item);
  }
  const figure = document.createElement("figure");
  figure.append(svg, legend);
  holder.replaceChildren(figure);
  return svg;
}

window.charts = { drawChart, axisRange, niceTicks, PALETTE, tickLabel };
