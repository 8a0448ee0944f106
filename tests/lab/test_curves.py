"""Contrast-curve fits: the gel model is the simulator's, Jacobians are right, the intervals cover."""

from __future__ import annotations

import numpy as np
import pytest

from resistml.lab import curves as C
from resistml.lab import models as M
from resistml.physics import development, gelation

CONFIDENCE_TARGET = 0.9
DRAWS = 50


@pytest.mark.parametrize("pdi", [1.05, 1.2, 2.0, 4.0])
def test_gel_model_is_the_simulators(pdi):
    delta = 1.0 + np.geomspace(1e-5, 1e4, 400)
    g, _ = M.gel_of_delta(delta, pdi)
    np.testing.assert_allclose(g, gelation.gel_fraction(delta / pdi, 1.0, pdi), atol=1e-7)
    u_n, de = 50.0, 1.7
    q = delta / (u_n * pdi)  # delta = q u_w
    np.testing.assert_allclose(M.thickness_of_delta(delta, de, pdi),
                               development.remaining_thickness(q, u_n, pdi, de), atol=1e-7)
    assert np.all(M.thickness_of_delta(np.array([0.5, 1.0]), de, pdi) == 0.0)


def test_analytic_jacobians_match_differences():
    dose = np.geomspace(3.0, 80.0, 17)
    for model, theta in ((M.gel_model(1.5), np.log([10.0, 2.5, 1.5])), (M.loglogistic_model(), np.log([20.0, 6.0]))):
        jac = model.jacobian(dose, theta)
        eye = np.eye(len(theta)) * 1e-6
        num = np.column_stack([(model.predict(dose, theta + e) - model.predict(dose, theta - e)) / 2e-6 for e in eye])
        np.testing.assert_allclose(jac, num, atol=1e-6)


def test_quantities_of_known_curves():
    q = M.loglogistic_quantities(np.log([20.0, 8.0]))
    assert q["d50"] == pytest.approx(20.0) and q["d90"] == pytest.approx(20.0 * 9 ** (1 / 8))
    assert q["contrast"] == pytest.approx(8 * np.log(10) / 4) and q["gel_dose"] == pytest.approx(20 * np.exp(-0.25))
    gq = M.gel_quantities(np.log([10.0, 2.5, 1.5]), 1.5)
    for level, key in ((0.5, "d50"), (0.9, "d90")):
        assert M.gel_thickness(np.array([gq[key]]), 10.0, 2.5, 1.5, 1.5)[0] == pytest.approx(level, abs=1e-9)
    assert gq["gel_dose"] == pytest.approx(10.0)
    h = lambda d: M.gel_thickness(d, 10.0, 2.5, 1.5, 1.5)  # noqa: E731
    assert gq["contrast"] == pytest.approx(development.contrast_gamma(h, gq["d50"]), rel=1e-3)


def test_fit_recovers_a_simulated_curve():
    """Noise-free simulator curve: the gel model's D_g^i and D50 are the simulator's own."""
    from resistml.formulation import load_formulation
    from resistml.physics import simulate

    form = load_formulation("data/examples/reference-no-d-50keV.yaml")
    res = simulate(form)
    dose, h = np.asarray(res.contrast_dose)[::4], np.asarray(res.contrast_thickness)[::4]
    pdi = max(form.by_role("resin"), key=lambda c: c.parts).resin_pdi
    fits = C.fit_curve(dose, h, pdi)
    gel = fits["gel"].quantities
    assert gel["gel_dose"] == pytest.approx(res.properties["gel_dose"], rel=0.05)
    assert gel["d50"] == pytest.approx(res.properties["sensitivity"], rel=0.02)
    assert gel["contrast"] == pytest.approx(res.properties["contrast"], rel=0.1)
    assert fits["gel"].r2 > 0.999 and fits["gel"].rmse < 0.01
    assert fits["log_logistic"].quantities["d50"] == pytest.approx(res.properties["sensitivity"], rel=0.05)


def _coverage(model_name, truth, doses, pdi, seed):
    rng = np.random.default_rng(seed)
    if model_name == "gel":
        clean = M.gel_thickness(doses, *truth, pdi)
        want = {**dict(zip(("gel_dose", "exponent", "delta_e"), truth, strict=True)),
                **{f"q_{k}": float(v) for k, v in M.gel_quantities(np.log(truth), pdi).items()}}
    else:
        clean = M.loglogistic_thickness(doses, *truth)
        want = {**dict(zip(("d50", "slope"), truth, strict=True)),
                **{f"q_{k}": float(v) for k, v in M.loglogistic_quantities(np.log(truth)).items()}}
    model = M.gel_model(pdi) if model_name == "gel" else M.loglogistic_model()
    hits = {k: 0 for k in want}
    for _ in range(DRAWS):
        noisy = C.noisy_curve(clean, rng, 0.07)
        C.check_curve(doses, noisy)
        fit = C.fit_model(model, doses, noisy)
        for k, v in want.items():
            lo, hi = fit.quantities_ci[k[2:]] if k.startswith("q_") else fit.params_ci[k]
            hits[k] += lo <= v <= hi
    return {k: n / DRAWS for k, n in hits.items()}


def test_log_logistic_intervals_cover_the_truth():
    """50 noisy curves (7 % multiplicative noise): every 95 % interval holds the truth in >= 90 %."""
    cov = _coverage("log_logistic", (20.0, 8.0), np.geomspace(8.0, 60.0, 20), 2.0, seed=0)
    assert all(c >= CONFIDENCE_TARGET for c in cov.values()), cov


def test_gel_model_intervals_cover_the_truth():
    """50 noisy gel-model curves: the intervals of D_g^i, n, delta_e (profile likelihood for the
    last two) and of D50, D90 and gamma hold the truth in >= 90 %."""
    cov = _coverage("gel", (10.0, 2.5, 1.5), np.geomspace(5.0, 60.0, 20), 1.5, seed=0)
    assert all(c >= CONFIDENCE_TARGET for c in cov.values()), cov


@pytest.mark.parametrize(("dose", "h", "message"), [
    (np.array([1.0, 2, 3, 4]), np.array([0, 0.2, 0.6, 0.9]), "too few points: 4 distinct doses"),
    (np.geomspace(1, 10, 8), np.zeros(8), "all remaining thicknesses are zero"),
    (np.geomspace(1, 10, 8), np.linspace(1, 0, 8), "thickness does not rise with dose"),
    (np.geomspace(1, 10, 8), np.array([0, 0, 0.05, 0.1, 0.2, 0.3, 0.35, 0.4]), "the curve never reaches 50 %"),
    (np.geomspace(1, 10, 8), np.linspace(0.6, 1, 8), "the curve starts above 50 %"),
    (np.array([1.0, 2, 3, 4, 100, 200, 300, 400]), np.array([0, 0, 0, 0.02, 1, 1, 0.98, 1]),
     "no reading between 5% and 95% thickness: the transition lies between doses 4 and 100"),
])
def test_unfittable_curves(dose, h, message):
    with pytest.raises(C.CurveFitError, match=message):
        C.fit_curve(dose, h)
