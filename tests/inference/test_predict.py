"""Predictor (cache, units, domain flags), predict_table and the batch `resistml predict` command."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
import torch
import yaml
from typer.testing import CliRunner

from resistml.cli import app
from resistml.formulation import Formulation
from resistml.formulation.table import formulations_to_frame
from resistml.inference import batch as bp
from resistml.inference.domain import domain_notes, training_domain
from resistml.inference.predictor import EmbeddingCache, Predictor, predict_table
from tests.formulation_fixtures import EXAMPLE
from tests.model_fixtures import random_formulations
from tests.serving_fixtures import tiny_artifact

SELENONIUM = "c1ccc(cc1)[Se+](c1ccccc1)c1ccccc1.[O-]S(=O)(=O)C(F)(F)F"


@pytest.fixture(scope="module")
def art() -> Path:
    return tiny_artifact()


@pytest.fixture(scope="module")
def forms() -> list[Formulation]:
    return random_formulations(80, seed=4)


def test_cached_equals_uncached(art, forms):
    cached = Predictor.load(art, batch_size=64)
    cold = cached.predict_raw(forms)
    warm = cached.predict_raw(forms[::-1])
    assert cached.cache.hits > 0 and len(cached.cache) == len({k for k in cached.cache._data})
    uncached = Predictor.load(art, cache_size=0)
    ref = uncached.predict_raw(forms)
    assert len(uncached.cache) == 0
    for a, b in zip(cold, ref, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(warm[0][::-1], ref[0], rtol=1e-5, atol=1e-6)


def test_cache_keys_carry_the_model_version_and_evict_lru(art, forms):
    p = Predictor.load(art)
    p.predict_raw(forms[:3])
    assert all(version == "tiny-test:0.0.1" for _, version in p.cache._data)
    cache = EmbeddingCache(maxsize=2)
    for key in ("a", "b", "a", "c"):
        cache.put((key, "v"), torch.zeros(1))
    assert list(cache._data) == [("a", "v"), ("c", "v")]


def test_units_are_the_median_and_first_order_sigma(art):
    p = Predictor.load(art)
    mean = np.array([[1.0, 0.5, 1.3, 2.0, 0.7]])
    sigma = np.array([[0.1, 0.1, 0.05, 0.3, 0.2]])
    cols = p.to_units(mean, sigma)
    assert cols["sensitivity"][0] == pytest.approx(10.0)
    assert cols["sensitivity_std"][0] == pytest.approx(math.log(10) * 10.0 * 0.1)
    assert cols["sensitivity_low"][0] == pytest.approx(10 ** 0.9)
    assert cols["resolution_nm"][0] == pytest.approx(10 ** 1.3)
    assert p.targets[3] == "log10_contrast"  # every default target is learned in log10 (resistml.targets)
    assert cols["contrast"][0] == pytest.approx(100.0)
    p.targets[3] = "contrast"  # a model trained with transform "none" gives values as they are
    cols = p.to_units(mean, sigma)
    assert (cols["contrast"][0], cols["contrast_std"][0]) == (2.0, 0.3)


def test_export_format_predicts_the_same(forms):
    ts = Predictor.load(tiny_artifact(("torchscript", "export")), "torchscript")
    ex = Predictor.load(tiny_artifact(("torchscript", "export")), "export")
    np.testing.assert_allclose(ts.predict_raw(forms[:9])[0], ex.predict_raw(forms[:9])[0], rtol=1e-5, atol=1e-6)


def _form(**process) -> Formulation:
    doc = copy.deepcopy(EXAMPLE)
    doc["process"].update(process)
    return Formulation.from_dict(doc)


def test_domain_notes_name_energy_amounts_and_elements():
    domain = training_domain([_form(beam_energy_keV=25), _form(beam_energy_keV=75)])
    assert domain["energy_keV"] == {"electron": [25.0, 75.0]}
    assert set(domain["elements"]) == {"C", "F", "H", "N", "O", "S"}
    assert domain_notes(_form(beam_energy_keV=50), domain) == []
    assert domain_notes(_form(beam_energy_keV=100), domain) == [
        "energy: beam_energy_keV 100 outside the training range 25-75 keV"
    ]
    doc = copy.deepcopy(EXAMPLE)
    doc["process"]["beam_energy_keV"] = 50
    doc["components"][0]["smiles"] = SELENONIUM
    doc["components"][2]["parts"] = 60
    notes = domain_notes(Formulation.from_dict(doc), domain)
    assert "unseen element: Se not in the training molecules" in notes
    assert any(n.startswith("amounts: crosslinker weight fraction") for n in notes)
    assert domain_notes(_form(radiation="xray"), domain) == ["radiation 'xray' not in the training data"]


def test_memoised_domain_checker_gives_the_same_notes_as_domain_notes():
    from resistml.inference.domain import DomainChecker

    domain = training_domain([_form(beam_energy_keV=25), _form(beam_energy_keV=75)])
    check = DomainChecker(domain)
    doc = copy.deepcopy(EXAMPLE)
    doc["components"][0]["smiles"] = SELENONIUM
    forms = [_form(beam_energy_keV=50), _form(beam_energy_keV=100), Formulation.from_dict(doc), _form(radiation="xray")]
    for form in forms * 2:  # the second pass is served from the caches
        assert check.notes(form) == domain_notes(form, domain)
    assert DomainChecker({}).notes(forms[1]) == []


def test_large_uncertainty_is_flagged(art):
    p = Predictor.load(art)
    p.sigma_limit = 1e-6
    result = p.predict([_form()])[0]
    assert not result.in_domain
    assert any(n.startswith("large uncertainty: sensitivity") for n in result.domain_notes)


def test_predict_table_keeps_ids_and_reports_bad_rows(art, forms):
    frame = formulations_to_frame(forms[:20])
    frame.loc[3, "acid_generator"] = "C1CC"
    frame.loc[5, "thickness_nm"] = -1.0
    out, errors = predict_table(Predictor.load(art), pa.Table.from_pandas(frame))
    assert list(errors["row"]) == [3, 5]
    assert errors.loc[0, "error"] == "acid_generator: unknown catalog name or invalid SMILES 'C1CC' (RDKit cannot parse 'C1CC')"
    assert errors.loc[1, "error"].startswith("process.thickness_nm: -1.0 is outside the physical limits")
    assert len(out) == 18 and 3 not in set(out["row"])
    assert list(out.columns[:4]) == ["row", "name", "sensitivity", "sensitivity_std"]
    assert {"dose_unit", "in_domain", "domain_notes"} <= set(out.columns)
    assert (out["sensitivity"] > 0).all() and (out["sensitivity_std"] > 0).all()


def _library(tmp_path: Path, n: int = 60) -> Path:
    frame = formulations_to_frame(random_formulations(n, seed=9))
    frame.loc[4, "resin_mw"] = 10.0
    frame.loc[n - 1, "crosslinker"] = "not-a-catalog-name"
    path = tmp_path / "lib.csv"
    frame.to_csv(path, index=False)
    return path


def test_batch_cli_writes_predictions_and_an_errors_file(tmp_path, art):
    lib = _library(tmp_path)
    out = tmp_path / "out" / "pred.parquet"
    args = ["predict", "--model", str(art), "--input", str(lib), "--out", str(out), "--chunk-size", "16"]
    result = CliRunner().invoke(app, [*args, "--rank-by", "sensitivity", "--top", "3"])
    assert result.exit_code == 0, result.output
    pred = pd.read_parquet(out)
    errors = pd.read_csv(tmp_path / "out" / "pred.errors.csv")
    assert list(errors["row"]) == [4, 59]
    assert errors.loc[0, "error"] == "components[1]: resin mw must be within 500-1e6 g/mol, got 10"
    assert errors.loc[1, "error"].startswith("crosslinker: unknown catalog name or invalid SMILES 'not-a-catalog-name'")
    assert len(pred) == 58
    assert list(pred["dose_unit"]) == sorted(pred["dose_unit"])  # ranked within a dose unit
    assert all(g["sensitivity"].is_monotonic_increasing for _, g in pred.groupby("dose_unit"))
    assert not (tmp_path / "out" / "pred.parquet.parts").exists()
    assert "top 3 by sensitivity" in result.output


def test_batch_run_resumes_from_its_shards(tmp_path, art):
    lib = _library(tmp_path)
    out = tmp_path / "pred.parquet"
    p = Predictor.load(art)
    rows, skipped = bp.run_local(p, lib, out, chunk_size=16)
    assert (rows, skipped) == (60, 0)
    parts = out.with_name(out.name + ".parts")
    (parts / "part-000002.parquet").unlink()  # as if killed while writing chunk 2
    rows, skipped = bp.run_local(p, lib, out, chunk_size=16)
    assert (rows, skipped) == (60, 3)
    predicted, errors, _ = bp.finish(out, None)
    assert (predicted, errors) == (58, 2)
    assert pd.read_parquet(out)["row"].tolist() == [r for r in range(60) if r not in (4, 59)]


def test_jsonl_and_yaml_inputs(tmp_path, art):
    good = copy.deepcopy(EXAMPLE)
    bad = copy.deepcopy(EXAMPLE)
    bad["components"][1]["mw"] = -5
    (tmp_path / "in.jsonl").write_text("\n".join(json.dumps(d) for d in (good, bad, good)) + "\n{oops\n")
    (tmp_path / "in.yaml").write_text(yaml.safe_dump({"formulations": [good, bad]}))
    for name, n_good, n_bad in (("in.jsonl", 2, 2), ("in.yaml", 1, 1)):
        out = tmp_path / f"{name}.parquet"
        result = CliRunner().invoke(app, ["predict", "--model", str(art), "--input", str(tmp_path / name), "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert len(pd.read_parquet(out)) == n_good
        errors = pd.read_csv(tmp_path / f"{name}.errors.csv")
        assert len(errors) == n_bad and "components[1].mw" in errors.loc[0, "error"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--out", "x.csv"], "--out: expected a .parquet file"),
        (["--out", "x.parquet", "--rank-by", "speed"], "--rank-by: unknown target 'speed'"),
        (["--out", "x.parquet", "--model", "/nonexistent"], "no model artifact directory"),
    ],
)
def test_batch_cli_user_errors_are_one_line(tmp_path, art, extra, message):
    lib = _library(tmp_path, n=8)
    args = ["predict", "--input", str(lib), "--model", str(art), *extra]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output


@pytest.mark.slow
def test_dask_local_cluster_matches_the_streaming_run(tmp_path, art):
    lib = _library(tmp_path)
    a, b = tmp_path / "a.parquet", tmp_path / "b.parquet"
    base = ["predict", "--model", str(art), "--input", str(lib)]
    assert CliRunner().invoke(app, [*base, "--out", str(a)]).exit_code == 0
    result = CliRunner().invoke(app, [*base, "--out", str(b), "--scheduler", "local"])
    assert result.exit_code == 0, result.output
    fa, fb = pd.read_parquet(a), pd.read_parquet(b).sort_values("row").reset_index(drop=True)
    assert fa["row"].tolist() == fb["row"].tolist()
    np.testing.assert_allclose(fa["sensitivity"], fb["sensitivity"], rtol=1e-5)


def test_shipped_candidate_library_is_the_deterministic_valid_one():
    from resistml.inference.candidates import candidate_frame
    from resistml.paths import data_dir

    shipped = pd.read_parquet(data_dir() / "candidates" / "library.parquet")
    assert len(shipped) >= 2000 and shipped["name"].is_unique
    head = candidate_frame(40, seed=7)
    pd.testing.assert_frame_equal(head, shipped.iloc[:40][head.columns], check_dtype=False)
    assert set(shipped["radiation"]) == {"electron", "xray"} and shipped["base"].notna().any()
