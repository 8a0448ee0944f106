"""Benchmark: Monte Carlo throughput and PSF look-up time.

Run: ``.venv/bin/python benchmarks/bench_montecarlo.py [--electrons N]``. Prints electron-steps/s
and electrons/s at 20 and 100 keV (300 nm PHS film on Si) and the PSF look-up time per
formulation for a vectorised batch of 10^5.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np

from resistml.chem.material import material_from_smiles, substrate_material
from resistml.physics.montecarlo import simulate_deposition
from resistml.physics.psf import lookup_psf


def bench_mc(energy: float, electrons: int) -> dict[str, float]:
    """One Monte Carlo run; throughput figures."""
    resist = material_from_smiles("*CC(*)c1ccc(O)cc1", 1.2)
    r = simulate_deposition(energy, 300.0, resist, substrate_material("Si"), electrons, seed=0)
    return {"steps_per_s": r.n_steps / r.elapsed_s, "electrons_per_s": electrons / r.elapsed_s,
            "steps_per_electron": r.n_steps / electrons, "seconds": r.elapsed_s}


def bench_lookup(batch: int = 100_000, repeats: int = 5) -> float:
    """Seconds per formulation for a vectorised batch look-up (best of repeats)."""
    rng = np.random.default_rng(0)
    e, t, rho = rng.uniform(5, 100, batch), rng.uniform(30, 1000, batch), rng.uniform(1.0, 1.6, batch)
    lookup_psf(e[:10], t[:10], "Si", rho[:10])  # load the grid
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        lookup_psf(e, t, "Si", rho)
        best = min(best, time.perf_counter() - start)
    return best / batch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--electrons", type=int, default=5000)
    args = parser.parse_args()
    print(f"host: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, numpy {np.__version__}")
    for energy in (20.0, 100.0):
        b = bench_mc(energy, args.electrons)
        print(f"MC {energy:5.0f} keV: {b['steps_per_s']:.3g} electron-steps/s, {b['electrons_per_s']:.3g} electrons/s, "
              f"{b['steps_per_electron']:.0f} steps/electron ({args.electrons} electrons, {b['seconds']:.2f} s)")
    print(f"PSF look-up: {bench_lookup() * 1e6:.3f} us per formulation (batch of 1e5)")


if __name__ == "__main__":
    main()
