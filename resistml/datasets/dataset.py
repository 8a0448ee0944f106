"""Read a generated dataset and stream it, shard by shard, into model batches.

:class:`FormulationDataset` is a ``torch`` ``IterableDataset`` that streams Parquet record batches,
keeps the rows of one split part (every status: failing formulations train the outcome head,
see :func:`label_arrays`), rebuilds validated :class:`Formulation` objects and yields
:class:`~resistml.features.collate.FormulationBatch` es from ``collate_formulations`` (unique
molecules embedded once per batch) with targets (NaN where a property is not defined), outcome
classes and censoring codes. Memory stays at one record batch plus a shuffle buffer.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import torch
from torch.utils.data import IterableDataset, get_worker_info

from resistml.datasets.schema import PROCESS_COLUMNS, STATUS_OK, TARGETS, formulation_from_row
from resistml.datasets.splits import PARTS, load_split
from resistml.datasets.store import read_formulations, read_table, shard_files
from resistml.physics.patterning import HALF_PITCHES_NM
from resistml.targets import CENSORED_BY_STATUS, outcome_index

__all__ = ["FormulationDataset", "label_arrays", "read_formulations", "read_table", "shard_files",
           "target_matrix"]

TRANSFORMS = ("none", "log10")
_COLUMNS = ("row_id", "name", "components", *PROCESS_COLUMNS, "status", *TARGETS)
RESOLUTION_LIMIT = "resolution_limit"
"""Optional per-row column; simulator v2 stores the limiting mechanism there (a name), which
censoring ignores: a number would be the largest half-pitch tried for that row, nm."""
GRID_BOUNDS = {"max": float(np.max(HALF_PITCHES_NM)), "min": float(np.min(HALF_PITCHES_NM))}
"""Ends of the simulator's half-pitch grid (bounds of censored resolutions), nm."""


def target_matrix(rows: Sequence[dict], targets: Sequence[str] = TARGETS, transform: str = "none") -> np.ndarray:
    """[N, T] float array of the named targets; ``log10`` for the positive quantities."""
    values = np.array([[np.nan if r.get(t) is None else float(r[t]) for t in targets] for r in rows], dtype=np.float64).reshape(len(rows), len(targets))
    return np.log10(values) if transform == "log10" else values


def censored_value(row: dict, column: str) -> tuple[int, float] | None:
    """(censor code, bound) of a target the row's status censors, else None (see ``CENSORED_BY_STATUS``)."""
    rule = CENSORED_BY_STATUS.get(row.get("status") or "")
    if rule is None or rule[0] != column:
        return None
    bound = GRID_BOUNDS[rule[2]]
    limit = row.get(RESOLUTION_LIMIT)  # simulator v2 names the limiting mechanism here (a string)
    if rule[2] == "max" and isinstance(limit, int | float) and np.isfinite(limit) and limit > 0:
        bound = float(limit)
    return rule[1], bound


