"""Evaluation harness: one split part of a generated dataset, a model's predictions, metrics, table.

Models are an exported artifact directory (:class:`resistml.inference.predictor.Predictor`) or a Lightning
checkpoint / state-dict file (:func:`resistml.inference.checkpoint.load_checkpoint`). Predictions and true
values are compared in model space: an output named ``log10_<q>`` against log10 of the dataset
column ``q``. Metrics are those of :mod:`resistml.evaluation.metrics` (MAE/RMSE/R^2 in log10
space, percentage error of the value itself, 1/2-sigma coverage and miscalibration area after
Tran et al., Mach. Learn.: Sci. Technol. 1, 025006 (2020)). Baselines without a predicted
uncertainty pass ``sigma=None`` and get NaN calibration figures.

Every row of the part is scored, whatever its simulator status: property metrics over the rows
where the property is defined (censored resolutions are not values and are left out), and for
models with an outcome head ``p_prints`` against "prints" (:func:`resistml.targets.outcome_of`)
with AUROC, Brier score, expected calibration error and a reliability curve.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from resistml.datasets.schema import TARGETS as DATA_COLUMNS
from resistml.datasets.splits import PARTS, load_split
from resistml.datasets.store import read_table
from resistml.evaluation.metrics import (
    calibration_metrics,
    outcome_metrics,
    regression_metrics,
    reliability_curve,
)
from resistml.formulation import Formulation
from resistml.targets import PRINTS, outcome_of

METRIC_KEYS = ("n", "mae", "rmse", "r2", "mape_pct", "median_ape_pct",
               "coverage_1sigma", "coverage_2sigma", "miscalibration_area")
PREDICT_CHUNK = 512


class EvaluationError(ValueError):
    """A user-facing problem with the model, dataset, split or part (one line)."""


@dataclass
class SplitPart:
    """Rows of one part of a stored split: formulations, row ids and the raw target columns."""

    formulations: list[Formulation]
    row_ids: np.ndarray
    columns: dict[str, np.ndarray]
    statuses: list[str] = field(default_factory=list)

    def prints(self) -> np.ndarray:
        """[N] 1.0 where the simulator's status means the formulation prints, else 0.0."""
        return np.array([float(outcome_of(s) == PRINTS) for s in self.statuses])

    def targets(self, names: Sequence[str]) -> np.ndarray:
        """[N, T] true values in model space for model outputs ``names`` (see :func:`data_column`)."""
        out = []
        for name in names:
            column, log = data_column(name)
            values = self.columns[column].astype(float)
            with np.errstate(divide="ignore", invalid="ignore"):
                out.append(np.log10(np.where(values > 0, values, np.nan)) if log else values)
        return np.stack(out, axis=1) if out else np.zeros((len(self.row_ids), 0))


@dataclass
class Evaluation:
    """Predictions of one model on one split part and the per-target metrics."""

    names: list[str]
    y_true: np.ndarray
    mean: np.ndarray
    sigma: np.ndarray | None
    metrics: dict[str, dict[str, float]] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)
    outcome: dict[str, Any] = field(default_factory=dict)
    """p_prints metrics (n, prevalence, auroc, brier, ece, reliability); empty without an outcome head."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (NaN -> None)."""
        clean = {t: {k: _json_number(v) for k, v in m.items()} for t, m in self.metrics.items()}
        out = {**self.info, "targets": clean}
        if self.outcome:
            out["p_prints"] = {k: (v if isinstance(v, dict) else _json_number(v)) for k, v in self.outcome.items()}
        return out


def _json_number(value: float) -> float | int | None:
    if isinstance(value, int | np.integer):
        return int(value)
    return float(value) if np.isfinite(value) else None


def data_column(name: str) -> tuple[str, bool]:
    """Dataset column and whether it is log10-transformed, for a model output name.

    ``log10_sensitivity`` -> (``sensitivity``, True); ``log10_resolution`` -> (``resolution_nm``, True);
    ``contrast`` -> (``contrast``, False).
    """
    log = name.startswith("log10_")
    base = name.removeprefix("log10_")
    for column in (base, f"{base}_nm"):
        if column in DATA_COLUMNS:
            return column, log
    raise EvaluationError(f"model: output {name!r} matches no dataset column ({', '.join(DATA_COLUMNS)})")


