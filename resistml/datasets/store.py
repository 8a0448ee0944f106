"""Read the shards of a generated dataset (pyarrow only: no torch, so Dask workers stay light)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from resistml.datasets.schema import STATUS_OK, formulation_from_row
from resistml.formulation import Formulation


def shard_files(path: str | Path) -> list[Path]:
    """The finished shard files of a dataset directory, in shard order."""
    files = sorted((Path(path) / "shards").glob("part-*.parquet"))
    if not files:
        raise FileNotFoundError(f"{path}: no dataset shards (shards/part-*.parquet); run `resistml generate`")
    return files


def _dataset(files: Sequence[Path]) -> ds.Dataset:
    schema = pa.unify_schemas([pq.read_schema(f) for f in files], promote_options="permissive")
    return ds.dataset([str(f) for f in files], schema=schema, format="parquet")


def read_table(path: str | Path, columns: Sequence[str] | None = None, *, ok_only: bool = False) -> pa.Table:
    """All shards (optionally only some columns, only ok rows) as one table, in row-id order."""
    filt = ds.field("status") == STATUS_OK if ok_only else None
    table = _dataset(shard_files(path)).to_table(columns=list(columns) if columns else None, filter=filt)
    return table.sort_by("row_id") if "row_id" in table.column_names else table


def read_formulations(path: str | Path, row_ids: Sequence[int] | None = None) -> list[Formulation]:
    """Formulations of the given rows (all rows when None), in row-id order."""
    table = read_table(path)
    if row_ids is not None:
        table = table.filter(pc.is_in(table["row_id"], pa.array(np.asarray(row_ids, np.int64))))
    return [formulation_from_row(r) for r in table.to_pylist()]


