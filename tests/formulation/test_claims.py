"""Claim coverage: the shipped examples, and each claim's requirement switched on and off."""

from __future__ import annotations

from pathlib import Path

import pytest

from resistml.formulation import Formulation, load_formulation
from resistml.formulation.claims import (
    CLAIMS,
    claim_notes,
    claim_text,
    claims_covered,
    coverage,
    is_formula_a_prime_unit,
)
from resistml.paths import data_dir

EXAMPLES = sorted((data_dir() / "examples").glob("*.yaml"))

# Every shipped example, checked by hand against the published claims of US 6,824,948 B1
# (/work/shared/reference/patent-claims-US6824948B1.txt): claims 2-8 depend on claim 1
# (A + B + C + D), claims 10-17 on claim 9 (A + B' + C); 8 and 17 need an electron beam >= 75 keV.
EXPECTED = {
    # TPS-Tf (sulfonium sulfonate: 4), PHS (formula (a): 3), HMMM (methoxymethyl melamine: 7),
    # TMPTA (D), TOA (E: 2), 100 keV (8); no B' so no claim 9.
    "claim1-onium-melamine-100keV": [1, 2, 3, 4, 7, 8],
    # BBI-Nf (iodonium sulfonate: 4), PHS (3), TMGU (glycoluril, 7 only as a cyclic urea - flagged),
    # divinyl ether D, no base, 50 keV.
    "claim1-glycoluril-vinylether-50keV": [1, 3, 4, 7],
    # NHN-Tf (N-hydroxyimide sulfonate: 5), PHS-co-St (3), TMOM-BP (methoxymethyl phenol: 6),
    # DPHA (D), DBU (2), exactly 75 keV (8).
    "claim1-nonionic-phenolic-75keV": [1, 2, 3, 5, 6, 8],
    # BCSD (disulfonyldiazomethane: 5), novolac (B but not formula (a): no 3), BHMPC (methylol
    # phenol: 6), diallyl ether D, TEA (2), 75 keV (8).
    "claim1-novolac-diazomethane-75keV": [1, 2, 5, 6, 8],
    # BBI-CS (4), PHS (3), HMMM (7), divinyl ether D, DMAP (2); X-rays, so no claim 8.
    "claim1-xray-1keV": [1, 2, 3, 4, 7],
    # Acrylic B' (pendant acrylate, alkali-soluble by COOH; no aromatic ring with an O-C=C group, so
    # not formula (a'): no 10), DPI-Nf (iodonium sulfonate: 13), TMGU (16 only as a cyclic urea -
    # flagged), no D (no 11, and no claim 1), no base (no 12), exactly 75 keV (17).
    "claim9-acrylic-glycoluril-75keV": [9, 13, 16, 17],
    # The issue's example: methacryloylated PHS (B', formula (a'): 10), TPS-Nf (13), HMMM (16),
    # TBAH (E: 12), 100 keV (17); no separate D, so neither 11 nor claim 1.
    "claim9-bprime-melamine-100keV": [9, 10, 12, 13, 16, 17],
    # O-allylated PHS (B' and B; formula (a) via its PHS units: 3; formula (a') via allyl ether:
    # 10), BTSD (disulfonyldiazomethane: 5, 14), TML-BPA (hydroxymethyl phenol: 6, 15), HDDA (D:
    # claim 1 and 11), no base, 50 keV.
    "claim9-bprime-nonionic-50keV": [1, 3, 5, 6, 9, 10, 11, 14, 15],
    # PHS-VE-10 (vinyloxyethyl ether on the ring O: B', formula (a'): 10; PHS units: 3), NHS-Tf
    # (5, 14), TMOM-BP (6, 15), CHDVE (D: 1, 11), DBU (2, 12); 74 keV: neither 8 nor 17.
    "claim9-bprime-vinylether-74keV": [1, 2, 3, 5, 6, 9, 10, 11, 12, 14, 15],
    # A + B + C + E without D or B': outside both independent claims.
    "reference-no-d-50keV": [],
}

# The flagged readings expected for each example (all others have none).
EXPECTED_NOTES = {
    "claim1-glycoluril-vinylether-50keV":
        ["claim 7: yes, reading glycoluril (TMGU) as a cyclic urea (acetylenediurea)"],
    "claim9-acrylic-glycoluril-75keV":
        ["claim 16: yes, reading glycoluril (TMGU) as a cyclic urea (acetylenediurea)"],
}


