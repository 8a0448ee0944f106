"""LightningCLI for ResistNet training: ``python -m train.cli fit --config train/configs/small.yaml``.

``threads`` sets torch's intra-op CPU threads (small models on a busy 2-core machine train several
times faster on one thread). ``data.physics`` and ``data.targets`` are linked to the model (one source of truth). An
``MLFlowLogger`` without ``tracking_uri`` logs to ``$MLFLOW_TRACKING_URI`` or, when unset, to a
local SQLite store ``sqlite:///mlflow.db`` in the working directory. An MLflow run gets the
hyperparameters without LightningCLI's bookkeeping keys (``_instantiator``, ``_class_path``) and,
on global rank 0, MLflow's system metrics (CPU, memory, disk, network, GPU when ``pynvml`` is present;
one sample every 10 s; ``MLFLOW_ENABLE_SYSTEM_METRICS_LOGGING=false`` turns them off).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import torch
from lightning.pytorch import Callback, LightningModule, Trainer
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


def _clean_hyperparams(logger: MLFlowLogger) -> None:
    """Make ``logger.log_hyperparams`` drop LightningCLI's ``_instantiator``/``_class_path`` keys."""
    from lightning.fabric.utilities.logger import _convert_params

    from resistml.evaluation.tracking import clean_params

    original = logger.log_hyperparams

    def log_hyperparams(params, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
        return original(clean_params(_convert_params(params) or {}), *args, **kwargs)

    logger.log_hyperparams = log_hyperparams


class SystemMetrics(Callback):
    """MLflow system metrics (``system/...``) on the MLflow logger's run while fitting (global rank 0)."""

    def __init__(self, logger: MLFlowLogger, interval_s: float = 10.0):
        self.logger, self.interval_s, self.monitor = logger, interval_s, None

    def on_fit_start(self, trainer: Trainer, pl_module: LightningModule) -> None:
        if not trainer.is_global_zero:
            return
        try:
            from mlflow.system_metrics.system_metrics_monitor import SystemMetricsMonitor

            self.monitor = SystemMetricsMonitor(self.logger.run_id, sampling_interval=self.interval_s,
                                                tracking_uri=self.logger._tracking_uri)
            self.monitor.start()
        except Exception:  # psutil missing or an old MLflow: training goes on without them
            self.monitor = None

    def on_fit_end(self, trainer: Trainer, pl_module: LightningModule) -> None:
        if self.monitor is not None:
            self.monitor.finish()
            self.monitor = None

    def on_exception(self, trainer: Trainer, pl_module: LightningModule, exception: BaseException) -> None:
        self.on_fit_end(trainer, pl_module)


def _system_metrics_on() -> bool:
    return os.environ.get("MLFLOW_ENABLE_SYSTEM_METRICS_LOGGING", "true").strip().lower() not in ("0", "false", "no")


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

    def instantiate_classes(self) -> None:
        super().instantiate_classes()
        for logger in self.trainer.loggers:
            if isinstance(logger, MLFlowLogger):
                _clean_hyperparams(logger)
                if _system_metrics_on():
                    self.trainer.callbacks.append(SystemMetrics(logger))


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
