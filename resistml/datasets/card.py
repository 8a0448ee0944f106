"""Finish a generated dataset: failures side file (failures.parquet), stored splits and the dataset card.

``card.json`` describes what the dataset is, reproducibly (no timings, no paths): row counts,
seed, noise, simulator version, value ranges of the process columns and targets over ok rows,
distinct molecules per role, the split sizes, and a SHA-256 content hash over the shard files.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from resistml.datasets.sampling import DEFAULT_CONFIG
from resistml.datasets.schema import PROCESS_COLUMNS, SCHEMA_VERSION, STATUS_OK, TARGETS
from resistml.datasets.splits import make_splits, save_splits, split_inputs_from_table
from resistml.datasets.store import read_table, shard_files

CARD = "card.json"
FAILURES = "failures.parquet"


def content_hash(out: Path) -> str:
    """SHA-256 over (file name, SHA-256 of bytes) of every shard, in shard order."""
    total = hashlib.sha256()
    for path in shard_files(out):
        total.update(path.name.encode())
        total.update(hashlib.sha256(path.read_bytes()).digest())
    return total.hexdigest()


def _ranges(table: pa.Table) -> dict[str, dict[str, float]]:
    out = {}
    for col in (*PROCESS_COLUMNS, *TARGETS):
        if col not in table.column_names or not pa.types.is_floating(table[col].type):
            continue
        values = table[col].to_numpy(zero_copy_only=False)
        values = values[np.isfinite(values)]
        if values.size:
            out[col] = {"min": float(values.min()), "median": float(np.median(values)), "max": float(values.max())}
    return out


def unique_molecules(table: pa.Table) -> dict[str, int]:
    """Distinct structures per role (resins: distinct repeat-unit sets)."""
    flat = pc.list_flatten(table["components"].combine_chunks())
    roles = np.asarray(flat.field("role").to_pylist(), dtype=object)
    seen: dict[str, set] = defaultdict(set)
    for role, smiles in zip(roles, flat.field("smiles").to_pylist(), strict=True):
        if smiles:
            seen[role].add(smiles)
    resin_units = pc.filter(flat.field("repeat_units"), pa.array(roles == "resin")).to_pylist()
    seen["resin"] = {tuple(u["smiles"] for u in units) for units in resin_units}
    return {role: len(keys) for role, keys in sorted(seen.items()) if keys}


def write_failures(table: pa.Table, out: Path) -> int:
    """``failures.parquet``: every non-ok row (row id, name, reason, components, process), zstd."""
    failed = table.filter(pc.not_equal(table["status"], STATUS_OK))
    columns = ["row_id", "shard", "name", "status", "components", *PROCESS_COLUMNS]
    failed = failed.select(columns).rename_columns(["row_id", "shard", "name", "reason", *columns[4:]])
    pq.write_table(failed, out / FAILURES, compression="zstd")
    return failed.num_rows


def finalize(out: Path, cfg: Any, simulator: str, *, splits: bool = True) -> dict[str, Any]:
    """Write failures.parquet, splits/ and card.json for a complete dataset; return the card."""
    files = shard_files(out)
    if len(files) != len(cfg.shards()):
        raise RuntimeError(f"{out}: {len(files)} of {len(cfg.shards())} shards present; re-run to resume")
    columns = ["row_id", "shard", "name", "components", *PROCESS_COLUMNS, "status", *TARGETS]
    table = read_table(out, columns)
    n_failed = write_failures(table, out)
    ok = table.filter(pc.equal(table["status"], STATUS_OK))
    # splits over every row: failing formulations train the outcome head (issue 15)
    sizes = save_splits(make_splits(split_inputs_from_table(table), cfg.seed), out, cfg.seed) if splits else {}
    reasons = pc.value_counts(table.filter(pc.not_equal(table["status"], STATUS_OK))["status"]).to_pylist()
    card = {
        "format": "resistml-dataset",
        "schema_version": SCHEMA_VERSION,
        "count": table.num_rows,
        "ok": ok.num_rows,
        "failed": n_failed,
        "failure_reasons": {r["values"]: r["counts"]
                            for r in sorted(reasons, key=lambda r: (-r["counts"], r["values"]))[:20]},
        "seed": cfg.seed,
        "noise": cfg.noise,
        "shard_size": cfg.shard_size,
        "shards": len(files),
        "simulator": simulator,
        "targets": list(TARGETS),
        "ranges": _ranges(ok),
        "unique_molecules": unique_molecules(table),
        "unique_molecules_ok_rows": unique_molecules(ok),
        "splits": sizes,
        "sampler": asdict(DEFAULT_CONFIG),
        "content_hash": content_hash(out),
    }
    text = json.dumps(card, indent=1)
    (out / CARD).write_text(text + "\n")
    return json.loads(text)
