"""Gelation of a randomly crosslinked polydisperse resin: gel point and sol fraction.

* Gel point: q u_w = 1, q = crosslinked units per monomer unit, u_w the weight-average degree
  of polymerization (Charlesby, Proc. R. Soc. A 222, 542 (1954); Flory, Principles of Polymer
  Chemistry, ch. IX).
* Sol fraction for a Schulz-Zimm initial distribution with PDI = (k+1)/k (Saito, in Irradiation
  of Polymers, 1967; Charlesby & Pinner, Proc. R. Soc. A 249, 367 (1959) for k = 1):
  s = (1 + q u_n (1 - s) / k)^-(k+1). For PDI = 2 this gives s + sqrt(s) = 1/(q u_n)
  (Charlesby-Pinner without scission); for PDI -> 1, s = exp(-q u_n (1 - s)) (Flory).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

K_MAX = 1.0e6
"""Schulz-Zimm k used for monodisperse (PDI = 1) resins."""
NEWTON_STEPS = 40


def schulz_zimm_k(pdi: ArrayLike) -> np.ndarray:
    """Schulz-Zimm shape parameter k = 1 / (PDI - 1)."""
    excess = np.asarray(pdi, dtype=float) - 1.0
    return np.where(excess > 1.0 / K_MAX, 1.0 / np.maximum(excess, 1.0 / K_MAX), K_MAX)


def gel_index(q: ArrayLike, u_w: ArrayLike) -> np.ndarray:
    """delta = q u_w; gel forms where delta > 1."""
    return np.asarray(q, dtype=float) * np.asarray(u_w, dtype=float)


def gel_fraction(q: ArrayLike, u_n: ArrayLike, pdi: ArrayLike) -> np.ndarray:
    """Gel fraction g = 1 - s of the Schulz-Zimm sol equation (0 below the gel point).

    Solves F(g) = g - 1 + (1 + a g)^-(k+1) = 0, a = q u_n / k, by Newton iteration from g = 1;
    F is convex with F(0) = 0, so the iteration falls monotonically onto the largest root.
    """
    k = schulz_zimm_k(pdi)
    a = np.asarray(q, dtype=float) * np.asarray(u_n, dtype=float) / k
    a, k = np.broadcast_arrays(a, k)
    g = np.ones_like(a)
    for _ in range(NEWTON_STEPS):
        term = np.exp(-(k + 1.0) * np.log1p(a * g))
        f = g - 1.0 + term
        df = 1.0 - (k + 1.0) * a * term / (1.0 + a * g)
        step = np.where(df > 1e-12, f / np.maximum(df, 1e-12), g)
        g = np.clip(g - step, 0.0, 1.0)
        if not np.any(np.abs(step) > 1e-13):
            break
    return np.where(a * (k + 1.0) > 1.0, g, 0.0)


def sol_fraction(q: ArrayLike, u_n: ArrayLike, pdi: ArrayLike) -> np.ndarray:
    """Sol fraction s = 1 - g."""
    return 1.0 - gel_fraction(q, u_n, pdi)


def charlesby_pinner_sol(q: ArrayLike, u_n: ArrayLike) -> np.ndarray:
    """Closed form for PDI = 2: s + sqrt(s) = 1/(q u_n), s = 1 below the gel point."""
    x = 1.0 / (np.asarray(q, dtype=float) * np.asarray(u_n, dtype=float))
    root = (-1.0 + np.sqrt(1.0 + 4.0 * x)) / 2.0
    return np.minimum(root**2, 1.0)
