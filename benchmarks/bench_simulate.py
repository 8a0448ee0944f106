"""Throughput of ``simulate_many`` (formulations/s) on random catalog formulations.

    .venv/bin/python benchmarks/bench_simulate.py [--n 4000] [--xray-fraction 0.1] [--repeat 3]

Formulations are drawn from the shipped catalog (one generator, resin, crosslinker; D and base
with probability 1/2) with random amounts and process conditions, so the per-SMILES descriptor
caches are warm but every formulation is new, as in dataset generation. The PSF comes from the
shipped grid. Building the formulations is not timed.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from resistml.formulation import Formulation, catalog
from resistml.physics.simulator import simulate_many


def random_formulations(n: int, xray_fraction: float, seed: int = 0) -> list[Formulation]:
    """n random catalog formulations (a share exposed with X-rays)."""
    rng = np.random.default_rng(seed)
    pools = {r: catalog.names(r) for r in ("acid_generator", "resin", "crosslinker", "polymerizable", "base")}
    out = []
    for i in range(n):
        comps = [
            {"catalog": str(rng.choice(pools["acid_generator"])), "parts": float(rng.uniform(1, 15))},
            {"catalog": str(rng.choice(pools["resin"])), "parts": 100.0},
            {"catalog": str(rng.choice(pools["crosslinker"])), "parts": float(rng.uniform(5, 30))},
        ]
        if rng.random() < 0.5:
            comps.append({"catalog": str(rng.choice(pools["polymerizable"])), "parts": float(rng.uniform(2, 20))})
        if rng.random() < 0.5:
            comps.append({"catalog": str(rng.choice(pools["base"])), "parts": float(rng.uniform(0.05, 1.0))})
        xray = rng.random() < xray_fraction
        process = {
            "radiation": "xray" if xray else "electron",
            "beam_energy_keV": float(rng.uniform(10, 100)),
            "photon_energy_keV": float(rng.uniform(0.5, 3.0)),
            "thickness_nm": float(rng.uniform(50, 800)),
            "peb_temp_C": float(rng.uniform(90, 130)),
            "peb_time_s": float(rng.uniform(30, 120)),
        }
        out.append(Formulation.from_dict({"name": f"bench-{i}", "components": comps, "process": process}))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=4000)
    parser.add_argument("--xray-fraction", type=float, default=0.1)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    forms = random_formulations(args.n, args.xray_fraction)
    simulate_many(forms[:50])  # warm the descriptor caches and the PSF grid
    rates, cpu_rates = [], []
    for _ in range(args.repeat):
        start, cpu = time.perf_counter(), time.process_time()
        frame = simulate_many(forms)
        rates.append(len(forms) / (time.perf_counter() - start))
        cpu_rates.append(len(forms) / (time.process_time() - cpu))
    ok = (frame["status"] == "ok").mean()
    print(f"simulate_many: {len(forms)} formulations ({args.xray_fraction:.0%} X-ray), "
          f"wall: best {max(rates):.0f} / median {np.median(rates):.0f} formulations/s; "
          f"per CPU-second: {np.median(cpu_rates):.0f}; status ok {ok:.0%}")
    print(frame["status"].value_counts().to_string())


if __name__ == "__main__":
    main()
