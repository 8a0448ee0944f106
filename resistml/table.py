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
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from resistml.catalog import find as find_catalog
from resistml.formulation import Formulation, FormulationError, Process, Role

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
            components.append(component_from_cells(role, value, parts, row, col))
    process = {k: _clean(row[k]) for k in PROCESS_COLUMNS if k in row and not _is_empty(row[k])}
    name = row.get("name")
    out: dict[str, Any] = {"components": components, "process": process}
    if not _is_empty(name):
        out["name"] = str(name)
    return out


def _clean(value: Any) -> Any:
    """NumPy scalars -> Python scalars so the schema sees plain numbers."""
    return value.item() if hasattr(value, "item") else value


def row_to_formulation(row: dict[str, Any]) -> Formulation:
    """Validate one table row as a formulation (errors name the column)."""
    row = {k: _clean(v) for k, v in row.items()}
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


def iter_frame(frame: pd.DataFrame) -> Iterator[tuple[int, Formulation | FormulationError]]:
    """Validate every row; yield (row index, Formulation or the FormulationError) without stopping."""
    for index, row in zip(frame.index, frame.to_dict(orient="records"), strict=True):
        try:
            yield index, row_to_formulation(row)
        except FormulationError as exc:
            yield index, exc


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a CSV/TSV/Parquet table of formulations."""
    path = Path(path)
    try:
        if path.suffix.lower() == ".parquet":
            return pd.read_parquet(path)
        return pd.read_csv(path, sep="\t" if path.suffix.lower() == ".tsv" else ",")
    except (OSError, ValueError) as exc:
        raise FormulationError([f"{path}: cannot read table ({exc})"]) from None


def read_table_formulations(path: str | Path) -> list[Formulation]:
    """All rows of a table as formulations; errors are collected as ``row N: ...`` lines."""
    out, errors = [], []
    for index, item in iter_frame(read_table(path)):
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
