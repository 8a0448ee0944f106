"""Label sampled formulations with the simulator over Dask and write resumable Parquet shards.

Layout of a dataset directory::

    dataset.json            the run parameters (a re-run must match them; it then resumes)
    shards/part-00000.parquet ...   one file per shard (see resistml.datasets.schema)
    failures.parquet        one row per failed simulation: row_id, name, reason, components, process
    card.json               count, seed, simulator version, ranges, unique molecules, content hash
    splits/<name>/{train,val,test}.txt   row ids of the stored splits (resistml.datasets.splits)

Each shard is a pure function of ``(seed, shard)``: it is sampled, labelled and written to a
temporary file that is atomically renamed into place, so a crash loses at most the shards in
flight and a re-run of the same command computes exactly the missing shards. The Dask scheduler
is a LocalCluster by default; any scheduler address runs the same tasks on a cluster (the output
directory must then be on a filesystem shared by the workers).
"""

from __future__ import annotations

import json
import logging
import os
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from resistml.datasets.molecules import MoleculeLibrary, enumerate_library
from resistml.datasets.sampling import sample_shard
from resistml.datasets.schema import SCHEMA_VERSION, STATUS_OK, TARGETS, shard_table
from resistml.datasets.store import shard_problem
from resistml.formulation import Formulation

Labeller = Callable[..., pd.DataFrame]
"""``labeller(formulations, noise=..., seed=...) -> DataFrame`` with one row per formulation."""
DEFAULT_LABELLER = "resistml.physics.simulator:simulate_many"
SHARD_DIR = "shards"
log = logging.getLogger(__name__)
MANIFEST = "dataset.json"


class GenerateError(ValueError):
    """A user error in the generation request (the message names the option)."""


@dataclass(frozen=True)
class GenerateConfig:
    """What a dataset is a function of; stored as ``dataset.json``."""

    n: int
    seed: int = 0
    shard_size: int = 1000
    noise: float = 0.0
    schema_version: int = SCHEMA_VERSION

    def __post_init__(self) -> None:
        if self.n < 1:
            raise GenerateError(f"--n: must be >= 1, got {self.n}")
        if self.shard_size < 1:
            raise GenerateError(f"--shard-size: must be >= 1, got {self.shard_size}")
        if not 0.0 <= self.noise < 1.0 or not np.isfinite(self.noise):
            raise GenerateError(f"--noise: must be a fraction in [0, 1), got {self.noise}")
        if self.seed < 0:
            raise GenerateError(f"--seed: must be >= 0, got {self.seed}")

    def shards(self) -> list[tuple[int, int, int]]:
        """(shard index, first row id, row count) of every shard."""
        return [(k, start, min(self.shard_size, self.n - start))
                for k, start in enumerate(range(0, self.n, self.shard_size))]


def shard_path(out: Path, shard: int) -> Path:
    return out / SHARD_DIR / f"part-{shard:05d}.parquet"


def resolve_labeller(labeller: Labeller | str | None) -> Labeller:
    """The labeller function (default: the built-in simulator's ``simulate_many``)."""
    if callable(labeller):
        return labeller
    module, _, attr = (labeller or DEFAULT_LABELLER).partition(":")
    import importlib

    return getattr(importlib.import_module(module), attr)


def labeller_version(labeller: Labeller | str | None) -> str:
    """Version string of the labeller (the simulator's ``SIMULATOR_VERSION`` where it has one)."""
    fn = resolve_labeller(labeller)
    import sys

    module = sys.modules.get(fn.__module__)
    version = getattr(module, "SIMULATOR_VERSION", None) or getattr(module, "__version__", None)
    if version is None:
        from importlib.metadata import version as dist_version

        version = dist_version("resistml")
    return f"{fn.__module__}.{fn.__qualname__} {version}"


def shard_seed(seed: int, shard: int) -> int:
    """Noise seed of one shard (independent of every other shard)."""
    return int(np.random.SeedSequence([seed, shard, 1]).generate_state(1)[0])


