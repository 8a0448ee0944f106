"""Plot of a measured contrast curve with its two fits (PNG, matplotlib Agg)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from resistml.lab.curves import FitResult
from resistml.lab.formats import ContrastCurve
from resistml.lab.models import gel_model, loglogistic_model

DPI = 110


def slug(text: str) -> str:
    """A file-name-safe version of a curve id."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_") or "curve"


def plot_curve_fits(curve: ContrastCurve, fits: dict[str, FitResult], path: str | Path) -> Path:
    """Data points, gel-model and log-logistic fits on log dose, D_g^i / D50 / D90 marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    path = Path(path)
    gel, ll = fits["gel"], fits["log_logistic"]
    lo = min(curve.dose.min(), gel.quantities["gel_dose"]) / 1.3
    hi = curve.dose.max() * 1.3
    grid = np.geomspace(lo, hi, 400)
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    ax.semilogx(curve.dose, curve.thickness, "o", color="k", ms=4, label=f"measured ({len(curve.dose)} points)")
    g = gel_model(gel.pdi or 2.0).predict(grid, gel.theta)
    q = gel.quantities
    ax.semilogx(grid, g, "-", color="C0", lw=1.6,
                label=f"gel model (PDI {gel.pdi:g}): RMSE {gel.rmse:.3f}, R$^2$ {gel.r2:.3f}")
    ax.semilogx(grid, loglogistic_model().predict(grid, ll.theta), "--", color="C1", lw=1.4,
                label=f"log-logistic: RMSE {ll.rmse:.3f}, R$^2$ {ll.r2:.3f}")
    for key, style, text in (("gel_dose", ":", "$D_g^i$"), ("d50", "-.", "$D_{50}$"), ("d90", (0, (1, 3)), "$D_{90}$")):
        value = q[key]
        if np.isfinite(value):
            ci = gel.quantities_ci[key]
            ax.axvline(value, color="C0", ls=style, lw=0.9)
            ax.axvspan(ci[0], ci[1], color="C0", alpha=0.06)
            ax.text(value, 1.01, text, ha="center", va="bottom", fontsize=9, color="C0",
                    transform=ax.get_xaxis_transform())
    unit = curve.dose_unit or "dose units"
    lines = [f"gel model: $D_g^i$ {q['gel_dose']:.3g}, $D_{{50}}$ {q['d50']:.3g}, $D_{{90}}$ {q['d90']:.3g} {unit}",
             f"$\\gamma$ {q['contrast']:.2f} [{gel.quantities_ci['contrast'][0]:.2f}, {gel.quantities_ci['contrast'][1]:.2f}]"
             f"; log-logistic $\\gamma$ {ll.quantities['contrast']:.2f}"]
    ax.text(0.02, 0.97, "\n".join(lines) + "\nshaded: 95 % intervals of the gel model", transform=ax.transAxes,
            va="top", fontsize=7.5,
            bbox={"boxstyle": "round", "fc": "white", "ec": "0.8"})
    ax.set(xlabel=f"dose ({unit})", ylabel="normalised remaining thickness", ylim=(-0.03, 1.2), xlim=(lo, hi))
    ax.set_title(f"contrast curve: {curve.id}", pad=18)
    ax.xaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.grid(alpha=0.3, which="both")
    ax.legend(loc="lower right", fontsize=7.5)  # a negative resist leaves no film there
    fig.tight_layout()
    try:
        fig.savefig(path, dpi=DPI)
    finally:
        plt.close(fig)
    return path
