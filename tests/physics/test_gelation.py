"""Gelation closed forms: Charlesby-Pinner, Flory (monodisperse), Schulz-Zimm; gel point; 1/Mw."""

import numpy as np
import pytest

from resistml.physics import gelation as g


def test_charlesby_pinner_pdi_2():
    u_n = 80.0
    q = np.geomspace(1.05, 30, 25) / (2 * u_n)  # above the gel point q u_w = 1
    s = g.sol_fraction(q, u_n, 2.0)
    assert np.allclose(s + np.sqrt(s), 1 / (q * u_n), rtol=1e-8)
    assert np.allclose(s, g.charlesby_pinner_sol(q, u_n), rtol=1e-8)


def test_flory_monodisperse():
    u = 100.0
    q = np.array([0.015, 0.03, 0.1])
    s = g.sol_fraction(q, u, 1.0)
    assert np.allclose(s, np.exp(-q * u * (1 - s)), rtol=1e-6)


@pytest.mark.parametrize("pdi", [1.2, 1.5, 3.0])
def test_schulz_zimm_equation(pdi):
    k, u_n = 1 / (pdi - 1), 60.0
    q = np.array([2.0, 5.0]) / (u_n * pdi)
    s = g.sol_fraction(q, u_n, pdi)
    assert np.allclose(s, (1 + q * u_n * (1 - s) / k) ** -(k + 1), rtol=1e-8)


@pytest.mark.parametrize("pdi", [1.0, 1.3, 2.0, 4.0])
def test_gel_point_q_uw_is_one(pdi):
    u_n = 50.0
    u_w = u_n * pdi
    assert g.gel_fraction(0.999 / u_w, u_n, pdi) == 0.0
    assert g.gel_fraction(1.01 / u_w, u_n, pdi) > 0.0


def test_gel_dose_inverse_in_mw_for_random_crosslinking():
    """Pure radiation crosslinking, q = G D: the dose at the gel point scales as 1/Mw_w."""
    def gel_dose(mw):
        u_n = mw / 1.5 / 120.0
        doses = np.geomspace(1e-3, 10, 4000)
        gel = g.gel_fraction(1e-2 * doses, u_n, 1.5)
        return doses[np.argmax(gel > 0)]
    ratio = gel_dose(10_000) / gel_dose(40_000)
    assert ratio == pytest.approx(4.0, rel=0.01)
