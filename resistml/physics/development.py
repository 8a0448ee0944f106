"""Development in aqueous TMAH: remaining thickness, swelling, and contrast-curve metrics.

* Remaining thickness of a negative resist = gel fraction (gelation.py) times the share of the
  gel that survives the developer. A gel just past its gel point is a loose, ionised network
  (phenolates in TMAH) that swells without bound and is washed off; the retained share grows as
  1 - exp(-(delta - 1)/delta_e) with delta = q u_w, delta_e rising with developer strength and
  time (Meyerhofer's dissolution power law in concentration, IEEE Trans. Electron Dev. 27, 921
  (1980); erosion of lightly crosslinked gels, Thompson, Willson & Bowden, Introduction to
  Microlithography, 2nd ed., ch. 4).
* Swelling: Flory-Rehner, Q^(5/3) = 1 + M_c / M_SWELL in a good solvent with M_c the strand
  mass between elastically effective crosslinks, M_c = M_w / (delta - 1) (Flory & Rehner,
  J. Chem. Phys. 11, 521 (1943)); linear strain Q^(1/3) - 1.
* Contrast curve metrics (Thompson, Willson & Bowden ch. 4): gel dose D_g^i where the gel
  appears (delta = 1), sensitivity D_g^0.5 at 50 % remaining thickness, contrast
  gamma = d(thickness)/d(log10 dose) at D_g^0.5 (the tangent definition 1/log10(D^0/D^i)).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike

from resistml.physics.gelation import gel_fraction

PAD_SIZE_UM = 500.0
"""Side of the square pad exposed for the contrast curve, um: larger than the backscatter range
at 100 keV (beta ~ 30 um), so the pad receives the full backscatter share."""
DELTA_E_REF = 3.0
"""Erosion scale of the lightly crosslinked gel, in units of q u_w, for TMAH 2.38 % and 60 s;
sets the contrast of a base-free PHS/melamine resist to gamma ~ 2-3 and ~7-10 with quencher,
the range measured for negative CARs (e.g. Thackeray et al. 1989; SAL-601, NEB-22 data sheets)."""
MEYERHOFER_N = 2.0
"""Exponent of developer concentration in the erosion scale (Meyerhofer 1980: rate ~ C^n, n ~ 2-4)."""
M_SWELL = 2000.0
"""Flory-Rehner mass scale V_1 / (v (1/2 - chi)), g/mol, for a PHS network in TMAH (chi ~ 0.49)."""
PRE_BISECTIONS = 6
"""Plain bisections before the regula falsi (bring a wide bracket onto the steep part)."""
BISECTION_STEPS = 10
"""Root-finder iterations (Illinois); converges to < 1e-9 in log dose on the contrast chain."""


def erosion_scale(tmah_wt_percent: ArrayLike, develop_time_s: ArrayLike) -> np.ndarray:
    """delta_e: how far past the gel point the network must be to resist the developer."""
    c = np.asarray(tmah_wt_percent, dtype=float) / 2.38
    t = np.asarray(develop_time_s, dtype=float) / 60.0
    return DELTA_E_REF * c**MEYERHOFER_N * np.sqrt(t)


def remaining_thickness(q: ArrayLike, u_n: ArrayLike, pdi: ArrayLike,
                        delta_e: ArrayLike) -> np.ndarray:
    """Normalised remaining thickness h = g(q) x (1 - exp(-(q u_w - 1)/delta_e)), 0 <= h <= 1."""
    u_w = np.asarray(u_n, dtype=float) * np.asarray(pdi, dtype=float)
    excess = np.maximum(np.asarray(q) * u_w - 1.0, 0.0)
    return gel_fraction(q, u_n, pdi) * -np.expm1(-excess / np.asarray(delta_e))


def linear_swelling(delta: ArrayLike, mw: ArrayLike) -> np.ndarray:
    """Linear swelling strain Q^(1/3) - 1 of a gel with gel index delta (inf at the gel point)."""
    excess = np.asarray(delta, dtype=float) - 1.0
    m_c = np.asarray(mw, dtype=float) / np.maximum(excess, 1e-9)
    q_swell = (1.0 + m_c / M_SWELL) ** 0.6
    return np.where(excess > 0, q_swell ** (1.0 / 3.0) - 1.0, np.inf)


def log_bisect(func: Callable[[np.ndarray], np.ndarray], target: ArrayLike, lo: ArrayLike,
               hi: ArrayLike, steps: int = BISECTION_STEPS, pre: int | None = None) -> np.ndarray:
    """Dose where the increasing ``func`` reaches ``target``, bracketing in log(dose) elementwise.

    Illinois-modified regula falsi (Dowell & Jarratt, BIT 11, 168 (1971)) on x = ln(dose): the
    bracket always holds the root, convergence is superlinear, a step outside the bracket falls
    back to bisection; ``pre`` (default PRE_BISECTIONS) plain halvings come first. Returns NaN where the target is not reached by ``hi`` (no acid, no gel).
    """
    a, b, target = np.broadcast_arrays(np.log(lo), np.log(hi), np.asarray(target, dtype=float))
    a, b = a.astype(float).copy(), b.astype(float).copy()
    fa, fb = func(np.exp(a)) - target, func(np.exp(b)) - target
    reached = fb >= 0
    side = np.zeros(a.shape)
    for _ in range(PRE_BISECTIONS if pre is None else pre):
        c = 0.5 * (a + b)
        fc = func(np.exp(c)) - target
        up = fc >= 0
        a, b = np.where(up, a, c), np.where(up, c, b)
        fa, fb = np.where(up, fa, fc), np.where(up, fc, fb)
    for _ in range(steps):
        denom = np.where(fb - fa > 0, fb - fa, 1.0)
        c = np.where(fb - fa > 0, (a * fb - b * fa) / denom, 0.5 * (a + b))
        c = np.where((c > a) & (c < b), c, 0.5 * (a + b))
        fc = func(np.exp(c)) - target
        up = fc >= 0
        fa = np.where(up & (side > 0), 0.5 * fa, np.where(up, fa, fc))
        fb = np.where(~up & (side < 0), 0.5 * fb, np.where(up, fc, fb))
        a, b = np.where(up, a, c), np.where(up, c, b)
        side = np.where(up, 1.0, -1.0)
    done = (fb - fa) > 0
    x = np.where(done, (a * fb - b * fa) / np.where(done, fb - fa, 1.0), 0.5 * (a + b))
    return np.where(reached, np.exp(np.clip(x, a, b)), np.nan)


def contrast_gamma(thickness_of_dose: Callable[[np.ndarray], np.ndarray],
                   d50: ArrayLike, rel_step: float = 0.01) -> np.ndarray:
    """gamma = dh / dlog10(D) at the sensitivity dose (central difference)."""
    d50 = np.asarray(d50, dtype=float)
    up, down = thickness_of_dose(d50 * (1 + rel_step)), thickness_of_dose(d50 / (1 + rel_step))
    return (up - down) / (2.0 * np.log10(1 + rel_step))
