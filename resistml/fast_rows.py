"""Fast validation of table rows for large candidate libraries (same results as resistml.table).

A library of a million rows reuses a few hundred components and a few process settings, so
each distinct component structure (role, catalog name or SMILES, Mw, PDI) is validated once and
reused (keyed with its amount, which libraries draw from a grid), and each distinct process once. Anything unusual in a row (a
non-numeric amount, a structure or process that fails validation, a non-string cell) sends
that row through :func:`resistml.table.row_to_formulation`, so errors read exactly as there.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import pandas as pd

from resistml.formulation import Component, Formulation, FormulationError, Process, Role
from resistml.table import (
    MAX_SLOTS_PER_ROLE,
    PROCESS_COLUMNS,
    component_from_cells,
    row_to_formulation,
    slot_column,
)

CACHE_LIMIT = 100_000
"""Most cached components or processes before the caches are cleared."""


class _Fallback(Exception):
    """This row needs the full validation path."""


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or (isinstance(value, str) and not value.strip())


def _plain(value: Any) -> Any:
    kind = type(value)
    if kind is float:  # the common cells first: Python floats and strings from ``tolist``
        return None if math.isnan(value) else value
    if kind is str:
        return value if value.strip() else None
    value = value.item() if hasattr(value, "item") else value
    return None if _empty(value) else value


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
            if _empty(value):
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
        cells = tuple((k, v) for k in columns if (v := _plain(row[k])) is not None)
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
        if not _empty(row.get("name")):
            doc["name"] = str(_plain(row["name"]))
        try:
            return Formulation.model_validate(doc)
        except ValueError:
            raise _Fallback from None

    def iter_frame(self, frame: pd.DataFrame) -> Iterator[tuple[Any, Formulation | FormulationError]]:
        """Like :func:`resistml.table.iter_frame`: (index, Formulation or FormulationError) per row."""
        slots = self._slots(frame.columns)
        process_columns = tuple(c for c in PROCESS_COLUMNS if c in set(frame.columns))
        names = list(frame.columns)
        cells = [_cells(frame.iloc[:, j]) for j in range(len(names))]
        records = (dict(zip(names, row, strict=True)) for row in zip(*cells, strict=True)) if names else ({} for _ in frame.index)
        for index, row in zip(frame.index, records, strict=True):
            try:
                yield index, self._row(slots, process_columns, row)
            except _Fallback:
                try:
                    yield index, row_to_formulation(row)
                except FormulationError as exc:
                    yield index, exc
