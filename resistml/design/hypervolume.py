"""Pareto sets and the exact hypervolume (minimisation form), for the few objectives a design has.

All functions take points ``Y`` [N, M] to be *minimised* and a reference point ``ref`` [M]; only
points strictly better than ``ref`` in every objective count. The hypervolume is computed by
slicing (HSO, While et al. 2006): sort by the last objective and sum slabs of the (M-1)-D
hypervolume of the points below each slice; the 2-D case is a sweep. Exact, O(N^(M-1) log N),
which is instant for design fronts (tens of points, 2-4 objectives). Cross-checked in the tests
against hand-computed cases and Optuna's implementation.
"""

from __future__ import annotations

import numpy as np


def pareto_mask(Y: np.ndarray) -> np.ndarray:
    """Boolean mask of the non-dominated rows of ``Y`` (duplicates: the first one is kept)."""
    Y = np.asarray(Y, dtype=float)
    n = len(Y)
    keep = np.ones(n, dtype=bool)
    for i in range(n):
        if not keep[i]:
            continue
        dominated = np.all(Y <= Y[i], axis=1) & np.any(Y < Y[i], axis=1)
        duplicate = np.all(Y == Y[i], axis=1) & (np.arange(n) < i)
        if dominated.any() or duplicate.any():
            keep[i] = False
    return keep


def _hv2(Y: np.ndarray, ref: np.ndarray) -> float:
    Y = Y[np.argsort(Y[:, 0], kind="stable")]
    volume, best_y = 0.0, ref[1]
    for x, y in Y:
        if y < best_y:
            volume += (ref[0] - x) * (best_y - y)
            best_y = y
    return float(volume)


def _hv(Y: np.ndarray, ref: np.ndarray) -> float:
    m = Y.shape[1]
    if len(Y) == 0:
        return 0.0
    if m == 1:
        return float(ref[0] - Y[:, 0].min())
    if m == 2:
        return _hv2(Y, ref)
    Y = Y[np.argsort(Y[:, -1], kind="stable")]
    volume = 0.0
    for i in range(len(Y)):
        top = Y[i + 1, -1] if i + 1 < len(Y) else ref[-1]
        depth = top - Y[i, -1]
        if depth > 0:
            volume += depth * _hv(Y[: i + 1, :-1], ref[:-1])  # dominated points do not change a union
    return float(volume)


def hypervolume(Y: np.ndarray, ref: np.ndarray) -> float:
    """Volume dominated by the rows of ``Y`` and bounded by ``ref`` (minimisation)."""
    Y = np.asarray(Y, dtype=float).reshape(-1, len(ref))
    ref = np.asarray(ref, dtype=float)
    Y = Y[np.all(np.isfinite(Y), axis=1) & np.all(Y < ref, axis=1)]
    if len(Y) == 0:
        return 0.0
    return _hv(Y[pareto_mask(Y)], ref)


def improvement(y: np.ndarray, front: np.ndarray, ref: np.ndarray) -> float:
    """Hypervolume gained by adding point ``y`` to ``front``: the volume of ``[y, ref]`` not dominated yet."""
    y = np.asarray(y, dtype=float)
    ref = np.asarray(ref, dtype=float)
    if not (np.all(np.isfinite(y)) and np.all(y < ref)):
        return 0.0
    box = float(np.prod(ref - y))
    front = np.asarray(front, dtype=float).reshape(-1, len(ref))
    if len(front) == 0:
        return box
    return box - hypervolume(np.maximum(front, y), ref)


def hypervolume_curve(Y: np.ndarray, ref: np.ndarray, counts: list[int]) -> list[float]:
    """Hypervolume of the first ``n`` rows of ``Y`` for each ``n`` in ``counts`` (NaN rows never count)."""
    Y = np.asarray(Y, dtype=float).reshape(-1, len(ref))
    return [hypervolume(Y[:n], ref) for n in counts]
