"""The surrogate: the trained model's mean and sigma, plus a light correction learned from the simulator.

Fine-tuning the GNN on the few tens of formulations a design run checks would be slow and would
overfit; instead the model is frozen and, every few batches, :class:`Correction` fits

- per target, a ridge regression of the simulator-minus-model residual (log10) on
  ``[model means, process features, role weight fractions]``. It is used only where its
  leave-one-out error beats no correction (else only the mean residual, else nothing), and the
  model's sigma is rescaled by the ratio of the leave-one-out residuals to the predicted sigma
  (clipped to 0.5-3), so sigma keeps meaning "1-sigma error on this problem";
- a print classifier (L2 logistic regression on the same features) for ``p_prints``, once the
  simulator has shown at least 3 printing and 3 non-printing formulations.

``p_prints``: the model's own output is used where the Predictor provides one (an output named
``p_prints``, being added on another branch); until then the prior is 1.0 (every formulation is
assumed to print) and only the print classifier above lowers it. Everything is in log10 of each
target (all targets are learned in log10). Outputs are rounded to 1e-6 so a resumed run makes
exactly the same choices as an uninterrupted one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from resistml.features.collate import process_features
from resistml.formulation import Formulation, Role
from resistml.targets import COLUMNS

MIN_ROWS = 8
"""Fewest simulator-checked rows before a residual regression is fitted."""
MIN_CLASS = 3
"""Fewest printing and non-printing rows before the print classifier is fitted."""
RIDGE = 3.0
"""Ridge penalty on standardised features."""


@dataclass
class SurrogateOutput:
    """Log10 means and 1-sigma [N, T] (``COLUMNS`` order), p_prints [N], model means before correction."""

    mean: np.ndarray
    sigma: np.ndarray
    p_prints: np.ndarray
    model_mean: np.ndarray
    model_sigma: np.ndarray


def design_features(forms: Sequence[Formulation], model_mean: np.ndarray) -> np.ndarray:
    """``[model means (T), process features, weight fraction per role]`` per formulation."""
    rows = []
    for f, mu in zip(forms, model_mean, strict=True):
        total = f.total_parts
        frac = [sum(c.parts for c in f.components if c.role is r) / total for r in Role]
        rows.append([*mu, *process_features(f.process), *frac])
    return np.asarray(rows, dtype=float)


def _standardise(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mu, sd = X.mean(axis=0), X.std(axis=0)
    return mu, np.where(sd > 1e-9, sd, 1.0)


@dataclass
class Correction:
    """Residual ridge per target, sigma scale per target, print classifier (see the module docstring)."""

    x_mean: np.ndarray | None = None
    x_sd: np.ndarray | None = None
    coef: dict[int, np.ndarray] = field(default_factory=dict)
    offset: dict[int, float] = field(default_factory=dict)
    sigma_scale: dict[int, float] = field(default_factory=dict)
    classifier: np.ndarray | None = None
    info: dict[str, float] = field(default_factory=dict)

    def _x(self, X: np.ndarray) -> np.ndarray:
        return np.column_stack([np.ones(len(X)), (X - self.x_mean) / self.x_sd])

    @classmethod
    def fit(cls, X: np.ndarray, model_mean: np.ndarray, model_sigma: np.ndarray,
            simulated: np.ndarray, prints: np.ndarray) -> Correction:
        """Fit on checked rows: ``simulated`` log10 values [N, T] (NaN where not printed), ``prints`` [N]."""
        out = cls()
        if len(X) == 0:
            return out
        out.x_mean, out.x_sd = _standardise(X)
        Z = out._x(X)
        for t in range(model_mean.shape[1]):
            ok = np.isfinite(simulated[:, t]) & np.isfinite(model_mean[:, t])
            if ok.sum() < MIN_ROWS:
                continue
            resid = simulated[ok, t] - model_mean[ok, t]
            coef, loo = _ridge_loo(Z[ok], resid)
            loo_mean = (resid - resid.mean()) * len(resid) / (len(resid) - 1)  # leave-one-out, offset only
            errors = {"none": np.sqrt(np.mean(resid**2)), "offset": np.sqrt(np.mean(loo_mean**2)),
                      "ridge": np.sqrt(np.mean(loo**2))}
            best = min(errors, key=errors.get)
            left = {"none": resid, "offset": loo_mean, "ridge": loo}[best]
            if best == "ridge":
                out.coef[t] = coef
            elif best == "offset":
                out.offset[t] = float(resid.mean())
            ratio = math.sqrt(float(np.mean((left / np.maximum(model_sigma[ok, t], 1e-3)) ** 2)))
            out.sigma_scale[t] = float(np.clip(ratio, 0.5, 3.0))
            name = COLUMNS[t] if t < len(COLUMNS) else str(t)
            out.info[f"rmse_before/{name}"] = float(errors["none"])
            out.info[f"rmse_after/{name}"] = float(errors[best])
        n_ok, n_bad = int(prints.sum()), int((~prints).sum())
        if n_ok >= MIN_CLASS and n_bad >= MIN_CLASS:
            out.classifier = _logistic(Z, prints.astype(float))
        out.info["n_checked"] = float(len(X))
        return out

    def apply(self, X: np.ndarray, mean: np.ndarray, sigma: np.ndarray,
              p_prints: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Corrected (mean, sigma, p_prints)."""
        if self.x_mean is None:
            return mean, sigma, p_prints
        Z = self._x(X)
        mean, sigma = mean.copy(), sigma.copy()
        for t, coef in self.coef.items():
            mean[:, t] += Z @ coef
        for t, off in self.offset.items():
            mean[:, t] += off
        for t, scale in self.sigma_scale.items():
            sigma[:, t] *= scale
        if self.classifier is not None:
            p_prints = np.minimum(p_prints, 1.0 / (1.0 + np.exp(-np.clip(Z @ self.classifier, -30, 30))))
        return mean, sigma, p_prints


