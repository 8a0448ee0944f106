"""The shipped component catalog: real compounds, valid structures, recognised as their roles."""

from __future__ import annotations

import math

import pytest
from rdkit.Chem import Descriptors, rdMolDescriptors

from resistml.chem.smiles import count_attachment_points, parse_smiles
from resistml.formulation import Role, catalog
from resistml.formulation.roles import classify, recognised_roles, role_warnings

ENTRIES = catalog.entries()
NAMES = [e["name"] for e in ENTRIES]

MINIMUM_PER_ROLE = {"acid_generator": 15, "resin": 8, "crosslinker": 8, "polymerizable": 10,
                    "base": 8}


@pytest.mark.parametrize(("role", "minimum"), MINIMUM_PER_ROLE.items())
def test_catalog_size_per_role(role: str, minimum: int) -> None:
    assert len(catalog.names(role)) >= minimum


@pytest.mark.parametrize("entry", ENTRIES, ids=NAMES)
def test_entry_structures_parse(entry: dict) -> None:
    assert entry.get("source"), f"{entry['name']} has no source note"
    if entry["role"] == "resin":
        units = entry["repeat_units"]
        assert math.isclose(sum(u["fraction"] for u in units), 1.0, abs_tol=1e-9)
        assert all(count_attachment_points(parse_smiles(u["smiles"])) == 2 for u in units)
        assert 500 <= entry["mw"] <= 1e6 and 1.0 <= entry["pdi"] <= 10
    else:
        mol = parse_smiles(entry["smiles"])
        assert count_attachment_points(mol) == 0


@pytest.mark.parametrize("name", NAMES)
def test_entry_recognised_as_its_role(name: str) -> None:
    comp = catalog.component(name, parts=1.0)
    assert comp.role in recognised_roles(comp), (name, classify(comp))
    assert role_warnings(comp) == []


def test_class_coverage_of_patent_classes() -> None:
    """Every component class the patent names has at least one catalog member."""
    found: set[str] = set()
    for name in NAMES:
        found |= set(classify(catalog.component(name)))
    wanted = {"sulfonium_sulfonate", "iodonium_sulfonate", "n_hydroxyimide_sulfonate",
              "disulfonyldiazomethane", "hydroxystyrene_resin", "novolac_resin",
              "polymerizable_resin", "methylol_phenol", "alkoxymethyl_melamine",
              "alkoxymethyl_urea", "alkoxymethyl_glycoluril", "acrylate", "methacrylate",
              "vinyl_ether", "styrenic", "allyl", "tertiary_amine", "amidine", "imidazole",
              "pyridine", "aniline", "ammonium_hydroxide"}
    assert wanted <= found, wanted - found


# Molecular formulas and weights (g/mol) as listed by PubChem for the neutral salt / molecule.
PUBCHEM = {
    "HMMM": ("C15H30N6O6", 390.44),
    "TMGU": ("C12H22N4O6", 318.33),
    "TPS-Tf": ("C19H15F3O3S2", 412.45),
    "DPI-Tf": ("C13H10F3IO3S", 430.18),
    "BCSD": ("C13H22N2O4S2", 334.5),
    "NHN-Tf": ("C13H6F3NO5S", 345.25),
    "TMPTA": ("C15H20O6", 296.32),
    "DPHA": ("C28H34O13", 578.6),
    "TEGDMA": ("C14H22O6", 286.32),
    "DBU": ("C9H16N2", 152.24),
    "TOA": ("C24H51N", 353.7),
    "DMAP": ("C7H10N2", 122.17),
}


@pytest.mark.parametrize(("name", "expected"), PUBCHEM.items())
def test_formula_and_weight_match_pubchem(name: str, expected: tuple[str, float]) -> None:
    formula, weight = expected
    mol = parse_smiles(catalog.find(name)["smiles"])
    assert rdMolDescriptors.CalcMolFormula(mol) == formula
    assert Descriptors.MolWt(mol) == pytest.approx(weight, abs=0.05)


def test_lookup_is_case_insensitive_and_suggests() -> None:
    assert catalog.find("tmgu")["name"] == "TMGU"
    assert "TMPTA" in catalog.suggest("TMPTAA")
    assert catalog.component("PHS-8k", 100).role is Role.resin
