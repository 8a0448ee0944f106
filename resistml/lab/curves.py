"""Fits of measured contrast curves: the simulator's gel model and a plain log-logistic form.

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

Both are fitted by weighted least squares (scipy ``least_squares``) with a measurement model
sd_i = sigma (h_i + ``FLOOR``) (multiplicative noise with a small absolute floor), weights from the
fitted curve (iterated); parameters in log form; confidence intervals from the covariance
s^2 (J^T W J)^-1 with Student-t quantiles (zero readings where the model has no film carry no
information on the noise and leave the degrees of freedom), carried to the derived quantities (D50, D90, gamma) by
the delta method on log scale. Reported: D_g^i, D50 (sensitivity), D90, contrast
gamma = dh/dlog10 D at D50, each with its interval, and RMSE / R^2 of the fit.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import interpolate, optimize, stats

from resistml.lab.formats import ContrastCurve
from resistml.physics.gelation import gel_fraction, schulz_zimm_k

CONFIDENCE = 0.95
MIN_POINTS = 5
"""Fewest distinct doses a curve needs (3 gel-model parameters + 2 for the error estimate)."""
FLOOR = 0.02
"""Absolute part of the measurement model, sd = sigma (h + FLOOR) in initial thicknesses: noise
mostly proportional to the remaining film, with a floor (~0.1 % of the film at 7 % noise)."""
WEIGHT_ROUNDS = 3
DEFAULT_PDI = 2.0
"""PDI assumed when a curve has no formulation (the Charlesby-Pinner case)."""
MIN_RHO = 0.5
"""Least Spearman rank correlation of thickness with dose for a negative resist's curve."""
LOG_BOUNDS = {"gel_dose": (-30.0, 30.0), "exponent": (math.log(0.2), math.log(50.0)),
              "delta_e": (math.log(1e-3), math.log(1e3)), "d50": (-30.0, 30.0), "slope": (math.log(0.1), math.log(200.0))}
"""Bounds of the log parameters (wide; they only keep the optimiser finite)."""
QUANTITIES = ("gel_dose", "d50", "d90", "contrast")
DELTA_MAX = 1e9
X_MIN, X_MAX, TABLE_NODES = -12.0, 16.0, 1400
"""Gel-fraction table: nodes in ln(delta - 1) (spacing 0.02; spline error < 1e-7)."""
BISECTIONS = 44
"""Reported quantities of every fit (both models)."""


class CurveFitError(ValueError):
    """A curve that cannot be fitted; the message is one line for the user."""


# ---- the two models -----------------------------------------------------------------------
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


# ---- fitting ------------------------------------------------------------------------------
@dataclass
class FitResult:
    """One model's fit of one curve."""

    model: str
    params: dict[str, float]
    params_ci: dict[str, tuple[float, float]]
    quantities: dict[str, float]
    quantities_ci: dict[str, tuple[float, float]]
    rmse: float
    r2: float
    sigma: float
    """Fitted relative noise level sigma of the measurement model."""
    n_points: int
    converged: bool
    theta: np.ndarray = field(repr=False, default_factory=lambda: np.array([]))
    cov: np.ndarray = field(repr=False, default_factory=lambda: np.zeros((0, 0)))
    pdi: float | None = None

    def to_dict(self) -> dict[str, Any]:
        def est(values: dict[str, float], cis: dict[str, tuple[float, float]]) -> dict[str, Any]:
            return {k: {"value": _finite(v), "ci_low": _finite(cis[k][0]), "ci_high": _finite(cis[k][1])}
                    for k, v in values.items()}

        out: dict[str, Any] = {"parameters": est(self.params, self.params_ci),
                               "quantities": est(self.quantities, self.quantities_ci),
                               "rmse": _finite(self.rmse), "r2": _finite(self.r2),
                               "relative_noise": _finite(self.sigma), "n_points": self.n_points,
                               "converged": self.converged}
        if self.pdi is not None:
            out["pdi"] = self.pdi
        return out


def _exp(x: float) -> float:
    return math.exp(x) if x < 700 else math.inf


def _finite(x: float) -> float | None:
    return float(x) if x is not None and math.isfinite(x) else None


BOUND_KEYS = {"gel": ("gel_dose", "exponent", "delta_e"), "log_logistic": ("d50", "slope")}


