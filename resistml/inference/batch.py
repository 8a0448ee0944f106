"""Batch prediction over candidate libraries: streamed chunks, resumable shards, errors file, Dask.

The input is read ``chunk_size`` rows at a time (Parquet row batches, CSV chunks, JSONL lines;
YAML documents), so memory stays flat in the number of rows. Each chunk's predictions and
invalid rows go to ``<out>.parts/part-NNNNNN.parquet`` and ``errors-NNNNNN.parquet``; a re-run
with the same input, chunk size and model skips the shards already written. At the end the
shards are merged into ``<out>`` and ``<out stem>.errors.csv`` (row, name, error) and the parts
folder is removed. With a Dask scheduler the input becomes a Dask DataFrame and each partition
is predicted by a per-worker Predictor loaded once (``map_partitions``).
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from resistml.formulation import Formulation, FormulationError
from resistml.formulation.io import iter_jsonl, read_documents
from resistml.formulation.table import formulation_to_row, table_read_error
from resistml.formulation.yaml_safe import InputError, sniff_text
from resistml.inference.predictor import Predictor, _result_frame
from resistml.targets import target

INPUT_SUFFIXES = (".csv", ".tsv", ".parquet", ".jsonl", ".yaml", ".yml", ".json")


# ---- input streaming ---------------------------------------------------------------------
def _doc_rows(docs: Iterator[Any]) -> Iterator[dict[str, Any]]:
    """File-format documents as table rows; an invalid document becomes a row carrying its error.

    A valid document's warnings are computed here, on the document as written (the table form
    it is turned into drops what the table cannot hold, such as an unused energy).
    """
    for doc in docs:
        if isinstance(doc, InputError):
            yield {"__error__": str(doc)}
        elif isinstance(doc, dict) and "components" in doc:
            try:
                form = Formulation.from_dict(doc)
            except FormulationError as exc:
                yield {"name": _text(doc.get("name")), "__error__": "; ".join(exc.errors)}
            else:
                yield {**formulation_to_row(form), "__warnings__": "; ".join(form.warnings())}
        elif isinstance(doc, dict):
            yield doc  # already a flat table row
        else:
            yield {"__error__": f"formulation: expected a mapping, got {type(doc).__name__}"}


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _jsonl_docs(path: Path) -> Iterator[Any]:
    for _, doc in iter_jsonl(path):
        yield doc


def _yaml_docs(path: Path) -> Iterator[Any]:
    yield from read_documents(path)


def check_input(path: Path) -> None:
    """Refuse an input that cannot give a single row (one ``<file>: ...`` line in FormulationError).

    Binary, non-UTF-8, empty or malformed files; YAML/JSON are parsed here in full (they are read
    into memory anyway), tables and JSONL only at their start.
    """
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            if pq.ParquetFile(path).metadata.num_rows == 0:
                raise InputError("no formulations (no rows)")
        elif suffix in (".csv", ".tsv"):
            sniff_text(path)
            head = pd.read_csv(path, sep="\t" if suffix == ".tsv" else ",", nrows=1)
            if head.empty:
                raise InputError("no formulations (no rows)")
        elif suffix == ".jsonl":
            sniff_text(path)
            if next(iter_jsonl(path), None) is None:
                raise InputError("no formulations (empty file)")
        else:
            read_documents(path)
    except InputError as exc:
        raise FormulationError([f"{path}: {exc}"]) from None
    except FormulationError:
        raise
    except Exception as exc:  # noqa: BLE001 - pandas/pyarrow raise many types; all mean "unreadable"
        raise FormulationError([f"{path}: {table_read_error(exc)}"]) from None


def _batched(rows: Iterator[dict[str, Any]], size: int) -> Iterator[pd.DataFrame]:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield pd.DataFrame(chunk)
            chunk = []
    if chunk:
        yield pd.DataFrame(chunk)


def iter_chunks(path: Path, chunk_size: int) -> Iterator[pd.DataFrame]:
    """The input as DataFrames of at most ``chunk_size`` rows (flat table form).

    A file that turns unreadable part-way (a binary tail, a truncated Parquet file) raises
    FormulationError with one ``<file>: ...`` line.
    """
    try:
        yield from _chunks(path, chunk_size)
    except FormulationError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise FormulationError([f"{path}: {table_read_error(exc)}"]) from None


def _chunks(path: Path, chunk_size: int) -> Iterator[pd.DataFrame]:
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        for batch in pq.ParquetFile(path).iter_batches(batch_size=chunk_size):
            yield batch.to_pandas()
    elif suffix in (".csv", ".tsv"):
        yield from pd.read_csv(path, sep="\t" if suffix == ".tsv" else ",", chunksize=chunk_size)
    elif suffix == ".jsonl":
        yield from _batched(_doc_rows(_jsonl_docs(path)), chunk_size)
    else:
        yield from _batched(_doc_rows(_yaml_docs(path)), chunk_size)


def count_rows(path: Path) -> int | None:
    """Rows in the input when cheap to know (Parquet metadata), else None."""
    return pq.ParquetFile(path).metadata.num_rows if path.suffix.lower() == ".parquet" else None


# ---- one chunk ---------------------------------------------------------------------------
def predict_chunk(predictor: Predictor, frame: pd.DataFrame, offset: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Predictions and errors of one chunk; ``row`` is the global 0-based input row.

    Rows are validated as in :func:`resistml.inference.predictor.predict_table`; the predictions
    also carry ``warnings`` (the formulation's warnings, as ``check`` prints them). A row the
    model fails on becomes an error of its own: the chunk is bisected so neighbours are predicted.
    """
    frame = frame.reset_index(drop=True)
    frame.index = frame.index + offset
    errors: list[dict[str, Any]] = []
    if "__error__" in frame.columns:
        bad = frame["__error__"].notna()
        errors += [{"row": r, "error": e} for r, e in zip(frame.index[bad], frame.loc[bad, "__error__"], strict=True)]
        frame = frame.loc[~bad].drop(columns="__error__")
    given = frame.pop("__warnings__") if "__warnings__" in frame.columns else None
    rows, forms = [], []
    for index, item in predictor.rows.iter_frame(frame):
        if isinstance(item, FormulationError):
            errors.append({"row": index, "error": "; ".join(item.errors)})
        else:
            rows.append(index)
            forms.append(item)
    out, rows, forms, failed = _predict_rows(predictor, frame, rows, forms)
    errors += failed
    memo = _warning_memo(predictor)
    out["warnings"] = [given[r] if given is not None and isinstance(given[r], str) else "; ".join(f.warnings(memo))
                       for r, f in zip(rows, forms, strict=True)]
    errors_frame = pd.DataFrame(errors, columns=["row", "error"]).sort_values("row", kind="stable")
    return out, errors_frame.astype({"row": "int64", "error": "string"})


