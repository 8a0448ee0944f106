"""Metrics against analytic values."""

from __future__ import annotations

import numpy as np
import pytest

from resistml.evaluation.metrics import IDEAL_COVERAGE, calibration_metrics, regression_metrics


def test_perfect_prediction():
    y = np.linspace(0, 2, 50)
    m = regression_metrics(y, y)
    assert m["mae"] == 0 and m["rmse"] == 0 and m["r2"] == 1 and m["mape_pct"] == 0


def test_constant_offset_gives_known_percentage():
    y = np.linspace(0, 2, 50)
    m = regression_metrics(y, y + np.log10(1.1))
    assert m["mae"] == pytest.approx(np.log10(1.1))
    assert m["median_ape_pct"] == pytest.approx(10.0)


def test_nonfinite_rows_are_ignored():
    m = regression_metrics(np.array([0.0, np.nan, 1.0]), np.array([0.0, 5.0, 1.0]))
    assert m["n"] == 2 and m["mae"] == 0


def test_gaussian_errors_are_calibrated():
    rng = np.random.default_rng(0)
    sigma = rng.uniform(0.05, 0.3, 200_000)
    pred = np.zeros_like(sigma)
    true = rng.normal(pred, sigma)
    c = calibration_metrics(true, pred, sigma)
    assert c["coverage_1sigma"] == pytest.approx(IDEAL_COVERAGE[1], abs=0.005)
    assert c["coverage_2sigma"] == pytest.approx(IDEAL_COVERAGE[2], abs=0.005)
    assert c["miscalibration_area"] < 0.005
    overconfident = calibration_metrics(true, pred, sigma / 2)
    assert overconfident["coverage_1sigma"] < 0.45 and overconfident["miscalibration_area"] > 0.1
