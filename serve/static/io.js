// resistml GUI: result export (CSV/JSON) and formulation files (save JSON/YAML, load YAML/JSON).
"use strict";

(() => {
  const { state, api, download, toCsv, definition, readFormulation, fillForm, showErrors, TARGET_ORDER, $ } = window.gui;

  function resultRows(cur) {
    const rows = [["name", "property", "value", "std", "low", "high", "unit", "simulator", "definition"]];
    for (const name of TARGET_ORDER) {
      const t = cur.pred?.targets?.[name] || {};
      rows.push([cur.form.name, name, t.value, t.std, t.low, t.high, t.unit, cur.sim?.properties?.[name], definition(name)]);
    }
    return rows;
  }
  
  function resultJson(cur) {
    const sim = cur.sim ? { properties: cur.sim.properties, contrast_curve: cur.sim.contrast_curve } : null;
    return { formulation: cur.form, model: cur.model, prediction: cur.pred, simulation: sim };
  }
  
  // ---- YAML/JSON formulation files -----------------------------------------------------------
  function toYaml(value, indent = "") {
    if (Array.isArray(value)) {
      return value.map((v) => {
        const inner = toYaml(v, indent + "  ");
        return typeof v === "object" && v !== null ? `${indent}- ${inner.trimStart()}` : `${indent}- ${inner.trim()}`;
      }).join("\n");
    }
    if (value !== null && typeof value === "object") {
      return Object.entries(value).map(([k, v]) => typeof v === "object" && v !== null
        ? `${indent}${k}:\n${toYaml(v, indent + "  ")}` : `${indent}${k}: ${toYaml(v, "")}`).join("\n");
    }
    return typeof value === "string" ? JSON.stringify(value) : String(value);
  }
  
  async function loadFile(file) {
    const text = await file.text();
    try {
      const docs = /\.json$/i.test(file.name) ? [JSON.parse(text)] : (await api("/v1/formulation-file", text, { text: true })).documents;
      let doc = docs[0];
      if (doc && Array.isArray(doc.formulations)) doc = doc.formulations[0];
      if (Array.isArray(doc)) doc = doc[0];
      if (!doc || !Array.isArray(doc.components)) throw new Error(`${file.name}: no formulation (an object with "components") found`);
      fillForm(doc);
      $("errors").replaceChildren();
      $("status").textContent = `loaded ${file.name}`;
    } catch (err) {
      showErrors(err); $("status").textContent = "could not load the file";
    }
  }

  document.addEventListener("resistml-ready", () => {
    $("export-csv").addEventListener("click", () => download(`${state.current.form.name}.csv`, toCsv(resultRows(state.current)), "text/csv"));
    $("export-json").addEventListener("click", () => download(`${state.current.form.name}.json`, JSON.stringify(resultJson(state.current), null, 2), "application/json"));
    $("save-json").addEventListener("click", () => { const f = readFormulation(); download(`${f.name}.json`, JSON.stringify(f, null, 2), "application/json"); });
    $("save-yaml").addEventListener("click", () => { const f = readFormulation(); download(`${f.name}.yaml`, toYaml(f) + "\n", "application/yaml"); });
    $("load-file").addEventListener("change", (e) => { if (e.target.files[0]) loadFile(e.target.files[0]); e.target.value = ""; });
  });
})();
