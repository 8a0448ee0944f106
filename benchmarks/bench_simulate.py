"""Throughput of ``simulate_many`` (formulations/s) on random catalog formulations.

    .venv/bin/python benchmarks/bench_simulate.py [--n 4000] [--xray-fraction 0.1] [--repeat 3]
    .venv/bin/python benchmarks/bench_simulate.py --compare OTHER_CHECKOUT   # ratio, same run

``--compare DIR`` times the simulator of another checkout (e.g. ``git worktree add /tmp/old main``)
in alternating subprocesses with this one on the same formulations and prints the ratio of the
rates, which is what to quote on a noisy shared machine.

Formulations are drawn from the shipped catalog (one generator, resin, crosslinker; D and base
with probability 1/2) with random amounts and process conditions, so the per-SMILES descriptor
caches are warm but every formulation is new, as in dataset generation. The PSF comes from the
shipped grid. Building the formulations is not timed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
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


def _time(n: int, xray_fraction: float, repeat: int) -> dict:
    forms = random_formulations(n, xray_fraction)
    simulate_many(forms[:50])  # warm the descriptor caches and the PSF grid
    rates, cpu_rates = [], []
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        frame = simulate_many(forms)
        rates.append(len(forms) / (time.perf_counter() - start))
        cpu_rates.append(len(forms) / (time.process_time() - cpu))
    counts = frame["status"].value_counts().to_dict()
    limits = frame["resolution_limit"].value_counts().to_dict() if "resolution_limit" in frame else {}
    return {"wall": rates, "cpu": cpu_rates, "status": counts, "limits": limits}


def _compare(other: str, args) -> None:
    """Alternate subprocesses of this checkout and ``other``; print the rate ratio per round."""
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    cmd = [sys.executable, os.path.join(here, "benchmarks", "bench_simulate.py"), "--json",
           "--n", str(args.n), "--xray-fraction", str(args.xray_fraction), "--repeat", "1"]
    res = {"this": [], "other": []}
    for _ in range(args.repeat):
        for name, root in (("other", other), ("this", here)):
            env = dict(os.environ, PYTHONPATH=root)
            out = subprocess.run([cmd[0], os.path.join(root, "benchmarks", "bench_simulate.py"), *cmd[2:]],
                                 cwd=root, env=env, capture_output=True, text=True, check=True)
            res[name].append(json.loads(out.stdout.strip().splitlines()[-1]))
    for name in ("other", "this"):
        cpu = [r["cpu"][0] for r in res[name]]
        wall = [r["wall"][0] for r in res[name]]
        print(f"{name:5s}: per CPU-second {np.median(cpu):.0f} (rounds {', '.join(f'{c:.0f}' for c in cpu)}); "
              f"wall median {np.median(wall):.0f}; status {res[name][-1]['status']}")
    ratio = [t["cpu"][0] / o["cpu"][0] for t, o in zip(res["this"], res["other"], strict=True)]
    print(f"ratio this/other (CPU rate, per round): {', '.join(f'{r:.2f}' for r in ratio)}; "
          f"median {np.median(ratio):.2f}")
    print(f"resolution limits (this): {res['this'][-1]['limits']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=4000)
    parser.add_argument("--xray-fraction", type=float, default=0.1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--compare", metavar="DIR", help="another checkout to time against, alternating")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.compare:
        _compare(args.compare, args)
        return
    r = _time(args.n, args.xray_fraction, args.repeat)
    if args.json:
        print(json.dumps(r))
        return
    ok = r["status"].get("ok", 0) / args.n
    print(f"simulate_many: {args.n} formulations ({args.xray_fraction:.0%} X-ray), "
          f"wall: best {max(r['wall']):.0f} / median {np.median(r['wall']):.0f} formulations/s; "
          f"per CPU-second: {np.median(r['cpu']):.0f}; status ok {ok:.0%}")
    print("status:", r["status"])
    if r["limits"]:
        print("resolution_limit:", r["limits"])


if __name__ == "__main__":
    main()
