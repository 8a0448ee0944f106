"""Line-edge roughness from shot noise, bounded to its range of validity.

Gallatin's model (Proc. SPIE 5754, 38 (2005); Kozawa & Tagawa, Jpn. J. Appl. Phys. 49, 030001
(2010)): the printed edge sits where the crosslink density q crosses its development threshold;
a fluctuation sigma_q of q displaces the edge by

    sigma_x = sigma_q / |dq/dx|                                         (image-log-slope form)

where dq/dx is the slope of the mean crosslink image at the edge. sigma_q comes from counting
statistics inside the volume over which the latent image is averaged (the blur volume
V = (4 pi s^2)^(3/2), s^2 = L_d^2 + S_MIN^2, a Gaussian of variance s^2):

* acid and quencher: Poisson counts a V and b V; the free acid a - b fluctuates by
  sqrt((a + b) / V), i.e. var(ln L) = (a + b) / (V (a - b)^2);
* radicals (no diffusion; each starts a chain): var(ln E) = 1 / N_rad in the chain volume;
* electrons (photons): 0.0624 electrons/nm^2 per uC/cm^2 (physics.yaml shot_noise); N_e quanta
  over the area 4 pi (s^2 + a^2/2) that feeds the averaging volume, correlated in acid and
  radicals: var = (dq/dlnL a/(a - b) + dq/dlnE)^2 / N_e.

The linear form is valid while sigma_x is small against the distance over which the image
slope changes. When the slope vanishes (no image) it diverges, which is not roughness but loss
of the pattern. An edge can wander at most to the middle of the line or of the space, i.e.
3 sigma_x <= p / 2 for 1:1 lines of half-pitch p; the reported LER is the linear value bounded
smoothly by that geometric limit, LER = L / (1 + (L / L_max)^2)^(1/2), L_max = LER_BOUND p.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

S_MIN_NM = 2.0
"""Smallest latent-image averaging length (a resin chain's size), nm."""
LER_BOUND = 0.5
"""Largest 3-sigma LER as a fraction of the half-pitch (an edge cannot pass the line or space centre)."""
ELECTRONS_PER_NM2_PER_UC_CM2 = 0.0624


def blur_volume_nm3(diffusion_length_nm: ArrayLike) -> np.ndarray:
    """V = (4 pi s^2)^(3/2), s^2 = L_d^2 + S_MIN^2: the Gaussian averaging volume, nm^3."""
    s2 = np.asarray(diffusion_length_nm, float) ** 2 + S_MIN_NM**2
    return (4.0 * np.pi * s2) ** 1.5


def crosslink_variance(dq_dlnl: ArrayLike, dq_dlne: ArrayLike, free_acid: ArrayLike, base: ArrayLike,
                       volume_nm3: ArrayLike, radicals: ArrayLike, quanta: ArrayLike) -> np.ndarray:
    """var(q) from Poisson acid/base in V, radicals, and electrons/photons (correlated in both paths)."""
    free = np.maximum(np.asarray(free_acid, float), 1e-30)
    acid = free + np.asarray(base, float)
    dq_dlnl, dq_dlne = np.asarray(dq_dlnl, float), np.asarray(dq_dlne, float)
    var = dq_dlnl**2 * (acid + base) / (np.asarray(volume_nm3) * free**2)
    var = var + dq_dlne**2 / np.maximum(radicals, 1e-30) * (dq_dlne > 0)
    return var + (dq_dlnl * acid / free + dq_dlne) ** 2 / np.maximum(quanta, 1e-30)


def gallatin_ler_nm(sigma_q: ArrayLike, slope: ArrayLike) -> np.ndarray:
    """Linear (image-log-slope) 3-sigma LER = 3 sigma_q / |dq/dx|."""
    return 3.0 * np.asarray(sigma_q, float) / np.maximum(np.abs(np.asarray(slope, float)), 1e-30)


def bounded_ler_nm(linear_ler: ArrayLike, half_pitch_nm: ArrayLike) -> np.ndarray:
    """LER bounded smoothly by LER_BOUND x half-pitch; equals the linear value when it is small."""
    lin = np.asarray(linear_ler, float)
    cap = LER_BOUND * np.asarray(half_pitch_nm, float)
    return lin / np.sqrt(1.0 + (lin / cap) ** 2)


__all__ = ["blur_volume_nm3", "crosslink_variance", "gallatin_ler_nm", "bounded_ler_nm", "S_MIN_NM", "LER_BOUND"]
