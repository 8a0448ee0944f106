"""``resistml train``: fit ResistNet with a LightningCLI YAML config (train/configs/*.yaml)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from resistml.cli._common import fail


def train_args(
    config: Path | list[Path], data: Path | None, ckpt_path: str | None, overrides: list[str]
) -> list[str]:
    """LightningCLI ``fit`` arguments for the ``resistml train`` options (configs merge in order)."""
    configs = config if isinstance(config, list) else [config]
    args = ["fit"] + [a for c in configs for a in ("--config", str(c))]
    if data is not None:
        args += ["--data.dataset", str(data)]
    if ckpt_path:
        args += ["--ckpt_path", ckpt_path]
    return args + list(overrides)


def register(app: typer.Typer) -> None:
    @app.command(
        "train",
        context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    )
    def train_cmd(
        ctx: typer.Context,
        config: Annotated[
            list[Path],
            typer.Option(
                "--config",
                help="YAML config, e.g. train/configs/small.yaml; repeat to overlay "
                "(e.g. --config small.yaml --config deepsets.yaml)",
            ),
        ],
        data: Annotated[
            Path | None,
            typer.Option(
                "--data", help="dataset directory from `resistml generate` (data.dataset)"
            ),
        ] = None,
        ckpt_path: Annotated[
            str | None,
            typer.Option(
                "--ckpt-path",
                help="resume from this checkpoint, or 'last' (without it, re-running the same command "
                "resumes from <checkpoint dir>/last.ckpt by itself, or says the run is complete)",
            ),
        ] = None,
    ) -> None:
        """Train ResistNet; further arguments override the config, e.g. --trainer.max_epochs 5.

        Re-running an interrupted command resumes it exactly, into the same MLflow run.
        """
        missing = [c for c in config if not c.is_file()]
        if missing:
            fail([f"--config: no such file {str(c)!r}" for c in missing])
        if data is not None and not (data / "shards").is_dir():
            fail(
                [
                    f"--data: {str(data)!r} is not a generated dataset (no shards/); run `resistml generate`"
                ]
            )
        import warnings

        from train.cli import main

        # LightningCLI gets its arguments from `args`; sys.argv stays `resistml train ...`, because
        # Lightning's DDP launcher starts the other ranks by re-running sys.argv with rank variables set
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="LightningCLI's args parameter is intended")
            try:
                main(train_args(config, data, ckpt_path, ctx.args))
            except (ValueError, FileNotFoundError) as exc:
                fail([str(exc)])
