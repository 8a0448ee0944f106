"""Design benchmark: hypervolume of the simulator-verified Pareto set after N simulator calls.

    nice .venv/bin/python benchmarks/bench_design.py [--seeds 0 1 2] [--budget 200] [--out runs/bench_design]

Three specs (100 keV / 100 nm e-beam, 25 keV / 300 nm e-beam, 1.2 keV soft X-ray / 200 nm), each
minimising sensitivity, resolution and LER under constraints, searched by: ``model`` (this search:
NSGA-II on the optimistic bound of the model, with fine-tuning), ``random`` (Optuna's
RandomSampler in the same space), ``greedy`` (the model's mean, no sigma) and ``no_finetune``
(no residual correction). Every run goes to the full budget; the hypervolume at N = 50, 100, 200
is that of the first N calls. Prints the table (mean and spread over seeds, ratio to random, print
rate of the proposals) and writes hypervolume-vs-calls plots per spec to ``--out``;
``--report-only`` rebuilds both from the histories in ``--out`` (e.g. after running the specs in
separate processes with ``--specs``). The inner NSGA-II runs 24 x 6 here (32 x 8 in the command)
to keep the whole benchmark near 15 minutes. The recorded numbers are in docs/design.md.
"""

from __future__ import annotations

import argparse
import shutil
import time
from pathlib import Path

import numpy as np
import pandas as pd

from resistml.design.report import plot_hypervolume
from resistml.design.search import STRATEGIES, Search, SearchConfig, hv_of
from resistml.design.spec import parse_spec

COMPONENTS = {
    "acid_generator": {"catalog": "all", "families": ["sulfonium_sulfonate", "iodonium_sulfonate"], "parts": [1, 20]},
    "resin": {"catalog": "all", "parts": 100},
    "crosslinker": {"catalog": "all", "families": ["alkoxymethyl_glycoluril"], "parts": [5, 40]},
    "polymerizable": {"catalog": "all", "parts": [1, 40]},
    "base": {"catalog": "all", "parts": [0.05, 2]},
}
OBJECTIVES = {"sensitivity": "minimise", "resolution_nm": "minimise", "ler_nm": "minimise"}
SPECS = {
    "ebeam-100keV-100nm": {
        "process": {"radiation": "electron", "beam_energy_keV": 100, "thickness_nm": [90, 110],
                    "peb_temp_C": [90, 130], "peb_time_s": [60, 120]},
        "constraints": ["sensitivity <= 30", "resolution_nm <= 60", "p_prints >= 0.9"],
        "reference": {"sensitivity": 30, "resolution_nm": 60, "ler_nm": 10},
    },
    "ebeam-25keV-300nm": {
        "process": {"radiation": "electron", "beam_energy_keV": 25, "thickness_nm": [250, 350],
                    "peb_temp_C": [90, 130], "peb_time_s": [60, 120]},
        "constraints": ["sensitivity <= 10", "resolution_nm <= 100", "p_prints >= 0.9"],
        "reference": {"sensitivity": 10, "resolution_nm": 100, "ler_nm": 15},
    },
    "xray-1.2keV-200nm": {
        "process": {"radiation": "xray", "photon_energy_keV": 1.2, "thickness_nm": [150, 250],
                    "peb_temp_C": [90, 130], "peb_time_s": [60, 120]},
        "constraints": ["sensitivity <= 100", "resolution_nm <= 80", "p_prints >= 0.9"],
        "reference": {"sensitivity": 100, "resolution_nm": 80, "ler_nm": 15},
    },
}
CHECKPOINTS = (50, 100, 200)


def spec_for(name: str, seed: int, budget: int, batch: int):
    return parse_spec({"name": name, "objectives": OBJECTIVES, "components": COMPONENTS, "max_components": 5,
                       "budget": budget, "batch": batch, "seed": seed, **SPECS[name]})


