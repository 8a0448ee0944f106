"""Measured-data files: contrast curves and summary measurements (CSV/TSV/Parquet).

**Contrast curves**: one row per (formulation, dose).

- ``dose`` (> 0; uC/cm2 for electron exposures, mJ/cm2 for X-rays, see :data:`resistml.targets.DOSE_UNITS`);
- ``remaining_thickness``: normalised remaining thickness after development (0-1; up to
  :data:`MAX_THICKNESS` accepted for noise and swelling), or ``remaining_thickness_nm`` with
  ``initial_thickness_nm`` (> 0) on the same row;
- the formulation, either in the flat table form (:mod:`resistml.formulation.table` columns, the
  same cells on every row of a curve) or as ``formulation_id`` naming a formulation (its ``name``)
  in a separate formulations file (any format :func:`resistml.formulation.load_formulations` reads);
- optional ``dose_unit`` (must match the formulation's radiation), ``notes`` and ``source``.

Rows belong to one curve when they share ``formulation_id`` (if that column is present), else
``name``, else every formulation cell.

**Summary measurements**: one row per formulation: the flat table form (or ``formulation_id``)
plus measured target columns named exactly as the outputs (:data:`resistml.targets.COLUMNS`:
``sensitivity``, ``gel_dose``, ``resolution_nm``, ``contrast``, ``ler_nm``; any subset, empty cells
allowed) and optional ``<target>_std`` (1-sigma of the measurement).

Every problem is one line ``<file>: row N: <column>: <message>`` (rows count from 0 after the
header, as the formulation table's own errors do); :class:`LabDataError` carries them all.
The shared reading and checking is in :mod:`resistml.lab.tables`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from resistml.formulation import Formulation, Role
from resistml.lab.tables import (
    ID_COLUMN,
    FormulationResolver,
    LabDataError,
    check_dose_unit,
    formulation_columns,
    is_empty,
    load_joined,
    parse_number,
    read_frame,
    row_dicts,
    unknown_columns,
)
from resistml.targets import COLUMNS

MAX_THICKNESS = 1.2
"""Largest normalised remaining thickness accepted (a swollen or noisy reading of a full film)."""
CURVE_COLUMNS = ("dose", "remaining_thickness", "remaining_thickness_nm", "initial_thickness_nm", "dose_unit")
SUMMARY_TARGET_COLUMNS = tuple(COLUMNS) + tuple(f"{c}_std" for c in COLUMNS)


@dataclass
class ContrastCurve:
    """One measured contrast curve: doses, normalised remaining thickness, its formulation."""

    id: str
    dose: np.ndarray
    thickness: np.ndarray
    formulation: Formulation | None = None
    dose_unit: str | None = None
    rows: list[int] = field(default_factory=list)

    @property
    def resin_pdi(self) -> float | None:
        """PDI of the main resin (the one with most parts), as the simulator's gel model uses it."""
        if self.formulation is None:
            return None
        resins = self.formulation.by_role(Role.resin)
        return max(resins, key=lambda c: c.parts).resin_pdi if resins else None


@dataclass
class SummaryMeasurements:
    """Measured targets per formulation: ``formulations[i]`` belongs to row ``i`` of ``values``."""

    formulations: list[Formulation]
    values: pd.DataFrame
    """Measured target columns (and ``<target>_std``) present in the file, NaN where not measured."""
    ids: list[str]

    @property
    def targets(self) -> list[str]:
        return [c for c in COLUMNS if c in self.values.columns]


