"""LightningModule for ResistNet: beta-Gaussian NLL, AdamW, warm-up + cosine schedule, metrics.

Loss: the Gaussian negative log-likelihood of standardised targets, weighted per element by the
stop-gradient variance to the power beta ("beta-NLL", Seitzer et al., ICLR 2022; beta = 0 is the
plain NLL of Nix & Weigend 1994, beta = 1 gives the MSE gradient for the mean). Missing (NaN)
targets are skipped; censored ones (the resolution of an "unresolved" row) enter with the Gaussian
survival log-likelihood (:mod:`resistml.model.losses`). With ``outcomes`` the model also has an
outcome head (``resistml.targets.OUTCOMES``) trained with cross-entropy on every row, weighted by
``outcome_weight``. ``members`` > 1 trains a deep ensemble (:mod:`resistml.model.ensemble`), each
member on its own likelihood. ``extrapolation_sigma`` (standardised target units per training
range) widens sigma outside the process ranges seen in training. Per-target validation/test metrics (MAE, RMSE, R2, 1/2-sigma coverage,
miscalibration area) come from :mod:`resistml.evaluation.metrics` in the transformed (log) space,
computed on the outputs of all ranks (gathered) and the loss is averaged over ranks (``sync_dist``),
so under DDP every rank logs the same validation numbers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import lightning as L
import numpy as np
import torch
from torch import Tensor

from resistml.chem.graphs import FEATURIZER_VERSION
from resistml.datasets.schema import TARGETS
from resistml.evaluation.metrics import calibration_metrics, regression_metrics
from resistml.features.collate import PROCESS_FEATURES, FormulationBatch, process_feature_names
from resistml.model import build_model, members_batch, predict_batch
from resistml.model.losses import censored_gaussian_nll, outcome_loss
from resistml.targets import OUTCOMES


def beta_gaussian_nll(mean: Tensor, var: Tensor, target: Tensor, beta: float = 0.5) -> Tensor:
    """Mean beta-NLL over the finite entries of ``target`` (all tensors [B, T], standardised)."""
    valid = torch.isfinite(target)
    safe = torch.where(valid, target, mean.detach())
    nll = 0.5 * (torch.log(var) + (safe - mean) ** 2 / var + math.log(2.0 * math.pi))
    if beta > 0:
        nll = nll * var.detach() ** beta
    return (nll * valid).sum() / valid.sum().clamp(min=1)


def warmup_cosine(step: int, total: int, warmup: int, min_ratio: float) -> float:
    """Learning-rate factor: linear warm-up, then cosine decay to ``min_ratio`` (Loshchilov & Hutter 2017)."""
    if step < warmup:
        return (step + 1) / warmup
    progress = min(1.0, (step - warmup) / max(1, total - warmup))
    return min_ratio + (1.0 - min_ratio) * 0.5 * (1.0 + math.cos(math.pi * progress))


def _all_ranks(*arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    """The arrays of every rank concatenated in rank order (as given when not distributed).

    Epoch metrics are computed from these on every rank, so under DDP each rank logs the same numbers.
    """
    dist = torch.distributed
    if not (dist.is_available() and dist.is_initialized()) or dist.get_world_size() == 1:
        return arrays
    parts: list = [None] * dist.get_world_size()
    dist.all_gather_object(parts, arrays)
    return tuple(np.concatenate([p[i] for p in parts]) for i in range(len(arrays)))


class ResistNetModule(L.LightningModule):
    """Trains :class:`resistml.model.ResistNet` on collated :class:`FormulationBatch` es.

    ``physics`` must match the data module's (it sets the process width); ``use_physics=False``
    is the "no physics features" ablation; ``pooling`` "mean"/"sum" is the DeepSets ablation.
    """

    def __init__(
        self,
        hidden: int = 128,
        gnn_layers: int = 4,
        heads: int = 4,
        set_blocks: int = 2,
        pooling: str = "attention",
        dropout: float = 0.1,
        physics: bool = False,
        use_physics: bool = True,
        targets: Sequence[str] = TARGETS,
        lr: float = 1e-3,
        weight_decay: float = 1e-4,
        warmup_fraction: float = 0.05,
        min_lr_ratio: float = 0.01,
        beta_nll: float = 0.5,
        outcomes: bool = True,
        outcome_weight: float = 1.0,
        members: int = 1,
        member_seed: int = 0,
        extrapolation_sigma: float = 0.5,
    ):
        super().__init__()
        self.save_hyperparameters()
        self.target_names = tuple(targets)
        names = process_feature_names(physics)
        self.model = build_model(dict(
            members=members,
            seed=member_seed,
            num_outcomes=len(OUTCOMES) if outcomes else 0,
            extrapolation_sigma=extrapolation_sigma,
            hidden=hidden,
            gnn_layers=gnn_layers,
            heads=heads,
            set_blocks=set_blocks,
            pooling=pooling,
            dropout=dropout,
            use_physics=use_physics,
            process_dim=len(names),
            physics_columns=tuple(range(len(PROCESS_FEATURES), len(names))),
            num_targets=len(self.target_names),
        ))
        self._outputs: dict[str, list[tuple[Tensor, Tensor, Tensor]]] = {"val": [], "test": []}

    # ---- data plumbing ------------------------------------------------------------------
    def transfer_batch_to_device(
        self, batch: FormulationBatch, device: torch.device, dataloader_idx: int
    ):
        return batch.to(device)

    def on_fit_start(self) -> None:
        stats = getattr(self.trainer.datamodule, "target_stats", None)
        if callable(stats):
            mean, std = stats()
            self.model.set_target_scaling(torch.as_tensor(mean), torch.as_tensor(std))

    def _check_width(self, batch: FormulationBatch) -> None:
        expected = self.model.config["process_dim"]
        if batch.process.shape[1] != expected:
            raise ValueError(
                f"physics: the model expects {expected} process features but the batch has "
                f"{batch.process.shape[1]}; set the same `physics` flag on model and data"
            )

    def forward(self, batch: FormulationBatch) -> tuple[Tensor, Tensor]:
        self._check_width(batch)
        return predict_batch(self.model, batch)

    # ---- steps --------------------------------------------------------------------------
    def _loss(self, batch: FormulationBatch) -> tuple[Tensor, Tensor, Tensor]:
        self._check_width(batch)
        means, vars_, logits = members_batch(self.model, batch)
        means, vars_, logits = means.float(), vars_.float(), logits.float()
        m, s = self.model.target_mean, self.model.target_std
        y = (batch.targets - m) / s
        loss = means.new_zeros(())
        for k in range(means.shape[0]):  # each ensemble member on its own likelihood
            loss = loss + censored_gaussian_nll(
                (means[k] - m) / s, vars_[k] / s**2, y, batch.censor, self.hparams.beta_nll
            )
            if batch.outcome is not None and logits.shape[2] > 0:
                loss = loss + self.hparams.outcome_weight * outcome_loss(logits[k], batch.outcome)
        # the reported mean/variance are the ensemble's (mixture) prediction; censored entries
        # are left out of the regression metrics
        mean = means.mean(0)
        var = vars_.mean(0) + ((means - mean) ** 2).mean(0)
        return loss / means.shape[0], mean, var

    def training_step(self, batch: FormulationBatch, batch_idx: int) -> Tensor:
        loss, _, _ = self._loss(batch)  # checks the process width first
        self.model.observe_process(batch.process)  # the training range (extrapolation variance)
        self.log("train/loss", loss, prog_bar=True, batch_size=batch.num_formulations)
        return loss

    def _eval_step(self, batch: FormulationBatch, stage: str) -> Tensor:
        loss, mean, var = self._loss(batch)
        self.log(f"{stage}/loss", loss, prog_bar=True, batch_size=batch.num_formulations, sync_dist=True)
        y = batch.targets if batch.censor is None else batch.targets.masked_fill(batch.censor != 0, float("nan"))
        self._outputs[stage].append((mean.detach().cpu(), var.detach().cpu(), y.cpu()))
        return loss

    def validation_step(self, batch: FormulationBatch, batch_idx: int) -> Tensor:
        return self._eval_step(batch, "val")

    def test_step(self, batch: FormulationBatch, batch_idx: int) -> Tensor:
        return self._eval_step(batch, "test")

    def predict_step(self, batch: FormulationBatch, batch_idx: int) -> tuple[Tensor, Tensor]:
        return self(batch)

    def _epoch_metrics(self, stage: str) -> None:
        outputs, self._outputs[stage] = self._outputs[stage], []
        if not outputs or self.trainer.sanity_checking:
            return
        mean, var, y = _all_ranks(*(torch.cat(t).double().numpy() for t in zip(*outputs, strict=True)))
        for j, name in enumerate(self.target_names):
            metrics = regression_metrics(y[:, j], mean[:, j])
            metrics.update(calibration_metrics(y[:, j], mean[:, j], np.sqrt(var[:, j])))
            for key in (
                "mae",
                "rmse",
                "r2",
                "coverage_1sigma",
                "coverage_2sigma",
                "miscalibration_area",
            ):
                if np.isfinite(metrics[key]):
                    self.log(f"{stage}/{key}/{name}", float(metrics[key]))

    def on_validation_epoch_end(self) -> None:
        self._epoch_metrics("val")

    def on_test_epoch_end(self) -> None:
        self._epoch_metrics("test")

    def on_save_checkpoint(self, checkpoint: dict) -> None:
        """Store the exact ResistNet arguments and target description for export."""
        checkpoint["model_config"] = {
            k: list(v) if isinstance(v, tuple) else v for k, v in self.model.config.items()
        }
        datamodule = self._trainer.datamodule if self._trainer is not None else None
        transform = getattr(getattr(datamodule, "hparams", None), "transform", None) or "none"
        prefix = "log10_" if transform == "log10" else ""
        checkpoint["metadata"] = {
            "targets": [prefix + t for t in self.target_names],  # what the model outputs
            "data_targets": list(self.target_names),
            "target_transform": transform,
            "featurizer_version": FEATURIZER_VERSION,
        }
        if getattr(self.model, "num_outcomes", 0):
            checkpoint["metadata"]["outcomes"] = list(OUTCOMES)

    # ---- optimisation -------------------------------------------------------------------
    def configure_optimizers(self):
        hp = self.hparams
        optimizer = torch.optim.AdamW(self.parameters(), lr=hp.lr, weight_decay=hp.weight_decay)
        total = max(1, int(self.trainer.estimated_stepping_batches))
        warmup = max(1, int(hp.warmup_fraction * total))
        schedule = torch.optim.lr_scheduler.LambdaLR(
            optimizer, lambda step: warmup_cosine(step, total, warmup, hp.min_lr_ratio)
        )
        return {"optimizer": optimizer, "lr_scheduler": {"scheduler": schedule, "interval": "step"}}
