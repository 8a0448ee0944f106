"""Every predicted property: its data column, model output, unit, transform and definition.

The one source of truth for targets. The dataset schema, the model's output names, the exported
metadata (``target_units``), the prediction tables, the API's ``/v1/model`` and the GUI's help
texts all read :data:`TARGETS`. To add a target: add a :class:`Target` here (and the simulator
column that labels it); nothing else lists targets.

Doses are in uC/cm2 for electron exposures and mJ/cm2 for X-ray exposures (``DOSE_UNITS``).
Definitions follow docs/physics.md (part 2, sections 10-11).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

DOSE_UNITS: dict[str, str] = {"electron": "uC/cm2", "xray": "mJ/cm2"}
"""Dose unit per radiation."""
DOSE = "dose"
"""Placeholder unit of dose targets; :func:`unit_for` resolves it per radiation."""


@dataclass(frozen=True)
class Target:
    """One predicted property.

    ``column``: name in datasets, prediction tables and API answers; ``unit``: of ``column``
    (``"dose"`` for the radiation's dose unit); ``transform``: how the model sees it (all five are
    positive and span decades, so all are learned in log10); ``description``: what exactly is
    measured; ``direction``: which way is better for a resist (``"lower"``: a lower dose, a finer
    resolution, less roughness; ``"higher"``: a steeper contrast), used to rank candidates.
    """

    column: str
    unit: str
    transform: Literal["log10", "none"]
    description: str
    direction: Literal["lower", "higher"] = "lower"

    @property
    def higher_is_better(self) -> bool:
        """Whether a larger value is the better one (ranking order: descending)."""
        return self.direction == "higher"

    @property
    def is_dose(self) -> bool:
        """Whether the unit depends on the radiation (values of different radiations do not compare)."""
        return self.unit == DOSE

    @property
    def model_name(self) -> str:
        """Name of the model output: ``log10_<column>`` for log targets, else the column."""
        return f"log10_{self.column}" if self.transform == "log10" else self.column

    @property
    def model_unit(self) -> str:
        """Unit of the model output (``log10 <unit>`` for log targets)."""
        unit = unit_text(self.unit)
        if self.transform != "log10":
            return unit
        return "log10 (dimensionless)" if unit == "1" else f"log10 {unit}"


TARGETS: tuple[Target, ...] = (
    Target(
        "sensitivity", DOSE, "log10",
        "Dose that leaves 50 % of the initial film thickness on a large (500 um) exposed pad after "
        "development (D_g^0.5 of the contrast curve).",
    ),
    Target(
        "gel_dose", DOSE, "log10",
        "Dose at the onset of insolubility (D_g^i): where the crosslinked resin first reaches its "
        "gel point (q u_w = 1) on a large pad.",
    ),
    Target(
        "resolution_nm", "nm", "log10",
        "Smallest half-pitch of dense 1:1 lines/spaces from which every larger pitch prints: clean "
        "spaces, full lines, exposure latitude >= 5 % and 3-sigma LER <= 20 % of the pitch.",
    ),
    Target(
        "contrast", "1", "log10",
        "Contrast gamma: slope d(normalised thickness)/d(log10 dose) of the contrast curve at the "
        "sensitivity dose.",
        direction="higher",
    ),
    Target(
        "ler_nm", "nm", "log10",
        "Line-edge roughness, 3 sigma, of lines at the resolution limit (shot noise of electrons, "
        "acids and quencher; Gallatin's model).",
    ),
)
"""All targets, in the column order of target tensors and model outputs."""

COLUMNS: tuple[str, ...] = tuple(t.column for t in TARGETS)
"""Data columns of the targets (dataset, prediction tables), in order."""
MODEL_NAMES: tuple[str, ...] = tuple(t.model_name for t in TARGETS)
"""Model output names, in order."""
_LEGACY_NAMES = {"log10_resolution": "resolution_nm", "log10_ler": "ler_nm"}
"""Model output names of early checkpoints."""
_BY_NAME: dict[str, Target] = {
    **{t.column: t for t in TARGETS},
    **{f"log10_{t.column}": t for t in TARGETS},
    **{old: next(t for t in TARGETS if t.column == new) for old, new in _LEGACY_NAMES.items()},
}


def target(name: str) -> Target:
    """The target with this column or model name (``sensitivity`` or ``log10_sensitivity``)."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown target {name!r}; known: {', '.join(COLUMNS)}") from None


