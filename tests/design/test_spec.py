"""Design spec validation: every problem is one line naming its field; impossible constraints say which."""

from __future__ import annotations

import copy

import pytest

from resistml.design.spec import SpecError, load_spec, parse_spec
from resistml.paths import data_dir

BASE = {
    "name": "t",
    "process": {"radiation": "electron", "beam_energy_keV": 50, "thickness_nm": [80, 120]},
    "objectives": {"sensitivity": "minimise", "resolution_nm": "minimize"},
    "constraints": ["sensitivity <= 20", "p_prints >= 0.9"],
    "components": {"acid_generator": {"catalog": ["TPS-Tf"]}, "resin": {"parts": 100},
                   "crosslinker": {"parts": [5, 30]}, "base": {"parts": [0.1, 1]}},
    "budget": 20, "batch": 5,
}


def errors(**changes) -> list[str]:
    data = copy.deepcopy(BASE)
    for key, value in changes.items():
        data[key] = value
    with pytest.raises(SpecError) as info:
        parse_spec(data)
    return info.value.errors


def test_the_example_and_the_base_spec_are_valid():
    spec = load_spec(data_dir() / "design" / "example.yaml")
    assert spec.objective_names == ["sensitivity", "resolution_nm", "ler_nm"]
    assert [str(c) for c in spec.constraints][-1] == "p_prints >= 0.9"
    base = parse_spec(BASE)
    assert base.objectives == {"sensitivity": "min", "resolution_nm": "min"}
    assert base.reference_point()["sensitivity"] == 20  # the constraint bound is the worst counted value
    assert base.with_run(budget=40, seed=3).budget == 40


@pytest.mark.parametrize(("changes", "expected"), [
    ({"constraints": ["p_prints >= 1.2"]}, "constraints[0]: p_prints >= 1.2 can never hold (p_prints is a probability, 0-1)"),
    ({"constraints": ["sensitivity <= 0"]}, "constraints[0]: sensitivity <= 0 can never hold (sensitivity is positive)"),
    ({"constraints": ["sensitivity >= 30", "ler_nm <= 5", "sensitivity <= 20"]},
     "constraints[0], constraints[2]: sensitivity >= 30 and sensitivity <= 20 cannot both hold"),
    ({"constraints": ["resolution <= 30"]}, "constraints[0]: unknown quantity 'resolution'"),
    ({"constraints": ["sensitivity is small"]}, "constraints[0]: expected 'quantity <= number'"),
    ({"objectives": {"speed": "minimise"}}, "objectives.speed: unknown target"),
    ({"objectives": {"sensitivity": "lower"}}, "objectives.sensitivity: expected minimise or maximise"),
    ({"process": {"thickness_nm": [200, 100]}}, "process.thickness_nm: range [200, 100] is empty"),
    ({"process": {"photon_energy_keV": 1.0}}, "process.photon_energy_keV: does not apply to radiation electron"),
    ({"process": {"peb_temp_C": [100, 400]}}, "process.peb_temp_C: [100, 400] leaves the physical limits"),
    ({"process": {"substrate": ["Si", "Unobtainium"]}}, "process.substrate[1]:"),
    ({"process": {"temperature": 3}}, "process.temperature: unknown field"),
    ({"components": {**BASE["components"], "base": {"catalog": ["NoSuchBase"]}}},
     "components.base.catalog[0]: unknown catalog name 'NoSuchBase'"),
    ({"components": {**BASE["components"], "base": {"catalog": ["TPS-Tf"]}}},
     "components.base.catalog[0]: 'TPS-Tf' is a acid_generator, not a base"),
    ({"components": {**BASE["components"], "base": {"families": ["amine", "imide_sulfonate"]}}},
     "components.base.families[1]: 'imide_sulfonate' holds acid_generator molecules, not base"),
    ({"components": {**BASE["components"], "crosslinker": {"parts": [30, 5]}}}, "components.crosslinker.parts:"),
    ({"components": {"acid_generator": {}, "resin": {}}}, "components.crosslinker: missing"),
    ({"components": {**BASE["components"], "polymerizable": {"catalog": [], "families": []}}},
     "components.polymerizable: no catalog entry or family allowed"),
    ({"max_components": 2}, "max_components: 2 is fewer than the 3 required roles"),
    ({"batch": 50}, "batch: must be within 1-budget (20), got 50"),
    ({"budget": "many"}, "budget: "),
])
def test_errors_name_the_field(changes, expected):
    found = errors(**changes)
    assert any(line.startswith(expected) for line in found), found


def test_several_problems_are_all_reported(tmp_path):
    found = errors(objectives={"speed": "min"}, max_components=1, constraints=["p_prints <= -1"])
    assert {line.split(":")[0] for line in found} >= {"objectives.speed", "max_components", "constraints[0]"}
    bad = tmp_path / "bad.yaml"
    bad.write_text("objectives: [unclosed")
    with pytest.raises(SpecError, match="not valid YAML"):
        load_spec(bad)
