"""The resolution of a formulation from its per-pitch margins: crossing, interpolation, limit names.

The resolution is the smallest half-pitch from which all larger pitches pass, the crossing of the
worst margin interpolated linearly in log p (continuous in the inputs, never snapped); ``limit``
names the criterion that fails just below it (patterning.py computes the margins). Split from
patterning.py to keep modules small.
"""

from __future__ import annotations

import numpy as np

LIMITS = ("blur", "ler", "microbridging", "collapse")
"""Names of the resolution limits, in the order of PatternResult.limit_margins."""


def _crossing(margin: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index k of the smallest passing pitch with all larger passing, and interpolation weight t.

    The resolution lies at log p_(k-1) + t (log p_k - log p_(k-1)); k = 0 means the whole grid
    passes, k = J that the largest pitch fails.
    """
    n, j = margin.shape
    passing = margin >= 0
    tail = np.flip(np.cumprod(np.flip(passing, axis=1), axis=1), axis=1).astype(bool)
    k = j - tail.sum(axis=1)
    lo = np.clip(k - 1, 0, j - 1)
    hi = np.clip(k, 0, j - 1)
    m_lo, m_hi = margin[np.arange(n), lo], margin[np.arange(n), hi]
    t = np.where((k > 0) & (k < j), m_lo / np.minimum(m_lo - m_hi, -1e-12), 1.0)
    return k, np.clip(t, 0.0, 1.0)


def _interp(values: np.ndarray, k: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Log-linear interpolation of a positive per-pitch quantity at the crossing."""
    n, j = values.shape
    lo, hi = np.clip(k - 1, 0, j - 1), np.clip(k, 0, j - 1)
    a, b = values[np.arange(n), lo], values[np.arange(n), hi]
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.exp(np.log(a) + t * (np.log(b) - np.log(a)))
    return np.where((k == 0) | (k >= j), np.nan, out)


def _ler_at_resolution(ler: np.ndarray, k: np.ndarray, t: np.ndarray) -> np.ndarray:
    """LER at the resolution limit, bounded by that of the smallest passing pitch.

    Interpolating towards the failing pitch is meaningless when another criterion (residue, EL)
    failed there with a vanishing edge slope, so the interpolated value is capped by the LER of
    the passing pitch, which the criterion keeps <= 0.2 p; continuous in t.
    """
    n, j = ler.shape
    passing = ler[np.arange(n), np.clip(k, 0, j - 1)]
    return np.minimum(_interp(ler, k, t), passing)


def _limit_names(limits: np.ndarray, k: np.ndarray) -> list[str | None]:
    """The limit with the worst margin at the pitch just below the resolution (largest if none passes)."""
    n, j, _ = limits.shape
    at = np.clip(k - 1, 0, j - 1)
    worst = np.argmin(limits[np.arange(n), at], axis=-1)
    return [None if kk == 0 else LIMITS[w] for kk, w in zip(k, worst, strict=True)]


FAILED_STATUS = {"collapse": "collapsed", "microbridging": "microbridged", "blur": "unresolved", "ler": "unresolved"}
"""Status of a formulation whose largest pitch fails, by the failing limit."""