def test_every_example_has_an_expectation() -> None:
    assert len(EXAMPLES) >= 6
    assert {p.stem for p in EXAMPLES} == set(EXPECTED)


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_claims(path: Path) -> None:
    form = load_formulation(path)
    assert form.name == path.stem
    assert claims_covered(form) == EXPECTED[path.stem]
    assert claim_notes(form) == EXPECTED_NOTES.get(path.stem, [])
    assert form.warnings() == []


def test_examples_span_the_brief() -> None:
    forms = [load_formulation(p) for p in EXAMPLES]
    energies = {f.process.beam_energy_keV for f in forms if f.process.radiation == "electron"}
    assert {50.0, 75.0, 100.0} <= energies
    assert any(f.process.radiation == "xray" for f in forms)
    assert any(f.by_role("base") for f in forms) and any(not f.by_role("base") for f in forms)


def test_examples_cover_the_issue() -> None:
    """Both claim families, a non-ionic generator, a phenolic crosslinker, 74 and 75 keV."""
    sets = [set(claims) for claims in EXPECTED.values()]
    assert any(1 in s and 9 not in s for s in sets) and any(9 in s and 1 not in s for s in sets)
    assert any({1, 9} <= s for s in sets)
    assert any(5 in s for s in sets) and any(14 in s for s in sets)  # non-ionic generator
    assert any(6 in s for s in sets) and any(15 in s for s in sets)  # phenolic crosslinker
    assert any(10 in s for s in sets) and any(9 in s and 10 not in s for s in sets)
    assert any(8 in s for s in sets) and any(17 in s for s in sets)
    forms = {p.stem: load_formulation(p) for p in EXAMPLES}
    below = [n for n, f in forms.items() if f.process.radiation == "electron"
             and f.process.beam_energy_keV == 74.0]
    at = [n for n, f in forms.items() if f.process.radiation == "electron"
          and f.process.beam_energy_keV == 75.0]
    assert below and at
    assert all(8 not in EXPECTED[n] and 17 not in EXPECTED[n] for n in below)
    assert all(8 in EXPECTED[n] or 17 in EXPECTED[n] for n in at)


def test_claim_table_is_complete_and_ordered() -> None:
    numbers = [c.number for c in CLAIMS]
    assert numbers == list(range(1, 18))
    parents = {c.number: c.parent for c in CLAIMS}
    assert parents == {1: None, **dict.fromkeys(range(2, 9), 1), 9: None,
                       **dict.fromkeys(range(10, 18), 9)}
    assert claim_text(2) == 'claim 2 (of 1): "further contains (E) an organic basic compound"'
    assert claim_text(12) == 'claim 12 (of 9): "further contains (E) an organic basic compound"'
    assert "formula (a')" in claim_text(10) and "(D)" in claim_text(11)
    assert "sulfonium or iodonium" in claim_text(13) and "N-hydroxyimide" in claim_text(14)
    assert "phenol" in claim_text(15) and "melamine" in claim_text(16) and "75 KeV" in claim_text(17)
    for a, b in zip(range(4, 9), range(13, 18), strict=True):  # 13-17 repeat 4-8 on claim 9
        assert claim_text(a).split(": ", 1)[1] == claim_text(b).split(": ", 1)[1]


BASE = {
    "components": [
        {"catalog": "TPS-Tf", "parts": 5},
        {"catalog": "PHS-8k", "parts": 100},
        {"catalog": "HMMM", "parts": 15},
        {"catalog": "TMPTA", "parts": 10},
    ],
    "process": {"beam_energy_keV": 50},
}


def _form(replace: dict[int, dict] | None = None, add: list[dict] | None = None,
          drop: int | None = None, **process) -> Formulation:
    comps = [dict(c) for c in BASE["components"]]
    for i, comp in (replace or {}).items():
        comps[i] = comp
    if drop is not None:
        del comps[drop]
    comps += add or []
    return Formulation.from_dict({"components": comps,
                                  "process": {**BASE["process"], **process}})


