"""`resistml train` killed (SIGTERM, then SIGKILL) and re-run: exact resume into one MLflow run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).parents[2]
CONFIG = ROOT / "train" / "configs" / "small.yaml"


def _kill_at(epoch: int, signal: str) -> str:
    spec = {"class_path": "tests.integration.train_killers.KillAt",
            "init_args": {"epoch": epoch, "batch": 1, "signal": signal}}
    return "--trainer.callbacks+=" + json.dumps(spec)


@pytest.mark.slow
def test_killed_training_resumes_exactly_into_the_same_mlflow_run(tmp_path):
    """3 epochs of 4 batches (dropout 0.05): SIGTERM in epoch 1, SIGKILL in epoch 2, then the same command."""
    from mlflow.tracking import MlflowClient

    from resistml.datasets.generate import GenerateConfig, generate
    from tests.dataset_helpers import TOY_LABELLER

    data = tmp_path / "data"
    generate(data, GenerateConfig(n=80, seed=0, shard_size=40), workers=0, labeller=TOY_LABELLER, progress=False)
    command = [sys.executable, "-m", "resistml", "train", "--config", str(CONFIG), "--data", str(data),
               "--trainer.enable_progress_bar", "false", "--trainer.max_epochs", "3",
               "--model.hidden", "16", "--data.batch_size", "16"]

    def train(where: str, *extra: str) -> subprocess.CompletedProcess:
        cwd = tmp_path / where
        cwd.mkdir(exist_ok=True)
        env = {**os.environ, "PYTHONPATH": str(ROOT), "MLFLOW_TRACKING_URI": f"sqlite:///{cwd / 'mlflow.db'}"}
        return subprocess.run([*command, *extra], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)

    unbroken = train("a")
    assert unbroken.returncode == 0, unbroken.stderr[-3000:]

    client = MlflowClient(f"sqlite:///{tmp_path / 'b' / 'mlflow.db'}")
    ckpt_dir = tmp_path / "b" / "runs" / "small" / "checkpoints"
    term = train("b", _kill_at(1, "SIGTERM"))
    assert term.returncode == 143, term.stderr[-3000:]
    assert "training stopped by SIGTERM at epoch 1" in term.stderr and "marked KILLED" in term.stderr
    (run,) = client.search_runs(["1"])
    assert run.info.status == "KILLED"
    assert json.loads((ckpt_dir / "train_state.json").read_text())["status"] == "killed"

    kill = train("b", _kill_at(2, "SIGKILL"))
    assert kill.returncode == -9
    assert client.get_run(run.info.run_id).info.status == "RUNNING"  # the process could not say anything

    again = train("b")
    assert again.returncode == 0, again.stderr[-3000:]
    lines = [line for line in again.stderr.splitlines() if line.startswith("Resuming from")]
    assert lines == [f"Resuming from {Path('runs/small/checkpoints/last.ckpt')} (saved in epoch 1, global step 8) "
                     f"into MLflow run {run.info.run_id}"]
    assert sorted(p.name for p in ckpt_dir.glob("last*.ckpt")) == ["last.ckpt"]  # no last-v1.ckpt

    # exact: the weights of the uninterrupted run
    a = torch.load(tmp_path / "a" / "runs" / "small" / "checkpoints" / "last.ckpt", weights_only=False)
    b = torch.load(ckpt_dir / "last.ckpt", weights_only=False)
    assert (a["epoch"], a["global_step"]) == (b["epoch"], b["global_step"]) == (2, 12)
    for name, value in a["state_dict"].items():
        assert torch.equal(value, b["state_dict"][name]), name

    # one MLflow run, finished, with the whole history
    (after,) = client.search_runs(["1"])
    assert after.info.run_id == run.info.run_id and after.info.status == "FINISHED"
    assert after.data.tags["resistml.resume_count"] == "2"
    history = client.get_metric_history(run.info.run_id, "val/loss")
    assert sorted({m.step for m in history}) == [3, 7, 11]
    unbroken_run = MlflowClient(f"sqlite:///{tmp_path / 'a' / 'mlflow.db'}").search_runs(["1"])[0]
    assert after.data.metrics["val/loss"] == pytest.approx(unbroken_run.data.metrics["val/loss"], rel=1e-6)

    # the same command once more: complete, nothing trained, no new run or model version
    done = train("b")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "is complete (3 epochs, global step 12, max_epochs 3); nothing to do" in done.stderr
    assert [r.info.run_id for r in client.search_runs(["1"])] == [run.info.run_id]
    assert [str(v.version) for v in client.search_model_versions("name='resistnet'")] == ["1"]
