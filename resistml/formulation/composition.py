"""Composition sanity: bounds on amounts and documented weight-fraction limits per role.

Weight fractions are of the dry film (solids), summed over every component of a role. Outside the
error range a formulation is invalid (the schema names the first component of the role); outside
the warning range it is valid but unusual (a ``warnings()`` note). Formulations validated with
``allow_incomplete`` (physics studies, ``simulate --allow-incomplete``) get the errors as warnings:
a film of generator and crosslinker only is such a study. The ranges enclose every
formulation of the patent's examples and of the training sampler (resin 100 parts, generators
1-20, crosslinker 5-40, polymerizable 1-40, base 0.05-2 parts).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

MIN_PARTS = 1e-6
"""Smallest amount (parts by weight) a component may have; use 0 in the table form for absent."""
MAX_PARTS = 1e6
"""Largest amount (parts by weight): larger numbers are typing errors and overflow the arithmetic."""

COMPOSITION_LIMITS: dict[str, tuple[tuple[float, float], tuple[float, float]]] = {
    # role: ((error if outside lo-hi), (warning if outside lo-hi)), weight fraction of solids
    "resin": ((0.20, 1.0), (0.40, 1.0)),
    "acid_generator": ((0.0, 0.50), (0.002, 0.30)),
    "crosslinker": ((0.0, 0.60), (0.01, 0.45)),
    "polymerizable": ((0.0, 0.60), (0.0, 0.45)),
    "base": ((0.0, 0.20), (0.0, 0.05)),
}
"""Weight-fraction limits per role, as (error range, warning range)."""


def weight_fractions(parts: Sequence[float]) -> list[float]:
    """Each amount over the total, computed without overflow (amounts are scaled by the largest)."""
    if not parts:
        return []
    scale = max(parts)
    if not (math.isfinite(scale) and scale > 0):
        raise ValueError(f"amounts must be finite and > 0, got {list(parts)!r}")
    scaled = [p / scale for p in parts]
    total = math.fsum(scaled)
    return [s / total for s in scaled]


def _role_fractions(roles: Sequence[str], parts: Sequence[float]) -> dict[str, tuple[float, int]]:
    """Per role: summed weight fraction and index of its first component."""
    out: dict[str, tuple[float, int]] = {}
    for i, (role, w) in enumerate(zip(roles, weight_fractions(parts), strict=True)):
        total, first = out.get(role, (0.0, i))
        out[role] = (total + w, first)
    return out


def _pct(x: float) -> str:
    return f"{100 * x:.3g} %"


def _check(roles: Sequence[str], parts: Sequence[float], *, errors: bool) -> list[str]:
    notes = []
    for role, (w, first) in _role_fractions(roles, parts).items():
        limits = COMPOSITION_LIMITS.get(role)
        if limits is None:
            continue
        (err_lo, err_hi), (warn_lo, warn_hi) = limits
        if w < err_lo or w > err_hi:
            lo, hi, kind = err_lo, err_hi, "limit"
        elif errors:
            continue
        else:
            lo, hi, kind = warn_lo, warn_hi, "usual range"
        if w < lo:
            notes.append(f"components[{first}].parts: {role} is {_pct(w)} of solids, below the {kind} of {_pct(lo)}")
        elif w > hi:
            notes.append(f"components[{first}].parts: {role} is {_pct(w)} of solids, above the {kind} of {_pct(hi)}")
    return notes


def composition_errors(roles: Sequence[str], parts: Sequence[float]) -> list[str]:
    """Field-path messages for roles whose weight fraction is outside the error range."""
    return _check(roles, parts, errors=True)


def composition_warnings(roles: Sequence[str], parts: Sequence[float]) -> list[str]:
    """Field-path notes for roles outside the usual range (or outside the limit, where a formulation
    was validated with ``allow_incomplete``, which turns composition errors into warnings)."""
    return _check(roles, parts, errors=False)
