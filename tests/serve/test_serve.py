"""HTTP API: responses, 422 field paths, limits, auth, CORS, start-up errors, fuzzing, loopback load."""

from __future__ import annotations

import copy
import json
import logging
import shutil
import threading
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from resistml.cli import app as cli_app
from resistml.inference.export import ArtifactError
from resistml.inference.predictor import Predictor
from serve.app import create_app
from serve.settings import Settings
from tests.formulation_fixtures import EXAMPLE
from tests.serving_fixtures import live_server, tiny_artifact


@pytest.fixture(scope="module")
def predictor() -> Predictor:
    return Predictor.load(tiny_artifact())


def _client(predictor, **kw) -> TestClient:
    return TestClient(create_app(Settings(model_dir=None, **kw), predictor=predictor))


@pytest.fixture(scope="module")
def client(predictor):
    with _client(predictor, max_formulations=20) as c:
        yield c


def _body(*forms) -> dict:
    return {"formulations": [copy.deepcopy(f) for f in (forms or [EXAMPLE])]}


def test_predict_returns_values_units_uncertainty_and_domain(client):
    xray = copy.deepcopy(EXAMPLE)
    xray["process"] = {"radiation": "xray", "photon_energy_keV": 1.2}
    r = client.post("/v1/predict", json=_body(EXAMPLE, xray))
    assert r.status_code == 200
    data = r.json()
    assert data["model"] == "tiny-test:0.0.1"
    first, second = data["predictions"]
    sens = first["targets"]["sensitivity"]
    assert sens["unit"] == "uC/cm2" and second["targets"]["sensitivity"]["unit"] == "mJ/cm2"
    assert sens["low"] < sens["value"] < sens["high"] and sens["std"] > 0
    assert first["targets"]["resolution_nm"]["unit"] == "nm"
    assert isinstance(first["in_domain"], bool) and isinstance(first["domain_notes"], list)
    assert "Server-Timing" in r.headers


def test_out_of_domain_energy_is_flagged(client):
    far = copy.deepcopy(EXAMPLE)
    far["process"]["beam_energy_keV"] = 250
    p = client.post("/v1/predict", json=_body(far)).json()["predictions"][0]
    assert not p["in_domain"]
    assert any(n.startswith("energy: beam_energy_keV 250 outside the training range") for n in p["domain_notes"])


def test_invalid_formulations_are_422_with_field_paths(client):
    bad = copy.deepcopy(EXAMPLE)
    bad["components"][0]["smiles"] = "C1CC"
    bad["process"]["thickness_nm"] = -3
    r = client.post("/v1/predict", json=_body(EXAMPLE, bad))
    assert r.status_code == 422
    fields = {d["field"]: d["msg"] for d in r.json()["detail"]}
    assert fields["formulations[1].components[0].smiles"] == "RDKit cannot parse 'C1CC'"
    assert "physical limits" in fields["formulations[1].process.thickness_nm"]
    loc = next(d["loc"] for d in r.json()["detail"] if d["field"].endswith("smiles"))
    assert loc == ["body", "formulations", 1, "components", 0, "smiles"]


@pytest.mark.parametrize(
    ("content", "field"),
    [
        (b"{not json", "body"),
        (b"[1, 2]", "body"),
        (b'{"formulations": []}', "formulations"),
        (b'{"formulations": [3]}', "formulations[0]"),
        (b'{"formulation": []}', "formulations"),
    ],
)
def test_malformed_bodies_are_422(client, content, field):
    r = client.post("/v1/predict", content=content, headers={"content-type": "application/json"})
    assert r.status_code == 422
    assert r.json()["detail"][0]["field"] == field


def test_limits_on_count_smiles_length_and_body_size(predictor):
    with _client(predictor, max_formulations=2, max_smiles_length=40, max_body_bytes=20_000) as c:
        r = c.post("/v1/predict", json=_body(EXAMPLE, EXAMPLE, EXAMPLE))
        assert r.status_code == 422 and "at most 2 formulations" in r.json()["detail"][0]["msg"]
        r = c.post("/v1/check", json=_body(EXAMPLE))  # the TPS-Tf SMILES has 53 characters
        assert r.status_code == 422
        assert r.json()["detail"][0]["field"] == "formulations[0].components[0].smiles"
        big = json.dumps(_body(*[EXAMPLE] * 100)).encode()
        r = c.post("/v1/predict", content=big, headers={"content-type": "application/json"})
        assert r.status_code == 413 and "larger than 20000 bytes" in r.text

        def chunks():
            for _ in range(40):
                yield b" " * 1000

        r = c.post("/v1/predict", content=chunks(), headers={"content-type": "application/json"})
        assert r.status_code == 413


