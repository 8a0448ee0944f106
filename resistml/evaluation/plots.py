"""Parity and calibration plots (PNG, matplotlib Agg), one per target.

Parity: predicted versus true value in model (log10) space with 1-sigma error bars and the y = x
line. Calibration: observed versus expected coverage of central Gaussian intervals (the
"calibration curve" of Kuleshov et al., ICML 2018; its mean gap is the miscalibration area of
Tran et al., Mach. Learn.: Sci. Technol. 1, 025006 (2020)).
"""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from resistml.evaluation.evaluate import Evaluation  # noqa: E402
from resistml.evaluation.metrics import calibration_curve, miscalibration_area  # noqa: E402

DPI = 110


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_")


def parity_plot(y: np.ndarray, mean: np.ndarray, sigma: np.ndarray | None, name: str, path: Path,
                title: str = "") -> Path:
    """Scatter of predicted against true ``name`` with 1-sigma bars and y = x; save to ``path``."""
    keep = np.isfinite(y) & np.isfinite(mean)
    fig, ax = plt.subplots(figsize=(4.6, 4.4))
    err = None if sigma is None else sigma[keep]
    ax.errorbar(y[keep], mean[keep], yerr=err, fmt="o", ms=2.5, alpha=0.5, elinewidth=0.5, lw=0)
    if keep.any():
        lo, hi = float(min(y[keep].min(), mean[keep].min())), float(max(y[keep].max(), mean[keep].max()))
        pad = 0.03 * (hi - lo or 1.0)
        ax.plot([lo - pad, hi + pad], [lo - pad, hi + pad], "k--", lw=1)
        mae = float(np.mean(np.abs(mean[keep] - y[keep])))
        ax.text(0.04, 0.94, f"n = {int(keep.sum())}, MAE = {mae:.3f}", transform=ax.transAxes, va="top")
    ax.set_xlabel(f"true {name}")
    ax.set_ylabel(f"predicted {name}")
    ax.set_title(title or f"parity: {name}", fontsize=10)
    return _save(fig, path)


def calibration_plot(y: np.ndarray, mean: np.ndarray, sigma: np.ndarray, name: str, path: Path,
                     title: str = "") -> Path:
    """Observed against expected coverage of central intervals for ``name``; save to ``path``."""
    expected, observed = calibration_curve(y, mean, sigma)
    fig, ax = plt.subplots(figsize=(4.4, 4.4))
    ax.plot([0, 1], [0, 1], "k--", lw=1, label="ideal")
    ax.plot(expected, observed, "o-", ms=3, label="model")
    ax.fill_between(expected, expected, observed, alpha=0.2)
    area = miscalibration_area(y, mean, sigma)  # the same figure as the metrics table
    ax.text(0.04, 0.94, f"miscalibration area = {area:.3f}", transform=ax.transAxes, va="top")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("expected coverage")
    ax.set_ylabel("observed coverage")
    ax.set_title(title or f"calibration: {name}", fontsize=10)
    ax.legend(loc="lower right")
    return _save(fig, path)


def _save(fig: plt.Figure, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path


def save_plots(result: Evaluation, out_dir: str | Path, prefix: str = "") -> list[Path]:
    """Parity (and, with sigmas, calibration) PNGs of every target: ``<prefix>parity_<target>.png``."""
    out = Path(out_dir)
    label = f"{prefix.rstrip('_')} " if prefix else ""
    paths = []
    for j, name in enumerate(result.names):
        y, mean = result.y_true[:, j], result.mean[:, j]
        sigma = None if result.sigma is None else result.sigma[:, j]
        stem = _slug(f"{prefix}parity_{name}")
        paths.append(parity_plot(y, mean, sigma, name, out / f"{stem}.png", f"{label}parity: {name}"))
        if sigma is not None:
            stem = _slug(f"{prefix}calibration_{name}")
            paths.append(calibration_plot(y, mean, sigma, name, out / f"{stem}.png", f"{label}calibration: {name}"))
    return paths
