"""Issue 13 (items 3, 8, 9, 11, 12, 13, 14, 15): the hardened file and table readers and composition limits."""

from __future__ import annotations

import copy
import io
import json
import math
from pathlib import Path

import pandas as pd
import pytest

from resistml.formulation import Formulation, FormulationError, load_formulations
from resistml.formulation.composition import COMPOSITION_LIMITS, MAX_PARTS, weight_fractions
from resistml.formulation.table import formulations_to_frame, iter_frame, read_table_formulations
from resistml.formulation.yaml_safe import MAX_DEPTH, InputError, load_yaml
from tests.formulation_fixtures import EXAMPLE
from tests.model_fixtures import random_formulations


def test_aliases_within_the_budget_are_allowed():
    docs = load_yaml("base: &p {peb_temp_C: 110}\na: *p\nb: *p\n")
    assert docs == [{"base": {"peb_temp_C": 110}, "a": {"peb_temp_C": 110}, "b": {"peb_temp_C": 110}}]


def test_alias_bomb_is_refused_before_it_is_built():
    text = "a: &a [" + ",".join(["x"] * 50) + "]\n"
    for name, prev in zip("bcdef", "abcde", strict=True):
        text += f"{name}: &{name} [{','.join([f'*{prev}'] * 50)}]\n"
    with pytest.raises(InputError, match="expands to more than 100,000 nodes"):
        load_yaml(text)


def test_recursive_alias_is_refused():
    with pytest.raises(InputError, match="recursive YAML alias"):
        load_yaml("a: &a [1, *a]\n")


