"""Monte Carlo transport: energy balance, reproducibility, Si backscatter, Reimer thin-film broadening."""

from __future__ import annotations

import math

import numpy as np
import pytest

from resistml.chem.material import material_from_smiles, substrate_layers, substrate_material
from resistml.physics.montecarlo import elastic_cross_section_cm2, simulate_deposition

BACKSCATTER_ACCEPT = (0.13, 0.21)  # reference/physics.yaml: backscatter_coefficient_si


@pytest.fixture(scope="module")
def phs():
    return material_from_smiles("*CC(*)c1ccc(O)cc1", 1.2)


@pytest.fixture(scope="module")
def si():
    return substrate_material("Si")


def test_energy_conservation_on_substrate(phs, si):
    r = simulate_deposition(20.0, 300.0, phs, si, 300, seed=3)
    assert r.energy_balance_error < 0.01
    f = r.energy_fractions
    assert f["resist"] > 0 and f["substrate"] > 0.5 and f["backscattered"] > 0 and f["transmitted"] == 0


def test_energy_conservation_membrane_transmits(phs):
    r = simulate_deposition(10.0, 500.0, phs, [], 300, seed=1)
    assert r.energy_balance_error < 0.01
    assert r.energy_fractions["transmitted"] > 0.5 and r.transmission_coefficient > 0.8
    assert r.exit_radii_nm.size == round(r.transmission_coefficient * 300)


def test_layered_mask_blank_conserves_energy(phs):
    r = simulate_deposition(20.0, 100.0, phs, substrate_layers("Cr-on-quartz"), 200, seed=2)
    assert r.energy_balance_error < 0.01 and r.substrate_name == "Cr/SiO2"


def test_seeded_and_reproducible(phs, si):
    a = simulate_deposition(10.0, 100.0, phs, si, 40, seed=7)
    b = simulate_deposition(10.0, 100.0, phs, si, 40, seed=7)
    c = simulate_deposition(10.0, 100.0, phs, si, 40, seed=8)
    np.testing.assert_array_equal(a.energy_keV, b.energy_keV)
    assert not np.array_equal(a.energy_keV, c.energy_keV)


@pytest.mark.parametrize("energy", [20.0, 30.0])
def test_si_backscatter_coefficient(si, energy):
    # bulk Si: the "resist" is a 1 nm Si skin on Si
    r = simulate_deposition(energy, 1.0, si, si, 1500, seed=11)
    assert BACKSCATTER_ACCEPT[0] <= r.backscatter_coefficient <= BACKSCATTER_ACCEPT[1]


def test_reimer_thin_film_broadening(phs):
    """Exit-plane beam broadening b (90 % diameter) within 2x of Reimer's b = 625 (Z/E)(rho/A)^0.5 t^1.5."""
    t_nm, energy = 300.0, 20.0
    r = simulate_deposition(energy, t_nm, phs, [], 1000, seed=5)
    reimer = 625 * (phs.mean_z / energy) * math.sqrt(phs.density_g_cm3 / phs.mean_a) * (t_nm * 1e-7) ** 1.5 * 1e7
    mc = 2 * np.percentile(r.exit_radii_nm, 90)
    assert reimer / 2 < mc < reimer * 2


def test_deposit_grows_with_thickness_and_falls_with_energy(phs, si):
    thin = simulate_deposition(20.0, 100.0, phs, si, 200, seed=1).energy_fractions["resist"]
    thick = simulate_deposition(20.0, 400.0, phs, si, 200, seed=1).energy_fractions["resist"]
    fast = simulate_deposition(50.0, 100.0, phs, si, 200, seed=1).energy_fractions["resist"]
    assert thick > 2.5 * thin and fast < thin / 1.5


def test_cross_section_screened_rutherford_limits():
    # grows ~Z^(4/3) at fixed E and falls with E
    z = np.array([6.0, 14.0])
    s = elastic_cross_section_cm2(np.array([10.0, 10.0]), z)
    assert 1.2 < math.log(s[1] / s[0]) / math.log(14 / 6) < 1.5
    assert elastic_cross_section_cm2(np.array(20.0), np.array(6.0)) < elastic_cross_section_cm2(np.array(10.0), np.array(6.0))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"beam_energy_keV": -5}, "beam_energy_keV"), ({"thickness_nm": 0}, "thickness_nm"),
     ({"n_electrons": 0}, "n_electrons"), ({"cutoff_keV": 0.01}, "cutoff_keV")],
)
def test_bad_inputs(phs, si, kwargs, match):
    args = {"beam_energy_keV": 20.0, "thickness_nm": 100.0, "n_electrons": 10, **kwargs}
    with pytest.raises(ValueError, match=match):
        simulate_deposition(resist=phs, substrate=si, **args)


@pytest.mark.slow
def test_si_backscatter_nearly_flat_to_100_keV(si):
    etas = [simulate_deposition(e, 1.0, si, si, 4000, seed=3).backscatter_coefficient for e in (20.0, 50.0, 100.0)]
    assert all(BACKSCATTER_ACCEPT[0] <= x <= BACKSCATTER_ACCEPT[1] for x in etas)
    assert max(etas) - min(etas) < 0.04
