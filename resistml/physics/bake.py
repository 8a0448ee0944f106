"""Post-exposure bake: acid diffusion, base quenching, acid loss, crosslinking and D polymerization.

* Acid diffusion: Arrhenius times Cohen-Turnbull free volume, D = A exp(-Ea/RT) exp(-b V_acid/f)
  (Cohen & Turnbull, J. Chem. Phys. 31, 1164 (1959); Vrentas & Duda, J. Polym. Sci. Polym. Phys.
  15, 403 (1977)); fractional free volume f = f_g + alpha (T - Tg) with the WLF universal values
  f_g = 0.025, alpha_f = 4.8e-4 /K above Tg (Williams, Landel & Ferry, JACS 77, 3701 (1955)) and
  a glassy alpha_g = 1e-4 /K below. Bigger acids diffuse slower; plasticisers (low-Tg D) raise f.
* Base: instant neutralisation A + B -> 0 (Hinsberg et al., Proc. SPIE 3999, 148 (2000)). With
  equal acid and base diffusivities u = a - b obeys the plain diffusion equation (the reaction
  conserves it), and in the fast-reaction limit a = max(u, 0) exactly: a strong base neutralises
  acid 1:1 up to its amount, and a base at or above all the acid the generator can release leaves
  no free acid at any dose (no smoothing, so nothing leaks past stoichiometry). The quencher
  consumes acid that diffuses into dark regions, which sharpens the latent image.
* Acid loss: first order, k_loss (evaporation, trapping; Fedynyshyn et al., Proc. SPIE 6519 (2007)).
* Crosslinking: acid-catalysed electrophilic substitution of phenols by N-CH2-OR / Ar-CH2-OR
  groups, dp/dt = k a (1 - p) (Thackeray et al., Proc. SPIE 1086, 34 (1989); Fedynyshyn 2007),
  on the resin's crosslink sites only (free phenol positions ortho/para to OH, aliphatic OH,
  COOH; resin_descriptors): a resin without any (polystyrene, PMMA) is not crosslinked.
  k follows Arrhenius and the Bronsted catalysis law k ~ Ka^alpha with acids stronger than the
  protonated matrix levelled (pKa_eff = softplus above -6).
* Junctions: a crosslinker with f groups each reacted with probability p joins j units with
  E[j(j-1)] = f(f-1)p^2, the branching weight of Stockmayer (J. Chem. Phys. 11, 45 (1943)); the
  crosslink density q (Charlesby units: q u_w = 1 at the gel point) is sum E[j(j-1)] / n_units.
* D polymerization: acid-catalysed addition of vinyl ethers / epoxides / styrenes to phenols
  (the acid is catalytic; junctions as for the crosslinker), or radical chains (acrylates): each
  initiating radical grows a chain of nu = nu_1 [M] groups (steady-state kinetic chain length,
  Odian ch. 3), joining nu (1 - 1/f) multifunctional D molecules that can branch further; the
  chain is a junction of that many units once grafted to the resin by chain transfer
  (efficiency GRAFT_RADICAL), E[j(j-1)] = j(j-1) per chain (Stockmayer).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

R_GAS = 8.314462618
T_REF_K = 383.15
"""Reference temperature for the rate constants below (110 C)."""
F_GLASS, ALPHA_RUBBER, ALPHA_GLASS = 0.025, 4.8e-4, 1.0e-4
FREE_VOLUME_MIN = 0.005
ACID_D_REF_NM2_S = 20.0
"""Pre-factor: D at T_REF of a point-size acid in a film with f = F_GLASS, nm^2/s."""
ACID_VOLUME_B = 9.3e-4
"""Cohen-Turnbull overlap factor b / V_0 in mol/cm^3 (per McGowan cm^3/mol of the acid); chosen
so that nonaflic acid diffuses ~10x slower than triflic acid in PHS (Fedynyshyn 2007)."""
EA_DIFFUSION = 60e3
"""Activation energy of acid diffusion, J/mol (measured 40-120 kJ/mol in PHS resists)."""
K_LOSS_S = 2.0e-3
"""First-order acid loss during the bake, 1/s."""
K_CROSSLINK_REF = 2.0
"""Crosslinking rate constant of an aminoplast ether with a levelled strong acid at T_REF, nm^3/s."""
EA_CROSSLINK = 90e3
"""Activation energy of acid-catalysed melamine-phenol crosslinking, J/mol (Fedynyshyn 2007: 80-100)."""
BRONSTED_ALPHA = 0.2
"""Bronsted catalysis exponent k ~ Ka^alpha (Bell, The Proton in Chemistry, 2nd ed. (Chapman &
Hall, 1973) ch. 10: alpha 0.2-0.5 for general acid catalysis; the lowest value, because the
aminoplast carbocation forms by specific-acid-like protonation of the ether). With the levelled
scale below, the crosslinking rate with tosic acid (pKa -2.8) is 10^(0.2 x 3.2) = 4.4x and with
camphorsulfonic acid (-1.9) 10^(0.2 x 4.1) = 6.6x slower than with triflic acid. In the full chain
(PHS-8k / HMMM 15 / TPS salt 5 parts, no base, 50 keV, 110 C / 60 s) that gives D50 ratios of
~5x (TPS tosylate) and ~8.5x (TPS camphorsulfonate) to TPS triflate - larger than the rate ratios
because these bigger, weaker acids also diffuse less (tests/test_chemistry_v2.py pins both). No
published dose ratio of the three anions in one electron-beam negative CAR was found; the order
(perfluoroalkanesulfonate << arenesulfonate < camphorsulfonate) is the one of acid strength
(Guthrie 1978) and of the anion series in photoacid-generator reviews (Crivello, Adv. Polym. Sci.
62, 1 (1984)). An assumption, not a fitted value."""
PKA_LEVEL = -6.0
"""Acids stronger than this are levelled by the phenolic/ether matrix."""
PHENOL_SITE_MIN = 0.0
"""Relative crosslinking rate on a resin without phenolic OH. Zero: the aminoplast carbocation
alkylates activated (phenol) rings, and plain benzene rings of polystyrene or PMMA esters give no
crosslinks (Blank 1979); other nucleophiles (aliphatic OH, COOH) count through crosslink_site_factor."""
CROSSLINK_SITE_CAP = 1.5
"""Upper bound of the site factor (m-PHS, 3 free activated positions per ring: 1.375)."""
GRAFT_RADICAL = 0.3
"""Fraction of radical D chains that graft onto the resin (chain transfer to the resin)."""


def free_volume_fraction(temp_K: ArrayLike, tg_K: ArrayLike) -> np.ndarray:
    """WLF fractional free volume, smooth across Tg (softplus of width 5 K)."""
    dt = np.asarray(temp_K, dtype=float) - np.asarray(tg_K, dtype=float)
    rubber = 5.0 * np.logaddexp(0.0, dt / 5.0)
    f = F_GLASS + ALPHA_GLASS * dt + (ALPHA_RUBBER - ALPHA_GLASS) * rubber
    return np.maximum(f, FREE_VOLUME_MIN)


def acid_diffusivity(temp_K: ArrayLike, tg_K: ArrayLike, acid_volume_cm3_mol: ArrayLike) -> np.ndarray:
    """Acid diffusion coefficient, nm^2/s (Arrhenius x Cohen-Turnbull)."""
    t = np.asarray(temp_K, dtype=float)
    arrhenius = np.exp(-EA_DIFFUSION / R_GAS * (1.0 / t - 1.0 / T_REF_K))
    f = free_volume_fraction(t, tg_K)
    return ACID_D_REF_NM2_S * arrhenius * np.exp(-ACID_VOLUME_B * np.asarray(acid_volume_cm3_mol) / f)


def effective_bake_time(time_s: ArrayLike) -> np.ndarray:
    """Acid exposure time with first-order loss: int_0^t exp(-k s) ds, s."""
    t = np.asarray(time_s, dtype=float)
    return -np.expm1(-K_LOSS_S * t) / K_LOSS_S


def diffusion_length_nm(diffusivity: ArrayLike, time_s: ArrayLike) -> np.ndarray:
    """Acid diffusion length sqrt(2 D t) over the bake, nm."""
    return np.sqrt(2.0 * np.asarray(diffusivity) * np.asarray(time_s))


def bake_quadrature(time_s: ArrayLike, nodes: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """Gauss-Legendre times tau_k [N, K] and weights w_k exp(-k_loss tau_k) over the bake.

    The latent image is L(x) = int_0^t a_free(x, tau) exp(-k_loss tau) d tau; the weights sum
    to the effective bake time (:func:`effective_bake_time`) to quadrature accuracy.
    """
    x, w = np.polynomial.legendre.leggauss(nodes)
    t = np.asarray(time_s, dtype=float)[..., None]
    tau = 0.5 * t * (1.0 + x)
    return tau, 0.5 * t * w * np.exp(-K_LOSS_S * tau)


def diffusion_transfer(freq_per_nm: ArrayLike, diffusivity: ArrayLike, tau_s: ArrayLike) -> np.ndarray:
    """Fourier transfer of diffusion over time tau: exp(-D (2 pi f)^2 tau)."""
    k2 = (2.0 * np.pi * np.asarray(freq_per_nm)) ** 2
    return np.exp(-np.asarray(diffusivity) * k2 * np.asarray(tau_s))


def levelled_pka(pka: ArrayLike) -> np.ndarray:
    """Effective acid strength in the film: pKa_level + softplus(pKa - pKa_level)."""
    x = np.asarray(pka, dtype=float) - PKA_LEVEL
    return PKA_LEVEL + np.logaddexp(0.0, x)


def catalysis_factor(pka: ArrayLike, temp_K: ArrayLike, ea: float = EA_CROSSLINK) -> np.ndarray:
    """Bronsted x Arrhenius factor of an acid-catalysed reaction relative to a levelled acid at T_REF."""
    bronsted = 10.0 ** (-BRONSTED_ALPHA * (levelled_pka(pka) - PKA_LEVEL))
    arrhenius = np.exp(-ea / R_GAS * (1.0 / np.asarray(temp_K, dtype=float) - 1.0 / T_REF_K))
    return np.nan_to_num(bronsted) * arrhenius


def phenol_site_factor(phenolic_oh_per_unit: ArrayLike) -> np.ndarray:
    """Relative availability of nucleophilic phenol sites on the resin (0 without phenolic OH)."""
    oh = np.asarray(phenolic_oh_per_unit, dtype=float)
    return PHENOL_SITE_MIN + (1.0 - PHENOL_SITE_MIN) * np.minimum(oh, 1.0)


def crosslink_site_factor(sites_per_unit: ArrayLike) -> np.ndarray:
    """Relative crosslinking rate from the resin's aminoplast sites per unit (p-PHS = 1, PS = 0)."""
    return np.clip(np.asarray(sites_per_unit, dtype=float), 0.0, CROSSLINK_SITE_CAP)