def _covered(replace: dict[int, dict] | None = None, add: list[dict] | None = None,
             drop: int | None = None, **process) -> list[int]:
    return claims_covered(_form(replace, add, drop, **process))


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
    assert _covered(replace={1: b_prime}, drop=3) == [9, 10, 13, 16]
    assert _covered(replace={1: b_prime}) == [1, 3, 4, 7, 9, 10, 11, 13, 16]
    assert _covered(replace={1: b_prime}, drop=3, beam_energy_keV=100,
                    add=[{"catalog": "TBAH", "parts": 0.2}]) == [9, 10, 12, 13, 16, 17]


def test_each_claim9_dependent_switches_on() -> None:
    b_prime = {1: {"catalog": "PHS-Allyl-15", "parts": 100}}
    assert _covered(replace=b_prime, drop=3) == [9, 10, 13, 16]
    assert 17 in _covered(replace=b_prime, drop=3, beam_energy_keV=75)
    assert 17 not in _covered(replace=b_prime, drop=3, beam_energy_keV=74.9)
    assert 17 not in _covered(replace=b_prime, drop=3, radiation="xray", beam_energy_keV=100)
    assert _covered(replace={**b_prime, 0: {"catalog": "NHS-Tf", "parts": 5}}, drop=3) == [9, 10, 14, 16]
    assert _covered(replace={**b_prime, 0: {"catalog": "BCSD", "parts": 5}}, drop=3) == [9, 10, 14, 16]
    assert _covered(replace={**b_prime, 2: {"catalog": "BHMPC", "parts": 15}}, drop=3) == [9, 10, 13, 15]
    assert _covered(replace=b_prime, drop=3, add=[{"catalog": "DBU", "parts": 0.2}]) == [9, 10, 12, 13, 16]


def test_claim11_needs_a_separate_d() -> None:
    """Claim 11 "further contains (D)": the B' resin's own C=C is not a D."""
    b_prime = {1: {"catalog": "PHS-VE-10", "parts": 100}}
    assert 11 not in _covered(replace=b_prime, drop=3)
    assert _covered(replace=b_prime) == [1, 3, 4, 7, 9, 10, 11, 13, 16]


def _resin(*units: str) -> dict:
    fraction = 1.0 / len(units)
    return {"name": "resin", "role": "resin", "mw": 9000, "pdi": 1.5, "parts": 100,
            "repeat_units": [{"smiles": u, "fraction": fraction} for u in units]}


PHS_UNIT = "[*]CC([*])c1ccc(O)cc1"


@pytest.mark.parametrize(("unit", "a_prime"), [
    ("[*]CC([*])c1ccc(OC(=O)C(C)=C)cc1", True),  # methacryloyl on the ring O
    ("[*]CC([*])c1ccc(OC(=O)C=C)cc1", True),  # acryloyl
    ("[*]CC([*])c1ccc(OC=C)cc1", True),  # aryl vinyl ether
    ("[*]CC([*])c1ccc(OCC=C)cc1", True),  # allyl ether
    ("[*]CC([*])c1ccc(OCCOC=C)cc1", True),  # 2-(vinyloxy)ethyl ether
    ("[*]CC([*])c1ccc(O)c(OCC=C)c1", True),  # x = y = 1: OH and O-allyl on one ring
    ("[*]CC([*])(C)C(=O)Oc1ccc(OC(=O)C(C)=C)cc1", True),  # A1 = -CO-O-
    ("[*]C(c1ccc(OCC=C)cc1)C[*]", True),  # backbone written the other way round
    ("[*]CC([*])c1ccc(C=C)cc1", False),  # vinyl on the ring: alkenyl R5'/R6', not (b)-(d)
    ("[*]CC([*])(C)C(=O)OCC=C", False),  # allyl methacrylate: no aromatic ring
    ("[*]CC([*])(C)C(=O)OCC(O)COC(=O)C=C", False),  # GMA-acrylic acid adduct
    ("[*]CC([*])c1ccc(O)cc1", False),  # plain formula (a)
    ("[*]CC([*])c1ccc(OC(C)=O)cc1", False),  # acetoxy: acyl without C=C
    ("[*]CC([*])c1ccc(OC)cc1", False),  # methoxy
    ("Cc1cc(O)c(C[*])cc1[*]", False),  # novolac unit: ring in the backbone
])
def test_formula_a_prime_units(unit: str, a_prime: bool) -> None:
    assert is_formula_a_prime_unit(unit) is a_prime


