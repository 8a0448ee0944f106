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


class ShardError(ValueError):
    """A shard file that cannot be read (one line naming the file; re-running generate rebuilds it)."""


def shard_problem(path: Path, rows: int | None = None) -> str | None:
    """Why a shard file is unusable (empty, truncated, not Parquet, wrong row count), or None if fine.

    Reads only the Parquet footer: a file cut short (a crash, a full disk, a partial copy) loses it.
    """
    try:
        meta = pq.read_metadata(path)
    except (OSError, ValueError, pa.ArrowException) as exc:
        lines = str(exc).strip().splitlines()
        return f"unreadable ({lines[0] if lines else type(exc).__name__})"
    if rows is not None and meta.num_rows != rows:
        return f"holds {meta.num_rows} rows, not {rows}"
    return None


def _schema(path: Path) -> pa.Schema:
    try:
        return pq.read_schema(path)
    except (OSError, ValueError, pa.ArrowException):
        problem = shard_problem(path) or "unreadable"
        raise ShardError(f"{path}: {problem}; re-run the same `resistml generate` command to rebuild it") from None


def _dataset(files: Sequence[Path]) -> ds.Dataset:
    schema = pa.unify_schemas([_schema(f) for f in files], promote_options="permissive")
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