def label_arrays(rows: Sequence[dict], targets: Sequence[str] = TARGETS, transform: str = "none"
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Targets [N, T] (censored entries hold their bound), outcome classes [N], censor codes [N, T].

    Targets are NaN where the simulator does not define them; a censored entry (e.g. the
    resolution of an "unresolved" row: above the largest half-pitch tried) holds the bound and
    code +1 (above) or -1 (below). Outcome classes index ``resistml.targets.OUTCOMES``.
    """
    y = np.array([[np.nan if r.get(t) is None else float(r[t]) for t in targets] for r in rows],
                 dtype=np.float64).reshape(len(rows), len(targets))
    censor = np.zeros(y.shape, dtype=np.int64)
    for i, row in enumerate(rows):
        for j, t in enumerate(targets):
            cens = censored_value(row, t) if not np.isfinite(y[i, j]) else None
            if cens is not None:
                censor[i, j], y[i, j] = cens
    outcome = np.array([outcome_index(r.get("status")) for r in rows], dtype=np.int64)
    return (np.log10(y) if transform == "log10" else y), outcome, censor


class FormulationDataset(IterableDataset):
    """Stream one split part of a dataset as collated batches (or single rows if ``batch_size`` is None).

    ``split``/``part`` select stored row ids (``None`` = every row; ``ok_only`` keeps only rows
    with status "ok", the behaviour before issue 15). Shuffling permutes shard
    order and mixes rows in a buffer of ``shuffle_buffer`` rows, seeded by ``seed`` + epoch.
    With DataLoader workers each worker reads a disjoint subset of shards.
    """

    def __init__(self, path: str | Path, split: str | None = None, part: str = "train", *,
                 batch_size: int | None = 64, targets: Sequence[str] = TARGETS, transform: str = "log10",
                 shuffle: bool = False, shuffle_buffer: int = 4096, seed: int = 0,
                 collate_kwargs: dict | None = None, ok_only: bool = False):
        if part not in PARTS:
            raise ValueError(f"part: expected one of {', '.join(PARTS)}, got {part!r}")
        if transform not in TRANSFORMS:
            raise ValueError(f"transform: expected one of {', '.join(TRANSFORMS)}, got {transform!r}")
        unknown = [t for t in targets if t not in TARGETS]
        if unknown:
            raise ValueError(f"targets: unknown target(s) {unknown}; expected some of {', '.join(TARGETS)}")
        self.path, self.files = Path(path), shard_files(path)
        self.rows = None if split is None else set(load_split(path, split)[part].tolist())
        self.batch_size, self.targets, self.transform = batch_size, tuple(targets), transform
        self.shuffle, self.shuffle_buffer, self.seed, self.epoch = shuffle, shuffle_buffer, seed, 0
        self.collate_kwargs = collate_kwargs or {}
        self.ok_only = ok_only

    def __len__(self) -> int:
        if self.rows is not None:
            return len(self.rows)
        return read_table(self.path, ["row_id"], ok_only=self.ok_only).num_rows

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def _my_files(self, rng: np.random.Generator) -> list[Path]:
        files = [self.files[i] for i in rng.permutation(len(self.files))] if self.shuffle else list(self.files)
        info = get_worker_info()
        return files if info is None else files[info.id::info.num_workers]

    def _records(self, rng: np.random.Generator) -> Iterator[dict]:
        """Rows of this part, reading only the columns a Formulation and its labels need."""
        wanted = pa.array(sorted(self.rows), pa.int64()) if self.rows is not None else None
        for file in self._my_files(rng):
            pf = pq.ParquetFile(file)
            extra = [RESOLUTION_LIMIT] if RESOLUTION_LIMIT in pf.schema_arrow.names else []
            for batch in pf.iter_batches(batch_size=1024, columns=[*_COLUMNS, *extra]):
                keep = pc.equal(batch["status"], STATUS_OK) if self.ok_only else pc.is_valid(batch["row_id"])
                if wanted is not None:
                    keep = pc.and_(keep, pc.is_in(batch["row_id"], wanted))
                yield from batch.filter(keep).to_pylist()

    def _shuffled(self, rng: np.random.Generator) -> Iterator[dict]:
        buffer: list[dict] = []
        for row in self._records(rng):
            buffer.append(row)
            if len(buffer) >= self.shuffle_buffer:
                yield buffer.pop(int(rng.integers(len(buffer))))
        rng.shuffle(buffer)
        yield from buffer

    def __iter__(self) -> Iterator:
        rng = np.random.default_rng([self.seed, self.epoch])
        rows = self._shuffled(rng) if self.shuffle else self._records(rng)
        if self.batch_size is None:
            for row in rows:  # (Formulation, targets) pairs; censored entries NaN, as undefined ones
                yield formulation_from_row(row), torch.tensor(target_matrix([row], self.targets, self.transform)[0])
            return
        chunk: list[dict] = []
        for row in rows:
            chunk.append(row)
            if len(chunk) == self.batch_size:
                yield self.collate(chunk)
                chunk = []
        if chunk:
            yield self.collate(chunk)

    def collate(self, rows: Sequence[dict]):
        """Rows -> FormulationBatch with targets, outcome classes and censor codes attached."""
        from resistml.features.collate import collate_formulations

        forms = [formulation_from_row(r) for r in rows]
        y, outcome, censor = label_arrays(rows, self.targets, self.transform)
        return collate_formulations(forms, torch.as_tensor(y, dtype=torch.float32), outcome=outcome,
                                    censor=censor, **self.collate_kwargs)
