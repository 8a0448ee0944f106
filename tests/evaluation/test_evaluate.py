"""Evaluation harness and `resistml evaluate`: metrics, JSON, plots, MLflow, errors, GBM baseline."""

from __future__ import annotations

import json
from pathlib import Path

import lightning as L
import numpy as np
import pytest
import torch
from typer.testing import CliRunner

from resistml.cli import app
from resistml.datasets.splits import load_split
from resistml.evaluation.evaluate import (
    EvaluationError,
    LoadedModel,
    data_column,
    evaluate,
    load_part,
    markdown_table,
    score,
)
from tests.dataset_helpers import toy_dataset
from train import FormulationDataModule, ResistNetModule

TINY = {"hidden": 16, "gnn_layers": 3, "heads": 2, "set_blocks": 1, "dropout": 0.0}
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def data() -> Path:
    return toy_dataset(200, 0, 100)


@pytest.fixture(scope="module")
def checkpoint(data, tmp_path_factory) -> Path:
    """A ResistNet trained for one fast_dev_run step on the toy dataset (log10 targets)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    L.seed_everything(0)
    dm = FormulationDataModule(dataset=str(data), split="random", batch_size=32)
    trainer = L.Trainer(accelerator="cpu", fast_dev_run=True, logger=False, enable_progress_bar=False,
                        enable_model_summary=False, default_root_dir=tmp_path_factory.mktemp("fit"))
    trainer.fit(ResistNetModule(**TINY), datamodule=dm)
    path = tmp_path_factory.mktemp("ckpt") / "tiny.ckpt"
    trainer.save_checkpoint(path)
    torch.set_num_threads(threads)
    return path


def _invoke(*args: str):
    return CliRunner().invoke(app, ["evaluate", *args])


def test_output_names_map_to_dataset_columns():
    assert data_column("log10_sensitivity") == ("sensitivity", True)
    assert data_column("log10_resolution") == ("resolution_nm", True)
    assert data_column("log10_resolution_nm") == ("resolution_nm", True)
    assert data_column("contrast") == ("contrast", False)
    with pytest.raises(EvaluationError, match="bogus"):
        data_column("log10_bogus")


def test_score_of_exact_and_known_errors():
    y = np.array([[1.0, 2.0], [2.0, 4.0], [3.0, 5.0]])
    exact = score(["log10_sensitivity", "contrast"], y, y.copy(), np.full_like(y, 0.1))
    assert exact.metrics["log10_sensitivity"]["mae"] == 0 and exact.metrics["contrast"]["r2"] == 1
    assert exact.metrics["log10_sensitivity"]["coverage_1sigma"] == 1
    off = score(["log10_sensitivity", "contrast"], y, y * [1, 1.1] + [0.1, 0], None)
    # +0.1 decade is a factor 10^0.1 = 1.259 (25.9 %); a linear target 10 % high is 10 %
    assert off.metrics["log10_sensitivity"]["median_ape_pct"] == pytest.approx(25.89, abs=0.01)
    assert off.metrics["contrast"]["median_ape_pct"] == pytest.approx(10.0)
    assert np.isnan(off.metrics["contrast"]["coverage_1sigma"])
    table = markdown_table([{"a": 1.23456, "b": float("nan")}], ["a", "b"])
    assert table.splitlines()[2] == "| 1.235 | - |"


def test_harness_matches_the_stored_split(data):
    part = load_part(data, "random", "test")
    assert set(part.row_ids) <= set(load_split(data, "random")["test"].tolist()) and len(part.row_ids) > 5
    y = part.targets(["log10_sensitivity"])
    assert np.allclose(10 ** y[:, 0], part.columns["sensitivity"])
    truth = LoadedModel(["log10_sensitivity"], lambda f: (part.targets(["log10_sensitivity"]), np.full((len(f), 1), 0.1)),
                        {}, "oracle")
    result = evaluate(truth, data, "random", "test")
    assert result.metrics["log10_sensitivity"]["rmse"] == 0 and result.info["n"] == len(part.row_ids)


def test_evaluate_cli_json_and_plots(data, checkpoint, tmp_path):
    result = _invoke("--model", str(checkpoint), "--data", str(data), "--split", "random", "--json",
                     "--plots", str(tmp_path / "plots"))
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["split"] == "random" and doc["part"] == "test" and doc["model_kind"] == "checkpoint"
    assert doc["n"] == len(load_part(data, "random", "test").row_ids)
    assert doc["data_hash"].startswith("sha256:")
    assert list(doc["targets"]) == ["log10_sensitivity", "log10_gel_dose", "log10_resolution_nm",
                                    "log10_contrast", "log10_ler_nm"]
    for metrics in doc["targets"].values():
        assert metrics["mae"] >= 0 and 0 <= metrics["coverage_1sigma"] <= metrics["coverage_2sigma"] <= 1
        assert 0 <= metrics["miscalibration_area"] <= 0.5
    assert len(doc["plots"]) == 10
    assert all(Path(p).read_bytes()[:8] == PNG for p in doc["plots"])
    table = _invoke("--model", str(checkpoint), "--data", str(data), "--split", "random", "--part", "val")
    assert table.exit_code == 0 and "| log10_sensitivity |" in table.stdout


def test_exported_artifact_scores_like_its_checkpoint(data, checkpoint, tmp_path):
    from resistml.inference.checkpoint import load_checkpoint
    from resistml.inference.export import export_model

    model, meta = load_checkpoint(checkpoint)
    art = export_model(model, {**meta, "model_name": "t", "model_version": "1"}, tmp_path / "art",
                       formats=("torchscript",))
    a = evaluate(art, data, "random", "val")
    b = evaluate(checkpoint, data, "random", "val")
    assert a.info["model_kind"] == "artifact" and a.names == b.names
    assert np.allclose(a.mean, b.mean, atol=1e-4) and np.allclose(a.sigma, b.sigma, rtol=1e-3)


def test_evaluate_cli_errors_are_one_line_exit_2(data, checkpoint, tmp_path):
    cases = [
        (["--model", str(tmp_path / "none"), "--data", str(data)], "--model"),
        (["--model", str(checkpoint), "--data", str(tmp_path)], "--data"),
        (["--model", str(checkpoint), "--data", str(data), "--split", "nope"], "available: beam_energy"),
        (["--model", str(checkpoint), "--data", str(data), "--part", "dev"], "part"),
    ]
    (tmp_path / "junk.ckpt").write_bytes(b"not a checkpoint")
    cases.append((["--model", str(tmp_path / "junk.ckpt"), "--data", str(data)], "cannot read checkpoint"))
    for args, needle in cases:
        result = _invoke(*args)
        assert result.exit_code == 2, (args, result.output)
        assert needle in result.stderr and "Traceback" not in result.output
        assert len(result.stderr.strip().splitlines()) == 1


def test_evaluate_cli_logs_an_mlflow_run(data, checkpoint, tmp_path, monkeypatch):
    from mlflow.tracking import MlflowClient

    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    result = _invoke("--model", str(checkpoint), "--data", str(data), "--split", "random", "--json", "--mlflow")
    assert result.exit_code == 0, result.output
    run = MlflowClient(uri).get_run(json.loads(result.stdout)["mlflow_run_id"])
    assert run.data.params["split"] == "random" and run.data.params["part"] == "test"
    assert run.data.params["data_hash"].startswith("sha256:")
    assert {"test/mae/log10_sensitivity", "test/coverage_2sigma/log10_gel_dose"} <= set(run.data.metrics)
    files = {f.path for d in ("plots", "dataset") for f in MlflowClient(uri).list_artifacts(run.info.run_id, d)}
    assert "plots/random_test_parity_log10_sensitivity.png" in files and "dataset/card.json" in files


def test_gbm_baseline_on_a_split(data):
    from resistml.evaluation.baselines import gbm_baseline

    result = gbm_baseline(data, "random", n_estimators=80, num_leaves=8)
    m = result.metrics["log10_sensitivity"]
    assert result.info["n"] == len(load_part(data, "random", "test").row_ids)
    # the toy dose is 20 E / 50 / parts(generator): fingerprints + amounts + energy must beat the mean
    y = result.y_true[:, 0]
    assert m["mae"] < 0.5 * np.mean(np.abs(y - np.mean(y))) and m["r2"] > 0.7
    assert np.isnan(m["coverage_1sigma"])
