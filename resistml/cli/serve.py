"""``resistml serve --model DIR``: the HTTP API and formulation GUI (FastAPI on uvicorn)."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from resistml.cli._common import fail


def serve(
    model: Annotated[str | None, typer.Option(help="model artifact directory or MLflow URI (models:/name/1, "
                                              "models:/name@alias, runs:/<id>/model; default: the shipped model)")] = None,
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="worker processes (each loads the model once)")] = 1,
    log_level: Annotated[str, typer.Option(help="uvicorn log level")] = "info",
    format: Annotated[str | None, typer.Option(help="artifact format served: torchscript or export "
                                               "(default: $RESISTML_MODEL_FORMAT, else torchscript)")] = None,
) -> None:
    """Serve /v1/predict, /v1/simulate, /v1/check, /v1/catalog, /v1/model and the GUI at /."""
    import uvicorn

    from resistml.inference.export import ArtifactError, load_artifact
    from resistml.inference.model_uri import ModelURIError, resolve_model

    if format is not None:
        if format not in ("torchscript", "export"):
            fail([f"--format: expected torchscript or export, got {format!r}"])
        os.environ["RESISTML_MODEL_FORMAT"] = format
    format = format or os.environ.get("RESISTML_MODEL_FORMAT") or None
    if model is not None:
        try:
            path = resolve_model(model)
            load_artifact(path, format or "torchscript")  # checksums, then a full load: one error line
        except (ArtifactError, ModelURIError) as exc:
            fail([str(exc)])
        os.environ["RESISTML_MODEL_DIR"] = str(path.resolve())
    try:
        from serve.settings import Settings

        Settings.from_env()
    except ValueError as exc:
        fail([str(exc)])
    typer.echo(f"resistml API on http://{host}:{port}/  (docs: /docs)", err=True)
    uvicorn.run("serve.app:create_app", factory=True, host=host, port=port, workers=workers, log_level=log_level,
                log_config=_log_config(log_level), access_log=False)


def _log_config(level: str) -> dict:
    """uvicorn's logging plus the app's request log (``METHOD path status ms``) on the same handler."""
    import copy

    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["resistml.serve"] = {"handlers": ["default"], "level": level.upper(), "propagate": False}
    return config


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
