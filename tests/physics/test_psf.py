"""PSF form, fit and the shipped-grid look-up against reference/physics.yaml."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest
from scipy.integrate import quad

from resistml.chem.material import material_from_smiles, substrate_material
from resistml.chem.substrate import SubstrateError
from resistml.physics.montecarlo import DepositionResult, simulate_deposition
from resistml.physics.psf import fit_psf, load_grids, lookup_psf, psf_line_spread, psf_radial

BETA_REF_UM = {20: 2.0, 50: 9.6, 100: 31.2}  # proximity_psf_resist_on_si
ETA_ACCEPT = (0.4, 0.9)
PARAMS = {"alpha_nm": 12.0, "beta_nm": 3000.0, "eta": 0.7}
TRIPLE = {**PARAMS, "gamma_nm": 150.0, "nu": 0.3}


@pytest.mark.parametrize("params", [PARAMS, TRIPLE])
def test_psf_is_normalised(params):
    total = sum(quad(lambda r: 2 * math.pi * r * psf_radial(r, params), a, b, limit=200)[0]
                for a, b in [(0, 100), (100, 1e4), (1e4, 1e5)])
    assert total == pytest.approx(1.0, rel=1e-6)


@pytest.mark.parametrize("params", [PARAMS, TRIPLE])
def test_line_spread_is_projection(params):
    x = 40.0
    proj = 2 * sum(quad(lambda y: float(psf_radial(math.hypot(x, y), params)), a, b, limit=400)[0]
                   for a, b in [(0, 100), (100, 2e3), (2e3, 3e4)])
    assert psf_line_spread(x, params) == pytest.approx(proj, rel=1e-4)
    area = 2 * sum(quad(lambda t: float(psf_line_spread(t, params)), a, b, limit=200)[0]
                   for a, b in [(0, 100), (100, 3e4)])
    assert area == pytest.approx(1.0, rel=1e-5)


def _synthetic(params: dict) -> DepositionResult:
    edges = np.concatenate([[0.0], np.geomspace(1.0, 2e5, 132)])
    a, b, eta = params["alpha_nm"], params["beta_nm"], params["eta"]
    cum = ((1 - np.exp(-(edges / a) ** 2)) + eta * (1 - np.exp(-(edges / b) ** 2))) / (1 + eta)
    energy = np.diff(cum)[:, None] * np.ones((1, 4)) / 4
    return DepositionResult(20.0, 300.0, 1, edges, np.linspace(0, 300, 5), energy, 0.16, 0.0,
                            {"resist": 1.0}, 0, 0.0)


def test_fit_recovers_known_parameters():
    fit = fit_psf(_synthetic(PARAMS))
    assert fit.alpha_nm == pytest.approx(12.0, rel=1e-3)
    assert fit.beta_nm == pytest.approx(3000.0, rel=1e-3)
    assert fit.eta == pytest.approx(0.7, rel=1e-3)
    assert fit.fit_r2 > 0.9999 and fit.nu == 0.0


def test_lookup_reproduces_grid_nodes_and_broadcasts():
    grid = load_grids()["si"]
    e, t, rho = (float(np.exp(ax[1])) for ax in grid.axes)
    out = lookup_psf(e, t, "Si", rho)
    assert out["beta_nm"] == pytest.approx(float(np.exp(grid.values["beta_nm"][1, 1, 1])), rel=1e-9)
    batch = lookup_psf(np.array([20.0, 50.0, 100.0])[:, None], np.array([100.0, 300.0]), "Si", 1.2)
    assert batch["alpha_nm"].shape == (3, 2) and set(batch) >= {"alpha_nm", "beta_nm", "eta", "backscatter_coefficient"}


def test_lookup_beta_matches_reference_and_scales_as_e17():
    energies = np.array(list(BETA_REF_UM), dtype=float)
    out = lookup_psf(energies, 300.0, "Si", 1.2)
    np.testing.assert_allclose(out["beta_nm"] / 1e3, list(BETA_REF_UM.values()), rtol=0.3)
    slope = np.polyfit(np.log(energies), np.log(out["beta_nm"]), 1)[0]
    assert 1.5 < slope < 1.9
    assert np.all((out["eta"] >= ETA_ACCEPT[0]) & (out["eta"] <= ETA_ACCEPT[1]))
    assert np.all((out["backscatter_coefficient"] > 0.13) & (out["backscatter_coefficient"] < 0.21))


def test_lookup_alpha_trends():
    by_energy = lookup_psf(np.array([10.0, 20.0, 50.0, 100.0]), 300.0)["alpha_nm"]
    by_thickness = lookup_psf(20.0, np.array([50.0, 100.0, 300.0, 1000.0]))["alpha_nm"]
    assert np.all(np.diff(by_energy) < 0) and np.all(np.diff(by_thickness) > 0)


def test_lookup_is_fast_for_a_batch():
    rng = np.random.default_rng(0)
    e, t = rng.uniform(5, 100, 100_000), rng.uniform(30, 1000, 100_000)
    lookup_psf(e[:10], t[:10])
    start = time.perf_counter()
    out = lookup_psf(e, t, "Si", rng.uniform(1.0, 1.6, 100_000))
    per_item = (time.perf_counter() - start) / e.size
    assert per_item < 2e-5 and np.all(np.isfinite(out["beta_nm"]))


def test_lookup_other_substrates_and_errors():
    heavy = lookup_psf(50.0, 300.0, "GaAs")
    light = lookup_psf(50.0, 300.0, "Si")
    assert heavy["backscatter_coefficient"] > light["backscatter_coefficient"]
    gold = lookup_psf(50.0, 300.0, "Au")  # its own grid, not GaAs's (the nearest in Z)
    assert float(gold["beta_nm"]) != pytest.approx(float(heavy["beta_nm"]), rel=0.05)
    with pytest.raises(ValueError, match="thickness_nm"):
        lookup_psf(50.0, -1.0)
    for name in ("Unobtainium", "InP"):  # no grid: an error naming the field, never the nearest grid
        with pytest.raises(SubstrateError, match="process.substrate"):
            lookup_psf(50.0, 300.0, name)


@pytest.mark.slow
@pytest.mark.parametrize("energy", [20, 50, 100])
def test_monte_carlo_beta_and_eta_vs_reference(energy):
    phs = material_from_smiles("*CC(*)c1ccc(O)cc1", 1.2)
    r = simulate_deposition(float(energy), 300.0, phs, substrate_material("Si"), 6000, seed=4)
    fit = fit_psf(r)
    assert fit.beta_nm / 1e3 == pytest.approx(BETA_REF_UM[energy], rel=0.3)
    assert ETA_ACCEPT[0] <= fit.eta <= ETA_ACCEPT[1]
    assert fit.fit_r2 > 0.85


def test_double_gaussian_params_from_fit_evaluate_finite():
    params = fit_psf(_synthetic(PARAMS)).params()  # gamma_nm = nu = 0
    r = np.array([0.0, 10.0, 1e4])
    assert np.all(np.isfinite(psf_radial(r, params))) and np.all(np.isfinite(psf_line_spread(r, params)))
    assert psf_radial(10.0, params) == pytest.approx(psf_radial(10.0, PARAMS), rel=1e-3)


def test_lookup_triple_form():
    energies = np.array([20.0, 50.0, 100.0])
    double = lookup_psf(energies, 300.0, "Si", 1.2)
    triple = lookup_psf(energies, 300.0, "Si", 1.2, form="triple")
    assert {"gamma_nm", "nu"} <= set(triple)
    assert np.all(triple["fit_r2"] > double["fit_r2"]) and np.all(triple["alpha_nm"] < double["alpha_nm"])
    np.testing.assert_allclose(triple["beta_nm"] / 1e3, list(BETA_REF_UM.values()), rtol=0.3)
    scalar = lookup_psf(50.0, 300.0, "Si", 1.2, form="triple")
    assert float(scalar["nu"]) == pytest.approx(float(triple["nu"][1]), rel=1e-9)
    with pytest.raises(ValueError, match="form"):
        lookup_psf(20.0, 300.0, form="quadruple")
