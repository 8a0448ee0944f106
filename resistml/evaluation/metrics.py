"""Regression and calibration metrics for log-space property predictions.

Accuracy: MAE, RMSE and R^2 in log10 space, and the median/mean absolute percentage error of the
back-transformed value. Calibration of Gaussian predictive distributions N(mu, sigma^2): coverage of
the 1- and 2-sigma intervals (ideal 68.3 % / 95.4 %) and the miscalibration area, i.e. the mean
absolute gap between expected and observed coverage over central intervals
(Tran et al., "Methods for comparing uncertainty quantifications for material property
predictions", Mach. Learn.: Sci. Technol. 1, 025006 (2020)).
"""

from __future__ import annotations

import numpy as np
from scipy.special import erf, erfinv

IDEAL_COVERAGE = {1: float(erf(1 / np.sqrt(2))), 2: float(erf(2 / np.sqrt(2)))}


def _finite(y_true: np.ndarray, *others: np.ndarray) -> tuple[np.ndarray, ...]:
    y_true = np.asarray(y_true, dtype=float)
    arrays = [np.asarray(a, dtype=float) for a in others]
    keep = np.isfinite(y_true)
    for a in arrays:
        keep &= np.isfinite(a)
    return (y_true[keep], *[a[keep] for a in arrays])


def regression_metrics(log_true: np.ndarray, log_pred: np.ndarray) -> dict[str, float]:
    """MAE/RMSE/R^2 of log10 values, and percentage errors of the values themselves."""
    t, p = _finite(log_true, log_pred)
    if t.size == 0:
        return {"n": 0, "mae": np.nan, "rmse": np.nan, "r2": np.nan, "mape_pct": np.nan, "median_ape_pct": np.nan}
    err = p - t
    ss_tot = float(np.sum((t - t.mean()) ** 2))
    ape = np.abs(10.0 ** err - 1.0) * 100.0
    return {
        "n": int(t.size),
        "mae": float(np.mean(np.abs(err))),
        "rmse": float(np.sqrt(np.mean(err**2))),
        "r2": float(1.0 - np.sum(err**2) / ss_tot) if ss_tot > 0 else np.nan,
        "mape_pct": float(np.mean(ape)),
        "median_ape_pct": float(np.median(ape)),
    }


def coverage(log_true: np.ndarray, log_pred: np.ndarray, sigma: np.ndarray, k: float) -> float:
    """Fraction of targets inside mu +- k sigma."""
    t, p, s = _finite(log_true, log_pred, sigma)
    return float(np.mean(np.abs(t - p) <= k * s)) if t.size else np.nan


def miscalibration_area(log_true: np.ndarray, log_pred: np.ndarray, sigma: np.ndarray, n_levels: int = 99) -> float:
    """Mean |observed - expected| coverage of central Gaussian intervals over levels in (0, 1)."""
    t, p, s = _finite(log_true, log_pred, sigma)
    if t.size == 0:
        return np.nan
    levels = np.linspace(0.01, 0.99, n_levels)
    z = np.abs(t - p) / np.maximum(s, 1e-12)
    half_widths = np.sqrt(2.0) * erfinv(levels)
    observed = np.mean(z[None, :] <= half_widths[:, None], axis=1)
    return float(np.mean(np.abs(observed - levels)))


def calibration_metrics(log_true: np.ndarray, log_pred: np.ndarray, sigma: np.ndarray) -> dict[str, float]:
    """1/2-sigma coverage and miscalibration area."""
    return {
        "coverage_1sigma": coverage(log_true, log_pred, sigma, 1.0),
        "coverage_2sigma": coverage(log_true, log_pred, sigma, 2.0),
        "miscalibration_area": miscalibration_area(log_true, log_pred, sigma),
    }


def calibration_curve(log_true: np.ndarray, log_pred: np.ndarray, sigma: np.ndarray, n_levels: int = 19) -> tuple[np.ndarray, np.ndarray]:
    """(expected, observed) coverage of central intervals, for calibration plots."""
    t, p, s = _finite(log_true, log_pred, sigma)
    levels = np.linspace(0.05, 0.95, n_levels)
    z = np.abs(t - p) / np.maximum(s, 1e-12)
    observed = np.mean(z[None, :] <= (np.sqrt(2.0) * erfinv(levels))[:, None], axis=1)
    return levels, observed


# ---- outcome classification (p_prints) -----------------------------------------------------
def _finite_prob(prints: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(prints, dtype=float)
    q = np.asarray(p, dtype=float)
    keep = np.isfinite(y) & np.isfinite(q)
    return y[keep] > 0.5, q[keep]


def auroc(prints: np.ndarray, p: np.ndarray) -> float:
    """Area under the ROC curve of scores ``p`` for the binary labels ``prints`` (ties count half).

    The Mann-Whitney U statistic over the product of class sizes (Hanley & McNeil, Radiology 143,
    29 (1982)); NaN when a class is absent.
    """
    from scipy.stats import rankdata

    y, q = _finite_prob(prints, p)
    n_pos, n_neg = int(y.sum()), int((~y).sum())
    if n_pos == 0 or n_neg == 0:
        return np.nan
    ranks = rankdata(q)
    return float((ranks[y].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def brier_score(prints: np.ndarray, p: np.ndarray) -> float:
    """Mean squared difference between the probability and the 0/1 outcome (Brier 1950)."""
    y, q = _finite_prob(prints, p)
    return float(np.mean((q - y) ** 2)) if y.size else np.nan


def reliability_curve(prints: np.ndarray, p: np.ndarray, n_bins: int = 10
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(mean predicted probability, observed frequency, count) per equal-width bin of ``p``; empty bins NaN."""
    y, q = _finite_prob(prints, p)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    index = np.clip(np.digitize(q, edges[1:-1]), 0, n_bins - 1)
    count = np.bincount(index, minlength=n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_p = np.bincount(index, weights=q, minlength=n_bins) / count
        observed = np.bincount(index, weights=y.astype(float), minlength=n_bins) / count
    return mean_p, observed, count


def outcome_metrics(prints: np.ndarray, p: np.ndarray) -> dict[str, float]:
    """n, prevalence of printing, AUROC, Brier score and expected calibration error of ``p_prints``."""
    y, q = _finite_prob(prints, p)
    if y.size == 0:
        return {"n": 0, "prevalence": np.nan, "auroc": np.nan, "brier": np.nan, "ece": np.nan}
    mean_p, observed, count = reliability_curve(y, q)
    used = count > 0
    ece = float(np.sum(count[used] * np.abs(mean_p[used] - observed[used])) / count.sum())
    return {"n": int(y.size), "prevalence": float(y.mean()), "auroc": auroc(y, q), "brier": brier_score(y, q),
            "ece": ece}
