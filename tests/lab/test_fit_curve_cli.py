"""``resistml fit-curve``: JSON shape, plots, table, exit codes and one-line errors."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from typer.testing import CliRunner

from resistml.cli import app
from tests.lab.helpers import curve_rows, write

runner = CliRunner()
BY_ID = "data/lab/contrast_curves_by_id.csv"
FORMS = "data/lab/formulations.csv"


def _run(*args):
    return runner.invoke(app, ["fit-curve", *map(str, args)])


def test_json_shape_and_plots(tmp_path):
    result = _run(BY_ID, "--formulations", FORMS, "--json", "--plot", tmp_path / "plots")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    hidden = pd.read_csv("data/lab/hidden_truth.csv").set_index("name")
    assert doc["file"] == BY_ID and len(doc["curves"]) == 3
    for cur in doc["curves"]:
        assert {"id", "formulation", "dose_unit", "n_points", "dose_range", "pdi", "pdi_source", "confidence",
                "fits", "plot"} <= set(cur)
        assert cur["pdi_source"] == "formulation" and cur["confidence"] == 0.95
        assert set(cur["fits"]) == {"gel", "log_logistic"}
        for name, fit in cur["fits"].items():
            assert set(fit["quantities"]) == {"gel_dose", "d50", "d90", "contrast"}
            params = {"gel": {"gel_dose", "exponent", "delta_e"}, "log_logistic": {"d50", "slope"}}[name]
            assert set(fit["parameters"]) == params
            for est in [*fit["quantities"].values(), *fit["parameters"].values()]:
                assert est["ci_low"] <= est["value"] <= est["ci_high"]
            assert 0 < fit["rmse"] < 0.2 and 0.8 < fit["r2"] <= 1
        q = cur["fits"]["gel"]["quantities"]
        assert q["gel_dose"]["value"] < q["d50"]["value"] < q["d90"]["value"]
        truth = hidden.loc[cur["id"]]  # the synthetic lab's noise-free values
        assert abs(q["d50"]["value"] / truth["sensitivity"] - 1) < 0.08
        assert abs(q["gel_dose"]["value"] / truth["gel_dose"] - 1) < 0.08
        png = tmp_path / "plots" / f"{cur['id']}.png"
        assert cur["plot"] == str(png) and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_table_and_default_pdi(tmp_path):
    rows = [{"formulation_id": "w1", "dose": r["dose"], "remaining_thickness": r["remaining_thickness"]}
            for r in curve_rows()]
    path = write(tmp_path, rows)
    result = _run(path)
    assert result.exit_code == 0, result.output
    assert "D50" in result.stdout and "w1" in result.stdout
    doc = json.loads(_run(path, "--json", "--pdi", "1.2").stdout)
    assert doc["curves"][0]["pdi"] == 1.2 and doc["curves"][0]["pdi_source"] == "--pdi"
    gel = doc["curves"][0]["fits"]["gel"]["parameters"]
    assert abs(gel["gel_dose"]["value"] - 10.0) < 0.05 and abs(gel["exponent"]["value"] - 2.5) < 0.05
    assert json.loads(_run(path, "--json").stdout)["curves"][0]["pdi_source"].startswith("default")


def _one_error(result) -> str:
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), lines
    return lines[0]


def test_curve_errors_exit_2(tmp_path):
    few = write(tmp_path, curve_rows(doses=np.array([5.0, 10.0, 20.0]), h=np.array([0.0, 0.4, 0.9])), "few.csv")
    assert _one_error(_run(few)) == f"error: {few}: curve r1: too few points: 3 distinct doses, a fit needs at least 5"
    zero = write(tmp_path, curve_rows(h=np.zeros(12)), "zero.csv")
    assert "all remaining thicknesses are zero" in _one_error(_run(zero))
    down = write(tmp_path, curve_rows(h=np.linspace(1.0, 0.0, 12)), "down.csv")
    assert "not a negative-tone contrast curve" in _one_error(_run(down, "--json"))


def test_input_errors_exit_2(tmp_path):
    rows = curve_rows()
    rows[2]["dose"] = -4
    bad = write(tmp_path, rows)
    assert _one_error(_run(bad)) == f"error: {bad}: row 2: dose: must be > 0, got -4"
    assert _one_error(_run(tmp_path / "nope.csv")) == f"error: {tmp_path / 'nope.csv'}: no such file"
    assert _one_error(_run(BY_ID, "--pdi", "0.5")) == "error: --pdi: must be within 1-10, got 0.5"
    miss = _run(BY_ID, "--formulations", "data/examples/reference-no-d-50keV.yaml")
    lines = miss.stderr.strip().splitlines()
    assert miss.exit_code == 2 and len(lines) == 3  # one line per unknown id, at its first row
    assert lines[0].startswith(f"error: {BY_ID}: row 0: formulation_id: 'lab-01-TPS-Tf-PHS8k-HMMM' is not a formulation name")
