"""``--model`` values: an artifact directory, or an MLflow ``models:/`` / ``runs:/`` URI.

:func:`resolve_model` is the one place the ``predict``, ``serve`` and ``evaluate`` commands turn a
model reference into a local artifact directory (see :mod:`.export`). MLflow URIs are downloaded
(``mlflow.artifacts.download_artifacts``) from ``$MLFLOW_TRACKING_URI`` or the local SQLite store
``sqlite:///mlflow.db``; a pyfunc model logged by :mod:`.mlflow_model` resolves to the artifact
directory it carries, a plain artifact directory logged as run files resolves to itself.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import yaml

DEFAULT_TRACKING_URI = "sqlite:///mlflow.db"
URI_SCHEMES = ("models:/", "runs:/", "mlflow-artifacts:/")
ARTIFACT_KEY = "resistml_model"
"""Key of the resistml artifact directory among a pyfunc model's artifacts."""


class ModelURIError(RuntimeError):
    """An MLflow model URI that cannot be downloaded or holds no resistml artifact (one line)."""


def is_mlflow_uri(model: str | os.PathLike[str]) -> bool:
    """Whether ``model`` names an MLflow model or run artifact rather than a local path."""
    return isinstance(model, str) and model.startswith(URI_SCHEMES)


def tracking_uri() -> str:
    """``$MLFLOW_TRACKING_URI``, else the local SQLite store of the training CLI."""
    return os.environ.get("MLFLOW_TRACKING_URI") or DEFAULT_TRACKING_URI


def artifact_dir_of(model_dir: Path) -> Path:
    """The resistml artifact directory inside a downloaded MLflow model (or ``model_dir`` itself)."""
    mlmodel = model_dir / "MLmodel"
    if not mlmodel.is_file():
        return model_dir
    spec = yaml.safe_load(mlmodel.read_text()) or {}
    artifacts = (spec.get("flavors", {}).get("python_function", {}) or {}).get("artifacts") or {}
    entry = artifacts.get(ARTIFACT_KEY)
    if not entry:
        raise ModelURIError(f"{model_dir}: an MLflow model without a {ARTIFACT_KEY!r} artifact (not a resistml model)")
    path = entry["path"] if isinstance(entry, dict) else str(entry)
    return model_dir / path


def resolve_model(model: str | os.PathLike[str], dst: str | Path | None = None) -> Path:
    """A local artifact directory for a path or an MLflow URI (``models:/name/1``, ``models:/name@alias``,
    ``runs:/<run id>/model``); URIs are downloaded into ``dst`` (default: a new temporary directory)."""
    if not is_mlflow_uri(model):
        return Path(model)
    import mlflow
    from mlflow.exceptions import MlflowException

    uri = str(model)
    target = Path(dst) if dst is not None else Path(tempfile.mkdtemp(prefix="resistml-mlflow-"))
    previous = mlflow.get_tracking_uri() if "MLFLOW_TRACKING_URI" in os.environ else None
    mlflow.set_tracking_uri(tracking_uri())  # also the registry URI unless $MLFLOW_REGISTRY_URI is set
    try:
        local = Path(mlflow.artifacts.download_artifacts(artifact_uri=uri, dst_path=str(target)))
    except (MlflowException, OSError) as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
        raise ModelURIError(f"{uri}: cannot download from {tracking_uri()} ({first})") from None
    finally:
        if previous is not None:
            mlflow.set_tracking_uri(previous)
    return artifact_dir_of(local)