def fit_model(model: Model, dose: np.ndarray, h: np.ndarray, confidence: float = CONFIDENCE) -> FitResult:
    """Weighted least squares of one model; intervals from the covariance (see module docstring)."""
    dose, h = np.asarray(dose, dtype=float), np.asarray(h, dtype=float)
    n, p = len(dose), len(model.params)
    lo = np.array([LOG_BOUNDS[k][0] for k in BOUND_KEYS[model.name]])
    hi = np.array([LOG_BOUNDS[k][1] for k in BOUND_KEYS[model.name]])
    weights = 1.0 / (h.clip(0.0, 1.0) * 0.5 + 0.5 + FLOOR)  # first round: near-uniform
    best = None
    for _ in range(WEIGHT_ROUNDS):
        def resid(theta: np.ndarray, w: np.ndarray = weights) -> np.ndarray:
            return w * (model.predict(dose, theta) - h)

        jac = "2-point" if model.jacobian is None else (lambda t, w=weights: w[:, None] * model.jacobian(dose, t))
        starts = [best.x] if best is not None else model.start(dose, h)
        fits = []
        for x0 in starts:
            x0 = np.clip(x0, lo + 1e-9, hi - 1e-9)
            try:
                fits.append(optimize.least_squares(resid, x0, jac=jac, bounds=(lo, hi), method="trf",
                                                   x_scale=1.0, xtol=1e-10, ftol=1e-10, gtol=1e-10, max_nfev=200))
            except ValueError:
                continue
        if not fits:
            raise CurveFitError(f"{model.name} fit failed")
        best = min(fits, key=lambda r: r.cost)
        weights = 1.0 / (np.clip(model.predict(dose, best.x), 0.0, None) + FLOOR)
    theta = best.x
    resid_w = best.fun
    # a zero reading where the model predicts no film says nothing about the noise level
    silent = (h <= 0.0) & (model.predict(dose, theta) <= 1e-12)
    dof = max(n - int(silent.sum()) - p, 1)
    s2 = float(resid_w @ resid_w) / dof
    jac_w = best.jac
    try:
        cov = s2 * np.linalg.pinv(jac_w.T @ jac_w)
    except np.linalg.LinAlgError:
        cov = np.full((p, p), np.nan)
    t = float(stats.t.ppf(0.5 + confidence / 2.0, dof))
    se = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    params = {k: math.exp(v) for k, v in zip(model.params, theta, strict=True)}
    params_ci = {k: (_exp(v - t * s), _exp(v + t * s)) for k, v, s in zip(model.params, theta, se, strict=True)}
    quantities = {k: float(v) for k, v in model.quantities(theta).items()}
    quantities_ci = _delta_method(model, theta, cov, quantities, t)
    pred = model.predict(dose, theta)
    ss_res = float(np.sum((pred - h) ** 2))
    ss_tot = float(np.sum((h - h.mean()) ** 2))
    return FitResult(model.name, params, params_ci, quantities, quantities_ci,
                     rmse=math.sqrt(ss_res / n), r2=1.0 - ss_res / ss_tot if ss_tot > 0 else math.nan,
                     sigma=math.sqrt(s2), n_points=n, converged=bool(best.success), theta=theta, cov=cov)


def _delta_method(model: Model, theta: np.ndarray, cov: np.ndarray, values: dict[str, float],
                  t: float) -> dict[str, tuple[float, float]]:
    """Intervals of the derived quantities: gradient of log(quantity) wrt theta, on log scale."""
    p = len(theta)
    steps = 1e-6 * np.maximum(1.0, np.abs(theta))
    probes = np.concatenate([theta + np.diag(steps), theta - np.diag(steps)])  # [2p, p], one vectorised call
    q = model.quantities(probes)
    out = {}
    for k, v in values.items():
        with np.errstate(divide="ignore", invalid="ignore"):
            logs = np.log(np.asarray(q[k], dtype=float))
            grad = (logs[:p] - logs[p:]) / (2 * steps)
            se = math.sqrt(max(float(grad @ cov @ grad), 0.0))
        if not (math.isfinite(v) and v > 0 and math.isfinite(se)):
            out[k] = (math.nan, math.nan)
            continue
        out[k] = (v * math.exp(-t * se), v * math.exp(t * se))
    return out


