"""X-ray absorption from xraylib cross sections: NIST values, Beer-Lambert, heavy-atom response."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import quad

from resistml.chem.material import film_material, material_from_formula, material_from_smiles
from resistml.formulation import Formulation
from resistml.physics.xray import (
    absorbed_energy_depth_profile,
    absorbed_fraction,
    linear_attenuation_per_um,
    mass_attenuation,
    mass_energy_absorption,
    photoelectron_blur_nm,
    photoelectron_energy_keV,
)

TPS_TF = "c1ccc(cc1)[S+](c1ccccc1)c1ccccc1.[O-]S(=O)(=O)C(F)(F)F"
DPI_TF = "c1ccc(cc1)[I+]c1ccccc1.[O-]S(=O)(=O)C(F)(F)F"


def test_water_vs_nist_xcom():
    water = material_from_formula("H2O", 1.0)
    # Hubbell & Seltzer (NIST X-ray mass attenuation tables): water at 1 and 10 keV
    np.testing.assert_allclose(mass_attenuation(water, [1.0, 10.0]), [4078.0, 5.329], rtol=0.02)
    assert mass_energy_absorption(water, 10.0) == pytest.approx(4.944, rel=0.02)


def test_iodonium_film_absorbs_more_than_sulfonium(example_dict):
    sulfonium = film_material(Formulation.from_dict(example_dict))
    example_dict["components"][0]["smiles"] = DPI_TF
    iodonium = film_material(Formulation.from_dict(example_dict))
    assert mass_energy_absorption(iodonium, 1.0) > 1.02 * mass_energy_absorption(sulfonium, 1.0)
    assert absorbed_fraction(iodonium, 1.0, 300.0) > absorbed_fraction(sulfonium, 1.0, 300.0)


@pytest.mark.parametrize("group", ["F", "Cl", "Br", "I", "SC"])
def test_heteroatoms_raise_absorption_at_1_keV(group):
    plain = material_from_smiles("*CC(*)c1ccccc1", 1.1)
    substituted = material_from_smiles(f"*CC(*)c1ccc({group})cc1", 1.1)
    assert mass_energy_absorption(substituted, 1.0) > mass_energy_absorption(plain, 1.0)


def test_beer_lambert_profile():
    film = material_from_smiles("*CC(*)c1ccc(O)cc1", 1.2)
    mu_nm = float(linear_attenuation_per_um(film, 1.0)) * 1e-3
    z = np.array([0.0, 100.0, 200.0])
    p = absorbed_energy_depth_profile(film, 1.0, 300.0, z)
    np.testing.assert_allclose(p[1:] / p[:-1], np.exp(-mu_nm * 100.0), rtol=1e-9)
    total, _ = quad(lambda d: float(absorbed_energy_depth_profile(film, 1.0, 300.0, d)), 0, 300)
    assert total == pytest.approx(float(absorbed_fraction(film, 1.0, 300.0)), rel=1e-6)
    assert absorbed_energy_depth_profile(film, 1.0, 300.0, 301.0) == 0.0


def test_photoelectron_energy_and_blur():
    film = material_from_smiles("*CC(*)c1ccc(O)cc1", 1.2)
    e1 = photoelectron_energy_keV(film, 1.0)
    assert 0.6 < e1 < 0.75  # mostly C K-shell (0.284 keV) and O K (0.543 keV) photoelectrons
    blur = [photoelectron_blur_nm(film, e) for e in (0.5, 1.0, 2.0)]
    assert blur[0] < blur[1] < blur[2] and 5 < blur[1] < 60


def test_bad_photon_energy():
    with pytest.raises(ValueError, match="photon_keV"):
        mass_attenuation(material_from_formula("H2O", 1.0), 0.0)


def test_energy_absorption_below_1keV_is_continuous_and_close_to_attenuation():
    """Below xraylib's 1 keV mu_en tables, mu_en = photoabsorption: continuous across 1 keV, <= mu."""
    from resistml.chem.material import material_from_smiles
    from resistml.physics.xray import mass_attenuation, mass_energy_absorption

    phs = material_from_smiles("[*]CC([*])c1ccc(O)cc1")
    below, above = mass_energy_absorption(phs, [0.999, 1.0])
    assert below == pytest.approx(above, rel=0.01)
    for e in (0.3, 0.5, 0.8):
        mu_en, mu = float(mass_energy_absorption(phs, e)), float(mass_attenuation(phs, e))
        assert 0.99 * mu <= mu_en <= mu
