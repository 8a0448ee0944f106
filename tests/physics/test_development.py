"""Development: remaining thickness, swelling, root finding, contrast definition."""

import numpy as np
import pytest

from resistml.physics import development as dev


def test_thickness_zero_below_gel_and_tends_to_one():
    u_n, pdi = 50.0, 1.5
    u_w = u_n * pdi
    q = np.array([0.5, 0.99, 1.5, 5.0, 100.0]) / u_w
    h = dev.remaining_thickness(q, u_n, pdi, dev.erosion_scale(2.38, 60.0))
    assert h[0] == 0.0 and h[1] == 0.0
    assert np.all(np.diff(h[1:]) > 0) and h[-1] > 0.95


def test_stronger_or_longer_development_erodes_more():
    base = dev.erosion_scale(2.38, 60.0)
    assert dev.erosion_scale(4.0, 60.0) > base and dev.erosion_scale(2.38, 120.0) > base


def test_swelling_flory_rehner():
    eps = dev.linear_swelling(np.array([1.5, 3.0, 10.0]), 10_000.0)
    assert np.all(np.diff(eps) < 0)
    assert dev.linear_swelling(3.0, 100_000.0) > dev.linear_swelling(3.0, 10_000.0)
    m_c = 10_000.0 / 2.0
    assert dev.linear_swelling(3.0, 10_000.0) == pytest.approx((1 + m_c / dev.M_SWELL) ** 0.2 - 1)


def test_log_bisect_finds_roots_and_reports_unreached():
    target = np.array([4.0, 9.0, 1e12])
    root = dev.log_bisect(lambda d: d**2, target, np.full(3, 1e-3), np.full(3, 1e3))
    assert root[:2] == pytest.approx([2.0, 3.0], rel=1e-9)
    assert np.isnan(root[2])


def test_contrast_gamma_tangent_definition():
    """h = gamma log10(D / D_i) near D50 gives back gamma."""
    gamma = dev.contrast_gamma(lambda d: 2.5 * np.log10(d / 3.0), np.array([3.0 * 10**0.2]))
    assert gamma == pytest.approx(2.5, rel=1e-6)
