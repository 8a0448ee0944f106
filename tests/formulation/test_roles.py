"""Structure-based classes and roles: representative molecules of each class, and negatives."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from resistml.chem.smiles import SmilesError
from resistml.formulation import Component, Formulation, Role
from resistml.formulation.roles import (
    CLASSES,
    classify,
    classify_resin,
    classify_smiles,
    recognised_roles,
    role_warnings,
    roles_for_classes,
)

TPS = "c1ccc(cc1)[S+](c1ccccc1)c1ccccc1"
TRIFLATE = "[O-]S(=O)(=O)C(F)(F)F"

# (SMILES, class that must be found, role it implies)
POSITIVES = [
    (f"{TPS}.{TRIFLATE}", "sulfonium_sulfonate", Role.acid_generator),
    (f"{TRIFLATE}.{TPS}", "onium_sulfonate", Role.acid_generator),  # anion first
    ("COc1ccc(cc1)[S+](c1ccccc1)c1ccccc1.Cc1ccc(cc1)S([O-])(=O)=O", "sulfonium_sulfonate",
     Role.acid_generator),
    ("c1ccc(cc1)[I+]c1ccccc1.[O-]S(=O)(=O)C(F)(F)C(F)(F)C(F)(F)C(F)(F)F", "iodonium_sulfonate",
     Role.acid_generator),
    ("c1ccc(cc1)[I+]c1ccccc1.F[P-](F)(F)(F)(F)F", "onium_salt", Role.acid_generator),
    ("O=C1CCC(=O)N1OS(=O)(=O)C(F)(F)F", "n_hydroxyimide_sulfonate", Role.acid_generator),
    ("O=C1c2ccccc2C(=O)N1OS(=O)(=O)c1ccc(C)cc1", "n_hydroxyimide_sulfonate", Role.acid_generator),
    ("CC(C)(C)S(=O)(=O)C(=[N+]=[N-])S(=O)(=O)C(C)(C)C", "disulfonyldiazomethane",
     Role.acid_generator),
    ("COCN(COC)c1nc(N(COC)COC)nc(N(COC)COC)n1", "alkoxymethyl_melamine", Role.crosslinker),
    ("OCNc1nc(NCO)nc(NCO)n1", "alkoxymethyl_melamine", Role.crosslinker),  # trimethylol melamine
    ("COCN1C2C(N(COC)C1=O)N(COC)C(=O)N2COC", "alkoxymethyl_glycoluril", Role.crosslinker),
    ("COCNC(=O)NCOC", "alkoxymethyl_urea", Role.crosslinker),
    ("Cc1cc(CO)c(O)c(CO)c1", "methylol_phenol", Role.crosslinker),
    ("CC(=O)OCc1cc(C)cc(COC(C)=O)c1O", "methylol_phenol", Role.crosslinker),  # acyloxymethyl
    ("C=CC(=O)OCCCCCCOC(=O)C=C", "acrylate", Role.polymerizable),
    ("CC(=C)C(=O)OCCOCCOCCOC(=O)C(C)=C", "methacrylate", Role.polymerizable),
    ("C=COCCCCOC=C", "vinyl_ether", Role.polymerizable),
    ("CC(=O)Oc1ccc(C=C)cc1", "styrenic", Role.polymerizable),
    ("C=COC(=O)CCCCC(=O)OC=C", "vinyl_ester", Role.polymerizable),  # divinyl adipate
    ("CCC(CO)(COCC=C)COCC=C", "allyl", Role.polymerizable),
    ("C(OCC1CO1)C1CO1", "epoxide", Role.polymerizable),
    ("CCCCCCCCN(CCCCCCCC)CCCCCCCC", "tertiary_amine", Role.base),
    ("CCCCNCCCC", "secondary_amine", Role.base),
    ("CCCCCCCCCCN", "primary_amine", Role.base),
    ("C1CCC2=NCCCN2CC1", "amidine", Role.base),
    ("c1ccc(cc1)-c1ncc[nH]1", "imidazole", Role.base),
    ("CN(C)c1ccncc1", "pyridine", Role.base),
    ("CC(C)c1cccc(C(C)C)c1N", "aniline", Role.base),
    ("C[N+](C)(C)C.[OH-]", "ammonium_hydroxide", Role.base),
]


@pytest.mark.parametrize(("smiles", "cls", "role"), POSITIVES)
def test_representatives_are_classified(smiles: str, cls: str, role: Role) -> None:
    classes = classify_smiles(smiles)
    assert cls in classes
    assert role in roles_for_classes(classes)


# (SMILES, role it must NOT be recognised as, why)
NEGATIVES = [
    ("CCCCCCCCN(CCCCCCCC)CCCCCCCC", Role.crosslinker, "an amine is not a crosslinker"),
    ("COCN(COC)c1nc(N(COC)COC)nc(N(COC)COC)n1", Role.base, "melamine N is no base here"),
    ("COCN1C2C(N(COC)C1=O)N(COC)C(=O)N2COC", Role.base, "urea N is not basic"),
    ("CC(C)(C)c1ccc(O)cc1", Role.crosslinker, "a phenol without CH2OR is no crosslinker"),
    ("COc1ccc(C)cc1", Role.crosslinker, "anisole has no methylol"),
    ("CC(=O)OCC", Role.polymerizable, "a saturated ester has no C=C"),
    ("C/C=C/C(=O)OC", Role.polymerizable, "crotonate is not a (meth)acrylate"),
    ("c1ccc(cc1)S(=O)(=O)[O-].[Na+]", Role.acid_generator, "a sodium sulfonate is no onium salt"),
    ("CS(=O)(=O)OC", Role.acid_generator, "an alkyl sulfonate ester is no patent class"),
    ("CC(=O)Nc1ccccc1", Role.base, "an anilide is not basic"),
    ("c1ccc(cc1)[S+](c1ccccc1)c1ccccc1.[O-]S(=O)(=O)C(F)(F)F", Role.base, "onium salt"),
    ("C[N+](C)(C)C.Cc1ccc(cc1)S([O-])(=O)=O", Role.base, "ammonium sulfonate is a salt"),
    ("c1ccccc1", Role.polymerizable, "benzene"),
]


@pytest.mark.parametrize(("smiles", "role", "why"), NEGATIVES)
def test_negatives_are_not_recognised(smiles: str, role: Role, why: str) -> None:
    assert role not in roles_for_classes(classify_smiles(smiles)), why


def test_vinyl_ester_is_not_a_vinyl_ether() -> None:
    classes = classify_smiles("C=COC(C)=O")
    assert "vinyl_ester" in classes and "vinyl_ether" not in classes
    assert "acid_polymerizable" not in classes


def test_onium_sulfonate_needs_the_sulfonate() -> None:
    classes = classify_smiles("c1ccc(cc1)[I+]c1ccccc1.F[P-](F)(F)(F)(F)F")
    assert "onium_salt" in classes and "onium_sulfonate" not in classes


def test_every_class_name_is_documented() -> None:
    molecules = [p[0] for p in POSITIVES] + [n[0] for n in NEGATIVES]
    seen = {c for s in molecules for c in classify_smiles(s)}
    assert seen <= set(CLASSES)
    assert all(name == name.lower() and " " not in name for name in CLASSES)


def test_classify_smiles_returns_a_fresh_list() -> None:
    first = classify_smiles("C=COCCCCOC=C")
    first.append("junk")
    assert "junk" not in classify_smiles("C=COCCCCOC=C")


def test_unparsable_smiles_raises() -> None:
    with pytest.raises(SmilesError):
        classify_smiles("C1CC")


@pytest.mark.parametrize(
    ("units", "present", "absent"),
    [
        (["[*]CC([*])c1ccc(O)cc1"], {"hydroxystyrene_resin", "alkali_soluble_resin"},
         {"novolac_resin", "polymerizable_resin"}),
        (["[*]C(c1ccc(O)cc1)C[*]"], {"hydroxystyrene_resin"}, set()),  # written the other way
        (["[*]CC([*])(C)c1cccc(O)c1"], {"hydroxystyrene_resin"}, set()),  # alpha-methyl, meta-OH
        (["[*]CC([*])c1ccc(O)c(C)c1"], {"hydroxystyrene_resin"}, set()),  # ring-substituted
        (["Cc1cc(O)c(C[*])cc1[*]"], {"novolac_resin", "phenolic_resin"}, {"hydroxystyrene_resin"}),
        (["[*]CC([*])c1ccc(OC(C)=O)cc1"], set(), {"alkali_soluble_resin", "phenolic_resin"}),
        (["[*]CC([*])c1ccc(O)cc1", "[*]CC([*])c1ccc(OC(=O)C(C)=C)cc1"],
         {"polymerizable_resin", "pendant_methacrylate", "hydroxystyrene_resin"}, set()),
        (["[*]CC([*])c1ccc(O)cc1", "[*]CC([*])c1ccc(OCC=C)cc1"], {"pendant_allyl"}, set()),
        (["[*]CC([*])c1ccc(O)cc1", "[*]CC([*])c1ccc(C=C)cc1"], {"pendant_styrenic"}, set()),
        (["[*]CC([*])(C)C(=O)O"], {"carboxylic_acid_resin", "alkali_soluble_resin"}, set()),
        (["[*]C/C=C/C[*]"], set(), {"polymerizable_resin"}),  # backbone C=C is not pendant
    ],
)
def test_resin_classes(units: list[str], present: set[str], absent: set[str]) -> None:
    classes = set(classify_resin(units))
    assert present <= classes
    assert not absent & classes


def _comp(**kw) -> Component:
    return Component.model_validate({"parts": 1.0, **kw})


def test_component_roles_and_warnings() -> None:
    amine = _comp(name="TOA", role="crosslinker", smiles="CCCCCCCCN(CCCCCCCC)CCCCCCCC")
    assert recognised_roles(amine) == {Role.base}
    (warning,) = role_warnings(amine)
    assert warning.startswith("declared crosslinker but structure looks like base")
    assert "tertiary_amine" in warning

    ok = _comp(role="crosslinker", smiles="COCN1C2C(N(COC)C1=O)N(COC)C(=O)N2COC")
    assert role_warnings(ok) == []

    nothing = _comp(role="polymerizable", smiles="CCCCCC")
    assert role_warnings(nothing) == [
        "declared polymerizable but no polymerizable structure recognised (classes: none)"
    ]

    resin = _comp(role="resin", repeat_units=[{"smiles": "[*]CC([*])c1ccccc1", "fraction": 1}],
                  mw=10000, pdi=1.5)
    assert classify(resin) == []
    assert "no resin structure recognised" in role_warnings(resin)[0]


def test_formulation_warnings_name_the_component() -> None:
    form = Formulation.from_dict({
        "components": [
            {"role": "acid_generator", "smiles": f"{TPS}.{TRIFLATE}", "parts": 5},
            {"role": "resin", "repeat_units": [{"smiles": "[*]CC([*])c1ccc(O)cc1"}], "mw": 8000,
             "parts": 100},
            {"role": "crosslinker", "smiles": "OCCN(CCO)CCO", "parts": 10},
        ]
    })
    notes = [w for w in form.warnings() if w.startswith("components[2].role:")]
    assert len(notes) == 1 and "base (tertiary_amine)" in notes[0]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="CNOScnos()[]=#+-.123@H*FIl", min_size=1, max_size=40))
def test_classify_smiles_fails_only_with_smiles_error(text: str) -> None:
    try:
        classes = classify_smiles(text)
    except SmilesError:
        return
    assert set(classes) <= set(CLASSES)
