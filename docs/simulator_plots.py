"""Regenerate the simulator figures of docs/physics.md (part 2).

    .venv/bin/python docs/simulator_plots.py
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from resistml.formulation import Formulation  # noqa: E402
from resistml.formulation.catalog import component  # noqa: E402
from resistml.physics.simulator import simulate, simulate_many  # noqa: E402

OUT = Path(__file__).parent / "img"


def reference(energy: float = 50.0, base: float = 0.3, thickness: float = 300.0) -> Formulation:
    """TPS-Tf 5 / PHS-8k 100 / HMMM 15 / TOA base, the patent's reference (no D) type."""
    comps = [component("TPS-Tf", 5), component("PHS-8k", 100), component("HMMM", 15)]
    if base > 0:
        comps.append(component("TOA", base))
    return Formulation.from_dict({
        "name": f"ref-{energy:g}keV", "components": [c.model_dump(exclude_none=True) for c in comps],
        "process": {"beam_energy_keV": energy, "thickness_nm": thickness}})


def contrast_vs_energy() -> None:
    fig, ax = plt.subplots(figsize=(5.5, 4))
    for e in (10, 20, 30, 50, 75, 100):
        r = simulate(reference(e))
        ax.semilogx(r.contrast_dose, r.contrast_thickness, label=f"{e} keV")
    ax.set(xlabel="dose (uC/cm2)", ylabel="normalised remaining thickness",
           title="Contrast curves, TPS-Tf/PHS-8k/HMMM/TOA, 300 nm on Si")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(OUT / "sim_contrast_vs_energy.png", dpi=120)
    plt.close(fig)


def resolution_vs_energy_and_base() -> None:
    energies = np.array([5, 10, 20, 30, 50, 75, 100], float)
    bases = np.array([0.0, 0.1, 0.2, 0.3, 0.6, 1.0, 2.0, 3.0])
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 4))
    for t in (100.0, 300.0, 1000.0):
        df = simulate_many([reference(e, thickness=t) for e in energies])
        a1.semilogy(energies, df["resolution_nm"], "o-", label=f"{t:g} nm film")
    a1.set(xlabel="beam energy (keV)", ylabel="resolution half-pitch (nm)", title="Resolution vs beam energy")
    for e in (20.0, 50.0, 100.0):
        df = simulate_many([reference(e, base=b) for b in bases])
        a2.plot(bases, df["resolution_nm"], "o-", label=f"{e:g} keV")
    a2.set(xlabel="TOA base (parts per 100 resin)", ylabel="resolution half-pitch (nm)",
           title="Resolution vs base loading (300 nm)")
    for ax in (a1, a2):
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    fig.savefig(OUT / "sim_resolution_vs_energy_base.png", dpi=120)
    plt.close(fig)


if __name__ == "__main__":
    OUT.mkdir(exist_ok=True)
    contrast_vs_energy()
    resolution_vs_energy_and_base()
