"""`resistml train` pass-through, the ablation configs, and the end-of-fit MLflow callback."""

from __future__ import annotations

import json
from pathlib import Path

import lightning as L
import numpy as np
import pytest
import torch
import yaml
from typer.testing import CliRunner

from resistml.cli import app
from tests.dataset_helpers import toy_dataset
from train import FormulationDataModule, ResistNetModule

CONFIGS = Path(__file__).parents[2] / "train" / "configs"
TINY = {"hidden": 16, "gnn_layers": 3, "heads": 2, "set_blocks": 1, "dropout": 0.0}


pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture(scope="module")
def data() -> Path:
    return toy_dataset(200, 0, 100)


def _without(config: dict, section: str, key: str) -> dict:
    out = json.loads(json.dumps(config))
    out[section].pop(key)
    out["trainer"].pop("default_root_dir")
    out["trainer"].pop("logger")
    out["trainer"].pop("callbacks")
    return out


ABLATIONS = [("deepsets", "pooling", "mean"), ("nophysics", "use_physics", False)]


def _merged(*names: str) -> dict:
    """The config LightningCLI resolves from small.yaml plus overlays (``--print_config``)."""
    import subprocess
    import sys

    args = [sys.executable, "-m", "train.cli", "fit", *[a for n in names for a in ("--config", str(CONFIGS / f"{n}.yaml"))],
            "--print_config"]
    done = subprocess.run(args, capture_output=True, text=True, check=True, cwd=CONFIGS.parents[1])
    return yaml.safe_load(done.stdout)


def test_ablation_configs_differ_from_small_in_one_setting():
    small = _merged("small")
    for name, key, value in ABLATIONS:
        overlay = yaml.safe_load((CONFIGS / f"{name}.yaml").read_text())
        assert set(overlay) == {"trainer", "model"} and list(overlay["model"]) == [key]  # an overlay, not a copy
        ablation = _merged("small", name)
        assert ablation["model"][key] == value != small["model"][key]
        assert _without(ablation, "model", key) == _without(small, "model", key)
        assert ablation["trainer"]["default_root_dir"] == f"runs/{name}"
        assert ablation["trainer"]["logger"]["init_args"]["run_name"] == name


@pytest.mark.parametrize(("name", "key", "value"), ABLATIONS)
def test_train_passes_overrides_through(name, key, value, data, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow.db'}")
    args = ["train", "--config", str(CONFIGS / "small.yaml"), "--config", str(CONFIGS / f"{name}.yaml"), "--data", str(data),
            "--trainer.max_epochs", "1", "--trainer.limit_train_batches", "1", "--trainer.limit_val_batches", "1",
            "--trainer.logger", "false", "--trainer.enable_progress_bar", "false",
            "--data.split", "unseen_molecules", "--model.hidden", "16"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    saved = yaml.safe_load((tmp_path / "runs" / name / "config.yaml").read_text())
    assert saved["trainer"]["max_epochs"] == 1 and saved["data"]["split"] == "unseen_molecules"
    assert saved["model"]["hidden"] == 16 and saved["model"][key] == value
    state = torch.load(tmp_path / "runs" / name / "checkpoints" / "last.ckpt", weights_only=False)
    assert state["model_config"]["hidden"] == 16 and state["model_config"][key] == value


def test_callback_logs_plots_card_and_registers_the_model(data, tmp_path, monkeypatch):
    from lightning.pytorch.callbacks import ModelCheckpoint
    from lightning.pytorch.loggers import MLFlowLogger
    from mlflow.tracking import MlflowClient

    from resistml.evaluation.evaluate import evaluate
    from train.callbacks import EvaluateAndRegister

    monkeypatch.chdir(tmp_path)
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    L.seed_everything(0)
    logger = MLFlowLogger(experiment_name="t", tracking_uri=uri)
    callback = EvaluateAndRegister(registered_model_name="resistnet-test")
    checkpoint = ModelCheckpoint(dirpath=tmp_path / "ckpt", monitor="val/loss", filename="best-{epoch}")
    trainer = L.Trainer(accelerator="cpu", max_epochs=2, limit_train_batches=2, logger=logger,
                        callbacks=[checkpoint, callback], enable_progress_bar=False,
                        enable_model_summary=False, default_root_dir=tmp_path)
    trainer.fit(ResistNetModule(**TINY), datamodule=FormulationDataModule(dataset=str(data), batch_size=32))

    client = MlflowClient(uri)
    run = client.get_run(logger.run_id)
    card = json.loads((data / "card.json").read_text())
    assert run.data.params["data_hash"] == f"sha256:{card['content_hash']}"
    assert run.data.params["registered_model_version"] == "1"
    assert run.data.tags["registered_model"] == "resistnet-test:1"
    # the callback scores the best checkpoint exactly as `resistml evaluate` does
    again = evaluate(checkpoint.best_model_path, data, "random", "test")
    best = run.data.metrics["best/test/mae/log10_sensitivity"]
    assert best == pytest.approx(again.metrics["log10_sensitivity"]["mae"], rel=1e-5)
    assert "best/val/coverage_1sigma/log10_gel_dose" in run.data.metrics
    # ... with the sigma scaling fitted on the val part applied to the test sigmas
    from resistml.evaluation.metrics import coverage

    scale = callback._model.variance_scale.sqrt().double().numpy()
    assert not np.allclose(scale, 1.0)
    expected = coverage(again.y_true[:, 0], again.mean[:, 0], again.sigma[:, 0] * scale[0], 1.0)
    assert run.data.metrics["best/test/coverage_1sigma/log10_sensitivity"] == pytest.approx(expected)
    plots = [f.path for f in client.list_artifacts(run.info.run_id, "plots")]
    assert len(plots) == 20 and "plots/random_val_calibration_log10_ler_nm.png" in plots
    assert [f.path for f in client.list_artifacts(run.info.run_id, "dataset")] == ["dataset/card.json"]
    version = client.get_model_version("resistnet-test", "1")
    assert version.run_id == run.info.run_id
    assert version.source == f"runs:/{run.info.run_id}/model" and version.status == "READY"
    meta = json.loads(Path(client.download_artifacts(run.info.run_id, "model/artifacts/model/metadata.json",
                                                     str(tmp_path))).read_text())
    assert meta["model_name"] == "resistnet-test" and meta["model_version"] == "1"
    assert meta["data_hash"] == run.data.params["data_hash"] and meta["targets"][0] == "log10_sensitivity"
    assert meta["calibration"]["part"] == "val"
    assert meta["calibration"]["sigma_scale"]["log10_sensitivity"] == pytest.approx(float(scale[0]), rel=1e-6)
    # the dataset is the run's input (digest: the card's content hash); params carry no CLI noise
    [given] = run.inputs.dataset_inputs
    assert card["content_hash"].startswith(given.dataset.digest)
    # an MLflow model: the registered version loads with pyfunc and has a table-form signature
    import mlflow

    mlflow.set_tracking_uri(uri)
    model = mlflow.pyfunc.load_model("models:/resistnet-test/1")
    assert "resin_parts" in model.metadata.signature.inputs.input_names()
    assert model.metadata.metadata["resistml"]["model_version"] == "1"
