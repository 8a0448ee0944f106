"""Published figures beside real-resist formulations: lookup and the side-by-side rows of simulate."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from resistml.cli import app
from resistml.lab.published import comparison, published_for
from resistml.paths import data_dir

REAL = data_dir() / "examples" / "real"


def test_published_row_of_a_real_formulation(tmp_path):
    row = published_for(REAL / "sal601-like-50keV.yaml")
    assert row is not None and row["resist"] == "SAL-601" and float(row["dose_uC_cm2"]) == 20
    assert published_for(tmp_path / "x.yaml") is None  # no published.csv beside it
    rows = comparison(row, dose_to_size=10.0, resolution_nm=300.0)
    assert rows["dose_to_size / published"] == "0.50" and rows["resolution / published"] == "2.00"
    assert comparison(row, None, None)["resolution / published"] == "-"


def test_simulate_prints_simulator_and_published_side_by_side():
    files = sorted(str(p) for p in REAL.glob("*.yaml"))
    result = CliRunner().invoke(app, ["simulate", *files])
    assert result.exit_code == 0, result.output
    assert "published dose" in result.output and "Tegou" in result.output
    doc = json.loads(CliRunner().invoke(app, ["simulate", *files, "--json"]).stdout)
    assert all(d["published"]["published resist"] in {"SAL-601", "AZ PN114"} for d in doc)
