"""Exact resume (RNG, sampler position, loop state) and the resume plan of `resistml train`."""

from __future__ import annotations

import json
import os

import lightning as L
import pytest
import torch
from lightning.pytorch.callbacks import EarlyStopping, ModelCheckpoint

from tests.train.test_train import NAMES, TINY, _data
from train import ResistNetModule
from train import resume as R
from train.callbacks import ResumableCheckpoint
from train.datamodule import EpochShuffleSampler, ResumableLoader

pytestmark = pytest.mark.usefixtures("one_thread")

DROPOUT = {**TINY, "dropout": 0.1}  # dropout draws from the global RNG: a resume must restore it


class _Crash(L.Callback):
    """Dies at a batch of an epoch, like a killed job (after the checkpoints written so far)."""

    def __init__(self, epoch: int, batch: int):
        self.epoch, self.batch = epoch, batch

    def on_train_batch_start(self, trainer, module, batch, batch_idx) -> None:
        if trainer.current_epoch == self.epoch and batch_idx == self.batch:
            raise RuntimeError("killed")


def _fit(root, *, every_n_train_steps=None, crash=None, ckpt_path=None, resume_state=True, max_epochs=2):
    L.seed_everything(0)
    module = ResistNetModule(targets=NAMES, **DROPOUT)
    every = {"every_n_train_steps": every_n_train_steps} if every_n_train_steps else {"monitor": "val/loss"}
    callbacks = [ResumableCheckpoint(dirpath=root / "ckpt", save_last=True, **every),
                 EarlyStopping(monitor="val/loss", patience=3)]
    callbacks += [R.ResumeState()] if resume_state else []
    callbacks += [_Crash(*crash)] if crash else []
    trainer = L.Trainer(accelerator="cpu", logger=False, enable_progress_bar=False, enable_model_summary=False,
                        default_root_dir=root, max_epochs=max_epochs, callbacks=callbacks, deterministic=True)
    try:
        trainer.fit(module, datamodule=_data(16, seed=2, batch_size=4), ckpt_path=ckpt_path)
    except RuntimeError as exc:
        assert str(exc) == "killed"
    return module, trainer


def _same(a: torch.nn.Module, b: torch.nn.Module) -> bool:
    return all(torch.equal(p, q) for p, q in zip(a.state_dict().values(), b.state_dict().values(), strict=True))


@pytest.mark.parametrize("every_n_train_steps", [None, 1], ids=["end_of_epoch_checkpoint", "mid_epoch_checkpoint"])
def test_killed_then_resumed_run_ends_with_the_weights_of_an_unbroken_run(tmp_path, every_n_train_steps):
    """2 epochs of 3 batches, dropout 0.1: killed at batch 1 of epoch 1, resumed from last.ckpt."""
    unbroken, done = _fit(tmp_path / "a")
    _, killed = _fit(tmp_path / "b", every_n_train_steps=every_n_train_steps, crash=(1, 1))
    assert killed.global_step == 4  # died in the 2nd batch of epoch 1
    saved = torch.load(tmp_path / "b" / "ckpt" / "last.ckpt", weights_only=True)  # RNG states load safely
    assert saved["global_step"] == (4 if every_n_train_steps else 3)
    resumed, trainer = _fit(tmp_path / "b", every_n_train_steps=every_n_train_steps,
                            ckpt_path=str(tmp_path / "b" / "ckpt" / "last.ckpt"))
    assert (trainer.current_epoch, trainer.global_step) == (done.current_epoch, done.global_step) == (2, 6)
    assert _same(unbroken, resumed)
    assert trainer.callback_metrics["val/loss"] == done.callback_metrics["val/loss"]
    stop, stop_done = trainer.early_stopping_callback, done.early_stopping_callback  # restored, not reset
    assert (stop.wait_count, stop.best_score) == (stop_done.wait_count, stop_done.best_score)
    assert trainer.lr_scheduler_configs[0].scheduler.state_dict() == done.lr_scheduler_configs[0].scheduler.state_dict()
    assert not (tmp_path / "b" / "ckpt" / "last-v1.ckpt").exists()
    final = torch.load(tmp_path / "b" / "ckpt" / "last.ckpt", weights_only=True)
    assert (final["epoch"], final["global_step"]) == (1, 6)
    for name, value in unbroken.state_dict().items():
        assert torch.equal(final["state_dict"][name], value), name