def _warning_memo(predictor: Predictor) -> dict:
    """Notes of the predictor's cached components and processes (bounded like its row caches)."""
    memo = predictor.__dict__.setdefault("_warning_memo", {})
    if len(memo) > 100_000:
        memo.clear()
    return memo


def _predict_rows(predictor: Predictor, frame: pd.DataFrame, rows: list, forms: list) -> tuple[pd.DataFrame, list, list, list]:
    """Result frame of the rows the model predicts, and an error for each row it raises on.

    One failing row must not fail its neighbours: on an exception the rows are bisected until
    the failure is pinned to single rows (deterministic; the common case costs one pass).
    """
    try:
        return _result_frame(predictor, frame, rows, forms, ("name",)), rows, forms, []
    except Exception as exc:  # noqa: BLE001 - a failed row is reported, not a crash
        if len(forms) <= 1:
            error = {"row": rows[0], "error": f"prediction failed: {type(exc).__name__}: {exc}"}
            return _result_frame(predictor, frame, [], [], ("name",)), [], [], [error]
    half = len(forms) // 2
    a = _predict_rows(predictor, frame, rows[:half], forms[:half])
    b = _predict_rows(predictor, frame, rows[half:], forms[half:])
    parts = [f for f in (a[0], b[0]) if len(f)]
    out = pd.concat(parts, ignore_index=True) if parts else a[0]
    return out, a[1] + b[1], a[2] + b[2], a[3] + b[3]


