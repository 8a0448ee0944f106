"""Real negative CARs (issue 12, deliverable 8): the published table, its formulations and the harness."""

from __future__ import annotations

import importlib.util
import json
import math

from typer.testing import CliRunner

from resistml.cli import app
from resistml.formulation import load_formulations
from resistml.paths import REPO_DIR, data_dir

REAL = data_dir() / "examples" / "real"


def _bench():
    spec = importlib.util.spec_from_file_location("bench_real_resists", REPO_DIR / "benchmarks" / "bench_real_resists.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_published_rows_are_sourced_and_their_formulations_load():
    rows = _bench().load_published()
    assert any(r["resist"] == "SAL-601" and float(r["dose_uC_cm2"]) == 20 for r in rows)  # physics.yaml
    for row in rows:
        assert row["source"].strip() and float(row["beam_keV"]) > 0 and float(row["dose_uC_cm2"]) > 0
        if row["formulation"]:
            form = load_formulations(REAL / row["formulation"])[0]
            assert form.process.beam_energy_keV == float(row["beam_keV"])


def test_harness_reports_ratios_for_every_modelled_row():
    records = _bench().compare()
    modelled = [r for r in records if r["formulation"]]
    assert modelled and all(r["status"] != "not modelled" for r in modelled)
    for r in modelled:
        assert math.isfinite(r["dose_ratio"]) and r["dose_ratio"] > 0
        assert r["dose_ratio"] == r["sim_D50"] / r["published_dose"]


def test_simulate_cli_takes_the_real_examples_together():
    files = sorted(str(p) for p in REAL.glob("*.yaml"))
    result = CliRunner().invoke(app, ["simulate", *files, "--json"])
    assert result.exit_code == 0, result.output
    reports = json.loads(result.stdout)
    assert len(reports) == len(files) and all(r["sensitivity"] > 0 for r in reports)
