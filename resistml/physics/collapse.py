"""Pattern collapse of dense lines during the rinse/dry: capillary force, beam bending, modulus.

After development the spaces are rinsed with water; while the rinse dries, the meniscus between
two lines pulls them together. Tanaka, Morigami & Atoda (Jpn. J. Appl. Phys. 32, 6059 (1993))
model each line as a cantilever beam fixed to the substrate and loaded by the Laplace pressure
of the meniscus in the space s,

    P = 2 gamma cos(theta) / s                                         (cylindrical meniscus)

acting on the line's side wall over its height H. Per unit line length, a uniform load P on a
cantilever of height H and width w (second moment w^3 / 12) bends its top by

    delta = P H^4 / (8 E I) = 3 P H^4 / (2 E w^3)                      (Timoshenko, uniform load)

and stresses its foot to sigma_max = 6 gamma cos(theta) / s (H / w)^2 (Tanaka's formula).
Cao, Nealey & Domke (J. Vac. Sci. Technol. B 18, 3303 (2000)) measured that the deflection
scales as (aspect ratio)^3 / E and that dense 100-200 nm lines collapse at aspect ratios 3-4.

Collapse is an instability: as two neighbouring lines bend towards each other by delta each,
the space narrows to s - 2 delta and the pressure grows, delta = c 2 gamma cos(theta) / (s - 2 delta)
with the compliance c = 3 H^4 / (2 E w^3). A stable deflection exists only while
s^2 >= 16 c gamma cos(theta), i.e. the critical line height is

    H_c = (E s^2 w^3 / (24 gamma cos(theta)))^(1/4)

(for 1:1 lines, s = w: aspect ratio H_c / w = (E w / (24 gamma cos(theta)))^(1/4), which is
3.3 at w = 100 nm and 3.9 at w = 200 nm for E = 2 GPa and water, as Cao et al. measured).

Young's modulus of the crosslinked line: a glassy network has the glassy modulus of the resin
E_g (amorphous polymers below Tg: 2-4 GPa in bulk, Van Krevelen, Properties of Polymers, ch. 13;
1.2 GPa measured on an X-ray-exposed resist pattern, Kawai & Moriike, J. Photopolym. Sci.
Technol. 14, 507 (2001)); above its Tg the network is rubbery with E_r = 3 rho R T / M_c (affine
rubber elasticity, Flory, Principles of Polymer Chemistry, ch. 11). Crosslinks raise Tg by
Tg - Tg0 = 3.9e4 / M_c (K, M_c in g/mol; Nielsen, J. Macromol. Sci. C 3, 69 (1969)). M_c is
the mass between crosslinked units, M_unit / q (q: crosslinked units per monomer unit).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

WATER_SURFACE_TENSION_N_M = 0.072
"""Surface tension of the water rinse at 23 C, N/m (physics.yaml pattern_collapse)."""
CONTACT_ANGLE_DEG = 0.0
"""Contact angle of the rinse on the resist side wall. 0 (cos = 1) is the worst case Tanaka and
Cao use; with it the model gives the measured critical aspect ratios 3-4 at 100-200 nm."""
GLASSY_MODULUS_GPA = 2.0
"""Young's modulus of a glassy crosslinked resist line, GPa: between the 1.2 GPa measured on a
resist pattern (Kawai & Moriike 2001) and the 3-4 GPa of bulk glassy polymers; the middle of
the 1-5 GPa range of physics.yaml."""
NIELSEN_TG_K_G_MOL = 3.9e4
"""Tg rise per unit of 1/M_c by crosslinking, K g/mol (Nielsen 1969)."""
RINSE_TEMPERATURE_K = 296.15
GLASS_TRANSITION_WIDTH_K = 5.0
"""Width of the smooth glass-rubber step of the modulus (logistic in T - Tg)."""
R_GAS = 8.314462618


def capillary_pressure(space_nm: ArrayLike, gamma_n_m: float = WATER_SURFACE_TENSION_N_M,
                       contact_angle_deg: float = CONTACT_ANGLE_DEG) -> np.ndarray:
    """Laplace pressure of the meniscus in a space s, P = 2 gamma cos(theta) / s, in Pa."""
    s = np.asarray(space_nm, dtype=float) * 1e-9
    return 2.0 * gamma_n_m * np.cos(np.radians(contact_angle_deg)) / s


def beam_deflection_nm(pressure_pa: ArrayLike, height_nm: ArrayLike, width_nm: ArrayLike,
                       modulus_gpa: ArrayLike) -> np.ndarray:
    """Top deflection of a cantilever line under a uniform side pressure, delta = 3 P H^4 / (2 E w^3).

    The uniformly loaded cantilever, delta = q L^4 / (8 E I) with q = P per unit line length
    and I = w^3 / 12 (Timoshenko & Gere, Mechanics of Materials); Tanaka et al. 1993.
    """
    h, w = np.asarray(height_nm, float) * 1e-9, np.asarray(width_nm, float) * 1e-9
    e = np.asarray(modulus_gpa, float) * 1e9
    return 1.5 * np.asarray(pressure_pa, float) * h**4 / (e * w**3) * 1e9


def tanaka_max_stress_pa(space_nm: ArrayLike, height_nm: ArrayLike, width_nm: ArrayLike,
                         gamma_n_m: float = WATER_SURFACE_TENSION_N_M,
                         contact_angle_deg: float = CONTACT_ANGLE_DEG) -> np.ndarray:
    """Bending stress at the foot of the line, 6 gamma cos(theta) / s (H/w)^2 (Tanaka 1993), Pa."""
    ar = np.asarray(height_nm, float) / np.asarray(width_nm, float)
    return 3.0 * capillary_pressure(space_nm, gamma_n_m, contact_angle_deg) * ar**2


def critical_height_nm(width_nm: ArrayLike, space_nm: ArrayLike, modulus_gpa: ArrayLike,
                       gamma_n_m: float = WATER_SURFACE_TENSION_N_M,
                       contact_angle_deg: float = CONTACT_ANGLE_DEG) -> np.ndarray:
    """Tallest line that does not collapse, H_c = (E s^2 w^3 / (24 gamma cos(theta)))^(1/4), nm.

    Two neighbouring lines bending towards each other: the stable deflection
    delta = c 2 gamma cos(theta) / (s - 2 delta), c = 3 H^4 / (2 E w^3), exists only while
    s^2 >= 16 c gamma cos(theta).
    """
    w, s = np.asarray(width_nm, float) * 1e-9, np.asarray(space_nm, float) * 1e-9
    e = np.asarray(modulus_gpa, float) * 1e9
    g = gamma_n_m * max(np.cos(np.radians(contact_angle_deg)), 1e-12)
    return (e * s**2 * w**3 / (24.0 * g)) ** 0.25 * 1e9


def critical_aspect_ratio(width_nm: ArrayLike, modulus_gpa: ArrayLike = GLASSY_MODULUS_GPA,
                          space_nm: ArrayLike | None = None, **kw) -> np.ndarray:
    """H_c / w (dense 1:1 lines when ``space_nm`` is None)."""
    w = np.asarray(width_nm, float)
    s = w if space_nm is None else np.asarray(space_nm, float)
    return critical_height_nm(w, s, modulus_gpa, **kw) / w


def line_modulus_gpa(q: ArrayLike, unit_mass: ArrayLike, density_g_cm3: ArrayLike, tg_K: ArrayLike,
                     temp_K: float = RINSE_TEMPERATURE_K) -> np.ndarray:
    """Young's modulus of the crosslinked line: glassy E_g below the network's Tg, 3 rho R T / M_c above.

    M_c = M_unit / q; network Tg = film Tg + 3.9e4 / M_c (Nielsen 1969); a logistic step of
    width GLASS_TRANSITION_WIDTH_K joins the two in log E.
    """
    qq = np.maximum(np.asarray(q, float), 1e-12)
    m_c = np.asarray(unit_mass, float) / qq
    tg = np.asarray(tg_K, float) + NIELSEN_TG_K_G_MOL / m_c
    e_rubber = 3.0 * np.asarray(density_g_cm3, float) * 1e6 * R_GAS * temp_K / m_c / 1e9
    e_rubber = np.minimum(e_rubber, GLASSY_MODULUS_GPA)
    glassy = 1.0 / (1.0 + np.exp(-(tg - temp_K) / GLASS_TRANSITION_WIDTH_K))
    return np.exp(np.log(e_rubber) + glassy * (np.log(GLASSY_MODULUS_GPA) - np.log(e_rubber)))


def collapse_margin(line_height_nm: ArrayLike, half_pitch_nm: ArrayLike, modulus_gpa: ArrayLike) -> np.ndarray:
    """ln(H_c / H) of dense 1:1 lines of width = space = half-pitch (>= 0: the lines stand)."""
    p = np.asarray(half_pitch_nm, float)
    h_c = critical_height_nm(p, p, modulus_gpa)
    return np.log(h_c / np.maximum(np.asarray(line_height_nm, float), 1e-12))


__all__ = ["capillary_pressure", "beam_deflection_nm", "tanaka_max_stress_pa", "critical_height_nm",
           "critical_aspect_ratio", "line_modulus_gpa", "collapse_margin"]
