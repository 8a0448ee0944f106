"""End to end: `resistml train` on a generated dataset, then resume from its last checkpoint.

The killed-and-re-run case (SIGTERM, SIGKILL, exact weights) is in test_train_resume.py.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import torch
import yaml

pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.mark.slow
def test_train_cli_end_to_end_and_resume_last(tmp_path, monkeypatch, caplog):
    """`resistml train` on a generated (toy-labelled) dataset, then resume from 'last' to train on:
    the same checkpoint file and MLflow run; the same command again is complete (trains nothing)."""
    from mlflow.tracking import MlflowClient
    from typer.testing import CliRunner

    from resistml.cli import app
    from resistml.datasets.generate import GenerateConfig, generate
    from tests.dataset_helpers import TOY_LABELLER

    data = tmp_path / "data"
    generate(
        data,
        GenerateConfig(n=80, seed=0, shard_size=40),
        workers=0,
        labeller=TOY_LABELLER,
        progress=False,
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow.db'}")
    config = Path(__file__).parents[2] / "train" / "configs" / "small.yaml"
    common = [
        "train",
        "--config",
        str(config),
        "--data",
        str(data),
        "--trainer.enable_progress_bar",
        "false",
    ]
    runner = CliRunner()
    first = runner.invoke(app, [*common, "--trainer.max_epochs", "1"])
    assert first.exit_code == 0, first.output
    last = tmp_path / "runs" / "small" / "checkpoints" / "last.ckpt"
    state = torch.load(last, weights_only=False)
    assert state["epoch"] == 0 and state["global_step"] > 0
    steps_per_epoch = state["global_step"]
    second = runner.invoke(app, [*common, "--trainer.max_epochs", "2", "--ckpt-path", "last"])
    assert second.exit_code == 0, second.output
    state = torch.load(last, weights_only=False)
    assert state["epoch"] == 1 and state["global_step"] == 2 * steps_per_epoch
    # the dataset's targets are log10-transformed; the checkpoint names the model outputs so
    assert state["metadata"]["targets"][0] == "log10_sensitivity"
    saved = yaml.safe_load((tmp_path / "runs" / "small" / "config.yaml").read_text())
    assert saved["ckpt_path"] == "last" and not saved["trainer"]["logger"]["init_args"].get("run_id")  # as given
    assert sorted(p.name for p in last.parent.glob("last*.ckpt")) == ["last.ckpt"]
    client = MlflowClient(f"sqlite:///{tmp_path / 'mlflow.db'}")
    (run,) = client.search_runs(["1"])  # one run, both epochs in it
    assert run.info.status == "FINISHED" and run.data.tags["resistml.resume_count"] == "1"
    # trained on past its end: a second model version, named by the tag (params cannot change)
    assert run.data.params["registered_model_version"] == "1" and run.data.tags["registered_model"] == "resistnet:2"
    assert len(client.get_metric_history(run.info.run_id, "val/loss")) == 2
    with caplog.at_level(logging.INFO):
        third = runner.invoke(app, [*common, "--trainer.max_epochs", "2"])
    assert third.exit_code == 0, third.output
    assert "is complete (2 epochs" in caplog.text and "nothing to do" in caplog.text
    assert torch.load(last, weights_only=False)["global_step"] == 2 * steps_per_epoch
    assert len(client.search_runs(["1"])) == 1
