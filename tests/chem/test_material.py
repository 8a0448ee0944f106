"""Film/substrate materials: composition, Bragg-additivity I values (ICRU 37), density from structure."""

from __future__ import annotations

import math

import pytest

from resistml.chem.material import (
    Material,
    MaterialError,
    film_material,
    material_from_formula,
    material_from_smiles,
    parse_formula,
    substrate_layers,
    substrate_material,
)
from resistml.formulation import Formulation


def test_water_bragg_i_and_z_over_a():
    water = material_from_formula("H2O", 1.0)
    assert water.mean_excitation_eV == pytest.approx(75.0, abs=1.0)  # ICRU 37: 75 eV
    assert water.z_over_a == pytest.approx(0.55508, rel=1e-3)  # ESTAR


@pytest.mark.parametrize(("formula", "i_estar"), [("SiO2", 139.2), ("GaAs", 384.9), ("C5H8O2", 74.0)])
def test_compound_i_near_estar(formula, i_estar):
    # ESTAR's compound values are partly measured; Bragg additivity is within ~5 %
    assert material_from_formula(formula, 2.0).mean_excitation_eV == pytest.approx(i_estar, rel=0.05)


def test_pure_element_uses_elemental_i():
    assert substrate_material("Si").mean_excitation_eV == 173.0
    assert substrate_material("Si").mean_z == 14


def test_formula_parser():
    assert parse_formula("Ca(OH)2") == {"Ca": 1, "O": 2, "H": 2}
    assert parse_formula("C5H8O2") == {"C": 5, "H": 8, "O": 2}
    for bad in ["", "Xx2", "Si(O2", "2Si", "si"]:
        with pytest.raises(MaterialError):
            parse_formula(bad)


@pytest.mark.parametrize(
    ("smiles", "rho"),
    [("*CC(*)c1ccccc1", 1.05), ("*CC(C)(*)C(=O)OC", 1.18), ("*CC(*)c1ccc(O)cc1", 1.16), ("*CC(*)OC(C)=O", 1.19), ("*CC(*)Cl", 1.39)],
)
def test_polymer_density_from_structure(smiles, rho):
    assert material_from_smiles(smiles).density_g_cm3 == pytest.approx(rho, rel=0.06)


def test_repeat_unit_composition_is_the_chain():
    pmma = material_from_smiles("*CC(C)(*)C(=O)OC")
    exact = material_from_formula("C5H8O2", 1.18)
    for el, w in exact.mass_fractions.items():
        assert pmma.mass_fractions[el] == pytest.approx(w, rel=1e-6)


def test_film_material_of_formulation(example_dict):
    film = film_material(Formulation.from_dict(example_dict))
    assert math.isclose(sum(film.mass_fractions.values()), 1.0)
    assert set(film.mass_fractions) == {"C", "H", "O", "N", "S", "F"}
    assert 1.1 <= film.density_g_cm3 <= 1.3
    # 5 parts of TPS-Tf (two S, 15.5 wt %) in 115 parts of solids
    assert film.mass_fractions["S"] == pytest.approx(5 / 115 * 2 * 32.06 / 412.4, rel=0.02)


def test_heavy_atoms_raise_density(example_dict):
    base = film_material(Formulation.from_dict(example_dict))
    example_dict["components"][0]["smiles"] = "c1ccc(cc1)[I+]c1ccccc1.[O-]S(=O)(=O)C(F)(F)C(F)(F)C(F)(F)C(F)(F)F"
    example_dict["components"][0]["parts"] = 30
    heavy = film_material(Formulation.from_dict(example_dict))
    assert heavy.density_g_cm3 > base.density_g_cm3 + 0.05
    assert heavy.mass_fractions["I"] > 0.03


def test_substrates():
    assert substrate_material("quartz").density_g_cm3 == pytest.approx(2.2)
    assert substrate_material("Al2O3:3.95").density_g_cm3 == 3.95
    layers = substrate_layers("Cr-on-quartz")
    assert layers[0][0].mass_fractions == {"Cr": 1.0} and math.isinf(layers[-1][1])
    with pytest.raises(MaterialError, match="substrate"):
        substrate_material("Unobtainium")
    with pytest.raises(MaterialError, match="density"):
        substrate_material("Al2O3:abc")


def test_material_validation():
    with pytest.raises(MaterialError, match="density"):
        Material({"Si": 1.0}, -1.0)
    with pytest.raises(MaterialError):
        Material({"Qq": 1.0}, 1.0)
    assert Material({"C": 2.0, "H": 2.0}, 1.0).mass_fractions == {"C": 0.5, "H": 0.5}


def test_i_override_distinguishes_materials():
    a = material_from_formula("C5H8O2", 1.19)
    b = Material(a.mass_fractions, 1.19, a.name, i_override_eV=74.0)
    assert a != b and hash(a) != hash(b) and b.mean_excitation_eV == 74.0
