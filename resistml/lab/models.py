"""The two contrast-curve models of ``fit-curve``, in log parameters, with Jacobians and quantities.

**Gel model** (the law the simulator uses, :mod:`resistml.physics.gelation` and
:mod:`resistml.physics.development`): the gel index delta = q u_w grows with dose as
delta = (D / D_g^i)^n (delta = 1 at the gel dose D_g^i; n = 1 is Charlesby's radiation
crosslinking, q ~ D; a chemically amplified resist's q grows faster, ~ D^2 for two-ended
crosslinks at low conversion and steeper still above a quencher threshold, so n is fitted); the
remaining thickness is the Schulz-Zimm gel fraction g(delta; PDI) (Charlesby-Pinner for PDI = 2)
times the share that survives the developer, 1 - exp(-(delta - 1)/delta_e). Parameters: D_g^i,
the dose-to-crosslink exponent n and the development constant delta_e; the PDI is the main resin's
(from the formulation) or given.

**Log-logistic**: h = 1 / (1 + (D50 / D)^b). Its onset D_g^i is the classical tangent
extrapolation (Thompson, Willson & Bowden ch. 4): the dose where the tangent at D50 reaches zero
thickness, D50 exp(-2 / b).

Both come with analytic Jacobians; the gel fraction is a cubic Hermite table per PDI built from the
simulator's own Newton solution (:func:`resistml.physics.gelation.gel_fraction`), so that every
evaluation is a vectorised lookup.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import interpolate

from resistml.physics.gelation import gel_fraction, schulz_zimm_k

DELTA_MAX = 1e9
"""Largest gel index searched for D50 / D90."""
BISECTIONS = 44
"""Bisections in ln(delta) for D50 / D90 (precision ~1e-12 in ln delta)."""
X_MIN, X_MAX, TABLE_NODES = -12.0, 16.0, 1400
"""Gel-fraction table: nodes in ln(delta - 1) (spacing 0.02; error < 1e-8 against gelation.gel_fraction)."""


def gel_thickness(dose: np.ndarray, gel_dose: float | np.ndarray, exponent: float | np.ndarray,
                  delta_e: float | np.ndarray, pdi: float) -> np.ndarray:
    """Gel-model remaining thickness at ``dose`` (broadcasts parameter arrays against doses)."""
    delta = np.exp(np.asarray(exponent) * (np.log(dose) - np.log(gel_dose)))
    return thickness_of_delta(delta, delta_e, pdi)


def thickness_of_delta(delta: np.ndarray, delta_e: float | np.ndarray, pdi: float) -> np.ndarray:
    """h(delta) = g(delta; PDI) (1 - exp(-(delta - 1)/delta_e)), as physics.development."""
    return _h_and_slopes(delta, delta_e, pdi)[0]


@functools.lru_cache(maxsize=64)
def _gel_table(pdi: float) -> tuple[interpolate.CubicHermiteSpline, interpolate.PPoly]:
    """g(delta) for one PDI as a cubic Hermite spline in x = ln(delta - 1).

    Nodes from :func:`resistml.physics.gelation.gel_fraction` (the simulator's Schulz-Zimm
    solution), slopes by implicit differentiation of F(g, a) = g - 1 + (1 + a g)^-(k+1) = 0 with
    a = q u_n / k = delta / (PDI k): dg/da = -F_a / F_g. One Newton solve per PDI; every fit
    evaluation after that is a vectorised spline lookup.
    """
    x = np.linspace(X_MIN, X_MAX, TABLE_NODES)
    delta = 1.0 + np.exp(x)
    k = float(schulz_zimm_k(pdi))
    g = gel_fraction(delta / pdi, 1.0, pdi)
    a = delta / (pdi * k)
    base = (1.0 + a * g) ** (-(k + 2.0))
    f_g = 1.0 - (k + 1.0) * a * base
    dg_da = (k + 1.0) * g * base / np.maximum(f_g, 1e-300)
    spline = interpolate.CubicHermiteSpline(x, g, dg_da / (pdi * k) * (delta - 1.0))
    return spline, spline.derivative()


def gel_of_delta(delta: np.ndarray, pdi: float) -> tuple[np.ndarray, np.ndarray]:
    """Schulz-Zimm gel fraction g(delta) and dg/ddelta (0 below the gel point delta = 1)."""
    delta = np.asarray(delta, dtype=float)
    table, slope = _gel_table(float(pdi))
    excess = delta - 1.0
    with np.errstate(divide="ignore"):
        x = np.log(np.maximum(excess, 1e-300))
    inside = np.clip(x, X_MIN, X_MAX)
    g, dg_dx = table(inside), slope(inside)
    dg = dg_dx / np.where(excess > 0, np.exp(inside), 1.0)
    low = x < X_MIN  # just past the gel point g is linear in delta - 1
    g = np.where(low, g * np.exp(x - X_MIN), g)
    high = x > X_MAX
    g = np.where(high, 1.0, g)
    dg = np.where(high, 0.0, dg)
    return np.where(excess > 0, np.clip(g, 0.0, 1.0), 0.0), np.where(excess > 0, dg, 0.0)


def _h_and_slopes(delta: np.ndarray, delta_e: float | np.ndarray, pdi: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """h(delta), dh/ddelta and dh/dln(delta_e), vectorised."""
    delta = np.asarray(delta, dtype=float)
    g, dg = gel_of_delta(delta, pdi)
    x = np.maximum(delta - 1.0, 0.0) / np.asarray(delta_e)
    keep = -np.expm1(-x)
    h = g * keep
    dh = dg * keep + g * np.exp(-x) / np.asarray(delta_e) * (delta > 1.0)
    dh_dlog_de = -g * np.exp(-x) * x
    return h, dh, dh_dlog_de


def gel_jacobian(dose: np.ndarray, theta: np.ndarray, pdi: float) -> np.ndarray:
    """d h / d(ln D_g, ln n, ln delta_e) of the gel model (analytic, vectorised)."""
    log_dg, log_n, log_de = theta
    n = math.exp(log_n)
    u = np.log(dose) - log_dg
    delta = np.exp(n * u)
    _, dh, dh_de = _h_and_slopes(delta, math.exp(log_de), pdi)
    return np.column_stack([-n * delta * dh, n * u * delta * dh, dh_de])


def loglogistic_thickness(dose: np.ndarray, d50: float, slope: float) -> np.ndarray:
    """h = 1 / (1 + (D50 / D)^b)."""
    return 1.0 / (1.0 + np.exp(slope * (np.log(d50) - np.log(dose))))


def _delta_at(level: float | np.ndarray, delta_e: float | np.ndarray, pdi: float) -> np.ndarray:
    """Gel index where h(delta) = level, elementwise (h rises monotonically from 0 at delta = 1
    towards 1): bisection on ln(delta) in [0, ln DELTA_MAX], vectorised; inf where not reached."""
    level, delta_e = np.broadcast_arrays(np.asarray(level, dtype=float), np.asarray(delta_e, dtype=float))
    lo, hi = np.zeros(level.shape), np.full(level.shape, math.log(DELTA_MAX))
    reached = thickness_of_delta(np.exp(hi), delta_e, pdi) >= level
    for _ in range(BISECTIONS):
        mid = 0.5 * (lo + hi)
        up = thickness_of_delta(np.exp(mid), delta_e, pdi) >= level
        lo, hi = np.where(up, lo, mid), np.where(up, mid, hi)
    return np.where(reached, np.exp(0.5 * (lo + hi)), np.inf)


def gel_quantities(theta: np.ndarray, pdi: float) -> dict[str, np.ndarray]:
    """D_g^i, D50, D90 and gamma of the gel model at log parameters theta ([3] or [m, 3])."""
    theta = np.asarray(theta, dtype=float)
    log_dg, log_n, log_de = theta[..., 0], theta[..., 1], theta[..., 2]
    n, de = np.exp(log_n), np.exp(log_de)
    d50, d90 = _delta_at(0.5, de, pdi), _delta_at(0.9, de, pdi)
    slope = _h_and_slopes(d50, de, pdi)[1]
    return {
        "gel_dose": np.exp(log_dg),
        "d50": np.exp(log_dg + np.log(d50) / n),
        "d90": np.exp(log_dg + np.log(d90) / n),
        "contrast": n * math.log(10.0) * d50 * slope,
    }


def loglogistic_quantities(theta: np.ndarray) -> dict[str, np.ndarray]:
    """Tangent onset, D50, D90 and gamma = b ln10 / 4 of the log-logistic form ([2] or [m, 2])."""
    theta = np.asarray(theta, dtype=float)
    log_d50, b = theta[..., 0], np.exp(theta[..., 1])
    return {"gel_dose": np.exp(log_d50 - 2.0 / b), "d50": np.exp(log_d50),
            "d90": np.exp(log_d50 + math.log(9.0) / b), "contrast": b * math.log(10.0) / 4.0}


@dataclass(frozen=True)
class Model:
    """A curve model in log parameters: prediction, Jacobian (or None: numeric) and quantities."""

    name: str
    params: tuple[str, ...]
    predict: Callable[[np.ndarray, np.ndarray], np.ndarray]
    jacobian: Callable[[np.ndarray, np.ndarray], np.ndarray] | None
    quantities: Callable[[np.ndarray], dict[str, float]]
    start: Callable[[np.ndarray, np.ndarray], list[np.ndarray]]


def _ll_jac(dose: np.ndarray, theta: np.ndarray) -> np.ndarray:
    log_d50, log_b = theta
    b = math.exp(log_b)
    u = np.log(dose) - log_d50
    h = 1.0 / (1.0 + np.exp(-b * u))
    dh = h * (1.0 - h)
    return np.column_stack([-b * dh, b * u * dh])


def _d50_guess(dose: np.ndarray, h: np.ndarray) -> float:
    """log dose where the data first cross half their maximum (interpolated)."""
    level = 0.5 * max(h.max(), 1e-9)
    above = np.nonzero(h >= level)[0]
    i = above[0] if len(above) else len(h) - 1
    if i == 0:
        return float(np.log(dose[0]))
    x0, x1, y0, y1 = np.log(dose[i - 1]), np.log(dose[i]), h[i - 1], h[i]
    return float(x0 + (level - y0) * (x1 - x0) / (y1 - y0)) if y1 > y0 else float(x1)


def loglogistic_model() -> Model:
    def start(dose: np.ndarray, h: np.ndarray) -> list[np.ndarray]:
        x50 = _d50_guess(dose, h)
        return [np.array([x50, math.log(b)]) for b in (3.0, 8.0, 20.0)]

    return Model("log_logistic", ("d50", "slope"), lambda d, t: loglogistic_thickness(d, math.exp(t[0]), math.exp(t[1])),
                 _ll_jac, loglogistic_quantities, start)


def gel_model(pdi: float) -> Model:
    def predict(dose: np.ndarray, theta: np.ndarray) -> np.ndarray:
        return gel_thickness(dose, math.exp(theta[0]), math.exp(theta[1]), math.exp(theta[2]), pdi)

    def start(dose: np.ndarray, h: np.ndarray) -> list[np.ndarray]:
        x50 = _d50_guess(dose, h)
        starts = []
        for n, de in ((1.0, 2.0), (2.5, 1.0), (6.0, 0.5)):
            # place D50 of the start at the data's: D_g = D50 / delta50^(1/n)
            d50 = float(_delta_at(0.5, de, pdi))
            starts.append(np.array([x50 - math.log(d50) / n, math.log(n), math.log(de)]))
        return starts

    return Model("gel", ("gel_dose", "exponent", "delta_e"), predict, lambda d, t: gel_jacobian(d, t, pdi),
                 lambda t: gel_quantities(t, pdi), start)
