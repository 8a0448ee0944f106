"""A rich progress bar (on stderr) over finished shards: rows done / total, time, time left."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Protocol


class _HasRows(Protocol):
    rows: int


def track(results: Iterable[_HasRows], *, total: int, initial: int = 0,
          enabled: bool = True) -> Iterator[_HasRows]:
    """Yield ``results`` while advancing a bar by each result's ``rows``; silent when not enabled."""
    if not enabled:
        yield from results
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (TextColumn("generate"), BarColumn(), MofNCompleteColumn(), TextColumn("formulations"),
               TimeElapsedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True)) as bar:
        task = bar.add_task("generate", total=total, completed=initial)
        for result in results:
            bar.advance(task, result.rows)
            yield result