@pytest.mark.parametrize(("cls", "last_epoch"), [(ModelCheckpoint, 0), (ResumableCheckpoint, 2)])
def test_last_checkpoint_follows_every_epoch_not_only_improvements(tmp_path, cls, last_epoch):
    """lr 0: val/loss never improves after epoch 0. Lightning's last.ckpt stays there; ours follows."""
    module = ResistNetModule(targets=NAMES, lr=0.0, **TINY)
    trainer = L.Trainer(accelerator="cpu", logger=False, enable_progress_bar=False, enable_model_summary=False,
                        default_root_dir=tmp_path, max_epochs=3, limit_train_batches=1,
                        callbacks=[cls(dirpath=tmp_path / "ckpt", monitor="val/loss", save_last=True)])
    trainer.fit(module, datamodule=_data(8, seed=2, batch_size=4))
    assert torch.load(tmp_path / "ckpt" / "last.ckpt", weights_only=True)["epoch"] == last_epoch


def test_without_the_rng_state_the_resume_is_not_exact(tmp_path):
    """The control: the comparison above can fail (dropout masks differ when the RNG is not restored)."""
    unbroken, _ = _fit(tmp_path / "a", resume_state=False)
    _fit(tmp_path / "b", crash=(1, 1), resume_state=False)
    resumed, _ = _fit(tmp_path / "b", ckpt_path=str(tmp_path / "b" / "ckpt" / "last.ckpt"), resume_state=False)
    assert not _same(unbroken, resumed)


def test_sampler_skip_and_loader_position():
    sampler = EpochShuffleSampler(10, seed=3)
    sampler.set_epoch(2)
    order = list(sampler)
    sampler.skip(4)
    assert list(sampler) == order[4:] and list(sampler) == order  # the skip applies to one pass
    loader = ResumableLoader(list(range(10)), batch_size=2, sampler=EpochShuffleSampler(10, seed=3))
    batches = iter(loader)
    next(batches), next(batches)
    assert loader.state_dict() == {"batches": 2}
    assert loader.resume_at(2)
    again = iter(loader)
    next(again)
    assert loader.state_dict() == {"batches": 3}  # counts the skipped batches too


def test_rng_state_round_trip():
    import random

    import numpy as np

    state = R.rng_state()
    first = (random.random(), np.random.rand(), torch.rand(1))
    R.set_rng_state(state)
    assert (random.random(), np.random.rand()) == first[:2] and torch.equal(torch.rand(1), first[2])


# ---- the plan for re-running a command ---------------------------------------------------------
def _checkpoint(path, run_id="abc", hidden=16, epoch=0, step=3):
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"epoch": epoch, "global_step": step, "hyper_parameters": {"hidden": hidden, "pooling": "attention"},
                "callbacks": {"ResumeState": {"mlflow_run_id": run_id, "rng": None}}}, path)
    return path


def test_plan_fresh_resume_complete_and_extend(tmp_path):
    ckpt = tmp_path / "ckpt"
    assert R.plan(ckpt, None, 2, None) == R.Plan()  # nothing there: train from scratch
    plan = R.plan(ckpt, "last", 2, None)
    assert plan.ckpt_path is None and "no last*.ckpt" in plan.messages[0]
    _checkpoint(ckpt / "last.ckpt")
    plan = R.plan(ckpt, None, 2, None, {"hidden": 16})
    assert plan.ckpt_path == str(ckpt / "last.ckpt") and plan.complete is None
    assert plan.messages == [f"Resuming from {ckpt / 'last.ckpt'} (saved in epoch 0, global step 3)"]
    assert R.plan(ckpt, "last", 2, None).ckpt_path == str(ckpt / "last.ckpt")
    R.write_state(ckpt, status="finished", max_epochs=2, epochs=2, global_step=6)
    done = R.plan(ckpt, None, 2, None)
    assert done.ckpt_path is None and "is complete (2 epochs, global step 6" in done.complete
    assert R.plan(ckpt, None, 3, None).ckpt_path == str(ckpt / "last.ckpt")  # train on to 3 epochs


