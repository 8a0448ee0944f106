"""The MLflow pyfunc model: `resistml export --register`, `models:/` URIs, pyfunc and `mlflow models serve`."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from typer.testing import CliRunner

from resistml.cli import app
from resistml.inference.mlflow_model import input_example
from resistml.inference.model_uri import resolve_model
from tests.serving_fixtures import tiny_model

pytestmark = pytest.mark.usefixtures("one_thread")
NAME = "resistnet-t"


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> dict:
    """A temporary sqlite MLflow store holding version 1 of NAME, logged by `resistml export --register`."""
    root = tmp_path_factory.mktemp("mlflow")
    uri = f"sqlite:///{root / 'mlflow.db'}"
    model = tiny_model()
    ckpt = root / "m.ckpt"
    torch.save({"state_dict": model.state_dict(), "model_config": dict(model.config)}, ckpt)
    env = {"MLFLOW_TRACKING_URI": uri}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        result = CliRunner().invoke(app, ["export", "--checkpoint", str(ckpt), "--out", str(root / "art"),
                                          "--register", NAME, "--json"])
    finally:
        for k, v in old.items():
            os.environ.pop(k) if v is None else os.environ.__setitem__(k, v)
    assert result.exit_code == 0, result.output
    meta = json.loads(result.stdout[result.stdout.index("{"):])
    return {"uri": uri, "root": root, "artifact": root / "art", "meta": meta}


@pytest.fixture
def tracking(store, monkeypatch):
    import mlflow

    monkeypatch.setenv("MLFLOW_TRACKING_URI", store["uri"])
    mlflow.set_tracking_uri(store["uri"])
    return store


def _frame() -> pd.DataFrame:
    """The input example plus a row that is not a valid formulation."""
    frame = input_example()
    bad = frame.iloc[[0]].assign(name="bad", crosslinker="C1CC")  # unclosed ring
    return pd.concat([frame, bad], ignore_index=True)


def test_export_registers_after_upload_with_the_version_in_the_metadata(tracking):
    from mlflow.tracking import MlflowClient

    meta = tracking["meta"]
    assert meta["model_version"] == "1" and meta["mlflow_registered"] == f"models:/{NAME}/1"
    version = MlflowClient(tracking["uri"]).get_model_version(NAME, "1")
    assert version.source == f"runs:/{meta['mlflow_run_id']}/model" and version.status == "READY"


def test_pyfunc_predict_equals_resistml_predict(tracking, tmp_path):
    import mlflow.pyfunc

    model = mlflow.pyfunc.load_model(f"models:/{NAME}/1")
    assert model.metadata.metadata["resistml"]["model_name"] == "m"
    assert {"acid_generator", "resin_mw", "radiation"} <= set(model.metadata.signature.inputs.input_names())
    frame = _frame()
    got = model.predict(frame)
    assert list(got["row"]) == [0, 1, 2] and got["error"].isna().tolist() == [True, True, False]
    assert "crosslinker" in got.loc[2, "error"]

    frame.assign(base=None, base_parts=None).to_csv(tmp_path / "in.csv", index=False)
    # a CSV as pandas reads it (empty columns are float NaN, amounts int or float) needs no retyping
    as_read = model.predict(pd.read_csv(tmp_path / "in.csv"))
    np.testing.assert_allclose(as_read["sensitivity"].iloc[:2].to_numpy(float), got["sensitivity"].iloc[:2].to_numpy(float))
    assert as_read["error"].notna().tolist() == [False, False, True]
    for ref in (f"models:/{NAME}/1", str(tracking["artifact"])):
        out = tmp_path / "out.parquet"
        out.unlink(missing_ok=True)
        result = CliRunner().invoke(app, ["predict", "--input", str(tmp_path / "in.csv"), "--out", str(out),
                                          "--model", ref])
        assert result.exit_code == 0, result.output
        cli = pd.read_parquet(out)
        assert list(cli["row"]) == [0, 1]
        for col in ("sensitivity", "sensitivity_std", "resolution_nm", "ler_nm_std"):
            np.testing.assert_allclose(got[col].iloc[:2].to_numpy(float), cli[col].to_numpy(float), rtol=1e-6)


def test_uris_resolve_to_the_artifact_directory(tracking, tmp_path, monkeypatch):
    run = tracking["meta"]["mlflow_run_id"]
    for uri in (f"models:/{NAME}/1", f"runs:/{run}/model"):
        path = resolve_model(uri, tmp_path / uri.split(":")[0])
        assert json.loads((path / "metadata.json").read_text())["model_version"] == "1"
    assert resolve_model("some/dir") == Path("some/dir")
    from serve.settings import Settings

    monkeypatch.setenv("RESISTML_MODEL_DIR", f"models:/{NAME}/1")
    assert (Settings.from_env().model_dir / "metadata.json").is_file()
    result = CliRunner().invoke(app, ["predict", "--input", str(tmp_path / "x.csv"), "--out", str(tmp_path / "o.parquet"),
                                      "--model", f"models:/{NAME}/9"])
    assert result.exit_code == 2 and "error: --model: models:/" in result.output and "Traceback" not in result.output


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_mlflow_models_serve_answers_invocations(tracking):
    """`mlflow models serve -m models:/NAME/1 --env-manager local` on loopback answers /invocations."""
    import mlflow.pyfunc

    port = _free_port()
    mlflow_bin = Path(sys.executable).parent / "mlflow"  # its server runs `uvicorn` from the same bin folder
    env = {**os.environ, "MLFLOW_TRACKING_URI": tracking["uri"],
           "PATH": os.pathsep.join([str(mlflow_bin.parent), os.environ.get("PATH", "")]),
           "PYTHONPATH": os.pathsep.join([str(Path(__file__).parents[2]), os.environ.get("PYTHONPATH", "")])}
    cmd = [str(mlflow_bin), "models", "serve", "-m", f"models:/{NAME}/1", "--env-manager", "local",
           "-h", "127.0.0.1", "-p", str(port), "-w", "1"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/ping", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
            assert time.monotonic() < deadline, "mlflow models serve did not start"
            time.sleep(1)
        frame = input_example()
        body = json.dumps({"dataframe_split": json.loads(frame.to_json(orient="split", index=False))}).encode()
        request = urllib.request.Request(f"http://127.0.0.1:{port}/invocations", data=body,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as r:
            answer = json.loads(r.read())
        served = pd.DataFrame(answer["predictions"])
        local = mlflow.pyfunc.load_model(f"models:/{NAME}/1").predict(frame)
        np.testing.assert_allclose(served["sensitivity"].to_numpy(float), local["sensitivity"].to_numpy(float), rtol=1e-6)
    finally:
        _stop(proc)


def _stop(proc: subprocess.Popen) -> None:
    """End the server's process group (it started its own session)."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
            proc.wait(timeout=20)
            return
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            continue
