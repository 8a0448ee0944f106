"""MLflow logging of evaluations: metrics, plots, the dataset card, and model registration.

The tracking URI is ``$MLFLOW_TRACKING_URI`` or a local SQLite store ``sqlite:///mlflow.db`` (the
training CLI's default). Metric keys are ``<part>/<metric>/<target>`` (as logged during training).
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from resistml.evaluation.evaluate import Evaluation

DEFAULT_TRACKING_URI = "sqlite:///mlflow.db"
LOGGED_METRICS = ("mae", "rmse", "r2", "mape_pct", "median_ape_pct",
                  "coverage_1sigma", "coverage_2sigma", "miscalibration_area")
REGISTERED_MODEL = "resistnet"


def tracking_uri(uri: str | None = None) -> str:
    """``uri``, else ``$MLFLOW_TRACKING_URI``, else the local SQLite default."""
    return uri or os.environ.get("MLFLOW_TRACKING_URI") or DEFAULT_TRACKING_URI


def client(uri: str | None = None) -> Any:
    """An ``MlflowClient`` on :func:`tracking_uri`."""
    from mlflow.tracking import MlflowClient

    return MlflowClient(tracking_uri=tracking_uri(uri))


def metric_values(result: Evaluation, part: str) -> dict[str, float]:
    """Finite metrics of ``result`` as ``{<part>/<metric>/<target>: value}``."""
    out = {}
    for target, metrics in result.metrics.items():
        for key in LOGGED_METRICS:
            value = metrics.get(key, np.nan)
            if value is not None and np.isfinite(value):
                out[f"{part}/{key}/{target}"] = float(value)
    return out


def log_metrics(mlflow_client: Any, run_id: str, values: dict[str, float], step: int = 0) -> None:
    """Log a dict of metrics to a run in one batch."""
    import time

    from mlflow.entities import Metric

    now = int(time.time() * 1000)
    metrics = [Metric(k, v, now, step) for k, v in values.items()]
    for start in range(0, len(metrics), 500):
        mlflow_client.log_batch(run_id, metrics=metrics[start : start + 500])


def log_files(mlflow_client: Any, run_id: str, paths: Sequence[Path], artifact_path: str) -> None:
    """Upload files to ``artifact_path`` of the run."""
    for path in paths:
        mlflow_client.log_artifact(run_id, str(path), artifact_path)


def log_dataset_card(mlflow_client: Any, run_id: str, data: str | Path) -> str | None:
    """Log ``card.json`` of a dataset and its content hash (param ``data_hash``); return the hash."""
    card = Path(data) / "card.json"
    if not card.is_file():
        return None
    digest = f"sha256:{json.loads(card.read_text())['content_hash']}"
    mlflow_client.log_artifact(run_id, str(card), "dataset")
    mlflow_client.log_param(run_id, "data_hash", digest)
    mlflow_client.set_tag(run_id, "data_hash", digest)
    return digest


def register_version(mlflow_client: Any, run_id: str, name: str = REGISTERED_MODEL,
                     artifact_path: str = "model") -> str:
    """Register ``<run artifacts>/<artifact_path>`` as a new version of model ``name``; return the version.

    The version is recorded on the run as tag ``registered_model`` = ``name:version``.
    """
    from mlflow.exceptions import MlflowException

    try:
        mlflow_client.get_registered_model(name)
    except MlflowException:
        mlflow_client.create_registered_model(name, description="ResistNet resist property predictor")
    source = f"{mlflow_client.get_run(run_id).info.artifact_uri.rstrip('/')}/{artifact_path}"
    version = str(mlflow_client.create_model_version(name, source, run_id=run_id).version)
    mlflow_client.set_tag(run_id, "registered_model", f"{name}:{version}")
    return version


def log_evaluation(result: Evaluation, plots: Sequence[Path], *, uri: str | None = None,
                   experiment: str = "resistml-evaluate", run_name: str | None = None) -> str:
    """A new run with the evaluation's parameters, metrics, plots and dataset card; return its id."""
    mlflow_client = client(uri)
    found = mlflow_client.get_experiment_by_name(experiment)
    experiment_id = found.experiment_id if found else mlflow_client.create_experiment(experiment)
    info = result.info
    name = run_name or f"evaluate-{info.get('split', '')}-{info.get('part', '')}"
    run_id = mlflow_client.create_run(experiment_id, run_name=name).info.run_id
    for key in ("model", "model_kind", "data", "split", "part", "n"):
        if info.get(key) is not None:
            mlflow_client.log_param(run_id, key, str(info[key]))
    log_metrics(mlflow_client, run_id, metric_values(result, str(info.get("part", "test"))))
    log_files(mlflow_client, run_id, plots, "plots")
    if info.get("data"):
        log_dataset_card(mlflow_client, run_id, info["data"])
    mlflow_client.set_terminated(run_id)
    return run_id
