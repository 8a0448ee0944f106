"""Flat table form of formulations: one row per formulation, for candidate libraries.

Columns (all optional except what a valid formulation needs):

- ``name``;
- per role slot: ``<role>`` (a catalog name or a SMILES) and ``<role>_parts``; further slots of the
  same role are ``<role>_2``, ``<role>_2_parts`` ... (up to :data:`MAX_SLOTS_PER_ROLE`);
- resins additionally ``resin_mw`` and ``resin_pdi`` (override catalog values; required for a resin
  given by structure). A resin given by structure is ``SMILES [fraction]; SMILES [fraction]``:
  repeat units separated by ``;``, each optionally followed by whitespace and its mole fraction;
- optionally ``<slot>_name`` (a display name for a component given by structure);
- the process fields of :class:`resistml.formulation.Process` as columns of the same name.

An empty cell, or an empty or zero amount, means the component is absent.

Validation is fast for large candidate libraries: a library of a million rows reuses a few hundred
components and a few process settings, so :class:`RowValidator` validates each distinct component
cell (role, catalog name or SMILES, amount, Mw, PDI) and each distinct process once and reuses them.
Anything unusual in a row (a non-numeric amount, a structure or process that fails validation, a
non-string cell) sends that row through :func:`row_to_formulation`, so errors read the same.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from resistml.chem.smiles import SmilesError, parse_smiles
from resistml.formulation.catalog_data import find as find_catalog
from resistml.formulation.catalog_data import suggest as suggest_catalog
from resistml.formulation.roles import Role
from resistml.formulation.schema import (
    PROCESS_LIMITS,
    Component,
    Formulation,
    FormulationError,
    Process,
)
from resistml.formulation.yaml_safe import InputError, sniff_text

MAX_SLOTS_PER_ROLE = 4
PROCESS_COLUMNS = list(Process.model_fields)


def slot_column(role: Role | str, index: int) -> str:
    """Column name of the index-th (0-based) slot of a role."""
    role = Role(role).value
    return role if index == 0 else f"{role}_{index + 1}"


def _is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _parse_repeat_units(text: str) -> list[dict[str, Any]]:
    units = []
    for chunk in text.split(";"):
        fields = chunk.split()
        if not fields:
            continue
        fraction = float(fields[1]) if len(fields) > 1 else None
        units.append({"smiles": fields[0], "fraction": fraction})
    if len(units) == 1 and units[0]["fraction"] is None:
        units[0]["fraction"] = 1.0
    if any(u["fraction"] is None for u in units):
        raise ValueError("every repeat unit of a copolymer needs its mole fraction ('SMILES 0.7; SMILES 0.3')")
    return units


def component_from_cells(role: Role, value: str, parts: Any, row: dict[str, Any], col: str) -> dict:
    """File-format mapping of one table slot (catalog name, SMILES or copolymer cell)."""
    comp: dict[str, Any] = {"role": role.value, "parts": parts}
    if not _is_empty(row.get(f"{col}_name")):
        comp["name"] = str(row[f"{col}_name"])
    value = value.strip()
    entry = find_catalog(value)
    if entry is not None:
        comp["catalog"] = entry["catalog"]
    elif (why := _not_a_structure(role, value)) is not None:
        raise FormulationError([f"{col}: unknown catalog name or invalid SMILES {value!r} ({why}){suggest_catalog(value)}"])
    elif role is Role.resin:
        try:
            comp["repeat_units"] = _parse_repeat_units(value)
        except ValueError as exc:
            raise FormulationError([f"{col}: {exc}"]) from None
    else:
        comp["smiles"] = value
    if role is Role.resin:
        for key in ("mw", "pdi"):
            cell = row.get(f"{col}_{key}")
            if not _is_empty(cell):
                comp[key] = cell
    return comp


def _not_a_structure(role: Role, value: str) -> str | None:
    """Why a cell that is no catalog name is no structure either (None when it may be one)."""
    if role is Role.resin:
        return None if "*" in value else "repeat units need [*] ends"
    try:
        parse_smiles(value)
    except SmilesError as exc:
        return str(exc)
    return None


_NUMBER = re.compile(r"^\s*[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?\s*$")
"""A number in standard notation (``5``, ``-0.5``, ``1e9``, ``2.5E-3``)."""
NUMERIC_PROCESS_COLUMNS = frozenset(PROCESS_LIMITS)


def is_numeric_column(name: str) -> bool:
    """Amount, Mw, PDI and numeric process columns: their numeric-looking text cells are numbers."""
    return name.endswith(("_parts", "_mw", "_pdi")) or name in NUMERIC_PROCESS_COLUMNS


def coerce_number(value: Any) -> Any:
    """A numeric-looking string as a float (pandas reads a whole column as text when one cell is not a
    number, so each cell is judged on its own); anything else unchanged."""
    if type(value) is str and _NUMBER.match(value):
        return float(value)
    return value


def row_to_dict(row: dict[str, Any]) -> dict[str, Any]:
    """Turn one table row into the file-format mapping (absent components skipped)."""
    components = []
    for role in Role:
        for i in range(MAX_SLOTS_PER_ROLE):
            col = slot_column(role, i)
            value, parts = row.get(col), row.get(f"{col}_parts")
            if _is_empty(value):
                continue
            if not isinstance(value, str):
                raise FormulationError([f"{col}: expected a catalog name or SMILES, got {value!r}"])
            if _is_empty(parts) or parts == 0:
                continue  # documented: empty or zero amount means absent
            if isinstance(parts, str):
                raise FormulationError([f"{col}_parts: must be a number, got {parts!r}"])
            components.append(component_from_cells(role, value, parts, row, col))
    process = {k: _clean(row[k]) for k in PROCESS_COLUMNS if k in row and not _is_empty(row[k])}
    process.pop(inactive_energy(process.get("radiation")), None)
    name = row.get("name")
    out: dict[str, Any] = {"components": components, "process": process}
    if not _is_empty(name):
        out["name"] = str(name)
    return out


def inactive_energy(radiation: Any) -> str:
    """The energy column a row's radiation does not use (a table has both columns; it is ignored)."""
    return "beam_energy_keV" if radiation == "xray" else "photon_energy_keV"


