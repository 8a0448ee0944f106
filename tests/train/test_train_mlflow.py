"""A `resistml train` run in MLflow: clean params, the dataset as input, system metrics, plots, a loadable model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from resistml.cli import app
from tests.dataset_helpers import toy_dataset

CONFIGS = Path(__file__).parents[2] / "train" / "configs"
pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.mark.slow
def test_train_run_has_clean_params_dataset_input_and_a_pyfunc_model(tmp_path, monkeypatch):
    import mlflow
    from mlflow.tracking import MlflowClient

    data = toy_dataset(200, 0, 100)
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    monkeypatch.setenv("RESISTML_SYSTEM_METRICS_INTERVAL_S", "0.5")  # a sample even when the fit is quick
    args = ["train", "--config", str(CONFIGS / "small.yaml"), "--data", str(data), "--trainer.max_epochs", "1",
            "--trainer.limit_train_batches", "2", "--trainer.enable_progress_bar", "false",
            "--model.hidden", "16", "--model.gnn_layers", "2", "--model.heads", "2", "--model.set_blocks", "1"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    client = MlflowClient(uri)
    [run] = client.search_runs([client.get_experiment_by_name("resistml").experiment_id])
    params = run.data.params
    assert params["hidden"] == "16" and not [k for k in params if k.startswith("_") or "/_" in k]
    card = json.loads((data / "card.json").read_text())
    [given] = run.inputs.dataset_inputs
    assert card["content_hash"].startswith(given.dataset.digest) and params["data_hash"].endswith(card["content_hash"])
    assert [k for k in run.data.metrics if k.startswith("system/")]  # MLflow system metrics
    assert [f.path for f in client.list_artifacts(run.info.run_id, "plots")]
    mlflow.set_tracking_uri(uri)
    model = mlflow.pyfunc.load_model("models:/resistnet/1")
    assert model.metadata.metadata["resistml"]["model_version"] == "1"
