"""Accuracy of ResistNet against the three baselines, on the same dataset splits.

Usage::

    python benchmarks/bench_accuracy.py --data DIR [--splits random,unseen_molecules,beam_energy_extrapolation]
        [--models resistnet,deepsets,nophysics,gbm] [--max-time 00:00:03:00] [--jobs 2] [--json OUT]
        [--accelerator gpu] [--num-workers N]

For each split, trains ResistNet (``train/configs/small.yaml``), the DeepSets ablation
(``deepsets.yaml``) and the no-physics ablation (``nophysics.yaml``) with the training CLI, time-
bounded by ``--trainer.max_time``, scores each best checkpoint on the test part, and fits the
fingerprint + LightGBM baseline on the train part. Prints a markdown table
(split x model x target: MAE in log10, R2, median % error, 1/2-sigma coverage) and the training
throughput (train formulations x epochs / wall second, including start-up) of each run.
Unique-molecule versus per-component encoding throughput is measured by
``benchmarks/model_throughput.py``.
"""

from __future__ import annotations

import argparse
import json
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from resistml.evaluation.baselines import MODEL_CONFIGS, gbm_baseline, train_and_evaluate  # noqa: E402
from resistml.evaluation.evaluate import Evaluation, EvaluationError, markdown_table  # noqa: E402

COLUMNS = ("split", "model", "target", "n", "mae", "r2", "median_ape_pct", "coverage_1sigma", "coverage_2sigma")
RUN_COLUMNS = ("split", "model", "epochs", "train_rows", "train_seconds", "formulations_per_s")


def run_one(split: str, model: str, args: argparse.Namespace) -> Evaluation:
    """Train (or fit) one model on one split and score the test part."""
    if model == "gbm":
        return gbm_baseline(args.data, split, n_jobs=args.gbm_threads, n_estimators=args.gbm_estimators)
    overrides = ["--trainer.max_time", args.max_time]
    if args.max_epochs:
        overrides += ["--trainer.max_epochs", str(args.max_epochs)]
    if args.seed is not None:
        overrides += ["--seed_everything", str(args.seed)]
    if args.accelerator:
        overrides += ["--trainer.accelerator", args.accelerator]
    if args.num_workers is not None:
        overrides += ["--data.num_workers", str(args.num_workers)]
    if not args.mlflow:
        overrides += ["--trainer.logger", "false"]
    return train_and_evaluate(model, args.data, split, Path(args.workdir) / split / model, overrides)


def rows_of(result: Evaluation) -> list[dict]:
    """One table row per target."""
    info = result.info
    return [{"split": info["split"], "model": info["model"], "target": t, **m} for t, m in result.metrics.items()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="generated dataset directory")
    parser.add_argument("--splits", default="random,unseen_molecules,beam_energy_extrapolation")
    parser.add_argument("--models", default=",".join([*MODEL_CONFIGS, "gbm"]))
    parser.add_argument("--max-time", default="00:00:03:00", help="per trained model (DD:HH:MM:SS)")
    parser.add_argument("--max-epochs", type=int, default=0, help="override the config's max_epochs")
    parser.add_argument("--gbm-estimators", type=int, default=600)
    parser.add_argument("--gbm-threads", type=int, default=1, help="LightGBM threads")
    parser.add_argument("--jobs", type=int, default=1, help="models trained at once")
    parser.add_argument("--seed", type=int, default=None, help="override the configs' seed_everything")
    parser.add_argument("--accelerator", default="", help="override the configs' trainer.accelerator (e.g. gpu)")
    parser.add_argument("--num-workers", type=int, default=None, help="override the configs' data.num_workers")
    parser.add_argument("--workdir", default="runs/bench_accuracy")
    parser.add_argument("--mlflow", action="store_true", help="keep the configs' MLflow logger")
    parser.add_argument("--json", type=Path, help="write every result as JSON here")
    args = parser.parse_args(argv)
    tasks = [(s, m) for s in args.splits.split(",") for m in args.models.split(",")]
    with ThreadPoolExecutor(max(1, args.jobs)) as pool:
        futures = {task: pool.submit(run_one, *task, args) for task in tasks}
    results, failed = [], []
    for task, future in futures.items():
        try:
            results.append(future.result())
        except EvaluationError as exc:
            failed.append(f"{task[0]}/{task[1]}: {exc}")
    print(markdown_table([r for res in results for r in rows_of(res)], COLUMNS))
    print()
    print(markdown_table([res.info for res in results if res.info.get("model") != "gbm"], RUN_COLUMNS, digits=1))
    if args.json:
        args.json.write_text(json.dumps([res.to_dict() for res in results], indent=1) + "\n")
    for line in failed:
        print(f"error: {line}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