def load_part(data: str | Path, split: str, part: str = "test") -> SplitPart:
    """The rows (every status) of ``part`` of the stored ``split`` of a generated dataset."""
    from resistml.datasets.schema import formulation_from_row

    root = Path(data)
    if part not in PARTS:
        raise EvaluationError(f"part: expected one of {', '.join(PARTS)}, got {part!r}")
    if not (root / "shards").is_dir():
        raise EvaluationError(f"data: {root} is not a generated dataset (no shards/); run `resistml generate`")
    try:
        ids = load_split(root, split)[part]
    except ValueError as exc:
        raise EvaluationError(str(exc)) from None
    rows = {r["row_id"]: r for r in read_table(root).to_pylist()}
    chosen = [rows[i] for i in ids.tolist() if i in rows]
    columns = {c: np.array([np.nan if r.get(c) is None else r[c] for r in chosen], dtype=float) for c in DATA_COLUMNS}
    forms = [formulation_from_row(r) for r in chosen]
    return SplitPart(forms, np.array([r["row_id"] for r in chosen], dtype=np.int64), columns,
                     [r.get("status") or "" for r in chosen])


def card_hash(data: str | Path) -> str | None:
    """``sha256:<content hash>`` from the dataset card, or None without a card."""
    path = Path(data) / "card.json"
    if not path.is_file():
        return None
    return f"sha256:{json.loads(path.read_text())['content_hash']}"


# ---- models --------------------------------------------------------------------------------
@dataclass
class LoadedModel:
    """A model ready to predict: output names and ``predict(forms) -> (mean, sigma)`` [N, T]."""

    names: list[str]
    predict: Callable[[Sequence[Formulation]], tuple[np.ndarray, np.ndarray]]
    metadata: dict[str, Any]
    kind: str
    p_prints: Callable[[Sequence[Formulation]], np.ndarray] | None = None
    """[N] probability of printing, for models with an outcome head."""


def eager_p_prints(model: Any) -> Callable[[Sequence[Formulation]], np.ndarray] | None:
    """Batched p_prints of an eager model with an outcome head (None without one)."""
    import torch

    from resistml.features.collate import collate_formulations, process_feature_names
    from resistml.model import predict_batch_outcomes

    if not int(getattr(model, "num_outcomes", 0) or 0):
        return None
    physics = model.config.get("process_dim") == len(process_feature_names(True))

    @torch.no_grad()
    def p_prints(forms: Sequence[Formulation]) -> np.ndarray:
        model.eval()
        out = [np.zeros(0)]
        for start in range(0, len(forms), PREDICT_CHUNK):
            batch = collate_formulations(list(forms[start : start + PREDICT_CHUNK]), physics=physics)
            logits = predict_batch_outcomes(model, batch)[2]
            out.append(torch.softmax(logits.double(), dim=1)[:, 0].numpy())  # OUTCOMES[0] = prints
        return np.concatenate(out)

    return p_prints


def eager_predictor(model: Any) -> Callable[[Sequence[Formulation]], tuple[np.ndarray, np.ndarray]]:
    """Batched (mean, sigma) of an eager ResistNet, in chunks of :data:`PREDICT_CHUNK`."""
    import torch

    from resistml.features.collate import collate_formulations, process_feature_names
    from resistml.model import predict_batch

    physics = model.config.get("process_dim") == len(process_feature_names(True))

    @torch.no_grad()
    def predict(forms: Sequence[Formulation]) -> tuple[np.ndarray, np.ndarray]:
        model.eval()
        means, sigmas = [], []
        for start in range(0, len(forms), PREDICT_CHUNK):
            batch = collate_formulations(list(forms[start : start + PREDICT_CHUNK]), physics=physics)
            mean, var = predict_batch(model, batch)
            means.append(mean.double().numpy())
            sigmas.append(var.clamp(min=0).sqrt().double().numpy())
        t = int(model.config.get("num_targets", 0))
        return (np.concatenate(means), np.concatenate(sigmas)) if means else (np.zeros((0, t)), np.zeros((0, t)))

    return predict


def load_model(path: str | Path) -> LoadedModel:
    """An exported artifact directory or a checkpoint file, ready to predict."""
    from resistml.inference.export import ArtifactError

    root = Path(path)
    if not root.exists():
        raise EvaluationError(f"model: no artifact directory or checkpoint file at {root}")
    try:
        if root.is_dir():
            from resistml.inference.predictor import Predictor

            predictor = Predictor.load(root)

            def p_prints(forms: Sequence[Formulation]) -> np.ndarray:
                return predictor.outcome_columns(predictor.predict_all(forms)[2])["p_prints"]

            return LoadedModel(list(predictor.targets), predictor.predict_raw, dict(predictor.metadata), "artifact",
                               p_prints if predictor.outcomes else None)
        from resistml.inference.checkpoint import load_checkpoint
        from resistml.model import TARGETS

        model, meta = load_checkpoint(root)
    except ArtifactError as exc:
        raise EvaluationError(f"model: {exc}") from None
    names = list(meta.get("targets") or TARGETS[: model.config.get("num_targets", len(TARGETS))])
    return LoadedModel(names, eager_predictor(model), meta, "checkpoint", eager_p_prints(model))