def test_depth_limit():
    assert load_yaml("a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1))
    with pytest.raises(InputError, match=f"nested deeper than {MAX_DEPTH} levels"):
        load_yaml("a: " + "[" * 100_000)


def test_duplicate_keys_name_the_field_path():
    with pytest.raises(InputError, match=r"^components\[1\]\.mw: duplicate key \(lines 4 and 5\)$"):
        load_yaml("components:\n  - {role: resin}\n  - role: resin\n    mw: 1\n    mw: 2\n")


@pytest.mark.parametrize(("text", "value"), [
    ("1e9", 1e9), ("1E+4", 1e4), ("-2e-3", -0.002), ("+5e0", 5.0), (".5e1", 5.0), ("5.e1", 50.0),
    ("1.5e3", 1500.0), ("12", 12), ("1e", "1e"), ("e9", "e9"), (".e5", ".e5"), ("+e5", "+e5"), ("'1e9'", "1e9"),
])
def test_standard_exponent_notation_reads_as_a_number(text, value):
    assert load_yaml(f"x: {text}\n") == [{"x": value}]


def _example_yaml(tmp_path: Path, **parts) -> Path:
    doc = copy.deepcopy(EXAMPLE)
    for i, p in parts.items():
        doc["components"][int(i[1:])]["parts"] = p
    path = tmp_path / "f.yaml"
    path.write_text(json.dumps(doc).replace('"parts": 100', '"parts": 1e2'))
    return path


def test_yaml_exponent_amounts_validate(tmp_path):
    (form,) = load_formulations(_example_yaml(tmp_path))
    assert form.components[1].parts == 100.0


def test_jsonl_reports_the_real_cause_per_line(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps(EXAMPLE) + "\n{oops\n\n[1, 2]\n" + '{"name": "a", "name": "b"}\n')
    with pytest.raises(FormulationError) as err:
        load_formulations(path)
    assert err.value.errors == [
        "line 2: invalid JSON (Expecting property name enclosed in double quotes at column 2)",
        "line 4: formulation: expected a mapping, got list",
        "line 5: name: duplicate key",
    ]


# ---- item 3 and 15: amounts and composition ---------------------------------------------
def test_weight_fractions_never_overflow():
    assert weight_fractions([1e308, 1e308]) == [0.5, 0.5]
    assert weight_fractions([1.0, 3.0]) == [0.25, 0.75]
    assert math.isclose(sum(weight_fractions([1e-300, 1e300, 7.0])), 1.0)


@pytest.mark.parametrize("parts", [1e308, 1e7, 1e-9])
def test_amounts_are_bounded_with_a_field_error(parts):
    doc = copy.deepcopy(EXAMPLE)
    doc["components"][0]["parts"] = parts
    with pytest.raises(FormulationError) as err:
        Formulation.from_dict(doc)
    assert err.value.errors == [f"components[0].parts: amount (parts) must be between 1e-06 and 1000000, got {parts!r}"]


def test_amount_limit_and_resin_floor():
    doc = copy.deepcopy(EXAMPLE)
    doc["components"][0]["parts"] = MAX_PARTS
    with pytest.raises(FormulationError) as err:
        Formulation.from_dict(doc)
    assert "components[1].parts: resin is 0.01 % of solids, below the limit of 20 %" in err.value.errors


def test_composition_warnings_and_limits_table():
    doc = copy.deepcopy(EXAMPLE)
    doc["components"][2]["parts"] = 90  # crosslinker 90 / 195 = 46 %
    assert Formulation.from_dict(doc).warnings() == [
        "components[2].parts: crosslinker is 46.2 % of solids, above the usual range of 45 %"]
    assert set(COMPOSITION_LIMITS) == {"resin", "acid_generator", "crosslinker", "polymerizable", "base"}
    for (err_lo, err_hi), (warn_lo, warn_hi) in COMPOSITION_LIMITS.values():
        assert err_lo <= warn_lo <= warn_hi <= err_hi


def test_sampled_training_formulations_are_within_the_limits():
    for form in random_formulations(200, seed=3):
        assert not [w for w in form.warnings() if "of solids" in w], form.name


def test_xray_with_beam_energy_is_flagged_but_a_table_row_is_not():
    doc = copy.deepcopy(EXAMPLE)
    doc["process"] = {"radiation": "xray", "beam_energy_keV": 30}
    form = Formulation.from_dict(doc)
    assert form.warnings() == ["process.beam_energy_keV: ignored for radiation xray (its energy is photon_energy_keV)"]
    frame = formulations_to_frame([form])  # a table has both energy columns: not a user's choice
    assert not [w for _, f in iter_frame(frame) for w in f.warnings()]


# ---- items 11 and 13: table cells -------------------------------------------------------
def _csv(frame: pd.DataFrame) -> pd.DataFrame:
    buf = io.StringIO()
    frame.to_csv(buf, index=False)
    buf.seek(0)
    return pd.read_csv(buf)


def test_one_bad_cell_invalidates_only_its_row():
    frame = formulations_to_frame(random_formulations(30, seed=1))
    frame = pd.concat([frame] * 100, ignore_index=True)  # 3,000 rows
    frame = frame.astype({"acid_generator_parts": object, "resin_mw": object})
    frame.loc[7, "acid_generator_parts"] = "abc"
    frame.loc[1234, "resin_mw"] = "8e3"
    table = _csv(frame)
    assert not pd.api.types.is_numeric_dtype(table["acid_generator_parts"])  # pandas made the column text
    errors = {i: e.errors for i, e in iter_frame(table) if isinstance(e, FormulationError)}
    assert errors == {7: ["acid_generator_parts: must be a number, got 'abc'"]}


def test_unknown_catalog_name_is_reported_as_such(tmp_path):
    frame = formulations_to_frame(random_formulations(3, seed=1))
    frame.loc[1, "crosslinker"] = "NOPE-Tf"
    frame.loc[2, "resin"] = "PHS-8kk"
    path = tmp_path / "lib.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(FormulationError) as err:
        read_table_formulations(path)
    first, second = err.value.errors
    assert first.startswith("row 1: crosslinker: unknown catalog name or invalid SMILES 'NOPE-Tf' "
                            "(RDKit cannot parse 'NOPE-Tf'); did you mean ")
    assert second.startswith("row 2: resin: unknown catalog name or invalid SMILES 'PHS-8kk' "
                             "(repeat units need [*] ends); did you mean PHS-8k")


def test_incomplete_formulations_get_composition_errors_as_warnings():
    """`simulate --allow-incomplete` (physics studies) simulates a film of generator and crosslinker only."""
    doc = copy.deepcopy(EXAMPLE)
    del doc["components"][1]  # no resin: the crosslinker is 67 % of solids
    with pytest.raises(FormulationError, match="no resin component"):
        Formulation.from_dict(doc)
    form = Formulation.from_dict(doc, allow_incomplete=True)
    assert form.warnings() == ["components[0].parts: acid_generator is 33.3 % of solids, above the usual range of 30 %",
                               "components[1].parts: crosslinker is 66.7 % of solids, above the limit of 60 %"]


@pytest.mark.parametrize("text", ["x: 2001-13-45", "x: !!float abc", "x: !!binary abc%", "x: !!python/object:os.system {}"])
def test_bad_tagged_values_are_one_line_errors(tmp_path, text):
    path = tmp_path / "tagged.yaml"
    path.write_text(text + "\n")
    with pytest.raises(FormulationError) as err:
        load_formulations(path)
    (line,) = err.value.errors
    assert line.startswith(f"{path}: not valid YAML: ") and "\n" not in line
