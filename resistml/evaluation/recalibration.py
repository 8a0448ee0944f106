"""Post-hoc recalibration of the predicted uncertainties: sigma scaling on held-out data.

Gaussian-NLL heads are often mis-scaled (beta-NLL with beta > 0 trades calibration for mean
accuracy). One factor ``s_t`` per target multiplies every predicted sigma; it is fitted on the
validation part, never on the test part, as the sigma-scaling recalibration of Levi et al.,
*Sensors* 22, 5540 (2022) (cf. Kuleshov et al., ICML 2018). Here ``s_t`` minimises the
miscalibration area (Tran et al., *Mach. Learn.: Sci. Technol.* 1, 025006 (2020)), so the
observed coverage of central Gaussian intervals follows the nominal level, rather than the NLL,
which heavy-tailed residuals pull towards wide intervals.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from resistml.evaluation.metrics import miscalibration_area

SCALES = np.geomspace(0.25, 4.0, 161)
"""Candidate sigma factors (a grid: the miscalibration area is piecewise constant in ``s``)."""

METHOD = "sigma scaling, minimum miscalibration area (Levi et al. 2022)"
"""The ``calibration.method`` recorded in artifact metadata."""

MIN_ROWS = 20
"""Fewer finite validation rows than this leave a target unscaled (``s = 1``)."""


def fit_sigma_scale(y: np.ndarray, mean: np.ndarray, sigma: np.ndarray,
                    scales: np.ndarray = SCALES) -> np.ndarray:
    """Per-target sigma factors [T] minimising the miscalibration area of arrays [N, T].

    Ties go to the factor closest to 1 (the least change to the trained model).
    """
    y, mean, sigma = (np.asarray(a, dtype=float).reshape(len(a), -1) for a in (y, mean, sigma))
    out = np.ones(y.shape[1])
    order = np.argsort(np.abs(np.log(scales)), kind="stable")
    for t in range(y.shape[1]):
        keep = np.isfinite(y[:, t]) & np.isfinite(mean[:, t]) & np.isfinite(sigma[:, t]) & (sigma[:, t] > 0)
        if keep.sum() < MIN_ROWS:
            continue
        areas = np.array([miscalibration_area(y[keep, t], mean[keep, t], s * sigma[keep, t]) for s in scales[order]])
        out[t] = scales[order][int(np.argmin(areas))]
    return out


def calibration_record(names: Sequence[str], factors: np.ndarray, split: str, part: str, n: int) -> dict[str, Any]:
    """The ``calibration`` metadata entry of a fitted sigma scaling."""
    return {"method": METHOD, "split": split, "part": part, "n": n,
            "sigma_scale": {name: float(f) for name, f in zip(names, factors, strict=True)}}


def recalibrate(model: Any, data: str | Path, split: str, part: str = "val",
                names: Sequence[str] | None = None) -> dict[str, Any]:
    """Fit sigma factors of an eager ResistNet on ``part`` of ``split`` and set them in the model.

    Returns the metadata record (method, data part, factors and miscalibration area before/after).
    """
    from resistml.evaluation.evaluate import EvaluationError, eager_predictor, load_part
    from resistml.model import TARGETS

    rows = load_part(data, split, part)
    if not rows.formulations:
        raise EvaluationError(f"recalibration: part {part!r} of split {split!r} in {data} has no usable rows")
    names = list(names or TARGETS[: int(model.config.get("num_targets", len(TARGETS)))])
    model.set_variance_scale(np.ones(len(names)))
    mean, sigma = eager_predictor(model)(rows.formulations)
    y = rows.targets(names)
    factors = fit_sigma_scale(y, mean, sigma)
    model.set_variance_scale(factors**2)
    area = {name: [miscalibration_area(y[:, j], mean[:, j], s * sigma[:, j]) for s in (1.0, factors[j])]
            for j, name in enumerate(names)}
    return {
        **calibration_record(names, factors, split, part, len(rows.formulations)),
        "miscalibration_area_before": {name: float(a[0]) for name, a in area.items()},
        "miscalibration_area_after": {name: float(a[1]) for name, a in area.items()},
    }