def is_target(name: str) -> bool:
    """Whether ``name`` is a known target column or model output name."""
    return name in _BY_NAME


def column_of(model_name: str) -> str:
    """User-facing column of a model output: ``log10_resolution`` -> ``resolution_nm``."""
    return target(model_name).column


def unit_for(name: str, radiation: str) -> str:
    """Unit of a target's column for the given radiation (dose targets per ``DOSE_UNITS``)."""
    unit = target(name).unit
    return DOSE_UNITS[radiation] if unit == DOSE else unit


def model_unit(model_name: str) -> str:
    """Unit of a model output (``log10 nm`` for ``log10_resolution_nm``; raw columns as is)."""
    t = target(model_name)
    return t.model_unit if model_name.startswith("log10_") else unit_text(t.unit)


def unit_text(unit: str) -> str:
    """A unit for display: the dose placeholder spelt out for both radiations."""
    return f"{DOSE}: {' (electron) or '.join(DOSE_UNITS.values())} (X-ray)" if unit == DOSE else unit


def model_units(model_names: tuple[str, ...] | list[str]) -> dict[str, str]:
    """Units of model outputs as recorded in an exported model's ``metadata.json``."""
    return {n: model_unit(n) for n in model_names}


def definitions(model_names: tuple[str, ...] | list[str]) -> dict[str, str]:
    """What each model output measures (its target's description), keyed by output name."""
    return {n: target(n).description for n in model_names}


# ---- outcomes: what the simulator says happened to a formulation ---------------------------
OUTCOMES: tuple[str, ...] = (
    "prints", "no_gel", "thin_gel", "unresolved", "collapse", "microbridging", "other",
)
"""Outcome classes of the outcome head, in logit order; ``prints`` first (``p_prints``)."""
PRINTS = "prints"
OUTCOME_OF_STATUS: dict[str, str] = {
    "ok": "prints",
    "resolution_below_grid": "prints",  # prints, resolution below the finest half-pitch tried
    "no_acid": "no_gel",
    "no_gel": "no_gel",
    "no_resin": "no_gel",
    "thin_gel": "thin_gel",
    "unresolved": "unresolved",
    "collapse": "collapse",
    "collapsed": "collapse",  # simulator v2
    "microbridging": "microbridging",
    "microbridged": "microbridging",  # simulator v2
}
"""Simulator status -> outcome class; every other status (errors, new ones) is ``other``."""
OUTCOME_DESCRIPTIONS: dict[str, str] = {
    "prints": "dense lines/spaces print at some half-pitch of the simulator's grid",
    "no_gel": "no insoluble gel at any dose (no acid, no crosslinkable resin or no gel point)",
    "thin_gel": "a gel forms but never keeps 50 % of the film thickness",
    "unresolved": "a film remains but no half-pitch up to the largest one tried prints",
    "collapse": "lines print but collapse (aspect ratio / capillary forces)",
    "microbridging": "spaces are bridged by residual gel",
    "other": "any other status (simulation error, unknown status)",
}
CENSOR_RIGHT, CENSOR_LEFT = 1, -1
"""Censoring codes of a target entry: the true value is above (right) or below (left) the stored bound."""


def outcome_of(status: str | None) -> str:
    """Outcome class of a simulator status (unknown or missing statuses -> ``other``)."""
    return OUTCOME_OF_STATUS.get(str(status).strip().lower(), "other") if status is not None else "other"


def outcome_index(status: str | None) -> int:
    """Index in :data:`OUTCOMES` of a simulator status."""
    return OUTCOMES.index(outcome_of(status))


CENSORED_BY_STATUS: dict[str, tuple[str, int, str]] = {
    "unresolved": ("resolution_nm", CENSOR_RIGHT, "max"),
    "resolution_below_grid": ("resolution_nm", CENSOR_LEFT, "min"),
}
"""Status -> (target column, censor code, end of the simulator's half-pitch grid that bounds it).

Non-resolving rows have a resolution above the largest half-pitch tried; rows resolving below
the grid one below the smallest. The grid itself lives in ``resistml.physics.patterning``
(``HALF_PITCHES_NM``); :mod:`resistml.datasets` turns the "max"/"min" into numbers.
"""
