"""``resistml candidates --out FILE``: write the deterministic candidate library (table form)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from resistml.cli._common import fail


def candidates(
    out: Annotated[Path, typer.Option(help="output .parquet or .csv")] = Path("data/candidates/library.parquet"),
    n: Annotated[int, typer.Option(min=1, help="number of candidates")] = 3000,
    seed: Annotated[int, typer.Option(help="random seed")] = 7,
) -> None:
    """Build the candidate library from the catalog (same seed, same table)."""
    from resistml.inference.candidates import candidate_frame

    if out.suffix.lower() not in (".parquet", ".csv"):
        fail([f"--out: expected .parquet or .csv, got {out}"])
    frame = candidate_frame(n, seed)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".parquet":
        frame.to_parquet(out, index=False)
    else:
        frame.to_csv(out, index=False)
    typer.echo(f"{len(frame)} candidates -> {out}", err=True)


def register(app: typer.Typer) -> None:
    app.command("candidates")(candidates)