# ---- shards ------------------------------------------------------------------------------
def _fingerprint(path: Path, chunk_size: int, model_version: str) -> str:
    stat = path.stat()
    key = f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{chunk_size}|{model_version}"
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def _parts_dir(out: Path, fingerprint: str) -> Path:
    parts = out.with_name(out.name + ".parts")
    stamp = parts / "run.json"
    if parts.exists() and (not stamp.is_file() or json.loads(stamp.read_text()).get("fingerprint") != fingerprint):
        shutil.rmtree(parts)  # a different input, chunk size or model: start over
    parts.mkdir(parents=True, exist_ok=True)
    stamp.write_text(json.dumps({"fingerprint": fingerprint}))
    return parts


def _write_shard(parts: Path, index: int, out: pd.DataFrame, errors: pd.DataFrame) -> None:
    tmp = parts / f"part-{index:06d}.tmp"
    out.to_parquet(tmp, index=False)
    errors.to_parquet(parts / f"errors-{index:06d}.parquet", index=False)
    tmp.rename(parts / f"part-{index:06d}.parquet")  # the part file marks the chunk done


def merge_shards(parts: Path, out: Path, errors_file: Path, rank_by: str | None = None) -> tuple[int, int]:
    """Concatenate shards into ``out`` (Parquet) and ``errors_file`` (CSV); return the row counts."""
    files = sorted(parts.glob("part-*.parquet"))
    predicted = 0
    writer = None
    for file in files:
        table = pq.read_table(file)
        if table.num_rows == 0:
            continue
        if writer is None:
            writer = pq.ParquetWriter(out, table.schema)
        writer.write_table(table.cast(writer.schema))
        predicted += table.num_rows
    if writer is not None:
        writer.close()
    else:
        pd.DataFrame().to_parquet(out)
    errors = [pd.read_parquet(f) for f in sorted(parts.glob("errors-*.parquet"))]
    errors = pd.concat(errors, ignore_index=True) if errors else pd.DataFrame(columns=["row", "error"])
    errors.sort_values("row").to_csv(errors_file, index=False)
    if rank_by and predicted:
        table = pq.read_table(out)
        pq.write_table(table.sort_by(rank_keys(rank_by, table.column_names)), out)
    return predicted, len(errors)


def rank_keys(rank_by: str, columns: list[str]) -> list[tuple[str, str]]:
    """Sort keys of a ranking: best first in the target's direction, within a dose unit for dose targets.

    Sensitivities in uC/cm2 (electron) and mJ/cm2 (X-ray) do not compare, so dose targets are
    ranked within each ``dose_unit``; ``contrast`` is ranked highest first (``Target.direction``).
    """
    t = target(rank_by)
    keys = [("dose_unit", "ascending")] if t.is_dose and "dose_unit" in columns else []
    keys.append((rank_by, "descending" if t.higher_is_better else "ascending"))
    if "row" in columns:
        keys.append(("row", "ascending"))  # ties in input order
    return keys


def errors_path(out: Path) -> Path:
    """``library.parquet`` -> ``library.errors.csv``."""
    return out.with_name(out.stem + ".errors.csv")


