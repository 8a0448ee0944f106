"""``resistml predict``: batch prediction of a candidate library into a Parquet file."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from resistml.cli._common import fail
from resistml.formulation import FormulationError


def _default_model() -> Path:
    from resistml.paths import data_dir

    return data_dir() / "models" / "default"


def _progress(total: int | None):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn("predicting"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]:>10} rows/s"),
        TimeElapsedColumn(),
        transient=False,
    )


def _print_top(out: Path, rank_by: str, top: int) -> None:
    """The best rows per dose unit (dose targets) or overall, in the target's direction."""
    import pandas as pd
    from rich.console import Console
    from rich.table import Table

    from resistml.targets import target

    t = target(rank_by)
    frame = pd.read_parquet(out)
    groups = frame.groupby("dose_unit", sort=False) if t.is_dose else [(None, frame)]
    targets = [c for c in dict.fromkeys([rank_by, "sensitivity", "resolution_nm", "gel_dose"]) if c in frame]
    for unit, group in groups:
        group = group.head(top)
        where = f", {unit}" if unit is not None else ""
        table = Table(title=f"top {len(group)} by {rank_by} ({t.direction} is better{where}; value ± 1 sigma)")
        for col in ["row", "name", *targets, "unit", "in domain"]:
            table.add_column(col, overflow="fold")
        for _, r in group.iterrows():
            values = [f"{r[c]:.3g} ± {r[c + '_std']:.2g}" for c in targets]
            table.add_row(str(r["row"]), str(r.get("name", "")), *values, str(r["dose_unit"]),
                          "yes" if r["in_domain"] else "no")
        Console().print(table)


MAX_WARNINGS_SHOWN = 10
"""Rows whose warnings ``predict`` prints on stderr (all are in the output's ``warnings`` column)."""


def _print_warnings(out: Path) -> None:
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    if "warnings" not in pq.read_schema(out).names:
        return
    table = pq.read_table(out, columns=["row", "warnings"])
    table = table.filter(pc.greater(pc.utf8_length(table["warnings"]), 0))
    for r in table.slice(0, MAX_WARNINGS_SHOWN).to_pylist():
        for note in r["warnings"].split("; "):
            typer.echo(f"warning: row {r['row']}: {note}", err=True)
    if table.num_rows > MAX_WARNINGS_SHOWN:
        typer.echo(f"warning: {table.num_rows - MAX_WARNINGS_SHOWN} more rows with warnings "
                   f"(column 'warnings' of {out})", err=True)


def predict(
    input: Annotated[Path, typer.Option("--input", help="candidates: .csv, .parquet (table form), .jsonl or .yaml")],
    out: Annotated[Path, typer.Option(help="output .parquet file")],
    model: Annotated[str | None, typer.Option(help="model artifact directory or MLflow URI (models:/name/1, "
                                                  "models:/name@alias, runs:/<id>/model; default: the shipped model)")] = None,
    chunk_size: Annotated[int, typer.Option(min=1, help="rows per streamed chunk")] = 4096,
    rank_by: Annotated[str | None, typer.Option(help="rank the output by this target, best first (per dose unit for doses)")] = None,
    top: Annotated[int, typer.Option(help="with --rank-by: print this many best rows")] = 10,
    scheduler: Annotated[str | None, typer.Option(help="Dask scheduler address, or 'local' for a LocalCluster")] = None,
    format: Annotated[str, typer.Option(help="artifact format: torchscript or export")] = "torchscript",
    threads: Annotated[int, typer.Option(min=1, help="torch threads per process (1 is fastest on a busy machine)")] = 1,
) -> None:
    """Predict every row; invalid rows go to <out>.errors.csv with the reason; re-runs resume.

    Exit status: 0 when at least one row was predicted (a summary names the errors file), 2 when
    none was (every row invalid, or an unreadable input: one ``error:`` line).
    """
    import torch

    from resistml.inference import batch as bp
    from resistml.inference.export import ArtifactError
    from resistml.inference.model_uri import ModelURIError, resolve_model
    from resistml.inference.predictor import Predictor

    torch.set_num_threads(threads)
    try:
        model = resolve_model(model) if model else _default_model()
    except ModelURIError as exc:
        fail([f"--model: {exc}"])
    if not input.is_file():
        fail([f"--input: no file {input}"])
    if input.suffix.lower() not in bp.INPUT_SUFFIXES:
        fail([f"--input: unsupported file type {input.suffix!r}; expected {', '.join(bp.INPUT_SUFFIXES)}"])
    if out.suffix.lower() != ".parquet":
        fail([f"--out: expected a .parquet file, got {out}"])
    try:
        bp.check_input(input)
    except FormulationError as exc:
        fail(exc.errors)
    try:
        predictor = Predictor.load(model, format)
    except ArtifactError as exc:
        fail([str(exc)])
    if rank_by is not None and rank_by not in predictor.outputs:
        fail([f"--rank-by: unknown target {rank_by!r}; expected one of {', '.join(predictor.outputs)}"])
    out.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    try:
        if scheduler:
            rows, skipped = bp.run_dask(scheduler, model, input, out, chunk_size, format), 0
        else:
            with _progress(bp.count_rows(input)) as bar:
                task = bar.add_task("predict", total=bp.count_rows(input), rate="-")

                def advance(n: int) -> None:
                    done = bar.tasks[0].completed + n
                    bar.update(task, completed=done, rate=f"{done / (time.perf_counter() - start):,.0f}")

                rows, skipped = bp.run_local(predictor, input, out, chunk_size, rank_by, advance)
    except FormulationError as exc:  # the input turned unreadable part-way
        fail(exc.errors)
    predicted, errors, err_file = bp.finish(out, rank_by)
    seconds = time.perf_counter() - start
    resumed = f", {skipped} chunks resumed" if skipped else ""
    typer.echo(
        f"{predicted} predicted, {errors} errors, see {err_file} ({rows} rows in {seconds:.1f} s, "
        f"{rows / max(seconds, 1e-9):,.0f} rows/s{resumed}) -> {out}",
        err=True,
    )
    if not predicted:
        fail([f"{input}: no row was predicted ({errors} errors, see {err_file})"])
    _print_warnings(out)
    if rank_by:
        _print_top(out, rank_by, top)


def register(app: typer.Typer) -> None:
    app.command("predict")(predict)