def _ridge_loo(Z: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ridge coefficients (intercept unpenalised) and exact leave-one-out residuals."""
    penalty = RIDGE * np.eye(Z.shape[1])
    penalty[0, 0] = 1e-8
    inv = np.linalg.inv(Z.T @ Z + penalty)
    coef = inv @ Z.T @ y
    hat = np.einsum("ij,jk,ik->i", Z, inv, Z)
    return coef, (y - Z @ coef) / np.maximum(1.0 - hat, 1e-6)


def _logistic(Z: np.ndarray, y: np.ndarray, l2: float = 1.0, steps: int = 25) -> np.ndarray:
    """L2-penalised logistic regression by Newton's method (intercept unpenalised)."""
    w = np.zeros(Z.shape[1])
    penalty = l2 * np.eye(Z.shape[1])
    penalty[0, 0] = 1e-6
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-np.clip(Z @ w, -30, 30)))
        grad = Z.T @ (p - y) + penalty @ w
        hess = (Z * (p * (1 - p))[:, None]).T @ Z + penalty
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w


class Surrogate:
    """A Predictor's log10 means and sigma in ``COLUMNS`` order, with an optional :class:`Correction`."""

    def __init__(self, predictor: object):
        self.predictor = predictor
        outputs = list(predictor.outputs)
        self.index = [outputs.index(c) for c in COLUMNS]
        self.log = [predictor.targets[i].startswith("log10_") for i in self.index]
        self.p_index = outputs.index("p_prints") if "p_prints" in outputs else None
        self.correction = Correction()

    def warm(self, pools: dict[Role, list], make: object) -> None:
        """Embed every pool molecule in one pass (``make(i)`` builds the i-th warm-up formulation)."""
        n = max((len(p) for p in pools.values()), default=0)
        if n:
            self.predictor.predict_raw([make(i) for i in range(n)])

    def model(self, forms: Sequence[Formulation]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The model's log10 means, sigma and p_prints (1.0 where the model has none)."""
        if not forms:
            t = len(COLUMNS)
            return np.zeros((0, t)), np.zeros((0, t)), np.zeros(0)
        raw_mean, raw_sigma = self.predictor.predict_raw(list(forms))
        mean = raw_mean[:, self.index].astype(float)
        sigma = raw_sigma[:, self.index].astype(float)
        for j, is_log in enumerate(self.log):
            if not is_log:  # a target the model learns linearly: to log10 by first-order propagation
                value = np.maximum(mean[:, j], 1e-12)
                mean[:, j], sigma[:, j] = np.log10(value), sigma[:, j] / (value * math.log(10.0))
        if self.p_index is not None:
            p = np.clip(raw_mean[:, self.p_index].astype(float), 0.0, 1.0)
        else:
            p = np.ones(len(forms))
        return np.round(mean, 6), np.round(sigma, 6), np.round(p, 6)

    def __call__(self, forms: Sequence[Formulation]) -> SurrogateOutput:
        model_mean, model_sigma, p = self.model(forms)
        X = design_features(forms, model_mean) if len(forms) else np.zeros((0, 1))
        mean, sigma, p = self.correction.apply(X, model_mean, model_sigma, p)
        return SurrogateOutput(np.round(mean, 6), np.round(sigma, 6), np.round(p, 6), model_mean, model_sigma)

    def fit(self, forms: Sequence[Formulation], model_mean: np.ndarray, model_sigma: np.ndarray,
            simulated: np.ndarray, prints: np.ndarray) -> Correction:
        """Refit the correction on everything checked so far (the active-learning step)."""
        X = design_features(forms, model_mean)
        self.correction = Correction.fit(X, model_mean, model_sigma, simulated, prints)
        return self.correction