def _error_frame(n: int, reason: str) -> pd.DataFrame:
    frame = pd.DataFrame({t: np.full(n, np.nan) for t in TARGETS})
    frame["status"] = reason
    return frame


def label(formulations: Sequence[Formulation], labeller: Labeller, noise: float, seed: int) -> pd.DataFrame:
    """Label a batch; if it raises, bisect it so each exception is pinned to its formulation(s).

    A failing formulation gets the status ``error: <type>: <message>``; the others are labelled in
    sub-batches whose noise seeds derive from ``seed`` and their offset (deterministic).
    """
    forms = list(formulations)
    try:
        return labeller(forms, noise=noise, seed=seed).reset_index(drop=True)
    except Exception as exc:  # noqa: BLE001 - a failed simulation is data, not a crash
        if len(forms) == 1:
            return _error_frame(1, f"error: {type(exc).__name__}: {exc}")
    half = len(forms) // 2
    return pd.concat([label(forms[:half], labeller, noise, seed),
                      label(forms[half:], labeller, noise, seed + half)], ignore_index=True)


def _mark_nonfinite(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows reported ok but with a non-finite target get a failure status naming it."""
    if "status" not in frame:
        frame["status"] = STATUS_OK
    values = frame.reindex(columns=list(TARGETS)).apply(pd.to_numeric, errors="coerce").to_numpy(float)
    bad = (frame["status"] == STATUS_OK).to_numpy() & ~np.isfinite(values).all(axis=1)
    for i in np.flatnonzero(bad):
        names = [t for t, v in zip(TARGETS, values[i], strict=True) if not np.isfinite(v)]
        frame.loc[i, "status"] = f"non-finite {', '.join(names)}"
    return frame


@dataclass(frozen=True)
class ShardResult:
    shard: int
    rows: int
    failed: int
    seconds: float


def build_shard(out: str, cfg: GenerateConfig, shard: int, start: int, count: int,
                labeller: Labeller | str | None = None, lib: MoleculeLibrary | None = None) -> ShardResult:
    """Sample, label and atomically write one shard (a Dask task; safe to re-run)."""
    t0 = time.perf_counter()
    forms = sample_shard(cfg.seed, shard, start, count, lib=lib)
    frame = _mark_nonfinite(label(forms, resolve_labeller(labeller), cfg.noise, shard_seed(cfg.seed, shard)))
    table = shard_table(forms, range(start, start + count), shard, frame)
    final = shard_path(Path(out), shard)
    tmp = final.with_name(f".{final.name}.{uuid.uuid4().hex}.tmp")
    pq.write_table(table, tmp, compression="zstd")
    publish(tmp, final)
    failed = int(np.sum(np.asarray(table["status"].to_pylist()) != STATUS_OK))
    return ShardResult(shard, count, failed, time.perf_counter() - t0)


def publish(tmp: Path, final: Path) -> None:
    """Flush a finished temporary file to disk and rename it into place (atomic on POSIX)."""
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, final)


def _check_manifest(out: Path, cfg: GenerateConfig, simulator: str) -> None:
    """Write ``dataset.json`` for a new dataset; refuse to resume one built differently."""
    path = out / MANIFEST
    (out / SHARD_DIR).mkdir(parents=True, exist_ok=True)
    wanted = {**asdict(cfg), "simulator": simulator}
    if not path.exists():
        path.write_text(json.dumps(wanted, indent=2) + "\n")
        return
    old = json.loads(path.read_text())
    for key, value in wanted.items():
        if old.get(key) != value:
            if key == "simulator" and str(old.get(key, "")).split(" ")[0] == value.split(" ")[0]:
                # same labeller, another version: never mix labels of two simulator versions
                raise GenerateError(f"{out} holds a dataset labelled by simulator version "
                                    f"{old.get(key)!r}, this is {value!r}; labels of two versions are "
                                    "never mixed: use a new --out directory (or delete it) to rebuild")
            flag = "--labeller" if key == "simulator" else "--" + key.replace("_", "-")
            raise GenerateError(f"{flag}: {out} holds a dataset built with {key}={old.get(key)!r}, "
                                f"not {value!r}; use a new --out directory (or delete it) to rebuild")


def pending_shards(out: Path, cfg: GenerateConfig) -> list[tuple[int, int, int]]:
    """Shards without a finished, readable file (stale temporary files of crashed runs are removed).

    A shard file that is empty, truncated or holds the wrong number of rows (copied partially, a
    full disk, a crash outside the atomic rename) is logged, deleted and built again.
    """
    for tmp in (out / SHARD_DIR).glob(".part-*.tmp"):
        tmp.unlink(missing_ok=True)
    todo = []
    for shard, start, count in cfg.shards():
        path = shard_path(out, shard)
        if path.exists():
            problem = shard_problem(path, count)
            if problem is None:
                continue
            log.warning("rebuilding shard %s: %s", path, problem)
            path.unlink()
        todo.append((shard, start, count))
    return todo


def _run_local(out: Path, cfg: GenerateConfig, todo: list, labeller: Any) -> Iterator[ShardResult]:
    for shard, start, count in todo:
        yield build_shard(str(out), cfg, shard, start, count, labeller)


def _run_dask(out: Path, cfg: GenerateConfig, todo: list, labeller: Any, workers: int,
              scheduler: str | None) -> Iterator[ShardResult]:
    from dask.distributed import Client, LocalCluster, as_completed

    if scheduler:
        cluster, client = None, Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=logging.CRITICAL)
        client = Client(cluster)
    try:
        lib = client.scatter(enumerate_library(cfg.seed), broadcast=True)  # enumerate once, not per worker
        futures = [client.submit(build_shard, str(out), cfg, shard, start, count, labeller, lib,
                                 key=f"resistml-shard-{cfg.seed}-{shard}-{uuid.uuid4().hex[:8]}")
                   for shard, start, count in todo]
        for future in as_completed(futures):
            yield future.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


@dataclass(frozen=True)
class GenerateResult:
    """The dataset card plus this run's timing (timing is not part of the card: cards are reproducible)."""

    card: dict[str, Any]
    rows_labelled: int
    seconds: float

    @property
    def rate(self) -> float:
        """Formulations sampled and labelled per second in this run."""
        return self.rows_labelled / self.seconds if self.seconds > 0 else float("nan")


def generate(out: str | Path, cfg: GenerateConfig, *, workers: int = 1, scheduler: str | None = None,
             labeller: Labeller | str | None = None, progress: bool = True,
             splits: bool = True) -> GenerateResult:
    """Build (or resume) the dataset in ``out``: shards, failures.parquet, splits and card.json.

    ``workers=0`` runs in this process without Dask (debugging, tiny fixtures); ``labeller`` is a
    function or ``"module:function"`` (default: the simulator's ``simulate_many``).
    """
    from resistml.datasets.card import finalize
    from resistml.datasets.progress import track

    if workers < 0:
        raise GenerateError(f"--workers: must be >= 0, got {workers}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    version = labeller_version(labeller)
    _check_manifest(out, cfg, version)
    todo = pending_shards(out, cfg)
    if todo and (scheduler is not None or workers >= 1):
        runs = _run_dask(out, cfg, todo, labeller, max(workers, 1), scheduler)
    else:
        runs = _run_local(out, cfg, todo, labeller)
    t0 = time.perf_counter()
    already = cfg.n - sum(count for _, _, count in todo)
    done = sum(r.rows for r in track(runs, total=cfg.n, initial=already, enabled=progress))
    seconds = time.perf_counter() - t0
    card = finalize(out, cfg, version, splits=splits)
    return GenerateResult(card, done, seconds)
