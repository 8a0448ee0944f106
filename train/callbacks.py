"""End-of-fit evaluation, plots, dataset card and model registration in MLflow.

:class:`EvaluateAndRegister` runs once after ``fit`` (global rank 0): it loads the best
checkpoint (or the final weights when none was written), scores the val and test parts of the
data module with :mod:`resistml.evaluation.evaluate`, writes parity and calibration PNGs per
target and part, and - with an ``MLFlowLogger`` - logs metrics ``best/<part>/<metric>/<target>``,
the PNGs (``plots/``), the dataset card and hash (``dataset/card.json``, param ``data_hash``, run
input), exports the model (TorchScript + torch.export artifact) as an MLflow pyfunc model
(``model/``: MLmodel, signature, input example; :mod:`resistml.inference.mlflow_model`) and, after
the upload, registers ``runs:/<run>/model`` as a new version of ``registered_model_name``; the
version is written into the artifact's ``metadata.json`` (``model_version``) and onto the run (tag
``registered_model``).

Add it to a config's ``trainer.callbacks``::

    - class_path: train.callbacks.EvaluateAndRegister
      init_args: {registered_model_name: resistnet}

:class:`ResumableCheckpoint` is Lightning's ModelCheckpoint with a ``last.ckpt`` that follows every
epoch (the configs use it; a resume then starts from the last epoch, not the last improvement).
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import lightning as L
import numpy as np
import torch
from lightning.pytorch.callbacks import ModelCheckpoint
from lightning.pytorch.loggers import MLFlowLogger

from resistml.evaluation.evaluate import Evaluation, eager_predictor, score
from resistml.evaluation.recalibration import calibration_record, fit_sigma_scale


class EvaluateAndRegister(L.Callback):
    """Evaluate the best model on ``parts`` after fit; log plots/card and register it in MLflow."""

    def __init__(self, parts: Sequence[str] = ("val", "test"), registered_model_name: str = "resistnet",
                 register: bool = True, plots_dir: str | None = None, recalibrate: bool = True):
        self.parts = tuple(parts)
        self.registered_model_name = registered_model_name
        self.register = register
        self.plots_dir = plots_dir
        self.recalibrate = recalibrate
        self.results: dict[str, Evaluation] = {}
        self.version: str | None = None

    # ---- model and data -----------------------------------------------------------------
    @staticmethod
    def best_model(trainer: L.Trainer, module: L.LightningModule) -> tuple[torch.nn.Module, dict[str, Any]]:
        """Eager ResistNet of the best checkpoint (else the final weights) and its metadata."""
        from resistml.inference.checkpoint import load_checkpoint

        path = getattr(trainer.checkpoint_callback, "best_model_path", "") or ""
        if path and Path(path).is_file():
            model, meta = load_checkpoint(path)
            return model, {**meta, "checkpoint": path}
        saved: dict[str, Any] = {}
        module.on_save_checkpoint(saved)
        return module.model, dict(saved.get("metadata", {}))

    def evaluate_parts(self, trainer: L.Trainer, module: L.LightningModule) -> dict[str, Evaluation]:
        """Metrics of the best model on each non-empty part of the data module."""
        model, meta = self.best_model(trainer, module)
        model = model.cpu().eval()
        names = list(meta.get("targets") or module.target_names)
        predict = eager_predictor(model)
        datamodule = trainer.datamodule
        datamodule.setup("fit")
        split = getattr(datamodule.hparams, "split", None) or "data"
        results, factors = {}, np.ones(len(names))
        for part in sorted(self.parts, key=lambda p: p != "val"):  # val first: it fits the sigma scaling
            pairs = datamodule.parts.get(part) or []
            if not pairs:
                continue
            forms = [item[0] for item in pairs]
            y = torch.stack([torch.as_tensor(item[1]) for item in pairs]).double().numpy()
            if all(len(item) == 4 for item in pairs):  # censored entries are not scored as values
                y[np.stack([np.asarray(item[3]) for item in pairs]) != 0] = np.nan
            mean, sigma = predict(forms)
            if part == "val" and self.recalibrate:
                factors = fit_sigma_scale(y, mean, sigma)
                model.set_variance_scale(torch.as_tensor(factors**2))
                meta["calibration"] = calibration_record(names, factors, split, part, len(forms))
            info = {"split": split, "part": part, "n": len(forms), "checkpoint": meta.get("checkpoint")}
            results[part] = score(names, y, mean, sigma * factors, info)
        self._meta = {**meta, "targets": names}
        self._model = model
        return results

    # ---- hook ---------------------------------------------------------------------------
    def on_fit_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        if not trainer.is_global_zero or trainer.datamodule is None:
            return
        from resistml.evaluation.plots import save_plots

        self.results = self.evaluate_parts(trainer, pl_module)
        out = Path(self.plots_dir or Path(trainer.default_root_dir) / "evaluation")
        plots = [p for part, r in self.results.items()
                 for p in save_plots(r, out, prefix=f"{r.info['split']}_{part}_")]
        logger = next((lg for lg in trainer.loggers if isinstance(lg, MLFlowLogger)), None)
        if logger is not None:
            self.log_to_mlflow(logger, trainer, plots)

    def log_to_mlflow(self, logger: MLFlowLogger, trainer: L.Trainer, plots: list[Path]) -> None:
        """Metrics, plots, dataset card, exported model and registry version on the logger's run."""
        from resistml.evaluation.tracking import (
            log_dataset_card,
            log_files,
            log_metrics,
            metric_values,
            next_version,
            register_version,
        )
        from resistml.inference.mlflow_model import PYFUNC_NAME, log_pyfunc

        client, run_id = logger.experiment, logger.run_id
        values: dict[str, float] = {}
        for part, result in self.results.items():
            values.update(metric_values(result, f"best/{part}"))
        log_metrics(client, run_id, values, step=int(trainer.global_step))
        log_files(client, run_id, plots, "plots")
        dataset = getattr(trainer.datamodule.hparams, "dataset", None)
        data_hash = log_dataset_card(client, run_id, dataset) if dataset else None
        if not self.register:
            return
        # the artifact's metadata names the version the registry will give; the version is created
        # from runs:/<run>/model only once the pyfunc model (MLmodel, signature, artifact) is uploaded
        self.version = next_version(client, self.registered_model_name)
        with tempfile.TemporaryDirectory(prefix="resistml-model-") as tmp:
            art = self.export(Path(tmp) / "model", data_hash, values, trainer)
            log_pyfunc(client, run_id, art)
        registered = register_version(client, run_id, self.registered_model_name, PYFUNC_NAME)
        if registered != self.version:  # another run registered in between: say so, keep the registry's
            client.set_tag(run_id, "metadata_model_version", self.version)
            self.version = registered
        # a run trained on after it finished (resumed with a larger max_epochs) registers a new version;
        # MLflow params cannot change, so the param keeps the first and tag `registered_model` the latest
        if "registered_model_version" not in client.get_run(run_id).data.params:
            client.log_param(run_id, "registered_model_version", self.version)

    def export(self, out: Path, data_hash: str | None, metrics: dict[str, float], trainer: L.Trainer) -> Path:
        """A TorchScript artifact whose metadata names the registered model and version."""
        from resistml.inference.domain import training_domain
        from resistml.inference.export import export_model

        meta = {k: v for k, v in self._meta.items() if k != "checkpoint"}
        meta.update(model_name=self.registered_model_name, model_version=self.version,
                    metrics={k: float(v) for k, v in metrics.items() if np.isfinite(v)})
        if data_hash:
            meta["data_hash"] = data_hash
        train = trainer.datamodule.parts.get("train") or []
        if train:
            meta["domain"] = training_domain([item[0] for item in train])
        return export_model(self._model, meta, out)


