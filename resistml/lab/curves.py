"""Fits of measured contrast curves with the two models of :mod:`resistml.lab.models`.

The simulator's gel model and a plain log-logistic form are each fitted by weighted least squares
(scipy ``least_squares``) with a measurement model sd_i = sigma (h_i + ``FLOOR``) (multiplicative noise with a small absolute floor), weights from the
fitted curve (iterated); parameters in log form; confidence intervals from the covariance
s^2 (J^T W J)^-1 with Student-t quantiles (zero readings where the model has no film carry no
information on the noise and leave the degrees of freedom), carried to the derived quantities
(D50, D90, gamma) by the delta method on log scale; the gel model's shape parameters n and
delta_e, which trade off against each other, get profile-likelihood intervals instead. Reported: D_g^i, D50 (sensitivity), D90,
contrast gamma = dh/dlog10 D at D50, each with its interval, and RMSE / R^2 of the fit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import optimize, stats

from resistml.lab.formats import ContrastCurve
from resistml.lab.models import Model, gel_model, loglogistic_model

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
TRANSITION = (0.05, 0.95)
"""A curve needs at least one reading inside this thickness range (else D50 is only bracketed)."""
"""Least Spearman rank correlation of thickness with dose for a negative resist's curve."""
LOG_BOUNDS = {"gel_dose": (-30.0, 30.0), "exponent": (math.log(0.2), math.log(50.0)),
              "delta_e": (math.log(1e-3), math.log(1e3)), "d50": (-30.0, 30.0), "slope": (math.log(0.1), math.log(200.0))}
"""Bounds of the log parameters (wide; they only keep the optimiser finite)."""
PROFILED = {"gel": ("exponent", "delta_e")}
"""Parameters whose intervals come from the profile likelihood instead of the covariance: the gel
model's shape parameters trade off against each other, and their covariance (Wald) intervals held
the truth in only 86-94 % of 50 noisy curves at 95 % confidence."""
PROFILE_BRACKETS, PROFILE_BISECTIONS = 8, 5
"""Profile search: steps out from the estimate by the Wald half-width x 1.6^k, then bisects."""
QUANTITIES = ("gel_dose", "d50", "d90", "contrast")
"""Reported quantities of every fit (both models)."""


class CurveFitError(ValueError):
    """A curve that cannot be fitted; the message is one line for the user."""


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
    threshold = 2.0 * best.cost * (1.0 + float(stats.f.ppf(confidence, 1, dof)) / dof)
    for j, name in enumerate(model.params):
        if name in PROFILED.get(model.name, ()):
            low, high = _profile_bounds(model, dose, h, weights, theta, j, threshold, t * se[j], lo, hi)
            params_ci[name] = (_exp(low), _exp(high))
    quantities = {k: float(v) for k, v in model.quantities(theta).items()}
    quantities_ci = _delta_method(model, theta, cov, quantities, t)
    pred = model.predict(dose, theta)
    ss_res = float(np.sum((pred - h) ** 2))
    ss_tot = float(np.sum((h - h.mean()) ** 2))
    return FitResult(model.name, params, params_ci, quantities, quantities_ci,
                     rmse=math.sqrt(ss_res / n), r2=1.0 - ss_res / ss_tot if ss_tot > 0 else math.nan,
                     sigma=math.sqrt(s2), n_points=n, converged=bool(best.success), theta=theta, cov=cov)


def _profile_bounds(model: Model, dose: np.ndarray, h: np.ndarray, weights: np.ndarray, theta: np.ndarray,
                    j: int, threshold: float, wald: float, lo: np.ndarray, hi: np.ndarray) -> tuple[float, float]:
    """Profile-likelihood interval of log parameter j: where the weighted sum of squares, minimised
    over the other parameters, rises to ``threshold`` (SSR_min (1 + F(1, dof) / dof)); -inf / inf
    where it never does within the bounds."""
    free = np.array([i for i in range(len(theta)) if i != j])

    def profile(value: float, start: np.ndarray) -> tuple[float, np.ndarray]:
        full = theta.copy()
        full[j] = value

        def resid(x: np.ndarray) -> np.ndarray:
            full[free] = x
            return weights * (model.predict(dose, full) - h)

        def jac(x: np.ndarray) -> np.ndarray:
            full[free] = x
            return (weights[:, None] * model.jacobian(dose, full))[:, free]

        x0 = np.clip(start, lo[free] + 1e-9, hi[free] - 1e-9)
        res = optimize.least_squares(resid, x0, jac=jac, bounds=(lo[free], hi[free]), method="trf",
                                     xtol=1e-7, ftol=1e-7, gtol=1e-7, max_nfev=60)
        return 2.0 * res.cost, res.x

    bounds = []
    for sign, limit in ((-1.0, lo[j]), (1.0, hi[j])):
        inside, inside_x, outside = theta[j], theta[free], None
        step = max(wald if math.isfinite(wald) else 0.0, 0.05)
        for _ in range(PROFILE_BRACKETS):
            value = theta[j] + sign * step
            at_limit = (value - limit) * sign >= 0
            value = limit if at_limit else value
            ssr, x = profile(value, inside_x)
            if ssr > threshold:
                outside = value
                break
            inside, inside_x = value, x
            if at_limit:
                break
            step *= 1.6
        if outside is None:
            bounds.append(sign * math.inf)
            continue
        for _ in range(PROFILE_BISECTIONS):
            mid = 0.5 * (inside + outside)
            ssr, x = profile(mid, inside_x)
            if ssr > threshold:
                outside = mid
            else:
                inside, inside_x = mid, x
        bounds.append(0.5 * (inside + outside))
    return bounds[0], bounds[1]


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
        out[k] = (v * _exp(-t * se), v * _exp(t * se))  # an unidentified quantity: (0, inf)
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
    if not np.any((h > TRANSITION[0]) & (h < TRANSITION[1])):
        below, above = dose[h <= TRANSITION[0]].max(), dose[h >= TRANSITION[1]].min()
        raise CurveFitError(f"no reading between {TRANSITION[0]:.0%} and {TRANSITION[1]:.0%} thickness: the "
                            f"transition lies between doses {below:g} and {above:g} (measure doses in between)")


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