def test_bearer_token_on_and_off(predictor):
    with _client(predictor, api_token="s3cret") as c:
        assert c.post("/v1/predict", json=_body()).status_code == 401
        wrong = c.post("/v1/predict", json=_body(), headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401 and wrong.headers["www-authenticate"] == "Bearer"
        assert c.get("/v1/catalog").status_code == 401
        ok = c.post("/v1/predict", json=_body(), headers={"Authorization": "Bearer s3cret"})
        assert ok.status_code == 200
        assert c.get("/healthz").status_code == 200 and c.get("/").status_code == 200
    with _client(predictor) as c:
        assert c.get("/v1/catalog").status_code == 200


def test_cors_origins_are_configurable(predictor):
    with _client(predictor, cors_origins=("http://gui.example",)) as c:
        r = c.get("/v1/catalog", headers={"Origin": "http://gui.example"})
        assert r.headers["access-control-allow-origin"] == "http://gui.example"
        r = c.get("/v1/catalog", headers={"Origin": "http://evil.example"})
        assert "access-control-allow-origin" not in r.headers


def test_catalog_check_model_docs_and_health(client):
    comps = client.get("/v1/catalog", params={"role": "crosslinker"}).json()["components"]
    assert comps and all(c["role"] == "crosslinker" for c in comps)
    result = client.post("/v1/check", json=_body()).json()["results"][0]
    assert result["valid"] and "alkoxymethyl_melamine" in result["components"][2]["classes"]
    assert len(result["claim_texts"]) == len(result["claims"])
    assert result["claim_notes"] == [] and "US 6,824,948 B1" in result["claims_of"]
    meta = client.get("/v1/model").json()
    assert meta["featurizer"]["version"] and meta["targets"][0] == "log10_sensitivity"
    assert client.get("/readyz").json() == {"ready": True, "model": "tiny-test:0.0.1"}
    schema = client.get("/openapi.json").json()
    assert "Formulation" in schema["components"]["schemas"] and "/v1/predict" in schema["paths"]
    assert client.get("/docs").status_code == 200


def test_without_a_model_predict_and_readyz_are_503(tmp_path):
    with TestClient(create_app(Settings(model_dir=tmp_path / "none"))) as c:
        assert c.get("/readyz").status_code == 503
        assert c.post("/v1/predict", json=_body()).status_code == 503
        assert c.get("/v1/catalog").status_code == 200


def test_corrupted_artifact_is_a_clear_startup_error(tmp_path):
    art = tmp_path / "art"
    shutil.copytree(tiny_artifact(), art)
    (art / "metadata.json").write_text("{}")
    with pytest.raises(ArtifactError, match=r"metadata\.json: checksum mismatch"):
        with TestClient(create_app(Settings(model_dir=art, require_model=True))):
            pass
    result = CliRunner().invoke(cli_app, ["serve", "--model", str(art)])
    assert result.exit_code == 2
    assert "metadata.json: checksum mismatch" in result.output and "Traceback" not in result.output


def test_requests_are_logged_with_timing(client, caplog):
    with caplog.at_level(logging.INFO, logger="resistml.serve"):
        client.get("/healthz")
    assert any("GET /healthz 200" in r.getMessage() and " ms" in r.getMessage() for r in caplog.records)


def test_simulate_runs_the_physics_or_says_it_is_missing(client):
    r = client.post("/v1/simulate", json=_body())
    try:
        import resistml.physics.simulator  # noqa: F401
    except ImportError:
        assert r.status_code == 503
        return
    assert r.status_code == 200
    props = r.json()["simulations"][0]["properties"]
    assert props["sensitivity"] > 0


_json = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20,
)
_fields = st.sampled_from(["name", "components", "process", "role", "parts", "smiles", "catalog", "mw", "pdi",
                           "repeat_units", "beam_energy_keV", "radiation", "developer", "thickness_nm"])


@st.composite
def _mutated(draw) -> dict:
    """The example with one value somewhere replaced by arbitrary JSON."""
    doc = copy.deepcopy(EXAMPLE)
    target = draw(st.sampled_from([doc, doc["process"], *doc["components"]]))
    target[draw(_fields)] = draw(_json)
    return doc


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.one_of(_json, st.fixed_dictionaries({"formulations": st.lists(_mutated(), min_size=1, max_size=3)})))
def test_fuzzed_bodies_never_give_5xx(client, body):
    content = json.dumps(body)  # Python's encoder writes inf as Infinity, as some clients do
    for path in ("/v1/predict", "/v1/check"):
        r = client.post(path, content=content, headers={"content-type": "application/json"})
        assert r.status_code < 500, (path, r.text)
        assert r.status_code in (200, 422)


def test_concurrent_loopback_load_has_no_errors(predictor):
    """16 clients x 8 requests against a real uvicorn on 127.0.0.1 (bounded)."""
    app = create_app(Settings(model_dir=None), predictor=predictor)
    failures: list[str] = []
    body = _body()
    with live_server(app) as url:

        def client_loop() -> None:
            with httpx.Client(base_url=url, timeout=30) as c:
                for _ in range(8):
                    r = c.post("/v1/predict", json=body)
                    if r.status_code != 200:
                        failures.append(f"{r.status_code}: {r.text[:80]}")

        threads = [threading.Thread(target=client_loop) for _ in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
    assert failures == [] and not any(t.is_alive() for t in threads)


def test_static_gui_is_self_contained():
    static = Path(__file__).resolve().parents[2] / "serve" / "static"
    text = (static / "index.html").read_text() + (static / "app.js").read_text()
    assert "http://" not in text.replace("http://www.w3.org/2000/svg", "") and "https://" not in text
