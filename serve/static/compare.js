// resistml GUI: several named formulations side by side (table, overlaid curves, CSV/JSON export).
"use strict";

(() => {
  const { state, el, fmt, download, toCsv, definition, drawContrast, TARGET_ORDER, TARGET_LABELS, $ } = window.gui;
  const MAX = 8;
  const kept = [];

  function uniqueName(name) {
    let n = name, i = 2;
    while (kept.some((k) => k.form.name === n)) n = `${name} (${i++})`;
    return n;
  }

  function render() {
    const head = $("compare-table").querySelector("thead"), body = $("compare-table").querySelector("tbody");
    $("compare-empty").hidden = kept.length > 0;
    for (const id of ["compare-csv", "compare-json", "compare-clear"]) $(id).disabled = !kept.length;
    if (!kept.length) { head.replaceChildren(); body.replaceChildren(); $("compare-charts").replaceChildren(); return; }
    head.replaceChildren(el("tr", {}, el("th", { text: "formulation" }), el("th", { text: "radiation" }),
      ...TARGET_ORDER.map((t) => el("th", { title: definition(t), text: TARGET_LABELS[t] })),
      el("th", { text: "p_prints" }), el("th", { text: "in domain" }), el("th", {})));
    body.replaceChildren(...kept.map((k, i) => {
      const remove = el("button", { type: "button", text: "×", "aria-label": `remove ${k.form.name}` });
      remove.addEventListener("click", () => { kept.splice(i, 1); render(); });
      const open = el("button", { type: "button", text: k.form.name, class: "linkish", title: "open in the form" });
      open.addEventListener("click", () => window.gui.fillForm(k.form));
      return el("tr", { "data-name": k.form.name },
        el("td", {}, el("i", { class: "swatch", style: `background:${charts.PALETTE[i % 8]}` }), " ", open),
        el("td", { text: k.form.process.radiation }),
        ...TARGET_ORDER.map((t) => {
          const v = k.pred?.targets?.[t], s = k.sim?.properties?.[t];
          return el("td", { class: "num", text: `${v ? `${fmt(v.value)} ± ${fmt(v.std)}` : "–"}${typeof s === "number" ? ` (sim ${fmt(s)})` : ""} ${v?.unit && v.unit !== "1" ? v.unit : ""}` });
        }),
        el("td", { class: "num", text: typeof k.pred?.p_prints === "number" ? k.pred.p_prints.toFixed(2) : "–" }),
        el("td", { text: k.pred ? (k.pred.in_domain ? "yes" : "no") : "–" }), el("td", {}, remove));
    }));
    // Overlaid contrast curves: doses compare only within one radiation (units differ).
    const holder = $("compare-charts");
    holder.replaceChildren();
    for (const rad of ["electron", "xray"]) {
      const group = kept.filter((k) => k.form.process.radiation === rad);
      if (!group.length) continue;
      const div = el("div", { class: "compare-chart" });
      holder.append(div);
      drawContrast(div, group.map((k) => ({ ...(k.sim || {}), name: k.form.name })), group.map((k) => k.pred), rad === "xray" ? "mJ/cm2" : "uC/cm2");
      // the model's sensitivity and resolution vs energy, one line per formulation
      for (const target of ["sensitivity", "resolution_nm"]) {
        const series = group.map((k) => ({ k, color: charts.PALETTE[kept.indexOf(k) % 8] })).filter(({ k }) => k.sweep)
          .map(({ k, color }) => ({ name: k.form.name, color, markers: "circle", cls: "compare-energy",
            points: k.sweep.preds.map((p, j) => ({ x: k.sweep.energies[j], y: p.targets[target]?.value })) }));
        if (!series.length) continue;
        const unit = target === "resolution_nm" ? "nm" : rad === "xray" ? "mJ/cm2" : "uC/cm2";
        const box = el("div", { class: "compare-chart" });
        holder.append(box);
        charts.drawChart(box, { id: `compare-${target}`, title: `${TARGET_LABELS[target]} vs energy (${unit}), model`,
          xLabel: rad === "xray" ? "photon energy (keV)" : "beam energy (keV)", yLabel: unit,
          x: charts.axisRange(series.flatMap((s) => s.points.map((p) => p.x)), { log: true }),
          y: charts.axisRange(series.flatMap((s) => s.points.map((p) => p.y))), series });
      }
    }
  }

  function rows() {
    const out = [["name", "radiation", ...TARGET_ORDER.flatMap((t) => [t, `${t}_std`, `${t}_unit`, `${t}_simulator`]), "p_prints", "in_domain"]];
    for (const k of kept) {
      out.push([k.form.name, k.form.process.radiation, ...TARGET_ORDER.flatMap((t) => {
        const v = k.pred?.targets?.[t] || {};
        return [v.value, v.std, v.unit, k.sim?.properties?.[t]];
      }), k.pred?.p_prints, k.pred?.in_domain]);
    }
    return out;
  }

  document.addEventListener("resistml-ready", () => {
    $("compare-add").addEventListener("click", () => {
      const cur = state.current;
      if (!cur) return;
      if (kept.length >= MAX) kept.shift();
      const form = { ...cur.form, name: uniqueName(cur.form.name) };
      kept.push({ form, pred: cur.pred, sim: cur.sim, model: cur.model, sweep: cur.sweep });
      render();
      $("status").textContent = `kept "${form.name}" for comparison (${kept.length})`;
    });
    $("compare-clear").addEventListener("click", () => { kept.length = 0; render(); });
    $("compare-csv").addEventListener("click", () => download("compare.csv", toCsv(rows()), "text/csv"));
    $("compare-json").addEventListener("click", () => download("compare.json", JSON.stringify(kept.map((k) => ({
      formulation: k.form, model: k.model, prediction: k.pred,
      simulation: k.sim ? { properties: k.sim.properties, contrast_curve: k.sim.contrast_curve } : null })), null, 2), "application/json"));
  });
  window.compare = { kept, render };
})();
