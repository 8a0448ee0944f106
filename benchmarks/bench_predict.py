"""Batch prediction throughput (rows/s, warm vs cold embedding cache) and peak RSS of `resistml predict`.

    .venv/bin/python benchmarks/bench_predict.py [--model DIR] [--rows 20000] [--rss-rows 100000 1000000]
        [--chunk 4096] [--repeats 3]

The library is the shipped ``data/candidates/library.parquet`` repeated to the requested size.
Throughput is ``predict_table`` over ``--chunk``-row chunks (default 4096) with one torch thread: *warm* = the
molecule-embedding cache already holds every molecule (the steady state of a long run), *cold* =
no cache (every chunk encodes its unique molecules again); warm/cold pairs are repeated ``--repeats``
times in one process and the median is reported (the shared machine's noise is +-30 %). Validation, featurisation, both model
passes and the unit/domain post-processing are all timed. Peak RSS is the ``ru_maxrss`` of a
``resistml predict`` child process. Without ``--model`` the shipped model is used if present,
else a randomly initialised ResistNet of the default size (same cost as a trained one).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import torch

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from resistml.inference.export import export_model  # noqa: E402
from resistml.inference.predictor import Predictor, predict_table  # noqa: E402
from resistml.model import ResistNet  # noqa: E402
from resistml.paths import data_dir  # noqa: E402


def model_dir(arg: str | None, tmp: Path) -> Path:
    """The model to benchmark (argument, shipped default, or a random default-size ResistNet)."""
    if arg:
        return Path(arg)
    shipped = data_dir() / "models" / "default"
    if (shipped / "SHA256SUMS").is_file():
        return shipped
    torch.manual_seed(0)
    return export_model(ResistNet(), {"model_name": "random-default-size", "model_version": "0"}, tmp / "model",
                        formats=("torchscript",))


def library(rows: int, path: Path) -> Path:
    """The candidate library repeated to ``rows`` rows, written as Parquet in 64k-row groups."""
    base = pd.read_parquet(data_dir() / "candidates" / "library.parquet")
    writer = None
    written = 0
    while written < rows:
        chunk = base.iloc[: rows - written].copy()
        chunk["name"] = [f"c{written + i}" for i in range(len(chunk))]
        table = pa.Table.from_pandas(chunk, preserve_index=False)
        writer = writer or pq.ParquetWriter(path, table.schema)
        writer.write_table(table, row_group_size=65536)
        written += len(chunk)
    writer.close()
    return path


def throughput(model: Path, source: Path, cache: bool, chunk: int = 4096) -> float:
    """Rows/s of predict_table over the whole file."""
    predictor = Predictor.load(model, cache_size=100_000 if cache else 0)
    batches = [b.to_pandas() for b in pq.ParquetFile(source).iter_batches(batch_size=chunk)]
    if cache:
        predict_table(predictor, batches[0])  # warm: every molecule of the library is in the first chunk
    start = time.perf_counter()
    rows = sum(len(predict_table(predictor, b)[0]) for b in batches)
    return rows / (time.perf_counter() - start)


_CHILD = """
import resource, sys
from resistml.cli import main
sys.argv = ["resistml", *sys.argv[1:]]
try:
    main()
except SystemExit as exc:
    if exc.code:
        raise
print("RSS", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def peak_rss_mb(model: Path, source: Path, out: Path) -> tuple[float, float]:
    """(peak RSS in MB, wall seconds) of one `resistml predict` run in a child process."""
    start = time.perf_counter()
    args = ["predict", "--model", str(model), "--input", str(source), "--out", str(out)]
    res = subprocess.run([sys.executable, "-c", _CHILD, *args], capture_output=True, text=True, cwd=REPO)
    line = [x for x in res.stdout.splitlines() if x.startswith("RSS")]
    if res.returncode or not line:
        raise RuntimeError(res.stderr[-2000:])
    return int(line[0].split()[1]) / 1024, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model")
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--rss-rows", type=int, nargs="*", default=[100_000])
    parser.add_argument("--chunk", type=int, default=4096, help="rows per predict_table call")
    parser.add_argument("--repeats", type=int, default=3, help="warm/cold pairs; the median is reported")
    args = parser.parse_args()
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        model = model_dir(args.model, tmp)
        source = library(args.rows, tmp / "lib.parquet")
        runs = [(throughput(model, source, True, args.chunk), throughput(model, source, False, args.chunk))
                for _ in range(args.repeats)]
        warm, cold = (statistics.median(r[i] for r in runs) for i in (0, 1))
        print(f"model {model}  load average {os.getloadavg()[0]:.1f}  cores {os.cpu_count()}")
        print(f"chunks of {args.chunk}, median of {args.repeats} (warm, cold pairs): rows/s warm cache {warm:,.0f}"
              f"   cold (no cache) {cold:,.0f}   warm/cold {warm / cold:.2f}")
        print("  runs: " + ", ".join(f"{w:,.0f}/{c:,.0f}" for w, c in runs))
        for n in args.rss_rows:
            big = library(n, tmp / f"lib{n}.parquet")
            rss, secs = peak_rss_mb(model, big, tmp / f"out{n}.parquet")
            print(f"resistml predict {n:,} rows: peak RSS {rss:,.0f} MB, {secs:,.0f} s ({n / secs:,.0f} rows/s)")


if __name__ == "__main__":
    main()
