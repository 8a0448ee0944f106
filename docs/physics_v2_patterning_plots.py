"""Figures of docs/physics-v2-patterning.md (resolution vs thickness, LER vs dose, grid convergence).

    .venv/bin/python docs/physics_v2_patterning_plots.py
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from resistml.formulation import Formulation  # noqa: E402
from resistml.formulation.catalog import component  # noqa: E402
from resistml.physics import collapse, ler  # noqa: E402
from resistml.physics import patterning as pt  # noqa: E402
from resistml.physics.exposure import exposure  # noqa: E402
from resistml.physics.film import build_batch  # noqa: E402
from resistml.physics.response import ResistResponse  # noqa: E402
from resistml.physics.simulator import contrast_metrics, simulate_many  # noqa: E402

OUT = Path(__file__).parent / "img"


def reference(thickness: float = 300.0, energy: float = 50.0, base: float = 0.3) -> Formulation:
    """TPS-Tf 5 / PHS-8k 100 / HMMM 15 / TOA 0.3, 50 keV on Si."""
    comps = [component("TPS-Tf", 5), component("PHS-8k", 100), component("HMMM", 15)]
    if base > 0:
        comps.append(component("TOA", base))
    return Formulation.from_dict({
        "name": f"ref-{thickness:g}nm", "components": [c.model_dump(exclude_none=True) for c in comps],
        "process": {"beam_energy_keV": energy, "thickness_nm": thickness}})


def resolution_vs_thickness() -> None:
    t = np.geomspace(20.0, 2000.0, 25)
    fig, ax = plt.subplots(figsize=(6, 4.3))
    for energy, colour in ((50.0, "C0"), (20.0, "C1")):
        df = simulate_many([reference(x, energy) for x in t])
        saved = collapse.GLASSY_MODULUS_GPA
        try:
            collapse.GLASSY_MODULUS_GPA = 1e6  # rigid lines: no collapse, the v1 picture
            rigid = simulate_many([reference(x, energy) for x in t])
        finally:
            collapse.GLASSY_MODULUS_GPA = saved
        ax.loglog(t, df["resolution_nm"], "o-", color=colour, ms=3, label=f"v2 resolution, {energy:g} keV")
        ax.loglog(t, rigid["resolution_nm"], "--", color=colour, lw=1,
                  label=f"without collapse (blur / LER / bridging), {energy:g} keV")
    # the collapse limit alone: H_c(p) = t for 1:1 lines, E = 2 GPa, water
    p = np.geomspace(5.0, 800.0, 200)
    h_c = collapse.critical_height_nm(p, p, collapse.GLASSY_MODULUS_GPA)
    ax.loglog(h_c, p, "k:", label="collapse limit H_c(p) = t (E = 2 GPa, water)")
    for ar in (3.0, 4.0):
        ax.loglog(t, t / ar, color="0.7", lw=0.8)
        ax.text(1500, 1500 / ar, f"AR {ar:g}", color="0.5", fontsize=7, va="bottom")
    ax.set(xlabel="film thickness (nm)", ylabel="resolution, half-pitch (nm)",
           title="TPS-Tf/PHS-8k/HMMM/TOA on Si: resolution vs thickness")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(OUT / "v2_resolution_vs_thickness.png", dpi=130)
    plt.close(fig)


def _with_yield(form: Formulation, factor: float):
    film = build_batch([form])
    exp = exposure(film)
    resp = ResistResponse.from_film(film)
    resp = dataclasses.replace(resp, g_acid=resp.g_acid * factor)
    con = contrast_metrics(resp, exp)
    return pt.analyse(pt.LineSpace(resp, exp), con.q50, con.sensitivity)


def ler_vs_dose() -> None:
    """The same resist (same blur) with its acid yield scaled: LER at fixed half-pitches vs sizing dose."""
    form = reference(100.0)
    factors = np.geomspace(0.3, 3e4, 22)
    pats = [_with_yield(form, f) for f in factors]
    fig, ax = plt.subplots(figsize=(6, 4.3))
    for hp, colour in ((37.9, "C0"), (95.1, "C1"), (238.9, "C2")):
        j = int(np.argmin(np.abs(pt.HALF_PITCHES_NM - hp)))
        dose = np.array([p.dose[0, j] for p in pats])
        val = np.array([p.ler_nm[0, j] for p in pats])
        lin = np.array([p.ler_linear_nm[0, j] for p in pats])
        ax.loglog(dose, val, "o-", ms=3, color=colour, label=f"LER (bounded), half-pitch {pt.HALF_PITCHES_NM[j]:.0f} nm")
        ax.loglog(dose, lin, ":", color=colour, lw=1)
        ax.axhline(ler.LER_BOUND * pt.HALF_PITCHES_NM[j], color=colour, lw=0.6, ls="--")
        ax.axhline(pt.LER_MAX_FRACTION * pt.HALF_PITCHES_NM[j], color=colour, lw=0.6, ls="-.")
    d = np.geomspace(3e-3, 1.0, 10)
    ax.loglog(d, 4.0 * d**-0.5, "k--", lw=0.8, label="slope D^-1/2 (electron shot noise)")
    ax.set(xlabel="dose to size (uC/cm2)", ylabel="3-sigma LER (nm)",
           title="LER vs dose at fixed blur (acid yield scaled), 100 nm film, 50 keV")
    ax.text(0.02, 0.03, "dotted: Gallatin's linear value; dashed: bound p/2; dash-dot: criterion 0.2 p",
            transform=ax.transAxes, fontsize=7)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(OUT / "v2_ler_vs_dose.png", dpi=130)
    plt.close(fig)


def ler_vs_dose_random() -> None:
    from benchmarks.bench_simulate import random_formulations

    df = simulate_many(random_formulations(2000, 0.0, seed=3))
    ok = df[df["status"] == "ok"]
    fig, ax = plt.subplots(figsize=(6, 4.3))
    for lim, colour in (("collapse", "C0"), ("ler", "C3"), ("blur", "C2"), ("microbridging", "C4")):
        sel = ok[ok["resolution_limit"] == lim]
        ax.loglog(sel["dose_to_size"], sel["ler_nm"], ".", ms=3, color=colour, alpha=0.6,
                  label=f"{lim} ({len(sel)})")
    ax.set(xlabel="dose to size (uC/cm2)", ylabel="LER at the resolution (nm)",
           title="2,000 random electron formulations: LER vs dose")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=7, title="resolution_limit", title_fontsize=7)
    fig.tight_layout()
    fig.savefig(OUT / "v2_ler_vs_dose_random.png", dpi=130)
    plt.close(fig)


if __name__ == "__main__":
    OUT.mkdir(exist_ok=True)
    resolution_vs_thickness()
    ler_vs_dose()
    ler_vs_dose_random()