def free_acid(acid: ArrayLike, base: ArrayLike, width: ArrayLike = 0.0) -> np.ndarray:
    """Acid left after instant 1:1 neutralisation, max(a - b, 0).

    ``width`` > 0 rounds the corner with a one-sided quadratic of that width, w/2 (u/w)^2 for
    0 < u < w and u - w/2 above: exactly zero at and below stoichiometry (u <= 0), so nothing
    leaks past it. The simulator uses width 0 (response.QUENCH_WIDTH).
    """
    u = np.asarray(acid, dtype=float) - np.asarray(base, dtype=float)
    w = np.asarray(width, dtype=float)
    if not np.any(w > 0):
        return np.maximum(u, 0.0)
    ws = np.where(w > 0, w, 1.0)
    rounded = np.where(u < w, 0.5 * np.clip(u, 0.0, None) ** 2 / ws, u - 0.5 * w)
    return np.where(w > 0, rounded, np.maximum(u, 0.0))


def conversion(rate_constant: ArrayLike, acid_time: ArrayLike) -> np.ndarray:
    """Reacted fraction of groups, p = 1 - exp(-k int a dt)."""
    return -np.expm1(-np.asarray(rate_constant) * np.asarray(acid_time))


def junction_density(n_molecules: ArrayLike, functionality: ArrayLike, p: ArrayLike,
                     n_units: ArrayLike) -> np.ndarray:
    """Crosslink density q from f-functional junctions: n f (f-1) p^2 / n_units (Stockmayer)."""
    f = np.asarray(functionality, dtype=float)
    return np.asarray(n_molecules) * f * (f - 1.0) * np.asarray(p) ** 2 / np.asarray(n_units)


