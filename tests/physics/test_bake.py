"""Bake: WLF free volume, acid diffusion, Bronsted catalysis, junction counting, quadrature."""

import numpy as np
import pytest

from resistml.physics import bake as b


def test_free_volume_wlf_limits():
    tg = 400.0
    assert b.free_volume_fraction(tg - 200, tg) == pytest.approx(b.FREE_VOLUME_MIN)
    # well above Tg: f_g + alpha_f (T - Tg) (WLF universal constants)
    assert b.free_volume_fraction(tg + 80, tg) == pytest.approx(b.F_GLASS + b.ALPHA_RUBBER * 80, rel=1e-3)
    assert b.free_volume_fraction(tg - 40, tg) == pytest.approx(b.F_GLASS - b.ALPHA_GLASS * 40, rel=1e-2)


def test_acid_diffusivity_trends():
    t, tg = 383.15, 420.0
    tf, nf = b.acid_diffusivity(t, tg, 64.2), b.acid_diffusivity(t, tg, 117.1)
    assert 5 < tf / nf < 30  # nonaflate ~ an order of magnitude slower than triflate
    assert b.acid_diffusivity(t + 20, tg, 64.2) > tf  # hotter
    assert b.acid_diffusivity(t, tg - 30, 64.2) > tf  # plasticised
    length = b.diffusion_length_nm(tf, 60.0)
    assert 5 <= length <= 20  # typical CAR acid diffusion length (physics.yaml)


def test_bake_quadrature_integrates_loss():
    tau, w = b.bake_quadrature(np.array([60.0, 120.0]))
    assert np.allclose(w.sum(axis=1), b.effective_bake_time(np.array([60.0, 120.0])), rtol=1e-8)
    assert np.all((tau > 0) & (tau < np.array([[60.0], [120.0]])))


def test_diffusion_transfer_is_gaussian_of_variance_2dt():
    d, tau, f = 1.5, 40.0, np.linspace(0, 0.1, 7)
    sigma2 = 2 * d * tau
    assert np.allclose(b.diffusion_transfer(f, d, tau), np.exp(-2 * np.pi**2 * f**2 * sigma2))


def test_bronsted_levelling():
    t = b.T_REF_K
    superacid, triflic, tosic, carboxylic = (b.catalysis_factor(p, t) for p in (-17, -12, -2.8, 4.5))
    assert superacid == pytest.approx(triflic, rel=0.01) == pytest.approx(1.0, rel=0.01)
    assert triflic > tosic > carboxylic
    assert tosic == pytest.approx(10 ** (-b.BRONSTED_ALPHA * (-2.8 - b.PKA_LEVEL)), rel=0.05)
    assert b.catalysis_factor(-12, t + 10) > triflic


def test_free_acid_quench():
    assert b.free_acid(1.0, 0.4, 1e-6) == pytest.approx(0.6)
    assert b.free_acid(0.3, 0.4, 1e-6) < 1e-12


def test_junction_density_stockmayer():
    # f-functional crosslinker, each group reacted with probability p: E[j(j-1)] = f(f-1)p^2
    rng = np.random.default_rng(0)
    f, p = 6, 0.3
    j = rng.binomial(f, p, size=200_000)
    assert b.junction_density(1.0, f, p, 1.0) == pytest.approx(np.mean(j * (j - 1)), rel=0.01)
    assert b.junction_density(1.0, 1, 0.9, 1.0) == 0.0


def test_radical_junctions():
    assert b.radical_junctions(1e-3, 30.0, 0.3, 1.0, 5.0) == 0.0  # monofunctional D: no network
    tri, di = (b.radical_junctions(1e-3, 30.0, 0.3, f, 5.0) for f in (3.0, 2.0))
    assert tri > di > 0


def test_radical_junctions_monotone_in_dose():
    r = np.geomspace(1e-6, 10.0, 60)
    q = b.radical_junctions(r, 12.0, 0.5, 3.0, 5.0)
    assert np.all(np.diff(q) >= 0) and np.all(np.diff(q[:30]) > 0)
    assert q[-1] == pytest.approx(b.GRAFT_RADICAL * 0.5 * (2 / 3) * 7.0 / 5.0)
