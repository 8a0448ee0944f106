"""Status breakdown of a generated set: what share of sampled formulations prints, and why not.

    .venv/bin/python benchmarks/bench_status.py [--n 2000] [--seed 0]

Samples formulations exactly as ``resistml generate`` does (``datasets.sampling``), labels them with
``simulate_many`` and prints the count of each status, the resolution-limiting mechanism of the
printing rows (where the simulator reports it) and the film aspect ratio (thickness / resolution)
of printing electron rows. Run it on two versions of the simulator to compare them.
"""

from __future__ import annotations

import argparse

import numpy as np

from resistml.datasets.sampling import sample_formulations
from resistml.physics.simulator import SIMULATOR_VERSION, simulate_many


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    forms = sample_formulations(args.n, seed=args.seed)
    table = simulate_many(forms)
    print(f"simulator {SIMULATOR_VERSION}, {args.n} sampled formulations (seed {args.seed})")
    for status, count in table["status"].value_counts().items():
        print(f"  {status:<28s} {count:6d}  {100 * count / args.n:5.1f} %")
    ok = table[table["status"] == "ok"]
    if "resolution_limit" in table:
        print("resolution set by (ok rows):")
        for limit, count in ok["resolution_limit"].value_counts().items():
            print(f"  {limit:<28s} {count:6d}")
    thickness = np.array([f.process.thickness_nm for f in forms])[table["status"].to_numpy() == "ok"]
    aspect = thickness / ok["resolution_nm"].to_numpy()
    electron = np.array([f.process.radiation == "electron" for f in forms])[table["status"].to_numpy() == "ok"]
    a = aspect[electron]
    print(f"aspect ratio thickness/half-pitch, ok electron rows: median {np.median(a):.2f}, "
          f"p95 {np.percentile(a, 95):.2f}, max {a.max():.2f}, share > 4: {100 * np.mean(a > 4):.1f} %")
    print(f"resolution_nm of ok rows: min {ok['resolution_nm'].min():.1f}, median {ok['resolution_nm'].median():.1f}")


if __name__ == "__main__":
    main()
