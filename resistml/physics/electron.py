"""Electron stopping power and CSDA range in any material.

* Collision stopping power: relativistic Bethe formula for electrons in the form of ICRU Report 37
  (1984), eq. 2.11, with Rohrlich-Carlson F-(tau) and the Sternheimer-Peierls density effect
  (Phys. Rev. B 3, 3681 (1971)).
* Low-energy stopping power: Joy & Luo, Scanning 11, 176 (1989), which stays finite and positive
  below the Bethe formula's validity (E < ~10 I) and joins it above a few keV.
* CSDA range: integral of 1/S from 50 eV (ESTAR definition; radiative losses, < 0.5 % below
  100 keV in light materials, are neglected).
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike

from resistml.chem.material import Material

ELECTRON_MASS_KEV = 510.99895
BETHE_K_MEV_CM2_MOL = 0.153537
"""2 pi r_e^2 m c^2 N_A in MeV cm2/mol."""
JOY_LUO_K_KEV_CM2_G = 78500.0
"""Joy-Luo prefactor: dE/ds = -78500 rho Z/(A E) ln(1.166 (E + k J)/J) keV/cm."""
RANGE_FLOOR_KEV = 0.05
"""Lower limit of the CSDA range integral (electrons below it are at rest)."""
_BLEND_LO_KEV, _BLEND_HI_KEV = 3.0, 10.0


def _as_energy(energy_keV: ArrayLike) -> np.ndarray:
    e = np.asarray(energy_keV, dtype=float)
    if np.any(~np.isfinite(e)) or np.any(e <= 0):
        raise ValueError(f"energy_keV must be finite and > 0, got {energy_keV!r}")
    return e


def density_effect(energy_keV: ArrayLike, material: Material) -> np.ndarray:
    """Sternheimer-Peierls (1971) general density-effect correction delta for a condensed medium."""
    e = _as_energy(energy_keV)
    tau = e / ELECTRON_MASS_KEV
    x = np.log10(np.sqrt(tau * (tau + 2.0)))
    plasma_eV = 28.816 * math.sqrt(material.density_g_cm3 * material.z_over_a)
    c_bar = 2.0 * math.log(material.mean_excitation_eV / plasma_eV) + 1.0
    if material.mean_excitation_eV < 100.0:
        x1, x0 = 2.0, (0.2 if c_bar < 3.681 else 0.326 * c_bar - 1.0)
    else:
        x1, x0 = 3.0, (0.2 if c_bar < 5.215 else 0.326 * c_bar - 1.5)
    a = (c_bar - 4.606 * x0) / (x1 - x0) ** 3
    delta = np.where(x >= x1, 4.606 * x - c_bar, 4.606 * x - c_bar + a * np.clip(x1 - x, 0, None) ** 3)
    return np.where(x <= x0, 0.0, delta)


def collision_stopping_power(energy_keV: ArrayLike, material: Material) -> np.ndarray:
    """Mass collision stopping power of electrons, MeV cm2/g (ICRU 37 relativistic Bethe)."""
    e = _as_energy(energy_keV)
    tau = e / ELECTRON_MASS_KEV
    beta2 = 1.0 - 1.0 / (1.0 + tau) ** 2
    i_rel = material.mean_excitation_eV * 1e-3 / ELECTRON_MASS_KEV
    f_minus = 1.0 - beta2 + (tau**2 / 8.0 - (2.0 * tau + 1.0) * math.log(2.0)) / (tau + 1.0) ** 2
    log_term = np.log(tau**2 * (tau + 2.0) / (2.0 * i_rel**2))
    bracket = log_term + f_minus - density_effect(e, material)
    return BETHE_K_MEV_CM2_MOL * material.z_over_a / beta2 * bracket


def joy_luo_k(material: Material) -> float:
    """Joy-Luo constant k = 0.731 + 0.0688 log10(Z) (Z: electron-weighted mean atomic number)."""
    return 0.731 + 0.0688 * math.log10(material.mean_z)


def joy_luo_stopping_power(energy_keV: ArrayLike, material: Material) -> np.ndarray:
    """Joy-Luo (1989) low-energy stopping power, MeV cm2/g (valid down to ~50 eV)."""
    e = _as_energy(energy_keV)
    j_keV = material.mean_excitation_eV * 1e-3
    arg = 1.166 * (e + joy_luo_k(material) * j_keV) / j_keV
    return JOY_LUO_K_KEV_CM2_G * 1e-3 * material.z_over_a / e * np.log(np.maximum(arg, 1.0 + 1e-6))


def transport_stopping_power(energy_keV: ArrayLike, material: Material) -> np.ndarray:
    """Stopping power for the transport, MeV cm2/g: Joy-Luo below 3 keV, Bethe (ICRU 37) above
    10 keV, joined smoothly (log-energy smoothstep) between."""
    e = _as_energy(energy_keV)
    t = np.clip(np.log(e / _BLEND_LO_KEV) / math.log(_BLEND_HI_KEV / _BLEND_LO_KEV), 0.0, 1.0)
    w = t * t * (3.0 - 2.0 * t)
    bethe = collision_stopping_power(np.maximum(e, _BLEND_LO_KEV), material)
    return (1.0 - w) * joy_luo_stopping_power(e, material) + w * bethe


@lru_cache(maxsize=256)
def range_table(material: Material, e_max_keV: float = 400.0, n: int = 2000) -> tuple[np.ndarray, np.ndarray]:
    """(energy_keV, CSDA range in g/cm2) on a log grid from RANGE_FLOOR_KEV (trapezoid in ln E)."""
    energy = np.geomspace(RANGE_FLOOR_KEV, e_max_keV, n)
    integrand = energy / (transport_stopping_power(energy, material) * 1e3)  # dR/dlnE, g/cm2
    steps = 0.5 * (integrand[1:] + integrand[:-1]) * np.diff(np.log(energy))
    return energy, np.concatenate([[0.0], np.cumsum(steps)])


def csda_range_g_cm2(energy_keV: ArrayLike, material: Material) -> np.ndarray:
    """CSDA range, g/cm2."""
    e = _as_energy(energy_keV)
    grid, rng = range_table(material)
    if np.any(e > grid[-1]):
        raise ValueError(f"energy_keV above the {grid[-1]:g} keV table limit")
    return np.interp(np.log(e), np.log(grid), rng, left=0.0)


def csda_range_um(energy_keV: ArrayLike, material: Material) -> np.ndarray:
    """CSDA range, micrometres, at the material's density."""
    return csda_range_g_cm2(energy_keV, material) / material.density_g_cm3 * 1e4


def energy_after_path(energy_keV: np.ndarray, path_g_cm2: np.ndarray, material: Material) -> np.ndarray:
    """Energy left after a mass path along a CSDA track: E(R(E0) - s); 0 once the range is spent."""
    grid, rng = range_table(material)
    residual = np.interp(np.log(energy_keV), np.log(grid), rng) - path_g_cm2
    out = np.exp(np.interp(residual, rng, np.log(grid)))
    return np.where(residual <= 0.0, 0.0, out)


def kanaya_okayama_range_um(energy_keV: ArrayLike, material: Material) -> np.ndarray:
    """Kanaya & Okayama, J. Phys. D 5, 43 (1972): R = 0.0276 A E^1.67 / (Z^0.889 rho), um."""
    e = _as_energy(energy_keV)
    return 0.0276 * material.mean_a * e**1.67 / (material.mean_z**0.889 * material.density_g_cm3)