def run_local(
    predictor: Predictor,
    source: Path,
    out: Path,
    chunk_size: int,
    rank_by: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[int, int]:
    """Stream ``source`` through ``predictor`` chunk by chunk; return (rows seen, chunks skipped)."""
    parts = _parts_dir(out, _fingerprint(source, chunk_size, predictor.version))
    rows = skipped = 0
    for index, frame in enumerate(iter_chunks(source, chunk_size)):
        if (parts / f"part-{index:06d}.parquet").is_file():
            skipped += 1
        else:
            _write_shard(parts, index, *predict_chunk(predictor, frame, rows))
        rows += len(frame)
        if progress:
            progress(len(frame))
    return rows, skipped


# ---- Dask --------------------------------------------------------------------------------
@lru_cache(maxsize=2)
def worker_predictor(model_dir: str, fmt: str = "torchscript") -> Predictor:
    """The Predictor of this worker process (loaded once, reused by every partition)."""
    return Predictor.load(model_dir, fmt)


def _partition(
    frame: pd.DataFrame, model_dir: str, fmt: str, offsets: tuple[int, ...] = (0,), partition_info: dict | None = None
) -> pd.DataFrame:
    predictor = worker_predictor(model_dir, fmt)
    offset = offsets[partition_info["number"]] if partition_info else 0
    out, errors = predict_chunk(predictor, frame, offset)
    errors = errors.assign(**{c: pd.NA for c in out.columns if c not in errors.columns})
    both = pd.concat([out.assign(error=pd.NA), errors[[*out.columns, "error"]]], ignore_index=True)
    text = {c: "string" for c in ("error", "domain_notes", "dose_unit", "name", "warnings") if c in both.columns}
    return both.astype({**text, "in_domain": "boolean", "row": "int64"})


def run_dask(scheduler: str, model_dir: Path, source: Path, out: Path, chunk_size: int, fmt: str) -> int:
    """Predict with Dask ``map_partitions`` on ``scheduler`` ('local' starts a LocalCluster)."""
    import dask.dataframe as dd
    from dask.distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True) if scheduler == "local" else None
    with Client(cluster if cluster is not None else scheduler):
        if source.suffix.lower() == ".parquet":
            ddf = dd.read_parquet(str(source), split_row_groups=True)
        elif source.suffix.lower() in (".csv", ".tsv"):
            ddf = dd.read_csv(str(source), sep="\t" if source.suffix.lower() == ".tsv" else ",", blocksize="16MB")
        else:
            ddf = dd.from_pandas(pd.concat(iter_chunks(source, chunk_size)), chunksize=chunk_size)
        sizes = ddf.map_partitions(len).compute().tolist()
        offsets = tuple(int(sum(sizes[:i])) for i in range(len(sizes)))
        sample = _partition(ddf.head(2, npartitions=-1), str(model_dir), fmt)
        result = ddf.map_partitions(_partition, str(model_dir), fmt, offsets, meta=sample.iloc[:0])
        parts = out.with_name(out.name + ".dask")
        shutil.rmtree(parts, ignore_errors=True)
        schema = pa.Schema.from_pandas(sample, preserve_index=False)
        result.to_parquet(str(parts), write_index=False, schema=schema)
    if cluster is not None:
        cluster.close()
    return _split_dask_output(parts, out)


def _split_dask_output(parts: Path, out: Path) -> int:
    """Turn the Dask output (predictions and errors together) into the normal shard layout."""
    shards = out.with_name(out.name + ".parts")
    shutil.rmtree(shards, ignore_errors=True)
    shards.mkdir()
    rows = 0
    for i, file in enumerate(sorted(parts.glob("*.parquet"))):
        frame = pd.read_parquet(file)
        rows += len(frame)
        bad = frame["error"].notna()
        good = frame.loc[~bad].drop(columns="error")
        errs = frame.loc[bad, ["row", "error"]]
        _write_shard(shards, i, good, errs.astype({"row": "int64", "error": "string"}))
    shutil.rmtree(parts)
    return rows


def finish(out: Path, rank_by: str | None) -> tuple[int, int, Path]:
    """Merge shards into the final files and remove them; return (predicted, errors, errors file)."""
    parts = out.with_name(out.name + ".parts")
    err_file = errors_path(out)
    predicted, errors = merge_shards(parts, out, err_file, rank_by)
    shutil.rmtree(parts)
    return predicted, errors, err_file



def demote_unprintable(out: Path, min_p_prints: float) -> tuple[int, bool]:
    """Move rows with ``p_prints < min_p_prints`` behind the ranked ones (order kept within each).

    A ranking should only compare formulations that print; the others stay in the file, after
    them. Returns (rows left out of the ranking, whether p_prints was known: False for models
    without an outcome head, whose rows are all kept in the ranking).
    """
    table = pq.read_table(out)
    if "p_prints" not in table.column_names or table.num_rows == 0:
        return 0, False
    p = table["p_prints"].to_numpy(zero_copy_only=False).astype(float)
    if np.isnan(p).all():
        return 0, False
    keep = ~(p < min_p_prints)  # NaN (unknown) rows stay in the ranking
    order = np.concatenate([np.flatnonzero(keep), np.flatnonzero(~keep)])
    pq.write_table(table.take(pa.array(order)), out)
    return int((~keep).sum()), True