def radical_junctions(n_radicals: ArrayLike, chain_length: ArrayLike, n_groups: ArrayLike,
                      functionality: ArrayLike, n_units: ArrayLike) -> np.ndarray:
    """q from radical chains of multifunctional D: GRAFT n_groups p (1 - 1/f) (j - 1) / n_units.

    A kinetic chain of nu groups joins j = nu (1 - 1/f) molecules that carry a further group,
    j (j - 1) in Stockmayer's sum per chain, i.e. (j - 1) per such reacted group; the reacted
    groups are n_groups p with p = 1 - exp(-nu R / n_groups) (monotone in dose, saturating).
    Monofunctional D (f = 1) adds no junctions.
    """
    groups = np.asarray(n_groups, dtype=float)
    p = radical_conversion(n_radicals, chain_length, groups)
    f = np.maximum(np.asarray(functionality, dtype=float), 1.0)
    j = np.asarray(chain_length) * (1.0 - 1.0 / f)
    return GRAFT_RADICAL * groups * p * (1.0 - 1.0 / f) * np.maximum(j - 1.0, 0.0) / np.asarray(n_units)


def radical_conversion(n_radicals: ArrayLike, chain_length: ArrayLike, n_groups: ArrayLike) -> np.ndarray:
    """Fraction of radical-polymerizable groups consumed: 1 - exp(-nu R / n_groups)."""
    groups = np.asarray(n_groups, dtype=float)
    safe = np.where(groups > 0, groups, 1.0)
    x = np.asarray(chain_length) * np.asarray(n_radicals) / safe
    return np.where(groups > 0, -np.expm1(-x), 0.0)