def _clean(value: Any) -> Any:
    """NumPy scalars -> Python scalars so the schema sees plain numbers."""
    return value.item() if hasattr(value, "item") else value


def row_to_formulation(row: dict[str, Any]) -> Formulation:
    """Validate one table row as a formulation (errors name the column)."""
    row = {k: coerce_number(_clean(v)) if is_numeric_column(str(k)) else _clean(v) for k, v in row.items()}
    return Formulation.from_dict(row_to_dict(row))


def formulation_to_row(formulation: Formulation) -> dict[str, Any]:
    """Flatten a formulation into one table row (catalog names where known, else SMILES)."""
    row: dict[str, Any] = {"name": formulation.name}
    counts: dict[Role, int] = {}
    for comp in formulation.components:
        i = counts.get(comp.role, 0)
        counts[comp.role] = i + 1
        if i >= MAX_SLOTS_PER_ROLE:
            raise FormulationError([f"table form holds at most {MAX_SLOTS_PER_ROLE} {comp.role.value} slots"])
        col = slot_column(comp.role, i)
        if comp.catalog is not None:
            row[col] = comp.catalog
        elif comp.repeat_units is not None:
            row[col] = "; ".join(f"{u.smiles} {u.fraction:g}" for u in comp.repeat_units)
        else:
            row[col] = comp.smiles
        row[f"{col}_parts"] = comp.parts
        if comp.name is not None and comp.name != comp.catalog:
            row[f"{col}_name"] = comp.name
        if comp.role is Role.resin:
            row[f"{col}_mw"] = comp.mw
            row[f"{col}_pdi"] = comp.pdi
    row.update(formulation.process.model_dump(mode="json"))
    return row


def formulations_to_frame(formulations: Iterable[Formulation]) -> pd.DataFrame:
    """Table of formulations, one row each."""
    return pd.DataFrame([formulation_to_row(f) for f in formulations])


