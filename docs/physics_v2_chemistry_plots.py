"""Figures of docs/physics-v2-chemistry.md (issue 12 part B: exact quench, dose ceiling).

    .venv/bin/python docs/physics_v2_chemistry_plots.py

* img/status_map_base_generator.png: status and D50 over TPS-Tf loading x TOA loading
  (PHS-8k 100 / HMMM 15, 50 keV, 300 nm), with the stoichiometric line base = releasable acid.
* img/dose_ceiling_contrast_curves.png: contrast curves from 0.01 to 1e5 uC/cm^2 showing the
  amplified gel, the exact quench and the resin's own radiation gel (or its absence for PMMA).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.colors import LogNorm  # noqa: E402

from resistml.chem.material import summarize_smiles  # noqa: E402
from resistml.formulation import Component, Formulation  # noqa: E402
from resistml.formulation.catalog import component  # noqa: E402
from resistml.physics.film import build_batch  # noqa: E402
from resistml.physics.simulator import run_batch, simulate_many  # noqa: E402

OUT = Path(__file__).parent / "img"
M_GEN = summarize_smiles(component("TPS-Tf").smiles).molar_mass
M_TOA = summarize_smiles(component("TOA").smiles).molar_mass


def formulation(components, name="f", **process) -> Formulation:
    proc = {"radiation": "electron", "beam_energy_keV": 50.0, "thickness_nm": 300.0, **process}
    return Formulation.from_dict({"name": name, "components": [c.model_dump(exclude_none=True) for c in components],
                                  "process": proc}, allow_incomplete=True)


def reference(gen: float, base: float) -> Formulation:
    comps = [component("PHS-8k", 100), component("HMMM", 15)]
    if gen > 0:
        comps.insert(0, component("TPS-Tf", gen))
    if base > 0:
        comps.append(component("TOA", base))
    return formulation(comps)


STATUS_COLOURS = {"no_gel": "#bbbbbb", "thin_gel": "#e6a0a0", "unresolved": "#f0d080",
                  "resolution_below_grid": "#a0c0f0", "no_acid": "#ffffff"}


def status_map(path: Path) -> None:
    gens = np.geomspace(0.5, 20.0, 26)
    bases = np.linspace(0.0, 4.0, 27)
    forms = [reference(g, b) for b in bases for g in gens]
    df = simulate_many(forms)
    d50 = df["sensitivity"].to_numpy().reshape(len(bases), len(gens))
    status = df["status"].to_numpy().reshape(len(bases), len(gens))
    fig, ax = plt.subplots(figsize=(7.2, 5.2))
    ok = np.where(status == "ok", d50, np.nan)
    mesh = ax.pcolormesh(gens, bases, ok, shading="nearest", cmap="viridis", norm=LogNorm(1.0, 1e4))
    for name, colour in STATUS_COLOURS.items():
        mask = np.where(status == name, 1.0, np.nan)
        if np.isfinite(mask).any():
            ax.pcolormesh(gens, bases, mask, shading="nearest", cmap=matplotlib.colors.ListedColormap([colour]))
            ax.plot([], [], "s", color=colour, label=name, markersize=9)
    ceiling = (status == "ok") & (d50 > 1000.0)
    ys, xs = np.nonzero(ceiling)
    ax.plot(gens[xs], bases[ys], "x", color="white", markersize=3, alpha=0.7,
            label="D50 > 1 mC/cm$^2$: resin radiation gel only")
    stoich = gens / M_GEN * M_TOA
    ax.plot(gens, stoich, "r-", lw=2, label="base = all releasable acid (1:1)")
    ax.set_xscale("log")
    ax.set_ylim(bases[0], bases[-1])
    ax.set_xlabel("TPS-Tf (parts per 100 PHS-8k)")
    ax.set_ylabel("TOA (parts)")
    ax.set_title("Status and D50, PHS-8k / HMMM 15, 50 keV, 300 nm on Si")
    fig.colorbar(mesh, ax=ax, label="D50 (uC/cm$^2$), status ok")
    ax.legend(loc="upper left", fontsize=7, framealpha=0.85)
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)


def contrast_curves(path: Path) -> None:
    gen_moles = 5.0 / M_GEN
    cases = [
        ("PHS/HMMM/TPS-Tf, no base", reference(5.0, 0.0)),
        ("+ TOA 0.9x acid", reference(5.0, 0.9 * gen_moles * M_TOA)),
        ("+ TOA 1.0x acid (exact quench: no amplified gel)", reference(5.0, 1.0 * gen_moles * M_TOA)),
        ("+ TOA 1.5x acid (same)", reference(5.0, 1.5 * gen_moles * M_TOA)),
        ("PHS-8k alone", formulation([component("PHS-8k", 100)])),
        ("PS-100k alone", formulation([Component(role="resin", parts=100, mw=1e5, pdi=1.05,
                                                 repeat_units=[{"smiles": "[*]CC([*])c1ccccc1", "fraction": 1}])])),
        ("PMMA-100k + HMMM + TPS-Tf", formulation([
            Component(role="resin", parts=100, mw=1e5, pdi=2.0,
                      repeat_units=[{"smiles": "[*]CC([*])(C)C(=O)OC", "fraction": 1}]),
            component("HMMM", 15), component("TPS-Tf", 5)])),
    ]
    res = run_batch(build_batch([f for _, f in cases]))
    doses = np.geomspace(1e-2, 1e5, 400)[None, :]
    energy = doses * (res.exposure.energy_per_dose * res.exposure.pad_fraction)[:, None]
    q = res.response.crosslink_density(res.response.pad_latent(energy), energy)
    h = res.response.thickness(q)
    fig, ax = plt.subplots(figsize=(7.2, 4.4))
    styles = [("-", 1.5), ("-", 1.5), ("--", 2.0), (":", 2.5), ("-", 6.0), ("-.", 1.5), ("-", 1.5)]
    for (label, _), curve, (style, width) in zip(cases, h, styles, strict=True):
        ax.plot(doses[0], curve, style, lw=width, alpha=0.4 if width > 5 else 1.0,
                label=label + (" (under the two above)" if width > 5 else ""))
    ax.set_xscale("log")
    ax.set_xlabel("dose (uC/cm$^2$), 50 keV, 500 um pad")
    ax.set_ylabel("normalised remaining thickness")
    ax.set_title("Exact quench and the resin's own radiation chemistry (dose ceiling)")
    ax.legend(fontsize=7, loc="center left")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)


def main() -> None:
    OUT.mkdir(exist_ok=True)
    status_map(OUT / "status_map_base_generator.png")
    contrast_curves(OUT / "dose_ceiling_contrast_curves.png")


if __name__ == "__main__":
    main()
