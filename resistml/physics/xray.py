"""Soft X-ray absorption of a resist film from elemental cross sections (xraylib).

* Mixture rule: mu/rho = sum_i w_i (mu/rho)_i and mu_en/rho = sum_i w_i (mu_en/rho)_i with the
  elemental total attenuation (CS_Total) and energy-absorption (CS_Energy) cross sections of
  xraylib (Schoonjans et al., Spectrochim. Acta B 66, 776 (2011); absorption data after
  Hubbell & Seltzer / Elam et al.).
* Depth profile: Beer-Lambert attenuation; absorbed energy per unit depth per unit incident energy
  fluence, mu_en exp(-mu z) (Attix, *Introduction to Radiological Physics*, ch. 3).
* Photoelectron blur: CSDA range (:mod:`resistml.physics.electron`) of the photoelectron, whose
  energy is the photon energy less the binding energy of the shell it comes from, averaged over
  elements and shells (K, L1-L3, M1-M5) weighted by the partial photoionisation cross sections.
"""

from __future__ import annotations

import math

import numpy as np
import xraylib
from numpy.typing import ArrayLike

from resistml.chem.material import Material, atomic_number
from resistml.physics.electron import RANGE_FLOOR_KEV, csda_range_um

_SHELLS = (
    xraylib.K_SHELL, xraylib.L1_SHELL, xraylib.L2_SHELL, xraylib.L3_SHELL, xraylib.M1_SHELL,
    xraylib.M2_SHELL, xraylib.M3_SHELL, xraylib.M4_SHELL, xraylib.M5_SHELL,
)
MIN_PHOTON_KEV, MAX_PHOTON_KEV = 0.1, 100.0


def _energies(photon_keV: ArrayLike) -> np.ndarray:
    e = np.asarray(photon_keV, dtype=float)
    if np.any(~np.isfinite(e)) or np.any((e < MIN_PHOTON_KEV) | (e > MAX_PHOTON_KEV)):
        raise ValueError(f"photon_keV must be within {MIN_PHOTON_KEV}-{MAX_PHOTON_KEV} keV, got {photon_keV!r}")
    return e


def _mix(material: Material, photon_keV: ArrayLike, cross_section) -> np.ndarray:
    e = _energies(photon_keV)
    flat = e.ravel()
    out = np.zeros(flat.shape)
    for el, w in material.mass_fractions.items():
        z = atomic_number(el)
        out += w * np.array([cross_section(z, float(x)) for x in flat])
    return out.reshape(e.shape)


def mass_attenuation(material: Material, photon_keV: ArrayLike) -> np.ndarray:
    """Total mass attenuation coefficient mu/rho, cm2/g."""
    return _mix(material, photon_keV, xraylib.CS_Total)


def _energy_absorption_cs(z: int, photon_keV: float) -> float:
    """Elemental mu_en/rho, cm2/g. xraylib's CS_Energy tables start at 1 keV; below, use the
    photoelectric cross section: there photoabsorption is > 99 % of attenuation and the
    fluorescence yields of light elements are < 1 % (Hubbell & Seltzer, NISTIR 5632: mu_en/mu =
    0.998 for PHS at 1 keV), so mu_en = tau to better than 1 %."""
    if photon_keV >= 1.0:
        return xraylib.CS_Energy(z, photon_keV)
    return xraylib.CS_Photo(z, photon_keV)


def mass_energy_absorption(material: Material, photon_keV: ArrayLike) -> np.ndarray:
    """Mass energy-absorption coefficient mu_en/rho, cm2/g (0.1-100 keV)."""
    return _mix(material, photon_keV, _energy_absorption_cs)


def linear_attenuation_per_um(material: Material, photon_keV: ArrayLike) -> np.ndarray:
    """Linear attenuation coefficient mu, 1/um."""
    return mass_attenuation(material, photon_keV) * material.density_g_cm3 * 1e-4


def absorbed_energy_depth_profile(
    material: Material, photon_keV: float, thickness_nm: float, depth_nm: ArrayLike
) -> np.ndarray:
    """Absorbed energy per nm of depth per unit incident energy fluence (1/nm), 0 outside the film.

    Beer-Lambert: mu_en exp(-mu z); integrating over 0..t gives (mu_en/mu)(1 - exp(-mu t)).
    """
    if not thickness_nm > 0:
        raise ValueError(f"thickness_nm must be > 0, got {thickness_nm!r}")
    z = np.asarray(depth_nm, dtype=float)
    mu = float(linear_attenuation_per_um(material, photon_keV)) * 1e-3
    mu_en = float(mass_energy_absorption(material, photon_keV)) * material.density_g_cm3 * 1e-7
    inside = (z >= 0) & (z <= thickness_nm)
    return np.where(inside, mu_en * np.exp(-mu * np.clip(z, 0, None)), 0.0)


def absorbed_fraction(material: Material, photon_keV: ArrayLike, thickness_nm: float) -> np.ndarray:
    """Fraction of the incident energy absorbed in the film: (mu_en/mu)(1 - exp(-mu t))."""
    mu = linear_attenuation_per_um(material, photon_keV)
    ratio = mass_energy_absorption(material, photon_keV) / mass_attenuation(material, photon_keV)
    return ratio * -np.expm1(-mu * thickness_nm * 1e-3)


def photoelectron_energy_keV(material: Material, photon_keV: float) -> float:
    """Mean photoelectron energy (photon energy less shell binding), cross-section weighted."""
    e = float(_energies(photon_keV))
    num = den = 0.0
    for el, w in material.mass_fractions.items():
        z = atomic_number(el)
        for shell in _SHELLS:
            try:
                edge = xraylib.EdgeEnergy(z, shell)
                sigma = xraylib.CS_Photo_Partial(z, shell, e) if edge < e else 0.0
            except ValueError:  # shell absent for light elements
                continue
            num += w * sigma * (e - edge)
            den += w * sigma
        if z <= 2:  # H, He: only K, taken from the total photo cross section
            sigma = xraylib.CS_Photo(z, e)
            num += w * sigma * (e - xraylib.EdgeEnergy(z, xraylib.K_SHELL))
            den += w * sigma
    return num / den if den > 0 else e


def photoelectron_blur_nm(material: Material, photon_keV: float) -> float:
    """Blur from the photoelectron: its CSDA range in the film, nm."""
    ep = photoelectron_energy_keV(material, photon_keV)
    if ep <= RANGE_FLOOR_KEV:
        return 0.0
    return float(csda_range_um(ep, material)) * 1e3


def attenuation_length_um(material: Material, photon_keV: float) -> float:
    """1/e attenuation length, um."""
    return 1.0 / float(linear_attenuation_per_um(material, photon_keV)) if photon_keV else math.inf