def iter_frame(frame: pd.DataFrame, validator: RowValidator | None = None) -> Iterator[tuple[Any, Formulation | FormulationError]]:
    """Validate every row; yield (row index, Formulation or the FormulationError) without stopping.

    Rows share validated components and processes through ``validator`` (a new
    :class:`RowValidator` by default; pass one to keep its caches across frames).
    """
    return (validator or RowValidator()).iter_frame(frame)


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a CSV/TSV/Parquet table of formulations."""
    path = Path(path)
    try:
        if path.suffix.lower() == ".parquet":
            return pd.read_parquet(path)
        sniff_text(path)
        return pd.read_csv(path, sep="\t" if path.suffix.lower() == ".tsv" else ",")
    except Exception as exc:  # noqa: BLE001 - pandas/pyarrow raise many types; all mean "unreadable"
        raise FormulationError([f"{path}: {table_read_error(exc)}"]) from None


def table_read_error(exc: BaseException) -> str:
    """One line saying why pandas or pyarrow could not read a table file."""
    if isinstance(exc, InputError):
        return str(exc)
    if isinstance(exc, pd.errors.EmptyDataError):
        return "empty file (no header row)"
    if isinstance(exc, UnicodeDecodeError):
        return "not UTF-8 text (binary file?)"
    if isinstance(exc, OSError) and exc.strerror:
        return f"cannot read ({exc.strerror})"
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return f"cannot read table ({first})"


def read_table_formulations(path: str | Path) -> list[Formulation]:
    """All rows of a table as formulations; errors are collected as ``row N: ...`` lines."""
    frame = read_table(path)
    if frame.empty:
        raise FormulationError([f"{path}: no formulations (no rows)"])
    out, errors = [], []
    for index, item in iter_frame(frame):
        if isinstance(item, FormulationError):
            errors += [f"row {index}: {e}" for e in item.errors]
        else:
            out.append(item)
    if errors:
        raise FormulationError(errors)
    return out


def write_table(formulations: Iterable[Formulation], path: str | Path) -> None:
    """Write formulations as a CSV or Parquet table (by suffix)."""
    frame = formulations_to_frame(formulations)
    path = Path(path)
    if path.suffix.lower() == ".parquet":
        frame.to_parquet(path, index=False)
    else:
        frame.to_csv(path, index=False)


# ---- cached row validation ---------------------------------------------------------------
CACHE_LIMIT = 100_000
"""Most cached components or processes before the caches are cleared."""


class _Fallback(Exception):
    """This row needs the full validation path."""


def _plain(value: Any) -> Any:
    kind = type(value)
    if kind is float:  # the common cells first: Python floats and strings from ``tolist``
        return None if math.isnan(value) else value
    if kind is str:
        return value if value.strip() else None
    value = value.item() if hasattr(value, "item") else value
    return None if _is_empty(value) else value


def _cells(column: pd.Series) -> list[Any]:
    """Python values of a column, missing values of extension dtypes as None (as ``DataFrame.to_dict``)."""
    values = column.tolist()
    if isinstance(column.dtype, pd.api.extensions.ExtensionDtype):
        return [None if v is pd.NA else v for v in values]
    return values


def _amount(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
        raise _Fallback
    return float(value)


class RowValidator:
    """Validates table rows with component and process caches (see module docstring)."""

    def __init__(self) -> None:
        self._components: dict[tuple[Any, ...], Component] = {}
        self._processes: dict[tuple[Any, ...], Process] = {}

    @staticmethod
    def _slots(columns: pd.Index) -> list[tuple[Role, str, str, tuple[str, ...]]]:
        """(role, column, amount column, extra columns present) for every slot column present."""
        present = set(columns)
        slots = []
        for role in Role:
            for i in range(MAX_SLOTS_PER_ROLE):
                col = slot_column(role, i)
                if col in present:
                    extra = tuple(c for c in (f"{col}_name", f"{col}_mw", f"{col}_pdi") if c in present)
                    slots.append((role, col, f"{col}_parts", extra))
        return slots

    def _component(self, role: Role, col: str, parts_col: str, extra: tuple[str, ...], row: dict[str, Any]) -> Component | None:
        value = row.get(col)
        if type(value) is not str:
            if _is_empty(value):
                return None
            raise _Fallback
        if not value.strip():
            return None
        parts = _plain(row.get(parts_col))
        if parts is None or parts == 0:
            return None
        key = (role, value, _amount(parts), *[_plain(row[c]) for c in extra]) if extra else (role, value, _amount(parts))
        comp = self._components.get(key)
        if comp is None:
            try:
                comp = Component.model_validate(component_from_cells(role, value, key[2], row, col))
            except (FormulationError, ValueError):
                raise _Fallback from None
            if len(self._components) > CACHE_LIMIT:
                self._components.clear()
            self._components[key] = comp
        return comp

    def _process(self, columns: tuple[str, ...], row: dict[str, Any]) -> Process:
        skip = inactive_energy(_plain(row.get("radiation")))
        cells = tuple((k, v) for k in columns if k != skip and (v := _plain(row[k])) is not None)
        proc = self._processes.get(cells)
        if proc is None:
            try:
                proc = Process.model_validate(dict(cells))
            except ValueError:
                raise _Fallback from None
            if len(self._processes) > CACHE_LIMIT:
                self._processes.clear()
            self._processes[cells] = proc
        return proc

    def _row(self, slots: list, process_columns: tuple[str, ...], row: dict[str, Any]) -> Formulation:
        comps = [c for slot in slots if (c := self._component(*slot, row)) is not None]
        doc: dict[str, Any] = {"components": comps, "process": self._process(process_columns, row)}
        if not _is_empty(row.get("name")):
            doc["name"] = str(_plain(row["name"]))
        try:
            return Formulation.model_validate(doc)
        except ValueError:
            raise _Fallback from None

    def iter_frame(self, frame: pd.DataFrame) -> Iterator[tuple[Any, Formulation | FormulationError]]:
        """(index, Formulation or FormulationError) per row of ``frame``."""
        slots = self._slots(frame.columns)
        process_columns = tuple(c for c in PROCESS_COLUMNS if c in set(frame.columns))
        names = list(frame.columns)
        cells = [_cells(frame.iloc[:, j]) for j in range(len(names))]
        for j, name in enumerate(names):
            if not pd.api.types.is_numeric_dtype(frame.dtypes.iloc[j]) and is_numeric_column(str(name)):
                cells[j] = [coerce_number(v) for v in cells[j]]
        records = (dict(zip(names, row, strict=True)) for row in zip(*cells, strict=True)) if names else ({} for _ in frame.index)
        for index, row in zip(frame.index, records, strict=True):
            try:
                yield index, self._row(slots, process_columns, row)
            except _Fallback:
                try:
                    yield index, row_to_formulation(row)
                except FormulationError as exc:
                    yield index, exc
