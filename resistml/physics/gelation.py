"""Gelation of a randomly crosslinked polydisperse resin: gel point and sol fraction.

* Gel point: q u_w = 1, q = crosslinked units per monomer unit, u_w the weight-average degree
  of polymerization (Charlesby, Proc. R. Soc. A 222, 542 (1954); Flory, Principles of Polymer
  Chemistry, ch. IX).
* Sol fraction for a Schulz-Zimm initial distribution with PDI = (k+1)/k (Saito, in Irradiation
  of Polymers, 1967; Charlesby & Pinner, Proc. R. Soc. A 249, 367 (1959) for k = 1):
  s = (1 + q u_n (1 - s) / k)^-(k+1). For PDI = 2 this gives s + sqrt(s) = 1/(q u_n)
  (Charlesby-Pinner without scission); for PDI -> 1, s = exp(-q u_n (1 - s)) (Flory).
* Simultaneous random scission (p scissions per unit): the chains are cut at random, which does
  not depend on the crosslinks, so the crosslinks act on the cut distribution. For a Schulz-Zimm
  initial distribution the weight-average degree of polymerization after p cuts per unit is exact,
  u_w(p) = 2/p - 2 (1 - (1 + p u_n/k)^-k) / (p^2 u_n)  (Poisson cuts on each chain), so the gel point
  q u_w(p) = 1 is exact; for PDI = 2 it gives Charlesby-Pinner with scission,
  s + sqrt(s) = p/q + 1/(q u_n), and gel only if G(S) < 4 G(X) (Charlesby, Atomic Radiation and
  Polymers, 1960). The sol fraction keeps the initial PDI with q scaled to q u_w(p)/u_w (exact at
  the gel point and, for PDI 2, everywhere).
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


def weight_average_after_scission(u_n: ArrayLike, pdi: ArrayLike, p: ArrayLike) -> np.ndarray:
    """u_w after p random scissions per unit of a Schulz-Zimm distribution (number average u_n).

    u_w(p) = 2/p - 2 (1 - (1 + p u_n/k)^-k)/(p^2 u_n); -> u_w = (k+1) u_n/k as p -> 0 (series used
    below p u_n = 1e-4 to avoid cancellation), -> 2/p for many cuts per chain.
    """
    k = schulz_zimm_k(pdi)
    un = np.asarray(u_n, dtype=float)
    p = np.asarray(p, dtype=float)
    x = p * un
    small = x < 1e-4
    xs = np.where(small, 1.0, x)
    exact = 2.0 * un / xs - 2.0 * un * (-np.expm1(-k * np.log1p(xs / k))) / xs**2
    series = un * ((k + 1.0) / k - (k + 1.0) * (k + 2.0) * x / (3.0 * k * k))
    return np.where(small, series, exact)


def scission_factor(u_n: ArrayLike, pdi: ArrayLike, p: ArrayLike) -> np.ndarray:
    """u_w(p) / u_w(0): multiply q by this to include scission in q u_w (exact gel point)."""
    k = schulz_zimm_k(pdi)
    u_w0 = np.asarray(u_n, dtype=float) * (k + 1.0) / k
    return weight_average_after_scission(u_n, pdi, p) / u_w0
