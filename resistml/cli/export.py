"""``resistml export --checkpoint CKPT --out DIR``: a verified TorchScript + torch.export artifact.

With ``--mlflow`` the artifact is also logged to a new MLflow run as a pyfunc model (``model/``);
``--register NAME`` then registers ``runs:/<run>/model`` as a new version of NAME (after the
upload; the artifact's ``model_version`` is that version unless ``--version`` is given).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
import yaml

from resistml.cli._common import fail, print_json


def _read_mapping(path: Path | None, what: str) -> dict | None:
    if path is None:
        return None
    try:
        data = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        fail([f"{what}: cannot read {path} ({exc})"])
    if not isinstance(data, dict):
        fail([f"{what}: {path} must hold a mapping"])
    return data


def dataset_metadata(data: Path, split: str, max_rows: int = 20_000) -> dict:
    """``data_hash``, dataset summary and training ``domain`` from a generated dataset directory.

    The domain is measured on the training part of ``split`` (every ok row when the split is
    absent), on at most ``max_rows`` evenly spaced rows.
    """
    import numpy as np

    from resistml.datasets.splits import load_split
    from resistml.datasets.store import read_formulations
    from resistml.inference.domain import training_domain

    card = json.loads((data / "card.json").read_text())
    try:
        ids = np.asarray(load_split(data, split)["train"])
    except (OSError, KeyError, ValueError):
        ids = None
    if ids is not None and len(ids) > max_rows:
        ids = ids[np.linspace(0, len(ids) - 1, max_rows).astype(int)]
    forms = read_formulations(data, ids)
    if ids is None and len(forms) > max_rows:
        forms = [forms[i] for i in np.linspace(0, len(forms) - 1, max_rows).astype(int)]
    return {
        "data_hash": f"sha256:{card['content_hash']}",
        "dataset": {"path": str(data), "count": card.get("count"), "split": split, "simulator": card.get("simulator")},
        "domain": training_domain(forms),
    }


def calibrate_and_score(model, meta: dict, data: Path, split: str, calibrate: bool, score: bool) -> dict:  # noqa: ANN001
    """Metadata of the sigma-scaling fit on the val part and the metrics on the test part."""
    from resistml.evaluation.evaluate import EvaluationError, LoadedModel, eager_predictor, evaluate
    from resistml.evaluation.recalibration import recalibrate
    from resistml.model import TARGETS

    names = list(meta.get("targets") or TARGETS[: int(model.config.get("num_targets", len(TARGETS)))])
    out: dict = {}
    try:
        if calibrate:
            out["calibration"] = recalibrate(model, data, split, "val", names)
        if score:
            result = evaluate(LoadedModel(names, eager_predictor(model), meta, "checkpoint"), data, split, "test")
            out["metrics"] = {**meta.get("metrics", {}), f"{split}_test": result.to_dict()["targets"]}
    except EvaluationError as exc:
        fail([f"--data: {exc}"])
    return out


def export(
    checkpoint: Annotated[Path, typer.Option(help="Lightning checkpoint or plain state-dict file")],
    out: Annotated[Path, typer.Option(help="artifact directory to write")],
    config: Annotated[Path | None, typer.Option(help="YAML/JSON ResistNet keyword arguments (if not in the checkpoint)")] = None,
    metadata: Annotated[Path | None, typer.Option(help="YAML/JSON metadata to add (name, version, metrics, ...)")] = None,
    name: Annotated[str | None, typer.Option(help="model name (overrides the checkpoint's)")] = None,
    version: Annotated[str | None, typer.Option(help="model version (overrides the checkpoint's)")] = None,
    data: Annotated[Path | None, typer.Option(help="training dataset dir: adds data hash and training domain")] = None,
    split: Annotated[str, typer.Option(help="with --data: split whose train part defines the domain")] = "random",
    calibrate: Annotated[bool, typer.Option(help="with --data: fit sigma scaling on the split's val part")] = True,
    score: Annotated[bool, typer.Option(help="with --data: score the split's test part into the metadata")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="print the metadata as JSON")] = False,
    mlflow: Annotated[bool, typer.Option("--mlflow", help="log the artifact to MLflow as a pyfunc model")] = False,
    register_as: Annotated[str | None, typer.Option("--register", help="register it as a new version of this "
                                                     "MLflow model name (implies --mlflow)")] = None,
    tracking_uri: Annotated[str | None, typer.Option(help="MLflow URI (default $MLFLOW_TRACKING_URI or "
                                                     "sqlite:///mlflow.db)")] = None,
    experiment: Annotated[str, typer.Option(help="MLflow experiment of the export run")] = "resistml-export",
) -> None:
    """Export a trained model and check that the exported programs reproduce it."""
    from resistml.inference.checkpoint import load_checkpoint
    from resistml.inference.export import ArtifactError, check_parity, export_model

    if not checkpoint.is_file():
        fail([f"--checkpoint: no file {checkpoint}"])
    try:
        model, meta = load_checkpoint(checkpoint, _read_mapping(config, "--config"))
    except ArtifactError as exc:
        fail([str(exc)])
    if data is not None:
        if not (data / "card.json").is_file():
            fail([f"--data: {data} has no card.json (not a generated dataset)"])
        meta = {**meta, **dataset_metadata(data, split)}
        meta.update(calibrate_and_score(model, meta, data, split, calibrate, score))
    meta = {**meta, **(_read_mapping(metadata, "--metadata") or {})}
    meta.setdefault("model_name", checkpoint.stem)
    meta.setdefault("model_version", "0")
    if name:
        meta["model_name"] = name
    if version:
        meta["model_version"] = version
    elif register_as:
        from resistml.evaluation import tracking

        meta["model_version"] = tracking.next_version(tracking.client(tracking_uri), register_as)
    try:
        export_model(model, meta, out)
    except ArtifactError as exc:
        fail([str(exc)])
    errors = check_parity(model, out)
    if errors:
        fail(errors)
    written = json.loads((out / "metadata.json").read_text())
    if mlflow or register_as:
        from resistml.evaluation import tracking

        run_id, registered = tracking.log_model_run(
            out, uri=tracking.tracking_uri(tracking_uri), experiment=experiment, register=register_as, data=data,
            params={"checkpoint": str(checkpoint), "split": split if data is not None else None})
        written = {**written, "mlflow_run_id": run_id, "mlflow_model_uri": f"runs:/{run_id}/model"}
        if registered is not None:
            written["mlflow_registered"] = f"models:/{register_as}/{registered}"
        typer.echo(f"MLflow run {run_id}: runs:/{run_id}/model"
                   + (f", registered models:/{register_as}/{registered}" if registered else ""), err=True)
    if as_json:
        print_json(written)
    else:
        typer.echo(f"exported {written['model_name']}:{written['model_version']} to {out} (parity checked)")


def register(app: typer.Typer) -> None:
    app.command("export")(export)
