"""Formulation schema: round trips and every user-facing error path."""

from __future__ import annotations

import json
import math

import pytest

from resistml.chem.smiles import MAX_SMILES_LENGTH
from resistml.formulation import (
    MAX_COMPONENTS,
    Formulation,
    FormulationError,
    Role,
    load_formulation,
    load_formulations,
    save_formulation,
)


def errors_of(data: dict, **kw) -> list[str]:
    with pytest.raises(FormulationError) as info:
        Formulation.from_dict(data, **kw)
    return info.value.errors


def test_example_parses_and_resolves_catalog(example_dict):
    f = Formulation.from_dict(example_dict)
    assert [c.role for c in f.components] == [Role.acid_generator, Role.resin, Role.crosslinker]
    hmmm = f.components[2]
    assert hmmm.name == "HMMM" and hmmm.catalog == "HMMM" and hmmm.smiles
    assert math.isclose(sum(f.weight_fractions()), 1.0)
    assert f.process.substrate == "Si" and f.process.tmah_wt_percent == pytest.approx(2.38)


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_file_round_trip(example_dict, tmp_path, suffix):
    f = Formulation.from_dict(example_dict)
    path = tmp_path / f"f{suffix}"
    save_formulation(f, path)
    assert load_formulation(path) == f


def test_multi_document_files(example_dict, tmp_path):
    path = tmp_path / "many.json"
    second = {**example_dict, "name": "two"}
    path.write_text(json.dumps({"formulations": [example_dict, second]}))
    assert [f.name for f in load_formulations(path)] == ["example-1", "two"]
    jsonl = tmp_path / "many.jsonl"
    jsonl.write_text(json.dumps(example_dict) + "\n" + json.dumps(second) + "\n")
    assert len(load_formulations(jsonl)) == 2


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d["components"][0].update(smiles="C1CC"), "components[0].smiles: RDKit cannot parse 'C1CC'"),
        (lambda d: d["components"][0].update(smiles="  "), "components[0].smiles: empty SMILES"),
        (lambda d: d["components"][0].update(smiles="C" * (MAX_SMILES_LENGTH + 1)), "components[0].smiles: SMILES longer than"),
        (lambda d: d["components"][1]["repeat_units"][0].update(smiles="CCc1ccc(O)cc1"), "components[1].repeat_units[0].smiles: repeat unit 'CCc1ccc(O)cc1' needs exactly two [*] ends, found 0"),
        (lambda d: d["components"][0].update(parts=-1), "components[0].parts: amount (parts) must be > 0, got -1"),
        (lambda d: d["components"][0].update(parts=0), "components[0].parts: amount (parts) must be > 0, got 0"),
        (lambda d: d["components"][0].update(parts=float("nan")), "components[0].parts: amount (parts) must be finite, got nan"),
        (lambda d: d["components"][0].update(parts=float("inf")), "components[0].parts: amount (parts) must be finite, got inf"),
        (lambda d: d["components"][0].update(parts="lots"), "components[0].parts: amount (parts) must be a number, got 'lots'"),
        (lambda d: d["components"][1]["repeat_units"].append({"smiles": "[*]CC([*])c1ccccc1", "fraction": 0.3}), "components[1].repeat_units: mole fractions sum to 1.3, not 1"),
        (lambda d: d["components"][2].update(catalog="HMMN"), "components[2].catalog: unknown catalog name 'HMMN'; did you mean HMMM?"),
        (lambda d: d["components"][0].update(role="photoinitiator"), "components[0].role: unknown role 'photoinitiator'"),
        (lambda d: d["components"].pop(0), "formulation: not a negative chemically amplified resist: no acid_generator component"),
        (lambda d: d["components"].pop(1), "no resin component"),
        (lambda d: d["components"].pop(2), "no crosslinker component"),
        (lambda d: d["components"].extend([{"catalog": "HMMM", "parts": 1}] * MAX_COMPONENTS), f"components: at most {MAX_COMPONENTS} components"),
        (lambda d: d["process"].update(beam_energy_keV=1000), "process.beam_energy_keV: 1000 is outside the physical limits"),
        (lambda d: d["process"].update(beam_energy_keV=-5), "process.beam_energy_keV: -5 is outside the physical limits"),
        (lambda d: d["process"].update(thickness_nm=float("nan")), "process.thickness_nm: must be a finite number, got nan"),
        (lambda d: d["process"].update(radiation="gamma"), "process.radiation: Input should be 'electron' or 'xray'"),
        (lambda d: d["process"].update(developer="acetone"), "process.developer: unknown developer 'acetone'"),
        (lambda d: d["components"][0].update(colour="red"), "components[0].colour: unknown field (value 'red')"),
        (lambda d: d["components"][1].pop("mw"), "components[1]: a resin needs mw"),
        (lambda d: d["components"][0].update(mw=1000), "repeat_units/mw/pdi are for resins"),
        (lambda d: d.update(components=[]), "components: a formulation needs components"),
    ],
)
def test_error_messages_name_the_field(example_dict, mutate, expected):
    mutate(example_dict)
    errors = errors_of(example_dict)
    assert any(expected in e for e in errors), errors


def test_out_of_domain_is_a_warning_not_an_error(example_dict):
    example_dict["process"]["beam_energy_keV"] = 150
    f = Formulation.from_dict(example_dict)
    assert any("process.beam_energy_keV: 150" in w for w in f.warnings())


def test_allow_incomplete_for_physics_limits(example_dict):
    example_dict["components"].pop(0)
    f = Formulation.from_dict(example_dict, allow_incomplete=True)
    assert not f.by_role("acid_generator")


def test_not_a_mapping():
    with pytest.raises(FormulationError, match="expected a mapping"):
        Formulation.from_dict(["not", "a", "dict"])


def test_broken_files(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("components: [unclosed")
    with pytest.raises(FormulationError, match="not valid YAML"):
        load_formulation(bad)
    with pytest.raises(FormulationError, match="cannot read"):
        load_formulation(tmp_path / "missing.yaml")
