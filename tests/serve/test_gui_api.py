"""The API pieces the GUI reads: contrast curve of /v1/simulate, /v1/targets, /v1/formulation-file."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from resistml.targets import TARGETS
from serve.app import create_app
from serve.settings import Settings

FORM = {"name": "a", "components": [{"catalog": "TPS-Tf", "parts": 5}, {"catalog": "PHS-2.5k", "parts": 100},
                                    {"catalog": "HMMM", "parts": 15}], "process": {"beam_energy_keV": 50}}


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    app = create_app(Settings(model_dir=tmp_path_factory.mktemp("m") / "none"))
    with TestClient(app) as c:
        yield c


def test_simulate_answers_the_contrast_curve(client):
    sim = client.post("/v1/simulate", json={"formulations": [FORM]}).json()["simulations"][0]
    curve = sim["contrast_curve"]
    assert len(curve["dose"]) == len(curve["thickness"]) > 10
    assert curve["dose"] == sorted(curve["dose"]) and all(0 <= h <= 1 for h in curve["thickness"])
    assert curve["thickness"][0] < 0.5 < curve["thickness"][-1]  # negative tone: remains at high dose


def test_targets_are_the_registry_words(client):
    data = client.get("/v1/targets").json()
    assert {k: v["description"] for k, v in data["targets"].items()} == {t.column: t.description for t in TARGETS}
    assert data["targets"]["contrast"]["direction"] == "higher"
    for field in ("radiation", "beam_energy_keV", "photon_energy_keV", "thickness_nm", "peb_temp_C", "peb_time_s",
                  "develop_time_s", "spot_size_nm", "developer"):
        assert data["process"][field]["description"]
    assert data["process"]["beam_energy_keV"]["usual_range"] == [5.0, 100.0]


def test_formulation_file_parses_yaml_and_json(client):
    yaml_text = "name: a\ncomponents:\n  - catalog: TPS-Tf\n    parts: 5\nprocess:\n  thickness_nm: 123\n"
    docs = client.post("/v1/formulation-file", content=yaml_text).json()["documents"]
    assert docs == [{"name": "a", "components": [{"catalog": "TPS-Tf", "parts": 5}], "process": {"thickness_nm": 123}}]
    assert client.post("/v1/formulation-file", content=json.dumps(FORM)).json()["documents"] == [FORM]
    bad = client.post("/v1/formulation-file", content="a: [1, 2")
    assert bad.status_code == 422 and bad.json()["detail"][0]["msg"].startswith("not valid YAML")
    assert client.post("/v1/formulation-file", content="a: !!python/object:os.system x").status_code == 422


def test_table_file_reads_parquet_up_to_the_row_limit(client, tmp_path):
    import pandas as pd

    path = tmp_path / "lib.parquet"
    pd.DataFrame({"name": [f"r{i}" for i in range(1005)], "acid_generator": "TPS-Tf", "acid_generator_parts": 5.0,
                  "resin_mw": None}).to_parquet(path)
    data = client.post("/v1/table-file", content=path.read_bytes()).json()
    assert data["columns"] == ["name", "acid_generator", "acid_generator_parts", "resin_mw"]
    assert data["total"] == 1005 and len(data["rows"]) == 1000 and data["rows"][0] == ["r0", "TPS-Tf", "5.0", ""]
    assert client.post("/v1/table-file", content=b"name,x\n").status_code == 422
