"""``resistml evaluate --model DIR_OR_CKPT --data DATASET --split NAME``: accuracy and calibration."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from resistml.cli._common import fail, print_json


def evaluate_cmd(
    model: Annotated[str, typer.Option("--model", help="exported artifact directory, Lightning checkpoint, or "
                                       "MLflow URI (models:/name/1, models:/name@alias, runs:/<id>/model)")],
    data: Annotated[Path, typer.Option("--data", help="generated dataset directory (resistml generate --out)")],
    split: Annotated[str, typer.Option("--split", help="stored split: random, unseen_molecules, ...")] = "random",
    part: Annotated[str, typer.Option("--part", help="split part to score: train, val or test")] = "test",
    as_json: Annotated[bool, typer.Option("--json", help="print the metrics as JSON")] = False,
    plots: Annotated[Path | None, typer.Option("--plots", help="write parity/calibration PNGs here")] = None,
    mlflow: Annotated[bool, typer.Option("--mlflow", help="log metrics and plots to MLflow")] = False,
    tracking_uri: Annotated[
        str | None, typer.Option("--tracking-uri", help="MLflow URI (default $MLFLOW_TRACKING_URI or sqlite:///mlflow.db)")
    ] = None,
) -> None:
    """Score a model on a split part: MAE/RMSE/R2 (log10), % error, 1/2-sigma coverage, miscalibration area."""
    import tempfile

    from resistml.evaluation.evaluate import EvaluationError, evaluate, evaluation_table
    from resistml.inference.model_uri import ModelURIError, resolve_model

    try:
        model = resolve_model(model)
    except ModelURIError as exc:
        fail([f"--model: {exc}"])
    if not model.exists():
        fail([f"--model: no artifact directory or checkpoint file at {str(model)!r}"])
    if not (data / "shards").is_dir():
        fail([f"--data: {str(data)!r} is not a generated dataset (no shards/); run `resistml generate`"])
    try:
        result = evaluate(model, data, split, part)
    except EvaluationError as exc:
        fail([str(exc)])
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="resistml-plots-") as scratch:
        if plots is not None or mlflow:
            from resistml.evaluation.plots import save_plots

            written = save_plots(result, plots if plots is not None else Path(scratch), prefix=f"{split}_{part}_")
        if mlflow:
            from resistml.evaluation import tracking

            run_id = tracking.log_evaluation(result, written, uri=tracking.tracking_uri(tracking_uri))
            result.info["mlflow_run_id"] = run_id
    if plots is not None:
        result.info["plots"] = [str(p) for p in written]
    if as_json:
        print_json(result.to_dict())
        return
    info = result.info
    typer.echo(f"{info['model']} on {info['split']}/{info['part']} ({info['n']} formulations)\n")
    typer.echo(evaluation_table(result))
    if "mlflow_run_id" in info:
        typer.echo(f"\nMLflow run {info['mlflow_run_id']}")


def register(app: typer.Typer) -> None:
    app.command("evaluate")(evaluate_cmd)
