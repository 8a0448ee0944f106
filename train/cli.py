"""LightningCLI for ResistNet training: ``python -m train.cli fit --config train/configs/small.yaml``.

``threads`` sets torch's intra-op CPU threads (small models on a busy 2-core machine train several
times faster on one thread). ``data.physics`` and ``data.targets`` are linked to the model (one source of truth). An
``MLFlowLogger`` without ``tracking_uri`` logs to ``$MLFLOW_TRACKING_URI`` or, when unset, to a
local SQLite store ``sqlite:///mlflow.db`` in the working directory. An MLflow run gets the
hyperparameters without LightningCLI's bookkeeping keys (``_instantiator``, ``_class_path``) and,
on global rank 0, MLflow's system metrics (CPU, memory, disk, network, GPU when ``pynvml`` is present;
one sample every 10 s, ``RESISTML_SYSTEM_METRICS_INTERVAL_S`` to change it; ``MLFLOW_ENABLE_SYSTEM_METRICS_LOGGING=false`` turns them off).

local SQLite store ``sqlite:///mlflow.db`` in the working directory.

Resume: re-running the same ``fit`` command continues an interrupted run from
``<checkpoint dir>/last.ckpt`` (the configured ModelCheckpoint's ``dirpath``; when unset,
``<default_root_dir>/checkpoints``) - exactly, and into the same MLflow run - and says so in one log
line; a run that finished says it is complete and trains nothing (raise ``trainer.max_epochs`` to
train on). ``--ckpt_path last`` or a path still work. A run stopped by SIGINT/SIGTERM is marked
KILLED in MLflow; one whose process died without a word (SIGKILL) is marked KILLED, or resumed
into, by the next run of the command. See :mod:`train.resume`.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Sequence
from pathlib import Path

import torch
from lightning.pytorch import Callback, LightningModule, Trainer
from lightning.pytorch.callbacks import ModelCheckpoint
from lightning.pytorch.cli import LightningCLI, SaveConfigCallback
from lightning.pytorch.loggers import MLFlowLogger
from lightning.pytorch.utilities.rank_zero import rank_zero_only

from train import resume
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

    complete: str | None = None
    tracking_uri: str | None = None

    def before_instantiate_classes(self) -> None:
        config = self.config[self.subcommand] if self.subcommand else self.config
        if config.get("threads"):
            torch.set_num_threads(int(config.threads))
        mlflow = []
        loggers = config.trainer.get("logger")
        for logger in loggers if isinstance(loggers, list) else [loggers]:
            class_path = getattr(logger, "class_path", "") or ""
            if class_path.endswith("MLFlowLogger"):
                if not logger.init_args.get("tracking_uri"):
                    logger.init_args.tracking_uri = tracking_uri()
                mlflow.append(logger)
        if self.subcommand == "fit":
            self.plan_resume(config, mlflow)

    def plan_resume(self, config, mlflow: list) -> None:
        """Resume from ``last.ckpt`` into the checkpoint's MLflow run, or note the run is complete."""
        ckpt_dir = checkpoint_dir(config.trainer)
        if ckpt_dir is None:
            return
        self.tracking_uri = mlflow[0].init_args.tracking_uri if mlflow else None
        max_epochs = config.trainer.get("max_epochs")
        if max_epochs is None and config.trainer.get("max_steps", -1) in (None, -1):
            max_epochs = 1000  # Lightning's default
        model = config.get("model")
        model_args = dict(vars(model)) if model is not None and not hasattr(model, "class_path") else {}
        plan = resume.plan(ckpt_dir, config.get("ckpt_path"), max_epochs, self.tracking_uri, model_args,
                           rank_zero=rank_zero_only.rank == 0)
        # set for instantiation and `fit`, put back before SaveConfig writes config.yaml (the command as given)
        self._given = [(config, "ckpt_path", config.get("ckpt_path"))]
        config.ckpt_path = plan.ckpt_path
        self.complete = plan.complete
        if plan.run_id:
            for logger in mlflow:
                if not logger.init_args.get("run_id"):
                    self._given.append((logger.init_args, "run_id", None))
                    logger.init_args.run_id = plan.run_id
        resume.announce(plan.messages)

    def before_fit(self) -> None:
        for namespace, key, value in getattr(self, "_given", []):
            namespace[key] = value

    def fit(self, model: LightningModule, **kwargs) -> None:
        """``trainer.fit``, unless the run is complete; a SIGINT/SIGTERM stop marks the MLflow run KILLED."""
        if self.complete:
            resume.announce([self.complete])
            return
        try:
            self.trainer.fit(model, **kwargs)
        except SystemExit as exc:  # Lightning: SIGTERM -> SIGTERMException, Ctrl-C -> sys.exit(1)
            raise resume.interrupted(self.trainer, exc, self.tracking_uri) from exc

    def instantiate_classes(self) -> None:
        super().instantiate_classes()
        for logger in self.trainer.loggers:
            if isinstance(logger, MLFlowLogger):
                _clean_hyperparams(logger)
                if _system_metrics_on():
                    self.trainer.callbacks.append(SystemMetrics(logger, float(os.environ.get("RESISTML_SYSTEM_METRICS_INTERVAL_S", "10"))))


def _is_model_checkpoint(class_path: str) -> bool:
    module, _, name = class_path.rpartition(".")
    try:
        return issubclass(getattr(importlib.import_module(module), name), ModelCheckpoint)
    except (ImportError, AttributeError, TypeError, ValueError):
        return class_path.endswith("ModelCheckpoint")


def checkpoint_dir(trainer_config) -> Path | None:
    """The configured ModelCheckpoint's directory (set to ``<default_root_dir>/checkpoints`` when unset)."""
    callbacks = trainer_config.get("callbacks") or []
    for callback in callbacks if isinstance(callbacks, list) else [callbacks]:
        if _is_model_checkpoint(getattr(callback, "class_path", "") or ""):
            if not callback.init_args.get("dirpath"):
                root = trainer_config.get("default_root_dir") or os.getcwd()
                callback.init_args.dirpath = str(Path(root) / "checkpoints")
            return Path(callback.init_args.dirpath)
    return None


def main(args: Sequence[str] | None = None, run: bool = True) -> ResistCLI:
    """Run (or with ``run=False`` only build) the CLI on ``args`` (default: ``sys.argv``)."""
    return ResistCLI(
        ResistNetModule,
        FormulationDataModule,
        args=list(args) if args is not None else None,
        run=run,
        save_config_callback=SaveConfig,
        save_config_kwargs={"overwrite": True, "save_to_log_dir": False},
        trainer_defaults={"callbacks": [resume.ResumeState()]},
    )


if __name__ == "__main__":
    main()
