"""Issue 13 (items 8, 9, 12, 14, 15): hostile and careless input files give one `error:` line and exit 2.

`check` and `simulate` read the same files the same way (`formulation.io`); `predict` is covered in
tests/inference/test_predict_inputs.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from resistml.cli import app

runner = CliRunner()
COMMANDS = (["check"], ["simulate", "--json"])

GOOD = """name: ok
components:
  - {catalog: TPS-Tf, parts: 5}
  - {catalog: PHS-8k, parts: 100}
  - {catalog: HMMM, parts: 10}
"""


def billion_laughs() -> str:
    """The 366-byte file of the issue: nine levels of nine aliases (9**9 strings once expanded)."""
    text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for name, prev in zip("bcdefghi", "abcdefgh", strict=True):
        text += f"{name}: &{name} [{','.join([f'*{prev}'] * 9)}]\n"
    return text


BAD_FILES = {
    "laughs.yaml": (billion_laughs(), "expands to more than 100,000 nodes"),
    "empty.yaml": ("", "no formulations (empty file)"),
    "comments.yaml": ("# nothing here\n---\n", "no formulations (empty file)"),
    "empty.jsonl": ("\n\n", "no formulations (empty file)"),
    "empty.json": (" \n", "no formulations (empty file)"),
    "broken.json": ('{"components": [}', "not valid JSON (Expecting value at line 1 column 17)"),
    "deep.yaml": ("components: " + "[" * 5000 + "]" * 5000 + "\n", "nested deeper than 64 levels"),
    "deep.json": ('{"components": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested deeper than 64 levels"),
    "dup.yaml": (GOOD.replace("  - {catalog: TPS-Tf, parts: 5}\n", "  - {catalog: TPS-Tf, parts: 5, parts: 7}\n"),
                 "components[0].parts: duplicate key (lines 3 and 3)"),
    "dupname.yaml": ("name: a\n" + GOOD, "name: duplicate key (lines 1 and 2)"),
    "dup.json": ('{"name": "a", "components": [{"role": "resin", "role": "base"}]}', "role: duplicate key"),
    "empty.csv": ("", "empty file (no header row)"),
    "header.csv": ("name,resin,resin_parts\n", "no formulations (no rows)"),
}


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_files_are_one_error_line(tmp_path: Path, command: list[str], name: str) -> None:
    text, message = BAD_FILES[name]
    path = tmp_path / name
    path.write_text(text)
    result = runner.invoke(app, [*command, str(path)])
    assert result.exit_code == 2, result.output
    assert result.stderr == f"error: {path}: {message}\n" or (
        result.stderr.count("\n") == 1 and result.stderr.startswith("error: ") and message in result.stderr
    ), result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
@pytest.mark.parametrize("suffix", [".yaml", ".json", ".jsonl", ".csv"])
def test_binary_files_are_one_error_line(tmp_path: Path, command: list[str], suffix: str) -> None:
    path = tmp_path / f"blob{suffix}"
    path.write_bytes(bytes(range(256)) * 8)
    result = runner.invoke(app, [*command, str(path)])
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1 and result.stderr.startswith(f"error: {path}: "), result.stderr
    assert "Traceback" not in result.output


def test_non_utf8_text_is_one_error_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(GOOD.replace("name: ok", "name: caf\xe9").encode("latin-1"))
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 2
    assert result.stderr == f"error: {path}: not UTF-8 text (byte 0xe9 at offset 9)\n"


def test_duplicate_role_key_is_refused_by_check_and_simulate_alike(tmp_path: Path) -> None:
    """The issue's case: a second `role:` silently replaced the first (check: no generator; simulate: no_acid)."""
    path = tmp_path / "dup.yaml"
    path.write_text(GOOD.replace("{catalog: TPS-Tf, parts: 5}",
                                 "{role: acid_generator, role: base, smiles: CCN(CC)CC, parts: 5}"))
    outputs = [runner.invoke(app, [*command, str(path)]) for command in COMMANDS]
    assert [r.exit_code for r in outputs] == [2, 2]
    assert {r.stderr for r in outputs} == {f"error: {path}: components[0].role: duplicate key (lines 3 and 3)\n"}


def test_simulate_refuses_what_check_refuses(tmp_path: Path) -> None:
    path = tmp_path / "two.yaml"
    path.write_text("components:\n  - {catalog: PHS-8k, parts: 100}\n  - {catalog: HMMM, parts: 10}\n")
    for command in COMMANDS:
        result = runner.invoke(app, [*command, str(path)])
        assert result.exit_code == 2
        assert result.stderr == ("error: formulation: not a negative chemically amplified resist: "
                                 "no acid_generator component\n")
    result = runner.invoke(app, ["simulate", "--json", "--allow-incomplete", str(path)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["status"] == "no_acid"


def test_numbers_in_exponent_notation_are_numbers(tmp_path: Path) -> None:
    path = tmp_path / "exp.yaml"
    path.write_text(GOOD.replace("parts: 100}", "parts: 1e2, mw: 8e3}"))
    result = runner.invoke(app, ["check", "--json", str(path)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["components"][1]["parts"] == 100.0
    big = tmp_path / "big.yaml"
    big.write_text(GOOD.replace("parts: 5}", "parts: 1e9}"))
    result = runner.invoke(app, ["check", str(big)])
    assert result.exit_code == 2
    assert result.stderr == "error: components[0].parts: amount (parts) must be between 1e-06 and 1000000, got 1000000000.0\n"


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_huge_amounts_are_a_field_error_not_a_crash(tmp_path: Path, command: list[str]) -> None:
    """Item 3: `parts: 1e308` on two components overflowed the weight fractions to 0 (division by zero)."""
    path = tmp_path / "overflow.yaml"
    path.write_text(GOOD.replace("parts: 5}", "parts: 1e308}").replace("parts: 100}", "parts: 1e308}"))
    result = runner.invoke(app, [*command, str(path)])
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [
        "error: components[0].parts: amount (parts) must be between 1e-06 and 1000000, got 1e+308",
        "error: components[1].parts: amount (parts) must be between 1e-06 and 1000000, got 1e+308",
    ]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_composition_limits_are_errors(tmp_path: Path, command: list[str]) -> None:
    """Item 15: a resin at 0.1 % of solids is not a resist (it was simulated to 0.009 uC/cm2 'ok')."""
    path = tmp_path / "thin.yaml"
    path.write_text(GOOD.replace("parts: 5}", "parts: 9000}"))
    result = runner.invoke(app, [*command, str(path)])
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [
        "error: components[0].parts: acid_generator is 98.8 % of solids, above the limit of 50 %",
        "error: components[1].parts: resin is 1.1 % of solids, below the limit of 20 %",
    ]


def test_check_and_simulate_print_the_same_warnings(tmp_path: Path) -> None:
    """Item 14/15: the same warnings, including an X-ray formulation that sets a beam energy."""
    path = tmp_path / "xray.yaml"
    path.write_text(GOOD.replace("parts: 5}", "parts: 60}")
                    + "process: {radiation: xray, photon_energy_keV: 1.0, beam_energy_keV: 50}\n")
    expected = ["process.beam_energy_keV: ignored for radiation xray (its energy is photon_energy_keV)",
                "components[0].parts: acid_generator is 35.3 % of solids, above the usual range of 30 %"]
    checked = json.loads(runner.invoke(app, ["check", "--json", str(path)]).stdout)["warnings"]
    assert checked == expected
    simulated = runner.invoke(app, ["simulate", "--json", str(path)])
    assert simulated.exit_code == 0, simulated.output
    assert simulated.stderr.splitlines() == [f"warning: {w}" for w in expected]