# ---- contrast curves ------------------------------------------------------------------------
def _thickness(prefix: str, row: dict[str, Any], has_norm: bool, has_nm: bool) -> tuple[float | None, list[str]]:
    if has_norm and not is_empty(row.get("remaining_thickness")):
        try:
            h = parse_number(row["remaining_thickness"])
        except ValueError as exc:
            return None, [prefix + f"remaining_thickness: {exc}"]
        if not 0.0 <= h <= MAX_THICKNESS:
            hint = " (a thickness in nm belongs in remaining_thickness_nm)" if h > MAX_THICKNESS else ""
            return None, [prefix + f"remaining_thickness: {h:g} is outside 0-{MAX_THICKNESS:g} "
                                   f"(normalised to the initial thickness){hint}"]
        return h, []
    if has_nm and not is_empty(row.get("remaining_thickness_nm")):
        try:
            nm = parse_number(row["remaining_thickness_nm"])
        except ValueError as exc:
            return None, [prefix + f"remaining_thickness_nm: {exc}"]
        if nm < 0:
            return None, [prefix + f"remaining_thickness_nm: must be >= 0, got {nm:g}"]
        if is_empty(row.get("initial_thickness_nm")):
            return None, [prefix + "initial_thickness_nm: needed with remaining_thickness_nm"]
        try:
            h0 = parse_number(row["initial_thickness_nm"])
        except ValueError as exc:
            return None, [prefix + f"initial_thickness_nm: {exc}"]
        if h0 <= 0:
            return None, [prefix + f"initial_thickness_nm: must be > 0, got {h0:g}"]
        if nm / h0 > MAX_THICKNESS:
            return None, [prefix + f"remaining_thickness_nm: {nm:g} nm is {nm / h0:.2f} x the initial "
                                   f"thickness ({h0:g} nm); at most {MAX_THICKNESS:g} x is accepted"]
        return nm / h0, []
    col = "remaining_thickness" if has_norm or not has_nm else "remaining_thickness_nm"
    return None, [prefix + f"{col}: empty"]


def read_contrast_curves(path: str | Path, formulations: str | Path | Iterable[Formulation] | None = None,
                         *, require_formulation: bool = True) -> list[ContrastCurve]:
    """Read and validate a contrast-curve file; one :class:`ContrastCurve` per formulation.

    ``formulations``: the file (or the formulations) that ``formulation_id`` names. With
    ``require_formulation=False`` a file with only ``formulation_id`` (or nothing) to tell its
    curves apart is accepted and the curves carry no formulation (``fit-curve`` then assumes a PDI).
    Raises :class:`LabDataError` with every problem found.
    """
    path = Path(path)
    frame = read_frame(path)
    known = formulation_columns() | set(CURVE_COLUMNS) | {ID_COLUMN}
    errors = unknown_columns(path, frame, known)
    if "dose" not in frame.columns:
        errors.append(f"{path}: dose: missing column")
    has_norm, has_nm = "remaining_thickness" in frame.columns, "remaining_thickness_nm" in frame.columns
    if not (has_norm or has_nm):
        errors.append(f"{path}: remaining_thickness: missing column (or remaining_thickness_nm with initial_thickness_nm)")
    if has_nm and "initial_thickness_nm" not in frame.columns:
        errors.append(f"{path}: initial_thickness_nm: missing column (needed with remaining_thickness_nm)")
    resolver = _checked_resolver(path, frame, formulations, errors, require_formulation)

    groups: dict[tuple, ContrastCurve] = {}
    first_cells: dict[tuple, tuple[int, tuple]] = {}
    for index, row in zip(frame.index, row_dicts(frame), strict=True):
        prefix = f"{path}: row {index}: "
        key = resolver.key(row)
        form, errs = resolver.formulation(index, row)
        errors += errs
        if resolver.flat:
            cells = resolver.cells(row)
            if key in first_cells and first_cells[key][1] != cells:
                first, before = first_cells[key][0], dict(first_cells[key][1])
                diff = next((c for c in resolver.form_cols if before.get(c) != dict(cells).get(c)), "formulation")
                errors.append(prefix + f"{diff}: differs from row {first} of the same curve "
                                       f"({dict(cells).get(diff)!r} vs {before.get(diff)!r})")
            first_cells.setdefault(key, (index, cells))
        unit, errs = check_dose_unit(prefix, row, form)
        errors += errs
        try:
            dose = parse_number(row.get("dose")) if not is_empty(row.get("dose")) else None
            if dose is None:
                errors.append(prefix + "dose: empty")
            elif dose <= 0:
                errors.append(prefix + f"dose: must be > 0, got {dose:g}")
                dose = None
        except ValueError as exc:
            errors.append(prefix + f"dose: {exc}")
            dose = None
        h, errs = _thickness(prefix, row, has_norm, has_nm)
        errors += errs
        if key not in groups:
            cid = key[1] if key[0] in {"id", "name"} else (form.name if form is not None and form.name != "unnamed"
                                                           else f"curve-{len(groups) + 1}")
            groups[key] = ContrastCurve(id=cid, dose=np.array([]), thickness=np.array([]), formulation=form,
                                        dose_unit=unit)
        curve = groups[key]
        if curve.dose_unit is None:
            curve.dose_unit = unit
        elif unit is not None and unit != curve.dose_unit:
            errors.append(prefix + f"dose_unit: {unit} differs from {curve.dose_unit} on the curve's first row")
        if dose is not None and h is not None:
            curve.dose = np.append(curve.dose, dose)
            curve.thickness = np.append(curve.thickness, h)
            curve.rows.append(int(index))
    if errors:
        raise LabDataError(errors)
    for curve in groups.values():
        order = np.argsort(curve.dose, kind="stable")
        curve.dose, curve.thickness = curve.dose[order], curve.thickness[order]
        curve.rows = [curve.rows[i] for i in order]
    return list(groups.values())


