"""Figures and tables of docs/physics-v2-substrates.md: PSFs of Si, Au and C, eta/beta per substrate.

Run: ``.venv/bin/python docs/substrate_plots.py [--electrons N]`` (about a minute on one core).
Writes ``docs/img/psf_substrates_50keV.png`` and prints the markdown tables of the page.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np

from resistml.chem.material import atomic_number, material_from_smiles, substrate_layers
from resistml.chem.substrate import (
    element_backscatter_coefficient,
    published_backscatter_coefficient,
)
from resistml.physics.montecarlo import simulate_deposition
from resistml.physics.psf import fit_psf, lookup_psf, psf_radial
from resistml.physics.psf_grid import DEFAULT_SUBSTRATES, GRID_RESIST_SMILES

IMG = Path(__file__).resolve().parent / "img"
COLORS = {"Si": "tab:blue", "Au": "tab:orange", "C": "tab:green"}


def plot_psfs(electrons: int, path: Path = IMG / "psf_substrates_50keV.png") -> dict[str, dict]:
    """Monte Carlo radial deposit (points) and the double-Gaussian fit (lines), 300 nm PHS at 50 keV."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    resist = material_from_smiles(GRID_RESIST_SMILES, 1.2, name="PHS")
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    fits = {}
    for name, color in COLORS.items():
        r = simulate_deposition(50.0, 300.0, resist, substrate_layers(name), electrons, seed=7)
        fit = fit_psf(r)
        fits[name] = {"alpha_nm": fit.alpha_nm, "beta_nm": fit.beta_nm, "eta": fit.eta,
                      "backscatter": r.backscatter_coefficient, "seconds": r.elapsed_s}
        dens = r.radial_density / r.radial_energy_keV.sum()
        ok = dens > 0
        ax.loglog(r.r_centers_nm[ok], dens[ok], ".", ms=3, color=color, alpha=0.6)
        rr = np.geomspace(0.3, 6e4, 500)
        ax.loglog(rr, psf_radial(rr, fit.params()), "--", lw=1, color=color,
                  label=f"{name}: η={fit.eta:.2f}, β={fit.beta_nm / 1e3:.2g} µm, backscatter {r.backscatter_coefficient:.2f}")
        ax.loglog(rr, psf_radial(rr, fit_psf(r, third_term="always").params()), "-", lw=1.5, color=color)
    ax.set_ylim(1e-14, 1)
    ax.set_xlabel("radius r (nm)")
    ax.set_ylabel("f(r) (nm$^{-2}$), normalised")
    ax.set_title("PSF of 300 nm PHS at 50 keV: Monte Carlo (points), double-Gaussian fit (dashed, used by the\n"
                 "simulator; η, β in the legend) and three-term fit (solid)", fontsize=8)
    ax.legend(fontsize=7)
    ax.grid(True, which="both", alpha=0.25)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return fits


def grid_table(energies=(10.0, 20.0, 50.0, 100.0), thickness=300.0, density=1.2) -> str:
    """Markdown: eta, beta and backscatter of every shipped substrate from the grid."""
    head = "| substrate | " + " | ".join(f"η / β (µm) / bs at {e:g} keV" for e in energies) + " |"
    lines = [head, "|---" * (len(energies) + 1) + "|"]
    for name in DEFAULT_SUBSTRATES:
        out = lookup_psf(np.array(energies), thickness, name, density)
        cells = [f"{out['eta'][i]:.2f} / {out['beta_nm'][i] / 1e3:.2g} / {out['backscatter_coefficient'][i]:.2f}"
                 for i in range(len(energies))]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def backscatter_table(energies=(10.0, 20.0, 30.0), electrons: int = 4000) -> str:
    """Markdown: bare-substrate backscatter from the Monte Carlo against Hunger & Kuchler (1979)."""
    lines = ["| substrate | " + " | ".join(f"MC / published at {e:g} keV" for e in energies) + " |",
             "|---" * (len(energies) + 1) + "|"]
    for name in ("C", "Al", "Si", "SiO2", "GaAs", "Mo", "Ta", "W", "Au"):
        mat = substrate_layers(name)[0][0]
        cells = []
        for e in energies:
            r = simulate_deposition(e, 1.0, mat, [(mat, math.inf)], electrons, seed=11)
            ref = (element_backscatter_coefficient(atomic_number(name), e) if len(mat.mass_fractions) == 1
                   else published_backscatter_coefficient(name, e))
            cells.append(f"{r.backscatter_coefficient:.3f} / {ref:.3f}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--electrons", type=int, default=6000)
    args = parser.parse_args()
    fits = plot_psfs(args.electrons)
    for name, f in fits.items():
        print(name, {k: round(v, 4) for k, v in f.items()})
    print(grid_table())
    print()
    print(backscatter_table())


if __name__ == "__main__":
    main()
