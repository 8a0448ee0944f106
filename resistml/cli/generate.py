"""``resistml generate``: label sampled formulations with the simulator into a Parquet dataset."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Annotated

import typer

from resistml.cli._common import fail, print_json


class _WarningLines(logging.Handler):
    """Log records as ``warning: <message>`` lines on the current stderr."""

    def emit(self, record: logging.LogRecord) -> None:
        typer.echo(f"warning: {record.getMessage()}", err=True)


def register(app: typer.Typer) -> None:
    @app.command("generate")
    def generate_cmd(
        n: Annotated[int, typer.Option("--n", help="number of formulations")],
        out: Annotated[Path, typer.Option("--out", help="dataset directory (re-run the same command to resume)")],
        seed: Annotated[int, typer.Option("--seed", help="seed of library, sampler, noise and splits")] = 0,
        workers: Annotated[int | None, typer.Option("--workers", help="Dask LocalCluster worker processes (default: one per CPU; 0: no Dask)")] = None,
        scheduler: Annotated[str | None, typer.Option("--scheduler", help="Dask scheduler address, e.g. tcp://host:8786")] = None,
        noise: Annotated[float, typer.Option("--noise", help="multiplicative measurement noise (fraction)")] = 0.0,
        shard_size: Annotated[int, typer.Option("--shard-size", help="formulations per Parquet shard")] = 1000,
        labeller: Annotated[str | None, typer.Option("--labeller", help="MODULE:FUNCTION labeller (default: the built-in simulator)")] = None,
        json_out: Annotated[bool, typer.Option("--json", help="print the dataset card as JSON")] = False,
        progress: Annotated[bool, typer.Option("--progress/--no-progress", help="progress bar on stderr")] = True,
    ) -> None:
        """Sample formulations, simulate their properties over Dask and write Parquet shards + card + splits."""
        from resistml.datasets.generate import (
            GenerateConfig,
            GenerateError,
            generate,
            resolve_labeller,
        )
        from resistml.datasets.generate import log as generate_log
        from resistml.datasets.store import ShardError

        if not any(isinstance(h, _WarningLines) for h in generate_log.handlers):
            generate_log.addHandler(_WarningLines(logging.WARNING))  # e.g. rebuilt shards

        try:
            cfg = GenerateConfig(n=n, seed=seed, shard_size=shard_size, noise=noise)
            resolve_labeller(labeller)
        except GenerateError as exc:
            fail([str(exc)])
        except (ImportError, AttributeError, ValueError) as exc:
            fail([f"--labeller: cannot load {labeller or 'the built-in simulator'}: {exc}"])
        if workers is None:
            workers = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        try:
            result = generate(out, cfg, workers=workers, scheduler=scheduler, labeller=labeller,
                              progress=progress)
        except (GenerateError, ShardError) as exc:
            fail([str(exc)])
        except OSError as exc:
            fail([f"--out: cannot write {out}: {exc.strerror or exc}"])
        card = result.card
        if json_out:
            print_json({**card, "run": {"rows_labelled": result.rows_labelled,
                                        "seconds": round(result.seconds, 3)}})
            return
        typer.echo(f"{out}: {card['count']} formulations ({card['ok']} ok, {card['failed']} failed -> "
                   f"failures.parquet), {card['shards']} shards; labelled {result.rows_labelled} in "
                   f"{result.seconds:.1f} s; content hash {card['content_hash'][:16]}")
