"""Benchmark: dataset generation throughput (sample + simulate + write) and Parquet size.

Run: ``.venv/bin/python benchmarks/bench_generate.py [--n 4000] [--shard-size 500] [--workers 0 1 2]``.
For each worker count it builds a fresh dataset with ``resistml.datasets.generate`` (workers=0: in
process, no Dask; >= 1: a Dask LocalCluster, start-up included) and prints formulations labelled
per second, the ok/failed counts and the Parquet bytes per formulation. The library enumeration
(a few seconds, once per run) is done before timing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import tempfile
from pathlib import Path

from resistml.datasets.generate import GenerateConfig, generate
from resistml.datasets.molecules import enumerate_library


def run(n: int, shard_size: int, workers: int, seed: int, labeller: str | None) -> dict[str, float]:
    """One fresh generation; throughput and size figures."""
    out = Path(tempfile.mkdtemp(prefix="bench-generate-"))
    try:
        result = generate(out, GenerateConfig(n=n, seed=seed, shard_size=shard_size), workers=workers,
                          labeller=labeller, progress=False, splits=False)
        shard_bytes = sum(p.stat().st_size for p in (out / "shards").glob("*.parquet"))
        return {"workers": workers, "formulations_per_s": round(result.rate, 1),
                "seconds": round(result.seconds, 2), "ok": result.card["ok"], "failed": result.card["failed"],
                "parquet_bytes_per_formulation": round(shard_bytes / n, 1)}
    finally:
        shutil.rmtree(out, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=4000)
    parser.add_argument("--shard-size", type=int, default=500)
    parser.add_argument("--workers", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--labeller", default=None, help="MODULE:FUNCTION (default: the simulator)")
    args = parser.parse_args()
    enumerate_library(args.seed)
    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, n={args.n}, "
          f"shard size {args.shard_size}")
    for workers in args.workers:
        print(json.dumps(run(args.n, args.shard_size, workers, args.seed, args.labeller)))


if __name__ == "__main__":
    main()
