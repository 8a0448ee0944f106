"""``resistml check``: exit codes, JSON shape, one-line field errors on stderr."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from resistml.cli import app
from resistml.paths import data_dir

EXAMPLES = sorted((data_dir() / "examples").glob("*.yaml"))


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_examples_pass_check_json(runner: CliRunner, path: Path) -> None:
    result = runner.invoke(app, ["check", str(path), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["valid"] is True and payload["errors"] == []
    assert {"valid", "errors", "warnings", "components", "claims"} <= set(payload)
    assert all({"name", "role", "classes"} <= set(c) for c in payload["components"])
    assert all(isinstance(n, int) for n in payload["claims"])


def test_json_claims_and_classes(runner: CliRunner) -> None:
    path = data_dir() / "examples" / "claim9-bprime-melamine-100keV.yaml"
    payload = json.loads(runner.invoke(app, ["check", str(path), "--json"]).stdout)
    assert payload["claims"] == [9, 10, 12, 13, 16, 17]
    assert payload["claim_notes"] == []
    resin = next(c for c in payload["components"] if c["role"] == "resin")
    assert resin["name"] == "PHS-MA-20"
    assert {"polymerizable_resin", "hydroxystyrene_resin"} <= set(resin["classes"])


def test_human_output_lists_claims(runner: CliRunner) -> None:
    path = data_dir() / "examples" / "claim1-onium-melamine-100keV.yaml"
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())  # rich wraps long lines
    assert 'claim 8 (of 1): "suitable for electron beam irradiation' in text
    assert "claims of US 6,824,948 B1 covered (technical reading, not a legal opinion):" in text
    assert "reading:" not in text


def test_glycoluril_reading_is_shown(runner: CliRunner) -> None:
    path = data_dir() / "examples" / "claim1-glycoluril-vinylether-50keV.yaml"
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    assert "reading: claim 7: yes, reading glycoluril (TMGU) as a cyclic urea" in text
    payload = json.loads(runner.invoke(app, ["check", str(path), "--json"]).stdout)
    assert payload["claims"] == [1, 3, 4, 7]
    assert payload["claim_notes"] == [
        "claim 7: yes, reading glycoluril (TMGU) as a cyclic urea (acetylenediurea)"]


BAD = """name: bad
components:
  - {catalog: TPS-Tf, parts: 5}
  - {catalog: PHS-8k, parts: 100}
  - {role: crosslinker, smiles: "C1CC", parts: 10}
"""


def test_invalid_file_plain(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(BAD)
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 2
    assert result.stderr.strip() == "error: components[2].smiles: RDKit cannot parse 'C1CC'"
    assert result.stdout == ""
    assert "Traceback" not in result.output


def test_invalid_file_json(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(BAD)
    result = runner.invoke(app, ["check", str(path), "--json"])
    assert result.exit_code == 2
    payload = json.loads(result.stdout)
    assert payload == {"valid": False,
                       "errors": ["components[2].smiles: RDKit cannot parse 'C1CC'"],
                       "warnings": [], "components": [], "claims": [], "claim_notes": []}


def test_missing_file(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and "cannot read" in result.stderr


def test_not_a_negative_car(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "two.yaml"
    path.write_text("components:\n  - {catalog: TPS-Tf, parts: 5}\n  - {catalog: PHS-8k, parts: 100}\n")
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 2
    assert "no crosslinker component" in result.stderr


def test_contradicting_role_is_a_warning(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "warn.yaml"
    path.write_text(
        "components:\n"
        "  - {catalog: TPS-Tf, parts: 5}\n"
        "  - {catalog: PHS-8k, parts: 100}\n"
        "  - {name: TOA, role: crosslinker, smiles: CCCCCCCCN(CCCCCCCC)CCCCCCCC, parts: 10}\n"
    )
    result = runner.invoke(app, ["check", str(path), "--json"])
    assert result.exit_code == 0
    payload = json.loads(result.stdout)
    assert payload["valid"] is True and payload["claims"] == []
    assert payload["warnings"] == [
        "components[2].role: declared crosslinker but structure looks like base (tertiary_amine)"
    ]


def test_multi_document_file_gives_a_list(runner: CliRunner, tmp_path: Path) -> None:
    one = (data_dir() / "examples" / "claim1-xray-1keV.yaml").read_text()
    two = (data_dir() / "examples" / "reference-no-d-50keV.yaml").read_text()
    path = tmp_path / "both.yaml"
    path.write_text(one + "\n---\n" + two)
    payload = json.loads(runner.invoke(app, ["check", str(path), "--json"]).stdout)
    assert [p["claims"] for p in payload] == [[1, 2, 3, 4, 7], []]


def test_table_file_round_trip(runner: CliRunner, tmp_path: Path) -> None:
    """A flat CSV table of all examples gives the same claims as the YAML files."""
    from resistml.formulation import load_formulation
    from resistml.formulation.table import write_table

    forms = [load_formulation(p) for p in EXAMPLES]
    path = tmp_path / "library.csv"
    write_table(forms, path)
    result = runner.invoke(app, ["check", str(path), "--json"])
    assert result.exit_code == 0, result.output
    from_table = {d["name"]: d["claims"] for d in json.loads(result.stdout)}
    from_yaml = {p.stem: json.loads(runner.invoke(app, ["check", str(p), "--json"]).stdout)["claims"]
                 for p in EXAMPLES}
    assert from_table == from_yaml
