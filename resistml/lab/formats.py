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
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from resistml.formulation import Formulation, FormulationError, Role, load_formulations
from resistml.formulation.table import (
    MAX_SLOTS_PER_ROLE,
    PROCESS_COLUMNS,
    row_to_formulation,
    slot_column,
)
from resistml.targets import COLUMNS, DOSE_UNITS

MAX_THICKNESS = 1.2
"""Largest normalised remaining thickness accepted (a swollen or noisy reading of a full film)."""
FREE_TEXT_COLUMNS = ("notes", "source")
"""Columns kept as they are, never validated."""
CURVE_COLUMNS = ("dose", "remaining_thickness", "remaining_thickness_nm", "initial_thickness_nm", "dose_unit")
ID_COLUMN = "formulation_id"


class LabDataError(ValueError):
    """Invalid measured data; ``errors`` holds one ``<file>: row N: <column>: <message>`` line each."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("; ".join(errors))


def formulation_columns() -> set[str]:
    """Every column of the flat formulation table form."""
    cols = {"name", *PROCESS_COLUMNS}
    for role in Role:
        for i in range(MAX_SLOTS_PER_ROLE):
            col = slot_column(role, i)
            cols |= {col, f"{col}_parts", f"{col}_name"}
            if role is Role.resin:
                cols |= {f"{col}_mw", f"{col}_pdi"}
    return cols


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


# ---- helpers --------------------------------------------------------------------------------
def _empty(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)) or (
        isinstance(value, str) and not value.strip())


def _number(value: Any) -> float:
    """A finite float from a cell, or ValueError with the message the user sees."""
    if isinstance(value, bool):
        raise ValueError(f"expected a number, got {value!r}")
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise ValueError(f"expected a number, got {value!r}") from None
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"expected a number, got {value!r}") from None
    if not math.isfinite(out):
        raise ValueError(f"must be finite, got {value!r}")
    return out


def _read(path: Path) -> pd.DataFrame:
    try:
        if path.suffix.lower() == ".parquet":
            return pd.read_parquet(path)
        if path.suffix.lower() not in {".csv", ".tsv"}:
            raise LabDataError([f"{path}: measured data must be a CSV, TSV or Parquet table"])
        return pd.read_csv(path, sep="\t" if path.suffix.lower() == ".tsv" else ",", dtype={ID_COLUMN: str})
    except FileNotFoundError:
        raise LabDataError([f"{path}: no such file"]) from None
    except (OSError, ValueError) as exc:
        if isinstance(exc, LabDataError):
            raise
        raise LabDataError([f"{path}: cannot read table ({exc})"]) from None


def _unknown_columns(path: Path, frame: pd.DataFrame, known: set[str]) -> list[str]:
    errors = []
    for col in frame.columns:
        if str(col) in known or str(col) in FREE_TEXT_COLUMNS:
            continue
        close = difflib.get_close_matches(str(col), sorted(known), n=1, cutoff=0.75)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        errors.append(f"{path}: {col}: unknown column{hint}")
    return errors


def _load_joined(formulations: str | Path | Iterable[Formulation] | None) -> dict[str, Formulation] | None:
    if formulations is None:
        return None
    if isinstance(formulations, str | Path):
        try:
            forms = load_formulations(formulations)
        except FormulationError as exc:
            raise LabDataError([e if e.startswith(str(formulations)) else f"{formulations}: {e}"
                                for e in exc.errors]) from None
    else:
        forms = list(formulations)
    return {f.name: f for f in forms}


def _row_dicts(frame: pd.DataFrame) -> list[dict[str, Any]]:
    records = frame.astype(object).where(frame.notna(), None).to_dict("records")
    return [{k: (v.item() if hasattr(v, "item") else v) for k, v in r.items()} for r in records]


class _Resolver:
    """Gives each row its formulation: flat table cells or ``formulation_id`` joined to a file."""

    def __init__(self, path: Path, frame: pd.DataFrame, joined: dict[str, Formulation] | None,
                 formulations_path: str | None, require: bool):
        self.path, self.joined, self.require = path, joined, require
        self.where = formulations_path or "the formulations file"
        self.form_cols = [c for c in frame.columns if c in formulation_columns()]
        self.flat = any(c in {slot_column(r, 0) for r in Role} for c in self.form_cols)
        self.has_id = ID_COLUMN in frame.columns
        self.cache: dict[tuple, Formulation | FormulationError] = {}
        self.unknown: set[str] = set()
        self.reported: set[tuple] = set()

    def check_source(self) -> list[str]:
        if self.flat or (self.has_id and self.joined is not None) or not self.require:
            return []
        if self.has_id:
            return [f"{self.path}: {ID_COLUMN}: the formulations are given by id; pass the formulations "
                    "file they name (--formulations FILE)"]
        return [f"{self.path}: no formulation: give the flat table columns (resin, acid_generator, ...) "
                f"or a {ID_COLUMN} column with a formulations file"]

    def cells(self, row: dict[str, Any]) -> tuple:
        return tuple((c, row[c]) for c in self.form_cols if not _empty(row[c]))

    def key(self, row: dict[str, Any]) -> tuple:
        if self.has_id:
            return ("id", "" if _empty(row[ID_COLUMN]) else str(row[ID_COLUMN]).strip())
        if "name" in self.form_cols and not _empty(row.get("name")):
            return ("name", str(row["name"]))
        return ("cells", self.cells(row))

    def formulation(self, index: int, row: dict[str, Any]) -> tuple[Formulation | None, list[str]]:
        prefix = f"{self.path}: row {index}: "
        if self.flat:
            cells = self.cells(row)
            if cells not in self.cache:
                try:
                    self.cache[cells] = row_to_formulation({c: row[c] for c in self.form_cols})
                except FormulationError as exc:
                    self.cache[cells] = exc
            got = self.cache[cells]
            if isinstance(got, FormulationError):
                if cells in self.reported:
                    return None, []  # reported once, at the first row with these cells
                self.reported.add(cells)
                return None, [prefix + _column_error(row, e) for e in got.errors]
            if self.has_id and not _empty(row[ID_COLUMN]) and _empty(row.get("name")):
                got = got.model_copy(update={"name": str(row[ID_COLUMN]).strip()})
            return got, []
        if self.has_id and self.joined is not None:
            fid = row[ID_COLUMN]
            if _empty(fid):
                return None, [prefix + f"{ID_COLUMN}: empty"]
            fid = str(fid).strip()
            if fid not in self.joined:
                if fid in self.unknown:
                    return None, []  # reported once, at its first row
                self.unknown.add(fid)
                close = difflib.get_close_matches(fid, sorted(self.joined), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                return None, [prefix + f"{ID_COLUMN}: {fid!r} is not a formulation name in {self.where}{hint}"]
            return self.joined[fid], []
        if self.has_id and _empty(row[ID_COLUMN]):
            return None, [prefix + f"{ID_COLUMN}: empty"]
        return None, []


_COMPONENT_ERROR = re.compile(r"^components\[(\d+)\](?:\.(\w+))?(?:[.\[][^:]*)?: ")
_SUFFIX = {"parts": "_parts", "mw": "_mw", "pdi": "_pdi", "name": "_name"}


def _column_error(row: dict[str, Any], error: str) -> str:
    """A schema error of a table row with its field path turned into the table column it came from
    (``components[2].smiles: ...`` -> ``crosslinker: ...``, ``process.peb_temp_C`` -> ``peb_temp_C``)."""
    if error.startswith("process."):
        return error[len("process."):]
    match = _COMPONENT_ERROR.match(error)
    if not match:
        return error
    slots = [slot_column(role, i) for role in Role for i in range(MAX_SLOTS_PER_ROLE)
             if not _empty(row.get(slot_column(role, i))) and not _empty(row.get(f"{slot_column(role, i)}_parts"))
             and row.get(f"{slot_column(role, i)}_parts") != 0]
    index = int(match.group(1))
    if index >= len(slots):
        return error
    col = slots[index] + _SUFFIX.get(match.group(2) or "", "")
    return f"{col}: {error[match.end():]}"


def _dose_unit(prefix: str, row: dict[str, Any], form: Formulation | None) -> tuple[str | None, list[str]]:
    expected = DOSE_UNITS[form.process.radiation] if form is not None else None
    if "dose_unit" not in row or _empty(row["dose_unit"]):
        return expected, []
    unit = str(row["dose_unit"]).strip()
    if unit not in DOSE_UNITS.values():
        return expected, [prefix + f"dose_unit: unknown unit {unit!r}; expected one of {', '.join(DOSE_UNITS.values())}"]
    if expected is not None and unit != expected:
        return expected, [prefix + f"dose_unit: {unit} does not match the formulation's radiation "
                                   f"{form.process.radiation!r} (doses in {expected})"]
    return unit, []


# ---- contrast curves ------------------------------------------------------------------------
def _thickness(prefix: str, row: dict[str, Any], has_norm: bool, has_nm: bool) -> tuple[float | None, list[str]]:
    if has_norm and not _empty(row.get("remaining_thickness")):
        try:
            h = _number(row["remaining_thickness"])
        except ValueError as exc:
            return None, [prefix + f"remaining_thickness: {exc}"]
        if not 0.0 <= h <= MAX_THICKNESS:
            hint = " (a thickness in nm belongs in remaining_thickness_nm)" if h > MAX_THICKNESS else ""
            return None, [prefix + f"remaining_thickness: {h:g} is outside 0-{MAX_THICKNESS:g} "
                                   f"(normalised to the initial thickness){hint}"]
        return h, []
    if has_nm and not _empty(row.get("remaining_thickness_nm")):
        try:
            nm = _number(row["remaining_thickness_nm"])
        except ValueError as exc:
            return None, [prefix + f"remaining_thickness_nm: {exc}"]
        if nm < 0:
            return None, [prefix + f"remaining_thickness_nm: must be >= 0, got {nm:g}"]
        if _empty(row.get("initial_thickness_nm")):
            return None, [prefix + "initial_thickness_nm: needed with remaining_thickness_nm"]
        try:
            h0 = _number(row["initial_thickness_nm"])
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
    frame = _read(path)
    known = formulation_columns() | set(CURVE_COLUMNS) | {ID_COLUMN}
    errors = _unknown_columns(path, frame, known)
    if "dose" not in frame.columns:
        errors.append(f"{path}: dose: missing column")
    has_norm, has_nm = "remaining_thickness" in frame.columns, "remaining_thickness_nm" in frame.columns
    if not (has_norm or has_nm):
        errors.append(f"{path}: remaining_thickness: missing column (or remaining_thickness_nm with initial_thickness_nm)")
    if has_nm and "initial_thickness_nm" not in frame.columns:
        errors.append(f"{path}: initial_thickness_nm: missing column (needed with remaining_thickness_nm)")
    if frame.empty and not errors:
        errors.append(f"{path}: no rows")
    joined = _load_joined(formulations)
    resolver = _Resolver(path, frame, joined, str(formulations) if isinstance(formulations, str | Path) else None,
                         require_formulation)
    errors += resolver.check_source()
    if errors:
        raise LabDataError(errors)

    groups: dict[tuple, ContrastCurve] = {}
    first_cells: dict[tuple, tuple[int, tuple]] = {}
    for index, row in zip(frame.index, _row_dicts(frame), strict=True):
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
        unit, errs = _dose_unit(prefix, row, form)
        errors += errs
        try:
            dose = _number(row.get("dose")) if not _empty(row.get("dose")) else None
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
    frame = _read(path)
    known = formulation_columns() | set(SUMMARY_TARGET_COLUMNS) | {ID_COLUMN, "dose_unit"}
    errors = _unknown_columns(path, frame, known)
    targets = [c for c in COLUMNS if c in frame.columns]
    if not targets:
        errors.append(f"{path}: no measured target column; expected any of {', '.join(COLUMNS)}")
    for col in COLUMNS:
        if f"{col}_std" in frame.columns and col not in frame.columns:
            errors.append(f"{path}: {col}_std: given without a {col} column")
    if frame.empty and not errors:
        errors.append(f"{path}: no rows")
    joined = _load_joined(formulations)
    resolver = _Resolver(path, frame, joined, str(formulations) if isinstance(formulations, str | Path) else None,
                         True)
    errors += resolver.check_source()
    if errors:
        raise LabDataError(errors)

    forms: list[Formulation] = []
    ids: list[str] = []
    values: dict[str, list[float]] = {c: [] for c in frame.columns if c in SUMMARY_TARGET_COLUMNS}
    for index, row in zip(frame.index, _row_dicts(frame), strict=True):
        prefix = f"{path}: row {index}: "
        form, errs = resolver.formulation(index, row)
        errors += errs
        errors += _dose_unit(prefix, row, form)[1]
        for col in values:
            cell = row[col]
            if _empty(cell):
                values[col].append(math.nan)
                continue
            try:
                v = _number(cell)
            except ValueError as exc:
                errors.append(prefix + f"{col}: {exc}")
                values[col].append(math.nan)
                continue
            if col.endswith("_std"):
                if v < 0:
                    errors.append(prefix + f"{col}: must be >= 0, got {v:g}")
                elif _empty(row[col[:-4]]):
                    errors.append(prefix + f"{col}: given without a measured {col[:-4]}")
            elif v <= 0:
                errors.append(prefix + f"{col}: must be > 0, got {v:g}")
            values[col].append(v)
        if all(_empty(row[c]) for c in targets):
            errors.append(prefix + f"{', '.join(targets)}: no measured value in this row")
        if form is not None:
            forms.append(form)
            ids.append(str(row[ID_COLUMN]).strip() if resolver.has_id and not _empty(row[ID_COLUMN]) else form.name)
    if errors:
        raise LabDataError(errors)
    return SummaryMeasurements(forms, pd.DataFrame(values, index=range(len(forms))), ids)
