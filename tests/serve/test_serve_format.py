"""Serving format as a setting (--format, RESISTML_MODEL_FORMAT) and typed responses in the OpenAPI document."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from resistml.cli import app as cli_app
from serve import schemas
from serve.app import create_app
from serve.settings import Settings
from tests.formulation_fixtures import EXAMPLE
from tests.serving_fixtures import tiny_artifact

pytestmark = pytest.mark.usefixtures("one_thread")
BOTH = ("torchscript", "export")


def test_model_format_comes_from_the_environment(monkeypatch):
    monkeypatch.delenv("RESISTML_MODEL_FORMAT", raising=False)
    assert Settings.from_env().model_format == "torchscript"
    monkeypatch.setenv("RESISTML_MODEL_FORMAT", "export")
    assert Settings.from_env().model_format == "export"
    monkeypatch.setenv("RESISTML_MODEL_FORMAT", "onnx")
    with pytest.raises(ValueError, match="RESISTML_MODEL_FORMAT: expected one of torchscript, export"):
        Settings.from_env()
    with pytest.raises(ValueError, match="model_format"):
        Settings(model_format="onnx")


def test_both_formats_serve_the_same_predictions():
    art = tiny_artifact(BOTH)
    answers = {}
    for fmt in BOTH:
        with TestClient(create_app(Settings(model_dir=art, require_model=True, model_format=fmt))) as client:
            assert client.app.state.predictor.artifact.format == fmt
            assert client.get("/readyz").json()["ready"] is True
            response = client.post("/v1/predict", json={"formulations": [EXAMPLE]})
            assert response.status_code == 200, response.text
            answers[fmt] = schemas.PredictResponse.model_validate(response.json())
    ts, ex = (answers[f].predictions[0].targets for f in BOTH)
    for name, value in ts.items():
        assert ex[name].value == pytest.approx(value.value, rel=1e-5)


def test_serve_cli_passes_the_format_on(monkeypatch):
    import uvicorn

    calls = []
    monkeypatch.delenv("RESISTML_MODEL_FORMAT", raising=False)
    monkeypatch.delenv("RESISTML_MODEL_DIR", raising=False)
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: calls.append(kw))
    art = tiny_artifact(BOTH)
    result = CliRunner().invoke(cli_app, ["serve", "--model", str(art), "--format", "export"])
    assert result.exit_code == 0, result.output
    import os

    assert calls and os.environ["RESISTML_MODEL_FORMAT"] == "export"
    assert Settings.from_env().model_format == "export"
    bad = CliRunner().invoke(cli_app, ["serve", "--format", "onnx"])
    assert bad.exit_code == 2 and "--format: expected torchscript or export" in bad.output
    # an artifact without the torch.export programs cannot be served as export: one line, exit 2
    only_ts = CliRunner().invoke(cli_app, ["serve", "--model", str(tiny_artifact()), "--format", "export"])
    assert only_ts.exit_code == 2 and "Traceback" not in only_ts.output


def test_openapi_describes_every_answer():
    with TestClient(create_app(Settings(model_dir=tiny_artifact(), require_model=True))) as client:
        doc = client.get("/openapi.json").json()
        for path, method in [("/v1/predict", "post"), ("/v1/simulate", "post"), ("/v1/check", "post"),
                             ("/v1/catalog", "get"), ("/v1/model", "get"), ("/healthz", "get"), ("/readyz", "get")]:
            schema = doc["paths"][path][method]["responses"]["200"]["content"]["application/json"]["schema"]
            assert schema, path
        predict = doc["paths"]["/v1/predict"]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert predict == {"$ref": "#/components/schemas/PredictResponse"}
        assert "targets" in doc["components"]["schemas"]["PredictionOut"]["properties"]
        # the answers are what the schemas say
        body = {"formulations": [EXAMPLE]}
        schemas.CheckResponse.model_validate(client.post("/v1/check", json=body).json())
        schemas.CatalogResponse.model_validate(client.get("/v1/catalog").json())
        info = client.get("/v1/model").json()
        assert schemas.ModelInfo.model_validate(info).model_name == "tiny-test" and "featurizer" in info
        schemas.Health.model_validate(client.get("/healthz").json())
        schemas.Ready.model_validate(client.get("/readyz").json())