# ---- summary measurements -------------------------------------------------------------------
def read_summary(path: str | Path, formulations: str | Path | Iterable[Formulation] | None = None) -> SummaryMeasurements:
    """Read and validate a summary-measurement file (flat table form + measured target columns)."""
    path = Path(path)
    frame = read_frame(path)
    known = formulation_columns() | set(SUMMARY_TARGET_COLUMNS) | {ID_COLUMN, "dose_unit"}
    errors = unknown_columns(path, frame, known)
    targets = [c for c in COLUMNS if c in frame.columns]
    if not targets:
        errors.append(f"{path}: no measured target column; expected any of {', '.join(COLUMNS)}")
    for col in COLUMNS:
        if f"{col}_std" in frame.columns and col not in frame.columns:
            errors.append(f"{path}: {col}_std: given without a {col} column")
    resolver = _checked_resolver(path, frame, formulations, errors, True)

    forms: list[Formulation] = []
    ids: list[str] = []
    values: dict[str, list[float]] = {c: [] for c in frame.columns if c in SUMMARY_TARGET_COLUMNS}
    for index, row in zip(frame.index, row_dicts(frame), strict=True):
        prefix = f"{path}: row {index}: "
        form, errs = resolver.formulation(index, row)
        errors += errs
        errors += check_dose_unit(prefix, row, form)[1]
        for col in values:
            cell = row[col]
            if is_empty(cell):
                values[col].append(math.nan)
                continue
            try:
                v = parse_number(cell)
            except ValueError as exc:
                errors.append(prefix + f"{col}: {exc}")
                values[col].append(math.nan)
                continue
            if col.endswith("_std"):
                if v < 0:
                    errors.append(prefix + f"{col}: must be >= 0, got {v:g}")
                elif is_empty(row[col[:-4]]):
                    errors.append(prefix + f"{col}: given without a measured {col[:-4]}")
            elif v <= 0:
                errors.append(prefix + f"{col}: must be > 0, got {v:g}")
            values[col].append(v)
        if all(is_empty(row[c]) for c in targets):
            errors.append(prefix + f"{', '.join(targets)}: no measured value in this row")
        if form is not None:
            forms.append(form)
            ids.append(str(row[ID_COLUMN]).strip() if resolver.has_id and not is_empty(row[ID_COLUMN]) else form.name)
    if errors:
        raise LabDataError(errors)
    return SummaryMeasurements(forms, pd.DataFrame(values, index=range(len(forms))), ids)


def _checked_resolver(path: Path, frame: pd.DataFrame, formulations: str | Path | Iterable[Formulation] | None,
                      errors: list[str],
                      require_formulation: bool) -> FormulationResolver:
    """The formulation resolver of a measurement table; raises LabDataError with ``errors`` plus its own."""
    if frame.empty and not errors:
        errors.append(f"{path}: no rows")
    joined = load_joined(formulations)
    resolver = FormulationResolver(path, frame, joined, str(formulations) if isinstance(formulations, str | Path) else None,
                                   require_formulation)
    errors += resolver.check_source()
    if errors:
        raise LabDataError(errors)
    return resolver