def test_b_prime_without_formula_a_prime_is_claim9_only() -> None:
    """A B' whose C=C is not on a ring oxygen: claim 9, not claim 10."""
    vinyl_styrene = _resin(PHS_UNIT, "[*]CC([*])c1ccc(C=C)cc1")
    assert _covered(replace={1: vinyl_styrene}, drop=3) == [9, 13, 16]
    acrylic = _resin("[*]CC([*])(C)C(=O)O", "[*]CC([*])(C)C(=O)OCC=C")
    assert _covered(replace={1: acrylic}, drop=3) == [9, 13, 16]
    assert _covered(replace={1: acrylic}) == [1, 4, 7, 9, 11, 13, 16]  # B' is a B; no formula (a)


GLYCOLURIL = {"catalog": "TMGU", "parts": 15}


def test_glycoluril_reading_is_flagged() -> None:
    form = _form(replace={2: GLYCOLURIL})
    assert coverage(form).claims == [1, 3, 4, 7]
    assert coverage(form).notes == [
        "claim 7: yes, reading glycoluril (TMGU) as a cyclic urea (acetylenediurea)"]
    strict = coverage(form, glycoluril_as_urea=False)
    assert strict.claims == [1, 3, 4]
    assert strict.notes == ["claim 7: no, glycoluril (TMGU) not read as a urea compound "
                            "(yes if read as a cyclic urea)"]
    b_prime = _form(replace={1: {"catalog": "PHS-MA-20", "parts": 100}, 2: GLYCOLURIL})
    assert coverage(b_prime).notes == [
        "claim 7: yes, reading glycoluril (TMGU) as a cyclic urea (acetylenediurea)",
        "claim 16: yes, reading glycoluril (TMGU) as a cyclic urea (acetylenediurea)"]


def test_glycoluril_note_only_when_it_decides() -> None:
    """With a melamine next to the glycoluril, claim 7 does not depend on the reading."""
    form = _form(replace={2: GLYCOLURIL}, add=[{"catalog": "HMMM", "parts": 5}])
    assert coverage(form) == coverage(form, glycoluril_as_urea=False)
    assert coverage(form).claims == [1, 3, 4, 7] and coverage(form).notes == []
    assert claim_notes(_form(replace={2: GLYCOLURIL}, drop=3)) == []  # no claim 1 anyway


def test_guanamine_reading_is_flagged() -> None:
    form = _form(replace={2: {"catalog": "TMMBG", "parts": 15}})
    assert coverage(form).claims == [1, 3, 4]
    assert coverage(form).notes == ["claim 7: no, the guanamine (TMMBG) is not read as a melamine "
                                    "compound (yes if guanamines are read as melamines)"]
    assert claims_covered(form, guanamine_as_melamine=True) == [1, 3, 4, 7]


@pytest.mark.parametrize(("crosslinker", "claims"), [
    ({"catalog": "TMMU", "parts": 15}, [1, 3, 4, 7]),  # tetrakis(methoxymethyl)urea
    ({"catalog": "DMMU", "parts": 15}, [1, 3, 4, 7]),  # bis(methoxymethyl)urea
    ({"catalog": "Cymel-1156", "parts": 15}, [1, 3, 4, 7]),  # butoxymethyl melamine
    ({"name": "acetoxymethyl melamine", "role": "crosslinker", "parts": 15,  # acyloxymethylated
      "smiles": "CC(=O)OCN(COC(C)=O)c1nc(N(COC(C)=O)COC(C)=O)nc(N(COC(C)=O)COC(C)=O)n1"},
     [1, 3, 4, 7]),
    ({"name": "hexamethylolmelamine", "role": "crosslinker", "parts": 15,  # only N-CH2OH: not 7
      "smiles": "OCN(CO)c1nc(N(CO)CO)nc(N(CO)CO)n1"}, [1, 3, 4]),
    ({"name": "dimethylolurea", "role": "crosslinker", "parts": 15,
      "smiles": "OCNC(=O)NCO"}, [1, 3, 4]),
    ({"name": "DMDM ethyleneurea", "role": "crosslinker", "parts": 15,  # a monocyclic urea
      "smiles": "COCN1CCN(COC)C1=O"}, [1, 3, 4, 7]),
    ({"catalog": "BHMPC", "parts": 15}, [1, 3, 4, 6]),  # hydroxymethyl phenol: 6, not 7
])
def test_crosslinker_claims_follow_the_words(crosslinker: dict, claims: list[int]) -> None:
    assert _covered(replace={2: crosslinker}) == claims
