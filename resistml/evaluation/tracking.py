"""MLflow logging of evaluations: metrics, plots, the dataset card, and model registration.

The tracking URI is ``$MLFLOW_TRACKING_URI`` or a local SQLite store ``sqlite:///mlflow.db`` (the
training CLI's default). Metric keys are ``<part>/<metric>/<target>`` (as logged during training).
A dataset is logged as a run input (``mlflow.log_input`` form: name, ``card.json`` content hash as
digest, the card's summary as profile) plus the card file and the ``data_hash`` param/tag; models are
logged as MLflow pyfunc models (:mod:`resistml.inference.mlflow_model`) and registered from
``runs:/<run id>/model`` after the upload.
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


def clean_params(params: dict[str, Any]) -> dict[str, Any]:
    """Hyperparameters without LightningCLI's bookkeeping (``_instantiator``, ``_class_path``, ...)."""
    return {k: v for k, v in params.items() if not str(k).split("/")[-1].split(".")[-1].startswith("_")}


def dataset_input(data: str | Path, context: str = "train") -> Any:
    """An MLflow ``DatasetInput`` for a generated dataset: digest = the card's content hash."""
    from mlflow.entities import Dataset, DatasetInput, InputTag

    card = json.loads((Path(data) / "card.json").read_text())
    profile = {k: card[k] for k in ("count", "seed", "simulator", "created") if k in card}
    dataset = Dataset(name=Path(data).resolve().name, digest=str(card["content_hash"])[:36], source_type="local",
                      source=json.dumps({"uri": str(Path(data).resolve())}), profile=json.dumps(profile, default=str))
    return DatasetInput(dataset, tags=[InputTag("mlflow.data.context", context)])


def log_dataset_card(mlflow_client: Any, run_id: str, data: str | Path, context: str = "train") -> str | None:
    """Log a dataset as the run's input, its ``card.json`` and content hash (param and tag ``data_hash``).

    Returns the hash (``sha256:<content hash>``), or None when ``data`` has no card.
    """
    card = Path(data) / "card.json"
    if not card.is_file():
        return None
    digest = f"sha256:{json.loads(card.read_text())['content_hash']}"
    mlflow_client.log_artifact(run_id, str(card), "dataset")
    mlflow_client.log_param(run_id, "data_hash", digest)
    mlflow_client.set_tag(run_id, "data_hash", digest)
    mlflow_client.log_inputs(run_id, datasets=[dataset_input(data, context)])
    return digest


def next_version(mlflow_client: Any, name: str = REGISTERED_MODEL) -> str:
    """The version the registry will give the next ``create_model_version`` of ``name``."""
    from mlflow.exceptions import MlflowException

    try:
        versions = mlflow_client.search_model_versions(f"name='{name}'")
    except MlflowException:
        return "1"
    return str(max((int(v.version) for v in versions), default=0) + 1)


def register_version(mlflow_client: Any, run_id: str, name: str = REGISTERED_MODEL,
                     artifact_path: str = "model") -> str:
    """Register ``runs:/<run id>/<artifact_path>`` as a new version of ``name``; return the version.

    Call it after the model is uploaded (the version is READY from the start). The version is
    recorded on the run as tag ``registered_model`` = ``name:version``.
    """
    from mlflow.exceptions import MlflowException

    try:
        mlflow_client.get_registered_model(name)
    except MlflowException:
        mlflow_client.create_registered_model(name, description="ResistNet resist property predictor")
    source = f"runs:/{run_id}/{artifact_path}"
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


def log_model_run(artifact_dir: str | Path, *, uri: str | None = None, experiment: str = "resistml-export",
                  register: str | None = None, data: str | Path | None = None,
                  params: dict[str, Any] | None = None) -> tuple[str, str | None]:
    """A run holding the pyfunc model of an exported artifact (plus its metrics, dataset, params).

    With ``register`` the model is registered as a new version of that name from
    ``runs:/<run id>/model`` after the upload. Returns (run id, registered version or None).
    """
    from resistml.inference.mlflow_model import PYFUNC_NAME, log_pyfunc

    mlflow_client = client(uri)
    found = mlflow_client.get_experiment_by_name(experiment)
    experiment_id = found.experiment_id if found else mlflow_client.create_experiment(experiment)
    meta = json.loads((Path(artifact_dir) / "metadata.json").read_text())
    run_id = mlflow_client.create_run(experiment_id, run_name=f"export-{meta['model_name']}").info.run_id
    for key, value in {"model_name": meta["model_name"], "model_version": meta["model_version"],
                       **(params or {})}.items():
        if value is not None:
            mlflow_client.log_param(run_id, key, str(value))
    if meta.get("data_hash"):
        mlflow_client.set_tag(run_id, "data_hash", meta["data_hash"])
    if data is not None:
        log_dataset_card(mlflow_client, run_id, data)
    log_metrics(mlflow_client, run_id, _flat_metrics(meta.get("metrics") or {}))
    log_pyfunc(mlflow_client, run_id, artifact_dir)
    version = register_version(mlflow_client, run_id, register, PYFUNC_NAME) if register else None
    mlflow_client.set_terminated(run_id)
    return run_id, version


def _flat_metrics(metrics: dict[str, Any], prefix: str = "") -> dict[str, float]:
    """Finite numbers of a nested metrics mapping as ``a/b/c`` keys."""
    out: dict[str, float] = {}
    for key, value in metrics.items():
        name = f"{prefix}/{key}" if prefix else str(key)
        if isinstance(value, dict):
            out.update(_flat_metrics(value, name))
        elif isinstance(value, int | float) and not isinstance(value, bool) and np.isfinite(value):
            out[name] = float(value)
    return out
