"""End to end: `resistml train` on a generated dataset, then resume from its last checkpoint."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.mark.slow
def test_train_cli_end_to_end_and_resume_last(tmp_path, monkeypatch):
    """`resistml train` on a generated (toy-labelled) dataset, then resume from 'last'."""
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
    assert (tmp_path / "runs" / "small" / "config.yaml").is_file()
