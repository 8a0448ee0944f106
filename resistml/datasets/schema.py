"""The Parquet layout of a generated dataset: one row per formulation, and the conversions.

Columns: ``row_id`` (global, stable), ``shard``, ``name``; ``components`` as
``list<struct<name, role, parts, smiles, repeat_units: list<struct<smiles, fraction>>, mw, pdi>>``
(small molecules fill ``smiles``, resins ``repeat_units``/``mw``/``pdi``); one column per process
field; ``status`` ("ok" or the reason the simulation failed); the targets (:data:`TARGETS`,
``dose_unit``) and every scalar or list intermediate the simulator returns, under its own name
(an echo of the name or a process field is dropped; other clashes get a ``sim_`` prefix).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from resistml.formulation import Formulation, Process
from resistml.targets import COLUMNS

SCHEMA_VERSION = 1
TARGETS: tuple[str, ...] = COLUMNS
"""Regression targets, in the column order of target tensors (see :mod:`resistml.targets`)."""
PROCESS_COLUMNS: tuple[str, ...] = tuple(Process.model_fields)
STATUS_OK = "ok"

REPEAT_UNIT_TYPE = pa.struct([("smiles", pa.string()), ("fraction", pa.float64())])
COMPONENT_TYPE = pa.struct([
    ("name", pa.string()),
    ("role", pa.string()),
    ("parts", pa.float64()),
    ("smiles", pa.string()),
    ("repeat_units", pa.list_(REPEAT_UNIT_TYPE)),
    ("mw", pa.float64()),
    ("pdi", pa.float64()),
])
_STRING_PROCESS = {"radiation", "substrate", "developer"}
BASE_FIELDS: tuple[pa.Field, ...] = (
    pa.field("row_id", pa.int64()),
    pa.field("shard", pa.int32()),
    pa.field("name", pa.string()),
    pa.field("components", pa.list_(COMPONENT_TYPE)),
    *(pa.field(c, pa.string() if c in _STRING_PROCESS else pa.float64()) for c in PROCESS_COLUMNS),
    pa.field("status", pa.string()),
    *(pa.field(t, pa.float64()) for t in TARGETS),
    pa.field("dose_unit", pa.string()),
)
RESERVED = frozenset(f.name for f in BASE_FIELDS)
ECHOED = frozenset({"name", *PROCESS_COLUMNS})
"""Simulator columns that only repeat an input column (not stored twice)."""


def component_record(comp: Any) -> dict[str, Any]:
    units = None if comp.repeat_units is None else [
        {"smiles": u.smiles, "fraction": u.fraction} for u in comp.repeat_units]
    return {"name": comp.name, "role": comp.role.value, "parts": comp.parts, "smiles": comp.smiles,
            "repeat_units": units, "mw": comp.mw, "pdi": comp.pdi}


def _label_columns(labels: pd.DataFrame) -> dict[str, pa.Array]:
    """Simulator output as Arrow columns: targets as float64, other columns by inferred type."""
    out: dict[str, pa.Array] = {}
    for col in labels.columns:
        values = labels[col]
        if col in TARGETS:
            out[col] = pa.array(pd.to_numeric(values, errors="coerce").astype("float64"), pa.float64())
        elif col in {"status", "dose_unit", "resolution_limit"}:
            out[col] = pa.array(values.astype(object).where(values.notna(), None), pa.string())
        elif col not in ECHOED:
            out[col if col not in RESERVED else f"sim_{col}"] = _infer(values)
    return out


def _infer(values: pd.Series) -> pa.Array:
    if pd.api.types.is_bool_dtype(values):
        return pa.array(values, pa.bool_())
    if pd.api.types.is_numeric_dtype(values):
        return pa.array(values.astype("float64"), pa.float64())
    try:
        return pa.array(list(values), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.array([None if v is None else str(v) for v in values], pa.string())


def shard_table(formulations: Sequence[Formulation], row_ids: Sequence[int], shard: int,
                labels: pd.DataFrame) -> pa.Table:
    """One shard as an Arrow table (base columns in :data:`BASE_FIELDS` order, then intermediates)."""
    if len(labels) != len(formulations):
        raise ValueError(f"labeller returned {len(labels)} rows for {len(formulations)} formulations")
    labels = labels.reset_index(drop=True)
    cols: dict[str, Any] = {
        "row_id": pa.array(row_ids, pa.int64()),
        "shard": pa.array([shard] * len(row_ids), pa.int32()),
        "name": pa.array([f.name for f in formulations], pa.string()),
        "components": pa.array([[component_record(c) for c in f.components] for f in formulations],
                               pa.list_(COMPONENT_TYPE)),
    }
    for c in PROCESS_COLUMNS:
        cols[c] = pa.array([getattr(f.process, c) for f in formulations],
                           pa.string() if c in _STRING_PROCESS else pa.float64())
    sim = _label_columns(labels)
    for field in BASE_FIELDS[4 + len(PROCESS_COLUMNS):]:
        cols[field.name] = sim.pop(field.name, pa.nulls(len(row_ids), field.type))
    cols.update(sorted(sim.items()))
    return pa.table(cols)


def formulation_from_row(row: dict[str, Any]) -> Formulation:
    """Rebuild the validated Formulation of one stored row (a ``to_pylist()`` record)."""
    components = []
    for c in row["components"]:
        comp = {k: v for k, v in c.items() if v is not None}
        components.append(comp)
    process = {c: row[c] for c in PROCESS_COLUMNS if row.get(c) is not None}
    return Formulation.from_dict({"name": row["name"], "components": components, "process": process})


def finite_targets(table: pa.Table) -> np.ndarray:
    """Boolean mask of rows whose targets are all finite."""
    values = np.column_stack([table[t].to_numpy(zero_copy_only=False).astype(float) for t in TARGETS])
    return np.isfinite(values).all(axis=1)
