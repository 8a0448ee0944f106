"""Sigma-scaling recalibration: recovers a known mis-scaling, lives in the model, travels in exports."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from typer.testing import CliRunner

from resistml.cli import app
from resistml.evaluation.metrics import coverage
from resistml.evaluation.recalibration import fit_sigma_scale
from resistml.inference.export import check_parity, verify_artifact
from resistml.model import predict_batch
from tests.serving_fixtures import tiny_model


def _gaussian(n: int = 4000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    mean = rng.normal(size=(n, 2))
    return mean + rng.normal(size=(n, 2)) * np.array([1.0, 0.5]), mean


def test_scale_undoes_a_known_over_and_under_statement():
    y, mean = _gaussian()
    sigma = np.ones_like(mean) * np.array([2.0, 0.25])  # true sigmas are 1.0 and 0.5
    factors = fit_sigma_scale(y, mean, sigma)
    assert factors == pytest.approx([0.5, 2.0], rel=0.05)
    assert coverage(y[:, 0], mean[:, 0], factors[0] * sigma[:, 0], 1.0) == pytest.approx(0.683, abs=0.02)


def test_calibrated_sigmas_are_left_alone_and_thin_or_nan_targets_unscaled():
    y, mean = _gaussian()
    sigma = np.ones_like(mean) * np.array([1.0, 0.5])
    assert fit_sigma_scale(y, mean, sigma) == pytest.approx([1.0, 1.0], abs=0.05)
    y[5:, 1] = np.nan  # only five finite rows in target 1
    assert fit_sigma_scale(y, mean, 3 * sigma)[1] == 1.0


def test_variance_scale_multiplies_the_variance_and_scripts():
    from resistml.inference.export import example_batch

    model = tiny_model().eval()
    fb = example_batch(n=4)
    with torch.no_grad():
        mean0, var0 = predict_batch(model, fb)
        model.set_variance_scale(torch.tensor([0.25, 1.0, 4.0, 1.0, 1.0]))
        mean1, var1 = predict_batch(model, fb)
        scripted = torch.jit.script(model)
        _, var_ts = predict_batch(scripted, fb)
    assert torch.equal(mean0, mean1)
    assert torch.allclose(var1, var0 * torch.tensor([0.25, 1.0, 4.0, 1.0, 1.0]))
    assert torch.allclose(var_ts, var1)


def test_state_dicts_without_the_scale_load_uncalibrated():
    model = tiny_model()
    state = {k: v for k, v in model.state_dict().items() if k != "variance_scale"}
    fresh = tiny_model(seed=1)
    fresh.set_variance_scale(torch.full((5,), 3.0))
    fresh.load_state_dict(state)
    assert torch.equal(fresh.variance_scale, torch.ones(5))


def test_cli_export_with_data_calibrates_on_val_and_scores_test(tmp_path):
    from tests.dataset_helpers import toy_dataset

    data = toy_dataset(300, seed=5, shard_size=150)
    model = tiny_model()
    ckpt = tmp_path / "m.ckpt"
    torch.save({"state_dict": model.state_dict(), "model_config": dict(model.config)}, ckpt)
    out = tmp_path / "art"
    args = ["export", "--checkpoint", str(ckpt), "--out", str(out), "--data", str(data), "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    meta = verify_artifact(out)
    cal = meta["calibration"]
    assert cal["part"] == "val" and cal["n"] > 0 and set(cal["sigma_scale"]) == set(meta["targets"])
    for name, after in cal["miscalibration_area_after"].items():
        assert after <= cal["miscalibration_area_before"][name] + 1e-12
    test = meta["metrics"]["random_test"]
    assert set(test) == set(meta["targets"]) and all("coverage_1sigma" in m for m in test.values())
    saved = json.loads((out / "metadata.json").read_text())
    assert saved["calibration"]["sigma_scale"] == cal["sigma_scale"]
    assert check_parity(model, out)  # the exported model carries the fitted scale, the raw one does not