def test_plan_refuses_another_architecture_a_broken_checkpoint_and_a_live_process(tmp_path):
    ckpt = _checkpoint(tmp_path / "ckpt" / "last.ckpt", hidden=16)
    with pytest.raises(ValueError, match=r"--model.hidden 32 \(checkpoint: 16\)"):
        R.plan(ckpt.parent, None, 2, None, {"hidden": 32, "pooling": "attention"})
    ckpt.write_bytes(ckpt.read_bytes()[:100])  # a checkpoint cut short by a kill
    with pytest.raises(ValueError, match="last.ckpt.*cannot be read"):
        R.plan(ckpt.parent, None, 2, None)
    R.write_state(ckpt.parent, status="running", pid=os.getppid(), host=__import__("socket").gethostname())
    with pytest.raises(ValueError, match="another training process"):
        R.plan(ckpt.parent, None, 2, None)
    with pytest.raises(ValueError, match="cannot be read"):  # other DDP ranks start while rank 0 trains
        R.plan(ckpt.parent, None, 2, None, rank_zero=False)


def test_plan_marks_the_run_of_a_dead_process_killed_and_resumes_into_the_checkpoints_run(tmp_path):
    from mlflow.tracking import MlflowClient

    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    client = MlflowClient(uri)
    experiment = client.create_experiment("t")
    resumed, orphan = (client.create_run(experiment).info.run_id for _ in range(2))
    ckpt = _checkpoint(tmp_path / "ckpt" / "last.ckpt", run_id=resumed).parent
    # the process that wrote the state file died (SIGKILL) after creating a run but before a checkpoint
    R.write_state(ckpt, status="running", run_id=orphan, tracking_uri=uri, pid=2**22 + 1, host="elsewhere")
    plan = R.plan(ckpt, None, 2, uri)
    assert plan.run_id == resumed and plan.messages[0].endswith(f"into MLflow run {resumed}")
    assert client.get_run(orphan).info.status == "KILLED"
    assert "found RUNNING on re-run" in client.get_run(orphan).data.tags[R.TAG_KILLED]
    assert client.get_run(resumed).info.status == "RUNNING"  # resumed into, not killed
    gone = R.plan(ckpt, None, 2, f"sqlite:///{tmp_path / 'other.db'}")
    assert gone.run_id is None and "logging to a new run" in gone.messages[-1]
    assert json.loads((ckpt / R.STATE_FILE).read_text())["run_id"] == orphan


# ---- through `resistml train` (no training: the plan decides before any data is read) -------------
def _train_cli(tmp_path, monkeypatch, *extra):
    from pathlib import Path

    from typer.testing import CliRunner

    from resistml.cli import app

    monkeypatch.chdir(tmp_path)
    (tmp_path / "data" / "shards").mkdir(parents=True, exist_ok=True)
    config = Path(__file__).parents[2] / "train" / "configs" / "small.yaml"
    args = ["train", "--config", str(config), "--data", str(tmp_path / "data"), "--trainer.logger", "false",
            "--trainer.max_epochs", "2", *extra]
    return CliRunner().invoke(app, args)


def test_train_cli_says_a_finished_run_is_complete_and_refuses_another_architecture(tmp_path, monkeypatch, caplog):
    import logging

    ckpt = tmp_path / "runs" / "small" / "checkpoints"
    _checkpoint(ckpt / "last.ckpt", hidden=64)
    R.write_state(ckpt, status="finished", max_epochs=2, epochs=2, global_step=6)
    with caplog.at_level(logging.INFO):
        result = _train_cli(tmp_path, monkeypatch)
    assert result.exit_code == 0, result.output
    assert "is complete (2 epochs, global step 6, max_epochs 2); nothing to do" in caplog.text
    assert not (tmp_path / "runs" / "small" / "evaluation").exists()  # nothing trained or evaluated
    result = _train_cli(tmp_path, monkeypatch, "--trainer.max_epochs", "3", "--model.hidden", "32")
    assert result.exit_code == 2
    assert "error: checkpoint runs/small/checkpoints/last.ckpt has another architecture: --model.hidden 32 " \
           "(checkpoint: 64)" in result.output and "Traceback" not in result.output
