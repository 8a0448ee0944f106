"""Training on every status: censored resolution, outcome cross-entropy, ensemble checkpoints."""

from __future__ import annotations

import lightning as L
import pytest
import torch

from resistml.inference.checkpoint import load_checkpoint
from resistml.model import ResistEnsemble
from resistml.targets import OUTCOMES
from tests.datasets.test_labels import status_dataset
from train import FormulationDataModule, ResistNetModule

pytestmark = pytest.mark.usefixtures("one_thread")

TINY = {"hidden": 16, "gnn_layers": 1, "heads": 2, "set_blocks": 1, "dropout": 0.0}


def test_module_trains_members_on_all_rows_and_its_checkpoint_loads(tmp_path):
    dm = FormulationDataModule(dataset=str(status_dataset()), split="random", batch_size=16)
    module = ResistNetModule(members=3, **TINY)
    trainer = L.Trainer(accelerator="cpu", logger=False, enable_progress_bar=False, enable_model_summary=False,
                        default_root_dir=tmp_path, max_epochs=1, limit_train_batches=3, limit_val_batches=1)
    trainer.fit(module, datamodule=dm)
    batch = next(iter(dm.train_dataloader()))
    assert batch.outcome is not None and (batch.outcome >= 0).all() and batch.censor.shape == batch.targets.shape
    loss, mean, var = module._loss(batch)
    assert torch.isfinite(loss) and torch.isfinite(mean).all() and (var > 0).all()
    # the recorded training range and the std stats ignore censored bounds
    assert torch.isfinite(module.model.members[0].process_low).all()
    path = tmp_path / "ensemble.ckpt"
    trainer.save_checkpoint(path)
    model, meta = load_checkpoint(path)
    assert isinstance(model, ResistEnsemble) and model.num_members == 3
    assert meta["outcomes"] == list(OUTCOMES)


def test_outcome_head_can_be_switched_off():
    module = ResistNetModule(outcomes=False, **TINY)
    assert module.model.num_outcomes == 0


def test_ensemble_overlay_parses_with_the_cli(tmp_path, monkeypatch):
    from pathlib import Path

    from train.cli import main

    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow.db'}")
    configs = Path(__file__).parents[2] / "train" / "configs"
    cli = main(["--config", str(configs / "small.yaml"), "--config", str(configs / "ensemble.yaml"),
                "--data.dataset", str(tmp_path)], run=False)
    assert isinstance(cli.model.model, ResistEnsemble) and cli.model.model.num_members == 3
    assert cli.model.model.num_outcomes == len(OUTCOMES)
