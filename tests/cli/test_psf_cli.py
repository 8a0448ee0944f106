"""`resistml psf` and `resistml psf-grid`: JSON fields, published ranges, plots, user errors."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from resistml.cli import app

FIELDS = {"alpha_nm", "beta_nm", "eta", "backscatter_coefficient", "stopping_power_MeV_cm2_g",
          "mean_excitation_energy_eV", "csda_range_um", "fit_r2"}


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _json(runner: CliRunner, args: list[str]) -> dict:
    result = runner.invoke(app, ["psf", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_psf_100_kev_json_in_published_ranges(runner):
    out = _json(runner, ["--beam-energy", "100"])
    assert FIELDS <= set(out)
    assert 31.2 * 0.7 <= out["beta_nm"] / 1e3 <= 31.2 * 1.3
    assert 0.4 <= out["eta"] <= 0.9 and 0.13 <= out["backscatter_coefficient"] <= 0.21
    assert 3.5 < out["stopping_power_MeV_cm2_g"] < 4.5  # PMMA 4.006, water 4.115 (ESTAR)
    assert 60 < out["mean_excitation_energy_eV"] < 80 and 90 < out["csda_range_um"] < 160
    assert out["fit_r2"] > 0.8 and out["alpha_nm"] < 10


def test_psf_from_formulation_file(runner, tmp_path, example_dict):
    path = tmp_path / "f.json"
    path.write_text(json.dumps(example_dict))
    out = _json(runner, ["--beam-energy", "50", "--resist", str(path)])
    assert "S" in out["mass_fractions"] and 1.1 < out["density_g_cm3"] < 1.3


def test_psf_material_smiles_formula_and_density(runner):
    styrene_unit = _json(runner, ["--beam-energy", "20", "--material", "*CC(*)c1ccccc1"])
    assert styrene_unit["density_g_cm3"] == pytest.approx(1.05, rel=0.05)
    pmma = _json(runner, ["--beam-energy", "20", "--material", "C5H8O2", "--density", "1.19"])
    assert pmma["stopping_power_MeV_cm2_g"] == pytest.approx(12.83, rel=0.02)


def test_psf_monte_carlo_and_plot(runner, tmp_path):
    png = tmp_path / "psf.png"
    out = _json(runner, ["--beam-energy", "10", "--thickness", "100", "--mc", "--electrons", "300",
                         "--plot", str(png)])
    assert out["source"] == "monte_carlo" and out["beta_nm"] > 50
    assert png.read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--beam-energy", "0"], "--beam-energy"),
        (["--beam-energy", "20", "--thickness", "-3"], "--thickness"),
        (["--beam-energy", "20", "--material", "C5H8O2"], "--density"),
        (["--beam-energy", "20", "--material", "C1CC"], "--material"),
        (["--beam-energy", "20", "--substrate", "Unobtainium"], "--substrate"),
        (["--beam-energy", "20", "--density", "-1"], "--density"),
    ],
)
def test_psf_user_errors(runner, args, needle):
    result = runner.invoke(app, ["psf", *args])
    assert result.exit_code == 2
    assert needle in result.stderr and "Traceback" not in result.output


def test_psf_grid_builds_a_small_grid_into_the_cache(runner, tmp_path, monkeypatch):
    monkeypatch.setenv("RESISTML_CACHE_DIR", str(tmp_path))
    result = runner.invoke(app, ["psf-grid", "--substrate", "Ge", "--energies", "5,10", "--thicknesses", "50",
                                 "--densities", "1.2", "--electrons", "150", "--workers", "1"])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(tmp_path / "psf" / "grid.csv")
    assert len(table) == 2 and set(table["substrate"]) == {"Ge"}
    from resistml.physics.psf import load_grids, lookup_psf

    try:
        assert "ge" in load_grids(reload=True)
        assert lookup_psf(7.0, 50.0, "Ge")["beta_nm"] > 0
    finally:
        monkeypatch.delenv("RESISTML_CACHE_DIR")
        load_grids(reload=True)


def test_psf_grid_bad_axis(runner):
    result = runner.invoke(app, ["psf-grid", "--energies", "5,abc"])
    assert result.exit_code == 2 and "--energies" in result.stderr


def test_psf_grid_lookup_needs_a_grid_but_the_monte_carlo_takes_any_substrate(runner):
    result = runner.invoke(app, ["psf", "--beam-energy", "20", "--substrate", "InP"])
    assert result.exit_code == 2 and "--substrate" in result.stderr and "--mc" in result.stderr
    out = _json(runner, ["--beam-energy", "10", "--thickness", "100", "--substrate", "InP", "--mc",
                         "--electrons", "200"])
    assert out["source"] == "monte_carlo" and out["backscatter_coefficient"] > 0
    gold = _json(runner, ["--beam-energy", "50", "--substrate", "gold"])
    assert gold["source"] == "grid" and gold["backscatter_coefficient"] > 0.4


def test_merge_grid_replaces_only_the_built_substrates():
    from resistml.physics.psf_grid import merge_grid

    old = pd.DataFrame({"substrate": ["Si", "Ge", "Ge"], "beam_energy_keV": [5, 5, 10], "thickness_nm": [50] * 3,
                        "density_g_cm3": [1.2] * 3, "eta": [0.1, 0.2, 0.3]})
    new = pd.DataFrame({"substrate": ["ge"], "beam_energy_keV": [5], "thickness_nm": [50], "density_g_cm3": [1.2],
                        "eta": [0.9]})
    merged = merge_grid(old, new)
    assert list(merged["substrate"]) == ["Si", "ge"] and list(merged["eta"]) == [0.1, 0.9]
