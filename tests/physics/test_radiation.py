"""Radiation chemistry: Kozawa-Tagawa capture, proton source, depletion."""

import numpy as np
import pytest

from resistml.physics import radiation as r


def test_ionisation_yield_matches_w_value():
    assert r.ionisation_yield() == pytest.approx(100.0 / r.W_VALUE_EV)
    assert 4.0 <= r.ionisation_yield() <= 5.0  # physics doc: 4-5 ionisations per 100 eV


def test_capture_probability_static_volume():
    n = np.array([0.0, 0.01, 0.1, 1.0])
    v = 4 / 3 * np.pi * r.R_EFF_NM**3
    assert np.allclose(r.capture_probability(n, 1.0), 1 - np.exp(-n * v))


def test_acid_yield_rises_and_saturates_with_loading():
    n = np.geomspace(1e-3, 2.0, 40)
    g = r.acid_yield_per_100eV(n, 1.0, 0.0, 1.0)
    assert np.all(np.diff(g) > 0)
    assert g[-1] <= r.ionisation_yield() + 1e-12
    slope_low, slope_high = (g[1] - g[0]) / (n[1] - n[0]), (g[-1] - g[-2]) / (n[-1] - n[-2])
    assert slope_high < 0.01 * slope_low  # saturation


def test_no_generator_no_acid():
    assert r.acid_yield_per_100eV(0.0, 0.0, 0.0, 1.0) == 0.0
    assert r.acid_yield_per_100eV(0.0, 1.0, 0.1, 1.0) == 0.0


def test_phenolic_proton_source_and_capture_efficiency():
    phenolic = r.acid_yield_per_100eV(0.1, 1.0, 0.05, 1.0)
    acrylic = r.acid_yield_per_100eV(0.1, 1.0, 0.05, 0.0)
    weak = r.acid_yield_per_100eV(0.1, 0.3, 0.05, 1.0)
    assert phenolic > acrylic and phenolic > weak


def test_acid_concentration_linear_then_depleted():
    g, n_max = 2.0, 0.1
    e_small = 1e-4
    assert r.acid_concentration(e_small, g, n_max) == pytest.approx(g * e_small / 100, rel=1e-4)
    assert r.acid_concentration(1e6, g, n_max) == pytest.approx(n_max)
    assert r.acid_concentration(5.0, g, 0.0) == 0.0


def test_radical_yield_scavenged_by_phenols():
    assert r.radical_yield_per_100eV(2.0, 1.0, 1.0) < r.radical_yield_per_100eV(2.0, 1.0, 0.0)
    assert r.radical_yield_per_100eV(2.0, 1.0, 0.0) == pytest.approx(2.0 * r.RADICAL_EFFICIENCY)
