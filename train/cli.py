"""LightningCLI for ResistNet training: ``python -m train.cli fit --config train/configs/small.yaml``.

``threads`` sets torch's intra-op CPU threads (small models on a busy 2-core machine train several
times faster on one thread). ``data.physics`` and ``data.targets`` are linked to the model (one source of truth). An
``MLFlowLogger`` without ``tracking_uri`` logs to ``$MLFLOW_TRACKING_URI`` or, when unset, to a
local SQLite store ``sqlite:///mlflow.db`` in the working directory.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import torch
from lightning.pytorch import LightningModule, Trainer
from lightning.pytorch.cli import LightningCLI, SaveConfigCallback
from lightning.pytorch.loggers import MLFlowLogger

from train.datamodule import FormulationDataModule
from train.module import ResistNetModule

DEFAULT_TRACKING_URI = "sqlite:///mlflow.db"


def tracking_uri() -> str:
    """The MLflow tracking URI: ``$MLFLOW_TRACKING_URI`` or the local SQLite default."""
    return os.environ.get("MLFLOW_TRACKING_URI") or DEFAULT_TRACKING_URI


class SaveConfig(SaveConfigCallback):
    """Write the resolved config to ``<default_root_dir>/config.yaml`` and log it to MLflow.

    (The stock callback needs a logger with a local ``log_dir``, which an MLflow SQLite store lacks.)
    """

    def save_config(self, trainer: Trainer, pl_module: LightningModule, stage: str) -> None:
        path = Path(trainer.default_root_dir) / self.config_filename
        path.parent.mkdir(parents=True, exist_ok=True)
        self.parser.save(self.config, str(path), overwrite=True, multifile=self.multifile)
        for logger in trainer.loggers:
            if isinstance(logger, MLFlowLogger):
                logger.experiment.log_artifact(logger.run_id, str(path))


class ResistCLI(LightningCLI):
    """LightningCLI with linked data/model arguments and the MLflow tracking default."""

    def add_arguments_to_parser(self, parser) -> None:
        parser.add_argument(
            "--threads",
            type=int | None,
            default=None,
            help="torch intra-op CPU threads (default: torch's)",
        )
        parser.link_arguments("data.physics", "model.physics")
        parser.link_arguments("data.targets", "model.targets")

    def before_instantiate_classes(self) -> None:
        config = self.config[self.subcommand] if self.subcommand else self.config
        if config.get("threads"):
            torch.set_num_threads(int(config.threads))
        loggers = config.trainer.get("logger")
        for logger in loggers if isinstance(loggers, list) else [loggers]:
            class_path = getattr(logger, "class_path", "") or ""
            if class_path.endswith("MLFlowLogger") and not logger.init_args.get("tracking_uri"):
                logger.init_args.tracking_uri = tracking_uri()


def main(args: Sequence[str] | None = None, run: bool = True) -> ResistCLI:
    """Run (or with ``run=False`` only build) the CLI on ``args`` (default: ``sys.argv``)."""
    return ResistCLI(
        ResistNetModule,
        FormulationDataModule,
        args=list(args) if args is not None else None,
        run=run,
        save_config_callback=SaveConfig,
        save_config_kwargs={"overwrite": True, "save_to_log_dir": False},
    )


if __name__ == "__main__":
    main()
