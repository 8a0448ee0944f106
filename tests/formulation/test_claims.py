"""Claim coverage: the shipped examples, and each claim's requirement switched on and off."""

from __future__ import annotations

from pathlib import Path

import pytest

from resistml.formulation import Formulation, load_formulation
from resistml.formulation.claims import CLAIMS, claim_text, claims_covered
from resistml.paths import data_dir

EXAMPLES = sorted((data_dir() / "examples").glob("*.yaml"))

EXPECTED = {
    "claim1-onium-melamine-100keV": [1, 2, 3, 4, 7, 8],
    "claim1-glycoluril-vinylether-50keV": [1, 3, 4, 7],
    "claim1-nonionic-phenolic-75keV": [1, 2, 3, 5, 6, 8],
    "claim1-novolac-diazomethane-75keV": [1, 2, 5, 6, 8],
    "claim1-xray-1keV": [1, 2, 3, 4, 7],
    "claim9-bprime-melamine-100keV": [9, 10, 11, 12, 15, 16],
    "claim9-bprime-nonionic-50keV": [1, 3, 5, 6, 9, 11, 13, 14, 17],
    "reference-no-d-50keV": [],
}


def test_every_example_has_an_expectation() -> None:
    assert len(EXAMPLES) >= 6
    assert {p.stem for p in EXAMPLES} == set(EXPECTED)


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_claims(path: Path) -> None:
    form = load_formulation(path)
    assert form.name == path.stem
    assert claims_covered(form) == EXPECTED[path.stem]
    assert form.warnings() == []


def test_examples_span_the_brief() -> None:
    forms = [load_formulation(p) for p in EXAMPLES]
    energies = {f.process.beam_energy_keV for f in forms if f.process.radiation == "electron"}
    assert {50.0, 75.0, 100.0} <= energies
    assert any(f.process.radiation == "xray" for f in forms)
    assert any(f.by_role("base") for f in forms) and any(not f.by_role("base") for f in forms)


def test_claim_table_is_complete_and_ordered() -> None:
    numbers = [c.number for c in CLAIMS]
    assert numbers == list(range(1, 18))
    for claim in CLAIMS:
        assert claim.parent is None or claim.parent < claim.number
    assert claim_text(2) == "claim 2 (of 1): further comprising E (organic base)"


BASE = {
    "components": [
        {"catalog": "TPS-Tf", "parts": 5},
        {"catalog": "PHS-8k", "parts": 100},
        {"catalog": "HMMM", "parts": 15},
        {"catalog": "TMPTA", "parts": 10},
    ],
    "process": {"beam_energy_keV": 50},
}


def _covered(replace: dict[int, dict] | None = None, add: list[dict] | None = None,
             drop: int | None = None, **process) -> list[int]:
    comps = [dict(c) for c in BASE["components"]]
    for i, comp in (replace or {}).items():
        comps[i] = comp
    if drop is not None:
        del comps[drop]
    comps += add or []
    form = Formulation.from_dict({"components": comps,
                                  "process": {**BASE["process"], **process}})
    return claims_covered(form)


def test_claim1_baseline() -> None:
    assert _covered() == [1, 3, 4, 7]


def test_each_dependent_switches_on() -> None:
    assert 2 in _covered(add=[{"catalog": "DBU", "parts": 0.2}])
    assert 8 in _covered(beam_energy_keV=75)
    assert 8 not in _covered(beam_energy_keV=74.9)
    assert 8 not in _covered(radiation="xray", beam_energy_keV=100)
    assert _covered(replace={0: {"catalog": "NHS-Tf", "parts": 5}}) == [1, 3, 5, 7]
    assert _covered(replace={0: {"catalog": "BTBSD", "parts": 5}}) == [1, 3, 5, 7]
    assert _covered(replace={2: {"catalog": "TMOM-BP", "parts": 15}}) == [1, 3, 4, 6]
    assert _covered(replace={1: {"catalog": "Cresol-novolac-6k", "parts": 100}}) == [1, 4, 7]


def test_missing_d_drops_claim1() -> None:
    assert _covered(drop=3) == []


def test_mislabelled_d_does_not_count() -> None:
    """An amine declared as component D is not a compound with a polymerizable C=C."""
    amine_as_d = {"name": "TOA", "role": "polymerizable", "smiles": "CCCCCCCCN(CCCCCCCC)CCCCCCCC",
                  "parts": 10}
    assert _covered(replace={3: amine_as_d}) == []


def test_b_prime_family() -> None:
    b_prime = {"catalog": "PHS-MA-20", "parts": 100}
    assert _covered(replace={1: b_prime}, drop=3) == [9, 11, 12, 15]
    assert _covered(replace={1: b_prime}) == [1, 3, 4, 7, 9, 11, 12, 15, 17]
    assert _covered(replace={1: b_prime}, drop=3, beam_energy_keV=100,
                    add=[{"catalog": "TBAH", "parts": 0.2}]) == [9, 10, 11, 12, 15, 16]