# ---- metrics -------------------------------------------------------------------------------
def target_metrics(y: np.ndarray, mean: np.ndarray, sigma: np.ndarray | None, log: bool) -> dict[str, float]:
    """Accuracy and calibration of one target; percentage errors of the value (linear targets too)."""
    out = regression_metrics(y, mean)
    if not log:
        keep = np.isfinite(y) & np.isfinite(mean) & (y != 0)
        ape = np.abs(mean[keep] - y[keep]) / np.abs(y[keep]) * 100.0
        out["mape_pct"] = float(ape.mean()) if ape.size else np.nan
        out["median_ape_pct"] = float(np.median(ape)) if ape.size else np.nan
    if sigma is None:
        out.update(coverage_1sigma=np.nan, coverage_2sigma=np.nan, miscalibration_area=np.nan)
    else:
        out.update(calibration_metrics(y, mean, sigma))
    return out


def score(names: Sequence[str], y: np.ndarray, mean: np.ndarray, sigma: np.ndarray | None,
          info: dict[str, Any] | None = None) -> Evaluation:
    """An :class:`Evaluation` with per-target metrics of model-space arrays [N, T]."""
    metrics = {
        name: target_metrics(y[:, j], mean[:, j], None if sigma is None else sigma[:, j], data_column(name)[1])
        for j, name in enumerate(names)
    }
    return Evaluation(list(names), y, mean, sigma, metrics, dict(info or {}))


def evaluate(model: str | Path | LoadedModel, data: str | Path, split: str, part: str = "test") -> Evaluation:
    """Predict ``part`` of ``split`` with ``model`` and score every model output."""
    loaded = model if isinstance(model, LoadedModel) else load_model(model)
    rows = load_part(data, split, part)
    if not rows.formulations:
        raise EvaluationError(f"split: part {part!r} of split {split!r} in {data} has no usable rows")
    for name in loaded.names:
        data_column(name)
    mean, sigma = loaded.predict(rows.formulations)
    info = {"model": str(model) if not isinstance(model, LoadedModel) else loaded.kind,
            "model_kind": loaded.kind, "data": str(data), "split": split, "part": part,
            "n": len(rows.formulations), "data_hash": card_hash(data)}
    result = score(loaded.names, rows.targets(loaded.names), mean, sigma, info)
    if loaded.p_prints is not None:
        result.outcome = score_outcomes(rows.prints(), loaded.p_prints(rows.formulations))
    return result


def score_outcomes(prints: np.ndarray, p: np.ndarray) -> dict[str, Any]:
    """:func:`outcome_metrics` plus the reliability curve (10 bins) of ``p_prints``."""
    mean_p, observed, count = reliability_curve(prints, p)
    curve = {"mean_p": [_json_number(v) for v in mean_p], "observed": [_json_number(v) for v in observed],
             "count": count.tolist()}
    return {**outcome_metrics(prints, p), "reliability": curve}


# ---- tables --------------------------------------------------------------------------------
def _cell(value: Any, digits: int) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def markdown_table(rows: Sequence[dict[str, Any]], columns: Sequence[str], digits: int = 3) -> str:
    """A GitHub markdown table of ``rows`` (dicts) over ``columns``; NaN/None shown as '-'."""
    lines = ["| " + " | ".join(columns) + " |", "|" + "|".join("---" for _ in columns) + "|"]
    lines += ["| " + " | ".join(_cell(r.get(c), digits) for c in columns) + " |" for r in rows]
    return "\n".join(lines)


TABLE_COLUMNS = ("target", "n", "mae", "rmse", "r2", "median_ape_pct", "coverage_1sigma",
                 "coverage_2sigma", "miscalibration_area")


OUTCOME_COLUMNS = ("outcome", "n", "prevalence", "auroc", "brier", "ece")


def evaluation_table(result: Evaluation) -> str:
    """Per-target markdown table of an evaluation (log-space MAE/RMSE/R2, % error, calibration),
    then the p_prints table (AUROC, Brier, ECE) for models with an outcome head."""
    table = markdown_table([{"target": t, **m} for t, m in result.metrics.items()], TABLE_COLUMNS)
    if result.outcome:
        table += "\n\n" + markdown_table([{"outcome": "p_prints", **result.outcome}], OUTCOME_COLUMNS)
    return table