def check_curve(dose: np.ndarray, h: np.ndarray) -> None:
    """Raise :class:`CurveFitError` (one line) for a curve no model can describe."""
    dose, h = np.asarray(dose, dtype=float), np.asarray(h, dtype=float)
    distinct = len(np.unique(dose))
    if distinct < MIN_POINTS:
        raise CurveFitError(f"too few points: {distinct} distinct doses, a fit needs at least {MIN_POINTS}")
    if not np.any(h > 0):
        raise CurveFitError("all remaining thicknesses are zero: no gel at any dose (raise the dose range)")
    rho = stats.spearmanr(dose, h).statistic
    if not (rho >= MIN_RHO):
        raise CurveFitError(f"thickness does not rise with dose (Spearman rho {rho:.2f} < {MIN_RHO}): "
                            "not a negative-tone contrast curve")
    if h.max() < 0.5:
        raise CurveFitError(f"the curve never reaches 50 % (max {h.max():.2f}): D50 cannot be measured "
                            "(raise the dose range)")
    if h.min() >= 0.5:
        raise CurveFitError(f"the curve starts above 50 % (min {h.min():.2f}): D50 cannot be measured "
                            "(lower the dose range)")


def fit_curve(dose: np.ndarray, h: np.ndarray, pdi: float | None = None,
              confidence: float = CONFIDENCE) -> dict[str, FitResult]:
    """Both fits of one curve: ``{"gel": ..., "log_logistic": ...}`` (checks the curve first)."""
    check_curve(dose, h)
    pdi = DEFAULT_PDI if pdi is None else float(pdi)
    gel = fit_model(gel_model(pdi), dose, h, confidence)
    gel.pdi = pdi
    return {"gel": gel, "log_logistic": fit_model(loglogistic_model(), dose, h, confidence)}


def noisy_curve(clean: np.ndarray, rng: np.random.Generator, relative: float = 0.07,
                absolute: float = 0.0) -> np.ndarray:
    """Measurement noise of the synthetic lab: log-normal multiplicative ``relative``, plus Gaussian
    ``absolute`` (in initial thicknesses), readings below 0 clipped to 0."""
    noisy = clean * np.exp(relative * rng.standard_normal(clean.shape))
    if absolute > 0:
        noisy = noisy + absolute * rng.standard_normal(clean.shape)
    return np.clip(noisy, 0.0, None)


def curve_report(curve_id: str, dose: np.ndarray, h: np.ndarray, fits: dict[str, FitResult],
                 dose_unit: str | None, formulation: str | None, pdi_source: str) -> dict[str, Any]:
    """The JSON document of one fitted curve (``resistml fit-curve --json``)."""
    return {"id": curve_id, "formulation": formulation, "dose_unit": dose_unit,
            "n_points": int(len(dose)), "dose_range": [float(np.min(dose)), float(np.max(dose))],
            "pdi": fits["gel"].pdi, "pdi_source": pdi_source, "confidence": CONFIDENCE,
            "fits": {name: fit.to_dict() for name, fit in fits.items()}}


@dataclass
class FittedCurve:
    """A measured curve with both fits and where its PDI came from."""

    curve: ContrastCurve
    fits: dict[str, FitResult]
    pdi_source: str

    def report(self) -> dict[str, Any]:
        c = self.curve
        name = c.formulation.name if c.formulation is not None else None
        return curve_report(c.id, c.dose, c.thickness, self.fits, c.dose_unit, name, self.pdi_source)


def fit_curves(curves: list[ContrastCurve], pdi: float | None = None,
               where: str = "") -> tuple[list[FittedCurve], list[str]]:
    """Fit every curve; returns the fits and one ``<where>: curve <id>: <message>`` line per failure.

    The gel model's PDI: ``pdi`` if given, else the main resin's from the curve's formulation, else
    :data:`DEFAULT_PDI` (Charlesby-Pinner).
    """
    out, errors = [], []
    prefix = f"{where}: " if where else ""
    for curve in curves:
        if pdi is not None:
            used, source = float(pdi), "--pdi"
        elif curve.resin_pdi is not None:
            used, source = float(curve.resin_pdi), "formulation"
        else:
            used, source = DEFAULT_PDI, "default (Charlesby-Pinner, PDI 2)"
        try:
            out.append(FittedCurve(curve, fit_curve(curve.dose, curve.thickness, used), source))
        except CurveFitError as exc:
            errors.append(f"{prefix}curve {curve.id}: {exc}")
    return out, errors
