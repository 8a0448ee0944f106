"""Baselines in the same harness and splits as ResistNet.

(a) ``gbm``: amount-weighted Morgan fingerprints + process features with LightGBM
    (:mod:`resistml.evaluation.baseline_gbm`), fitted on the split's train rows, scored on its
    test rows with the same metric functions (no predicted uncertainty: calibration is '-');
(b) ``deepsets``: ResistNet with mean pooling instead of the Set Transformer
    (Zaheer et al., "Deep Sets", NeurIPS 2017) - ``train/configs/deepsets.yaml``;
(c) ``nophysics``: ResistNet without the physics process features - ``train/configs/nophysics.yaml``.

(b), (c) and ResistNet itself (``train/configs/small.yaml``) are trained with the training CLI
in a subprocess (its own working directory, so checkpoints never collide) and their best
checkpoint is scored by :func:`resistml.evaluation.evaluate.evaluate`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from resistml.datasets.schema import TARGETS as DATA_COLUMNS
from resistml.evaluation.evaluate import Evaluation, EvaluationError, evaluate, load_part, score

REPO = Path(__file__).resolve().parents[2]
CONFIG_DIR = REPO / "train" / "configs"
MODEL_CONFIGS = {
    "resistnet": ("small.yaml",),
    "deepsets": ("small.yaml", "deepsets.yaml"),
    "nophysics": ("small.yaml", "nophysics.yaml"),
}
"""Trained models of the comparison and their configs (in ``train/configs``; overlays merge in order)."""
LOG_NAMES = tuple(f"log10_{c}" for c in DATA_COLUMNS)
"""Output names of a model trained with ``data.transform: log10`` (every target in log10)."""


def gbm_baseline(data: str | Path, split: str, part: str = "test", names: Sequence[str] = LOG_NAMES,
                 n_jobs: int = 1, **params: float) -> Evaluation:
    """Fit :class:`FingerprintGBM` on the train part of ``split``; score it on ``part``.

    ``n_jobs`` LightGBM threads (one by default: OpenMP threads on a busy shared CPU slow it down
    many-fold); ``params`` go to :class:`FingerprintGBM`.
    """
    from resistml.evaluation.baseline_gbm import FingerprintGBM, featurize_many

    train, test = load_part(data, split, "train"), load_part(data, split, part)
    if not train.formulations or not test.formulations:
        raise EvaluationError(f"split: {split!r} of {data} lacks train or {part} rows")
    start = time.perf_counter()
    model = FingerprintGBM(**params)
    model.params["n_jobs"] = n_jobs
    model.fit(featurize_many(train.formulations), train.targets(names))
    fitted = time.perf_counter() - start
    mean = model.predict(featurize_many(test.formulations))
    info = {"model": "gbm", "model_kind": "baseline", "data": str(data), "split": split, "part": part,
            "n": len(test.formulations), "train_seconds": fitted}
    return score(names, test.targets(names), mean, None, info)


def best_checkpoint(root: str | Path) -> Path:
    """The newest ``best-*.ckpt`` under ``root`` (ModelCheckpoint of the configs), else ``last.ckpt``."""
    found = sorted(Path(root).rglob("best-*.ckpt"), key=lambda p: p.stat().st_mtime)
    found = found or sorted(Path(root).rglob("last.ckpt"), key=lambda p: p.stat().st_mtime)
    if not found:
        raise EvaluationError(f"train: no checkpoint written under {root}")
    return found[-1]


def train_config(config: str | Path | Sequence[str | Path], data: str | Path, split: str, workdir: str | Path,
                 overrides: Sequence[str] = (), timeout_s: float | None = None) -> tuple[Path, float]:
    """Run ``python -m train.cli fit`` in ``workdir`` with one config or several merged in order;
    return (best checkpoint, wall seconds)."""
    root = Path(workdir)
    root.mkdir(parents=True, exist_ok=True)
    configs = [config] if isinstance(config, str | Path) else list(config)
    config = configs[-1]
    args = [sys.executable, "-m", "train.cli", "fit", *[a for c in configs for a in ("--config", str(Path(c).resolve()))],
            "--data.dataset", str(Path(data).resolve()), "--data.split", split,
            "--trainer.enable_progress_bar", "false", *overrides]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    start = time.perf_counter()
    done = subprocess.run(args, cwd=root, env=env, capture_output=True, text=True, timeout=timeout_s)
    seconds = time.perf_counter() - start
    (root / "train.log").write_text(done.stdout + done.stderr)
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["(no output)"]
        raise EvaluationError(f"train: {Path(config).name} on {split} failed: {tail[0]} (log: {root / 'train.log'})")
    return best_checkpoint(root), seconds


def train_and_evaluate(name: str, data: str | Path, split: str, workdir: str | Path,
                       overrides: Sequence[str] = (), part: str = "test") -> Evaluation:
    """Train model ``name`` of :data:`MODEL_CONFIGS` on ``split`` and score its best checkpoint."""
    import torch

    if name not in MODEL_CONFIGS:
        raise EvaluationError(f"model: expected one of {', '.join(MODEL_CONFIGS)}, got {name!r}")
    ckpt, seconds = train_config([CONFIG_DIR / c for c in MODEL_CONFIGS[name]], data, split, workdir, overrides)
    result = evaluate(ckpt, data, split, part)
    last = sorted(Path(workdir).rglob("last.ckpt")) or [ckpt]  # epochs run, not the best epoch
    state = torch.load(last[0], map_location="cpu", weights_only=False)
    n_train = len(load_part(data, split, "train").row_ids)
    epochs = int(state.get("epoch", 0)) + 1
    result.info.update(model=name, checkpoint=str(ckpt), train_seconds=seconds, epochs=epochs,
                       train_rows=n_train, formulations_per_s=n_train * epochs / seconds)
    return result
