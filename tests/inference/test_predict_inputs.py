"""Issue 13 (items 3, 9, 10, 11, 13, 14, 18): `resistml predict` on hostile, broken and all-invalid inputs."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from resistml.cli import app
from resistml.formulation import Formulation
from resistml.formulation.table import formulations_to_frame
from resistml.inference import batch as bp
from resistml.inference.predictor import Predictor
from resistml.targets import TARGETS, target
from tests.cli.test_bad_input_cli import billion_laughs
from tests.formulation_fixtures import EXAMPLE
from tests.model_fixtures import random_formulations
from tests.serving_fixtures import tiny_artifact

runner = CliRunner()


@pytest.fixture(scope="module")
def art() -> Path:
    return tiny_artifact()


def _predict(art: Path, source: Path, *extra: str):
    out = source.with_suffix(".out.parquet")
    result = runner.invoke(app, ["predict", "--model", str(art), "--input", str(source), "--out", str(out), *extra])
    return result, out


def _library(tmp_path: Path, n: int = 20) -> tuple[pd.DataFrame, Path]:
    frame = formulations_to_frame(random_formulations(n, seed=9))
    return frame, tmp_path / "lib.csv"


@pytest.mark.parametrize(("name", "content", "message"), [
    ("empty.csv", b"", "empty file (no header row)"),
    ("header.csv", b"name,resin,resin_parts\n", "no formulations (no rows)"),
    ("empty.jsonl", b"\n", "no formulations (empty file)"),
    ("empty.yaml", b"", "no formulations (empty file)"),
    ("blob.csv", bytes(range(256)) * 4, "not a text file (binary data)"),
    ("blob.jsonl", bytes(range(256)) * 4, "not a text file (binary data)"),
    ("blob.parquet", bytes(range(256)) * 4, "cannot read table"),
    ("laughs.yaml", billion_laughs().encode(), "document expands to more than 100,000 nodes"),
    ("deep.yaml", b"formulations: " + b"[" * 10000, "nested deeper than 64 levels"),
    ("dup.yaml", b"name: a\nname: b\n", "name: duplicate key (lines 1 and 2)"),
])
def test_unusable_inputs_are_one_error_line(tmp_path, art, name, content, message):
    source = tmp_path / name
    source.write_bytes(content)
    result, out = _predict(art, source)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"error: {source}: {message}") and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.output and not out.exists()


def test_exit_2_when_no_row_is_predicted(tmp_path, art):
    frame, source = _library(tmp_path, 5)
    frame["resin_mw"] = 10.0
    frame.to_csv(source, index=False)
    result, out = _predict(art, source)
    err_file = tmp_path / "lib.out.errors.csv"
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines()[-1] == f"error: {source}: no row was predicted (5 errors, see {err_file})"
    assert len(pd.read_csv(err_file)) == 5


def test_exit_0_with_a_summary_when_some_rows_are_predicted(tmp_path, art):
    frame, source = _library(tmp_path, 6)
    frame.loc[2, "resin_mw"] = 10.0
    frame.to_csv(source, index=False)
    result, _ = _predict(art, source)
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith(f"5 predicted, 1 errors, see {tmp_path / 'lib.out.errors.csv'} (6 rows in ")


def test_huge_amounts_fail_only_their_row(tmp_path, art):
    """Item 3: `parts: 1e308` on two components of one row was an exit-1 traceback for the whole run."""
    frame, source = _library(tmp_path, 12)
    frame.loc[3, ["acid_generator_parts", "resin_parts"]] = 1e308
    frame.to_csv(source, index=False)
    for _ in range(2):  # and again on a re-run
        result, out = _predict(art, source, "--chunk-size", "4")
        assert result.exit_code == 0, result.output
        assert len(pd.read_parquet(out)) == 11
        errors = pd.read_csv(tmp_path / "lib.out.errors.csv")
        assert errors["row"].tolist() == [3]
        assert "amount (parts) must be between 1e-06 and 1000000, got 1e+308" in errors.loc[0, "error"]


def test_a_row_the_model_fails_on_does_not_fail_its_neighbours(tmp_path, art, monkeypatch):
    predictor = Predictor.load(art)
    frame = formulations_to_frame(random_formulations(9, seed=2))
    original = predictor.predict_all  # the model entry point of batch prediction (means, sigmas, outcomes)

    def flaky(forms):
        if any(f.name == "f5" for f in forms):
            raise ZeroDivisionError("float division by zero")
        return original(forms)

    monkeypatch.setattr(predictor, "predict_all", flaky)
    out, errors = bp.predict_chunk(predictor, frame, offset=100)
    assert out["row"].tolist() == [100, 101, 102, 103, 104, 106, 107, 108]
    assert errors.to_dict("records") == [
        {"row": 105, "error": "prediction failed: ZeroDivisionError: float division by zero"}]


def test_one_bad_cell_fails_only_its_row(tmp_path, art):
    """Item 11: `abc` in one amount cell made every row 'must be a number, got '5.0''."""
    frame, source = _library(tmp_path, 20)
    frame = frame.astype({"acid_generator_parts": object})
    frame.loc[6, "acid_generator_parts"] = "abc"
    frame.to_csv(source, index=False)
    result, out = _predict(art, source)
    assert result.exit_code == 0, result.output
    errors = pd.read_csv(tmp_path / "lib.out.errors.csv")
    assert errors.to_dict("records") == [{"row": 6, "error": "acid_generator_parts: must be a number, got 'abc'"}]
    assert len(pd.read_parquet(out)) == 19


def test_jsonl_errors_say_the_real_cause(tmp_path, art):
    """Item 13: invalid JSON lines were 'expected a formulation mapping, got str'."""
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps(EXAMPLE) + "\n{oops\n\n\"text\"\n")
    result, _ = _predict(art, source)
    assert result.exit_code == 0, result.output
    errors = pd.read_csv(tmp_path / "in.out.errors.csv")
    assert errors.to_dict("records") == [
        {"row": 1, "error": "line 2: invalid JSON (Expecting property name enclosed in double quotes at column 2)"},
        {"row": 2, "error": "formulation: expected a mapping, got str"},
    ]


def test_predict_prints_the_warnings_check_prints(tmp_path, art):
    """Item 14: the same validation and the same warnings as `check` (here an X-ray file with a beam energy)."""
    doc = copy.deepcopy(EXAMPLE)
    doc["process"] = {"radiation": "xray", "beam_energy_keV": 50}
    source = tmp_path / "x.yaml"
    source.write_text(yaml.safe_dump(doc))
    checked = json.loads(runner.invoke(app, ["check", "--json", str(source)]).stdout)["warnings"]
    assert checked
    result, out = _predict(art, source)
    assert result.exit_code == 0, result.output
    assert [line for line in result.stderr.splitlines() if line.startswith("warning:")] == [
        f"warning: row 0: {w}" for w in checked]
    assert pd.read_parquet(out)["warnings"].tolist() == ["; ".join(checked)]


def test_target_directions():
    assert {t.column: t.direction for t in TARGETS} == {
        "sensitivity": "lower", "gel_dose": "lower", "resolution_nm": "lower", "contrast": "higher", "ler_nm": "lower"}


@pytest.mark.parametrize("rank_by", ["sensitivity", "contrast", "resolution_nm"])
def test_rank_by_ranks_best_first_within_a_dose_unit(tmp_path, art, rank_by):
    """Item 18: sensitivities in uC/cm2 and mJ/cm2 were one order; `contrast --top` listed the lowest."""
    frame, source = _library(tmp_path, 30)
    assert set(frame["radiation"]) == {"electron", "xray"}
    frame.to_csv(source, index=False)
    result, out = _predict(art, source, "--rank-by", rank_by, "--top", "3")
    assert result.exit_code == 0, result.output
    pred = pd.read_parquet(out)
    higher = target(rank_by).direction == "higher"
    groups = pred.groupby("dose_unit", sort=False) if rank_by == "sensitivity" else [(None, pred)]
    if rank_by == "sensitivity":
        assert pred["dose_unit"].tolist() == sorted(pred["dose_unit"])  # one block per unit
    for _, group in groups:
        values = group[rank_by].tolist()
        assert values == sorted(values, reverse=higher)
    text = " ".join(result.stdout.split())
    if rank_by == "sensitivity":
        assert "lower is better, mJ/cm2" in text and "lower is better, uC/cm2" in text
    if rank_by == "contrast":
        best = pred.iloc[0]
        assert "higher is better" in text and best["contrast"] == pred["contrast"].max()


def test_memoised_warnings_equal_the_plain_ones():
    from resistml.formulation.table import iter_frame

    frame = formulations_to_frame(random_formulations(40, seed=5))
    frame.loc[::3, "crosslinker"] = "TOA"  # a base declared as crosslinker: a role warning
    frame.loc[::4, "peb_temp_C"] = 150.0
    memo: dict = {}
    forms = [f for _, f in iter_frame(pd.concat([frame, frame], ignore_index=True)) if isinstance(f, Formulation)]
    assert len(forms) == 80
    assert any(f.warnings() for f in forms)
    assert [f.warnings(memo) for f in forms] == [f.warnings() for f in forms]
    assert memo
