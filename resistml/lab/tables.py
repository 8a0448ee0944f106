"""Reading and checking measured-data tables: the pieces both formats share.

Reads CSV/TSV/Parquet, flags unknown columns (with a did-you-mean), parses numbers, gives each row
its formulation (flat table cells, or ``formulation_id`` joined to a formulations file) with
schema errors turned into table column names, and checks ``dose_unit``. Every message is one
``<file>: row N: <column>: <message>`` line (or ``<file>: <column>: ...`` for the whole file).
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from resistml.formulation import Formulation, FormulationError, Role, load_formulations
from resistml.formulation.table import (
    MAX_SLOTS_PER_ROLE,
    PROCESS_COLUMNS,
    row_to_formulation,
    slot_column,
)
from resistml.targets import DOSE_UNITS

FREE_TEXT_COLUMNS = ("notes", "source")
"""Columns kept as they are, never validated."""
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


def is_empty(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)) or (
        isinstance(value, str) and not value.strip())


def parse_number(value: Any) -> float:
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


def read_frame(path: Path) -> pd.DataFrame:
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


def unknown_columns(path: Path, frame: pd.DataFrame, known: set[str]) -> list[str]:
    errors = []
    for col in frame.columns:
        if str(col) in known or str(col) in FREE_TEXT_COLUMNS:
            continue
        close = difflib.get_close_matches(str(col), sorted(known), n=1, cutoff=0.75)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        errors.append(f"{path}: {col}: unknown column{hint}")
    return errors


def load_joined(formulations: str | Path | Iterable[Formulation] | None) -> dict[str, Formulation] | None:
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


def row_dicts(frame: pd.DataFrame) -> list[dict[str, Any]]:
    records = frame.astype(object).where(frame.notna(), None).to_dict("records")
    return [{k: (v.item() if hasattr(v, "item") else v) for k, v in r.items()} for r in records]


class FormulationResolver:
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
        return tuple((c, row[c]) for c in self.form_cols if not is_empty(row[c]))

    def key(self, row: dict[str, Any]) -> tuple:
        if self.has_id:
            return ("id", "" if is_empty(row[ID_COLUMN]) else str(row[ID_COLUMN]).strip())
        if "name" in self.form_cols and not is_empty(row.get("name")):
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
                return None, [prefix + column_error(row, e) for e in got.errors]
            if self.has_id and not is_empty(row[ID_COLUMN]) and is_empty(row.get("name")):
                got = got.model_copy(update={"name": str(row[ID_COLUMN]).strip()})
            return got, []
        if self.has_id and self.joined is not None:
            fid = row[ID_COLUMN]
            if is_empty(fid):
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
        if self.has_id and is_empty(row[ID_COLUMN]):
            return None, [prefix + f"{ID_COLUMN}: empty"]
        return None, []


_COMPONENT_ERROR = re.compile(r"^components\[(\d+)\](?:\.(\w+))?(?:[.\[][^:]*)?: ")
_SUFFIX = {"parts": "_parts", "mw": "_mw", "pdi": "_pdi", "name": "_name"}


def column_error(row: dict[str, Any], error: str) -> str:
    """A schema error of a table row with its field path turned into the table column it came from
    (``components[2].smiles: ...`` -> ``crosslinker: ...``, ``process.peb_temp_C`` -> ``peb_temp_C``)."""
    if error.startswith("process."):
        return error[len("process."):]
    match = _COMPONENT_ERROR.match(error)
    if not match:
        return error
    slots = [slot_column(role, i) for role in Role for i in range(MAX_SLOTS_PER_ROLE)
             if not is_empty(row.get(slot_column(role, i))) and not is_empty(row.get(f"{slot_column(role, i)}_parts"))
             and row.get(f"{slot_column(role, i)}_parts") != 0]
    index = int(match.group(1))
    if index >= len(slots):
        return error
    col = slots[index] + _SUFFIX.get(match.group(2) or "", "")
    return f"{col}: {error[match.end():]}"


def check_dose_unit(prefix: str, row: dict[str, Any], form: Formulation | None) -> tuple[str | None, list[str]]:
    expected = DOSE_UNITS[form.process.radiation] if form is not None else None
    if "dose_unit" not in row or is_empty(row["dose_unit"]):
        return expected, []
    unit = str(row["dose_unit"]).strip()
    if unit not in DOSE_UNITS.values():
        return expected, [prefix + f"dose_unit: unknown unit {unit!r}; expected one of {', '.join(DOSE_UNITS.values())}"]
    if expected is not None and unit != expected:
        return expected, [prefix + f"dose_unit: {unit} does not match the formulation's radiation "
                                   f"{form.process.radiation!r} (doses in {expected})"]
    return unit, []
