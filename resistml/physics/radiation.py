"""Radiation chemistry of a chemically amplified resist: acid and radical yields per absorbed energy.

Picture of Kozawa and Tagawa (Kozawa et al., J. Vac. Sci. Technol. B 21, 3149 (2003); Kozawa &
Tagawa, Jpn. J. Appl. Phys. 49, 030001 (2010)): absorbed energy ionises the (mostly polymer)
matrix, G_ion = 100/W ionisations per 100 eV; the thermalised secondary electron is captured by
an acid generator found within an effective reaction radius R_eff before it recombines with its
parent cation (a static, Perrin-type capture probability 1 - exp(-n_gen V_eff)); the generator
anion pairs with a proton released by deprotonation of the matrix radical cation - efficient
for phenolic resins (the proton source), poor otherwise. Energy deposited directly on the
generator decomposes it as well. Each decomposed generator also leaves a radical (aryl or
iminyl), which can start radical polymerization of component D.

The resin itself also crosslinks and degrades under radiation (Charlesby): G(X) crosslinks and
G(S) main-chain scissions per 100 eV absorbed by it (resin_descriptors, structure classes). These
set the dose ceiling: a quenched or generator-free phenolic/styrenic film still gels at ~mC/cm^2,
like the non-amplified PHS/PS negative resists, while PMMA-type resins only degrade.

Concentrations are molecules per nm^3 and energies eV per nm^3 throughout.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

W_VALUE_EV = 22.0
"""Mean energy per ion pair in organic solids, eV (G_ion = 4.5 per 100 eV; ICRU Report 31;
Kozawa & Tagawa 2010 use 4-5 ionisations per 100 eV for PHS)."""
R_EFF_NM = 1.2
"""Effective reaction radius for electron capture by a reference (iodonium) generator, nm; a
capture volume 4/3 pi R^3 = 7 nm^3 reproduces the saturation of acid yield with generator
loading near 10-20 wt% measured in PHS films (Kozawa & Tagawa 2010, Fig. 9). Other generators
scale the volume by their relative capture efficiency (descriptors.GENERATOR_CAPTURE)."""
PROTON_MIN = 0.3
"""Proton-transfer efficiency of a matrix without phenolic OH (acrylic/styrenic resins)."""
PROTON_K = 0.25
"""Phenolic OH per repeat unit at which the proton-source efficiency is half-way to 1."""
RADICAL_EFFICIENCY = 0.5
"""Fraction of radicals that initiate a chain (cage effect; Odian, Principles of Polymerization, ch. 3)."""
PHENOL_SCAVENGING = 1.0
"""Radical scavenging by phenols: initiation efficiency / (1 + PHENOL_SCAVENGING * OH per unit)."""


def ionisation_yield() -> float:
    """Ionisations per 100 eV absorbed, G_ion = 100 / W."""
    return 100.0 / W_VALUE_EV


def capture_probability(n_gen: ArrayLike, capture_efficiency: ArrayLike) -> np.ndarray:
    """Probability that a thermalised electron is captured by a generator: 1 - exp(-n V_eff)."""
    v_eff = 4.0 / 3.0 * np.pi * R_EFF_NM**3 * np.asarray(capture_efficiency, dtype=float)
    return -np.expm1(-np.asarray(n_gen, dtype=float) * v_eff)


def proton_efficiency(phenolic_oh_per_unit: ArrayLike) -> np.ndarray:
    """Fraction of captures that yield an acid: proton donation by the matrix radical cation."""
    oh = np.asarray(phenolic_oh_per_unit, dtype=float)
    return PROTON_MIN + (1.0 - PROTON_MIN) * oh / (oh + PROTON_K)


def acid_yield_per_100eV(
    n_gen: ArrayLike, capture_efficiency: ArrayLike, w_gen: ArrayLike,
    phenolic_oh_per_unit: ArrayLike, acids_per_generator: ArrayLike = 1.0,
) -> np.ndarray:
    """Acid molecules per 100 eV: G_ion [(1-w) P_capture phi_H + w] x acids per generator.

    The first term is electron capture (Kozawa-Tagawa), the second direct ionisation of the
    generator itself (its share of the absorbed energy ~ its weight fraction ``w_gen``).
    """
    w = np.asarray(w_gen, dtype=float)
    p_cap = capture_probability(n_gen, capture_efficiency)
    phi = proton_efficiency(phenolic_oh_per_unit)
    direct = np.where(np.asarray(n_gen) > 0, w, 0.0)
    return ionisation_yield() * ((1.0 - w) * p_cap * phi + direct) * np.asarray(acids_per_generator)


def radical_yield_per_100eV(
    acid_yield: ArrayLike, acids_per_generator: ArrayLike, phenolic_oh_per_unit: ArrayLike,
) -> np.ndarray:
    """Initiating radicals per 100 eV: one per decomposed generator, times initiation efficiency."""
    per_gen = np.asarray(acid_yield, dtype=float) / np.maximum(np.asarray(acids_per_generator), 1.0)
    f = RADICAL_EFFICIENCY / (1.0 + PHENOL_SCAVENGING * np.asarray(phenolic_oh_per_unit, dtype=float))
    return per_gen * f


def acid_concentration(energy_eV_nm3: ArrayLike, g_acid: ArrayLike, n_acid_max: ArrayLike) -> np.ndarray:
    """Acid per nm^3 after absorbing ``energy_eV_nm3``, with generator depletion.

    First-order consumption of the generator, dn/dE = -(G/100) n / n_max x n_max:
    a = n_max (1 - exp(-G E / (100 n_max))); linear (a = G E / 100) at low dose.
    """
    n_max = np.asarray(n_acid_max, dtype=float)
    rate = np.asarray(g_acid, dtype=float) * np.asarray(energy_eV_nm3, dtype=float) / 100.0
    safe = np.where(n_max > 0, n_max, 1.0)
    return np.where(n_max > 0, -safe * np.expm1(-rate / safe), 0.0)


def resin_radiation_events(energy_eV_nm3: ArrayLike, w_resin: ArrayLike, g_value: ArrayLike,
                           n_units: ArrayLike) -> np.ndarray:
    """Radiation events (crosslinks or scissions) of the resin per resin unit: G w E / (100 n_units).

    The resin absorbs its weight fraction ``w_resin`` of the energy (the film's components have
    nearly equal Z/A). Energy captured by the generator is not taken away from the resin: the
    radiation crosslinking of aromatic polymers runs through excited states and radical cations of
    the matrix, which electron capture by the generator does not prevent (an assumption).
    """
    units = np.asarray(n_units, dtype=float)
    safe = np.where(units > 0, units, 1.0)
    events = np.asarray(g_value) * np.asarray(w_resin) * np.asarray(energy_eV_nm3) / 100.0
    return np.where(units > 0, events / safe, 0.0)