def run_all(args: argparse.Namespace) -> None:
    """Run every (spec, strategy, seed) to the budget into ``args.out``."""
    import torch

    from resistml.inference.predictor import Predictor
    from resistml.paths import data_dir

    torch.set_num_threads(1)
    predictor = Predictor.load(data_dir() / "models" / "default")
    for name in args.specs:
        for strategy in args.strategies:
            assert strategy in STRATEGIES, strategy
            for seed in args.seeds:
                spec = spec_for(name, seed, args.budget, args.batch)
                run_dir = args.out / name / f"{strategy}-seed{seed}"
                shutil.rmtree(run_dir, ignore_errors=True)
                start = time.perf_counter()
                config = SearchConfig(strategy=strategy, kappa=args.kappa, refit_every=args.refit_every,
                                      population=args.population, generations=args.generations)
                history = Search(spec, run_dir, None if strategy == "random" else predictor, config).run()
                hv = hv_of(spec, history, [n for n in CHECKPOINTS if n <= args.budget])
                print(f"{name:20s} {strategy:12s} seed {seed}: HV = {', '.join(f'{v:.3f}' for v in hv)}; "
                      f"prints {history['prints'].iloc[:100].mean():.0%} ({time.perf_counter() - start:.0f} s)",
                      flush=True)


def report(args: argparse.Namespace) -> None:
    """The table (markdown) and one hypervolume-vs-calls plot per spec, from the saved histories."""
    checkpoints = [n for n in CHECKPOINTS if n <= args.budget]
    header = " | ".join(f"HV@{n}" for n in checkpoints)
    print(f"| spec | strategy | {header} | x random @100 | print rate (first 100) | feasible (first 100) |")
    print("|---" * (5 + len(checkpoints)) + "|")
    for name in args.specs:
        curves, rows = {}, {}
        for strategy in args.strategies:
            for seed in args.seeds:
                path = args.out / name / f"{strategy}-seed{seed}" / "history.parquet"
                if not path.is_file():
                    continue
                history = pd.read_parquet(path)
                spec = spec_for(name, seed, args.budget, args.batch)
                calls = list(range(1, len(history) + 1))
                curve = hv_of(spec, history, calls)
                curves.setdefault(strategy, []).append(curve)
                first = history.iloc[:100]
                rows.setdefault(strategy, []).append(
                    ([curve[min(n, len(curve)) - 1] for n in checkpoints], first["prints"].mean(), first["feasible"].mean()))
        if "random" in rows and 100 in checkpoints:
            base = np.mean([r[0][checkpoints.index(100)] for r in rows["random"]])
        else:
            base = float("nan")
        for strategy, found in rows.items():
            hv = np.array([r[0] for r in found])
            cells = [f"{m:.3f} ± {s:.3f}" for m, s in zip(hv.mean(axis=0), hv.std(axis=0), strict=True)]
            ratio = hv[:, checkpoints.index(100)].mean() / base if 100 in checkpoints and base > 0 else float("nan")
            print(f"| {name} | {strategy} ({len(found)} seeds) | {' | '.join(cells)} | {ratio:.2f} | "
                  f"{np.mean([r[1] for r in found]):.0%} | {np.mean([r[2] for r in found]):.0%} |")
        n = min(len(c) for cs in curves.values() for c in cs) if curves else 0
        if n:
            mean_curves = {s: (list(range(1, n + 1)), list(np.mean([c[:n] for c in cs], axis=0)))
                           for s, cs in curves.items()}
            plot_hypervolume(mean_curves, args.out / f"{name}_hypervolume.png",
                             f"{name}: verified hypervolume (mean over seeds)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--budget", type=int, default=200)
    parser.add_argument("--batch", type=int, default=10)
    parser.add_argument("--specs", nargs="+", default=list(SPECS))
    parser.add_argument("--strategies", nargs="+", default=["random", "model", "greedy", "no_finetune"])
    parser.add_argument("--out", type=Path, default=Path("runs/bench_design"))
    parser.add_argument("--kappa", type=float, default=SearchConfig.kappa)
    parser.add_argument("--refit-every", type=int, default=SearchConfig.refit_every)
    parser.add_argument("--population", type=int, default=24, help="NSGA-II population per batch (design default 32)")
    parser.add_argument("--generations", type=int, default=6, help="NSGA-II generations per batch (design default 8)")
    parser.add_argument("--report-only", action="store_true", help="only the table and plots from --out")
    args = parser.parse_args()
    if not args.report_only:
        run_all(args)
    report(args)


if __name__ == "__main__":
    main()