class ResumableCheckpoint(ModelCheckpoint):
    """ModelCheckpoint whose ``last.ckpt`` is written at every save point (each epoch), improved or not.

    Lightning (2.5+) writes ``last.ckpt`` only when a top-k checkpoint is written in the same step,
    so with a ``monitor`` it trails behind the training: a run killed after a few epochs without
    improvement would resume epochs back. Here ``save_last`` means the last epoch (or the last
    validation, with ``val_check_interval`` < 1, or ``every_n_train_steps``).
    """

    def _save_last_too(self, trainer: L.Trainer) -> None:
        if self.save_last and not self._should_skip_saving_checkpoint(trainer):
            self._save_last_checkpoint(trainer, self._monitor_candidates(trainer))

    def on_train_batch_end(self, trainer: L.Trainer, pl_module: L.LightningModule, outputs, batch, batch_idx: int) -> None:
        super().on_train_batch_end(trainer, pl_module, outputs, batch, batch_idx)
        every = self._every_n_train_steps
        if every >= 1 and trainer.global_step % every == 0:
            self._save_last_too(trainer)

    def on_train_epoch_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        super().on_train_epoch_end(trainer, pl_module)
        if self._should_save_on_train_epoch_end(trainer):
            self._save_last_too(trainer)

    def on_validation_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        super().on_validation_end(trainer, pl_module)
        if not self._should_save_on_train_epoch_end(trainer):
            self._save_last_too(trainer)
