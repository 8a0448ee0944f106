"""``resistml predict``: batch prediction of a candidate library into a Parquet file."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from resistml.cli._common import fail


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


def _print_top(out: Path, rank_by: str, top: int, min_p_prints: float = 0.0) -> None:
    import pandas as pd
    from rich.console import Console
    from rich.table import Table

    frame = pd.read_parquet(out)
    if "p_prints" in frame:
        frame = frame[~(frame["p_prints"] < min_p_prints)]
    frame = frame.head(top)
    table = Table(title=f"top {len(frame)} by {rank_by} (value ± 1 sigma)")
    targets = [t for t in dict.fromkeys([rank_by, "sensitivity", "resolution_nm", "gel_dose"]) if t in frame]
    for col in ["row", "name", *targets, "unit", "p_prints", "in domain"]:
        table.add_column(col, overflow="fold")
    for _, r in frame.iterrows():
        values = [f"{r[t]:.3g} ± {r[t + '_std']:.2g}" for t in targets]
        p = r.get("p_prints", float("nan"))
        table.add_row(str(r["row"]), str(r.get("name", "")), *values, str(r["dose_unit"]),
                      "?" if pd.isna(p) else f"{p:.2f}", "yes" if r["in_domain"] else "no")
    Console().print(table)


def predict(
    input: Annotated[Path, typer.Option("--input", help="candidates: .csv, .parquet (table form), .jsonl or .yaml")],
    out: Annotated[Path, typer.Option(help="output .parquet file")],
    model: Annotated[Path | None, typer.Option(help="model artifact directory (default: the shipped model)")] = None,
    chunk_size: Annotated[int, typer.Option(min=1, help="rows per streamed chunk")] = 4096,
    rank_by: Annotated[str | None, typer.Option(help="sort the output ascending by this target column")] = None,
    top: Annotated[int, typer.Option(help="with --rank-by: print this many best rows")] = 10,
    scheduler: Annotated[str | None, typer.Option(help="Dask scheduler address, or 'local' for a LocalCluster")] = None,
    format: Annotated[str, typer.Option(help="artifact format: torchscript or export")] = "torchscript",
    threads: Annotated[int, typer.Option(min=1, help="torch threads per process (1 is fastest on a busy machine)")] = 1,
    min_p_prints: Annotated[float, typer.Option(min=0.0, max=1.0, help="with --rank-by: rank only rows whose "
                                                "p_prints is at least this; the others follow, unranked")] = 0.5,
) -> None:
    """Predict every row; invalid rows go to <out>.errors.csv with the reason; re-runs resume."""
    import torch

    from resistml.inference import batch as bp
    from resistml.inference.export import ArtifactError
    from resistml.inference.predictor import Predictor

    torch.set_num_threads(threads)
    model = model or _default_model()
    if not input.is_file():
        fail([f"--input: no file {input}"])
    if input.suffix.lower() not in bp.INPUT_SUFFIXES:
        fail([f"--input: unsupported file type {input.suffix!r}; expected {', '.join(bp.INPUT_SUFFIXES)}"])
    if out.suffix.lower() != ".parquet":
        fail([f"--out: expected a .parquet file, got {out}"])
    try:
        predictor = Predictor.load(model, format)
    except ArtifactError as exc:
        fail([str(exc)])
    if rank_by is not None and rank_by not in predictor.outputs:
        fail([f"--rank-by: unknown target {rank_by!r}; expected one of {', '.join(predictor.outputs)}"])
    out.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    if scheduler:
        rows, skipped = bp.run_dask(scheduler, model, input, out, chunk_size, format), 0
    else:
        with _progress(bp.count_rows(input)) as bar:
            task = bar.add_task("predict", total=bp.count_rows(input), rate="-")

            def advance(n: int) -> None:
                done = bar.tasks[0].completed + n
                bar.update(task, completed=done, rate=f"{done / (time.perf_counter() - start):,.0f}")

            rows, skipped = bp.run_local(predictor, input, out, chunk_size, rank_by, advance)
    predicted, errors, err_file = bp.finish(out, rank_by)
    seconds = time.perf_counter() - start
    resumed = f", {skipped} chunks resumed" if skipped else ""
    typer.echo(
        f"{predicted} predicted, {errors} invalid ({err_file}) of {rows} rows in {seconds:.1f} s "
        f"({rows / max(seconds, 1e-9):,.0f} rows/s{resumed}) -> {out}",
        err=True,
    )
    if rank_by and predicted:
        left_out, known = bp.demote_unprintable(out, min_p_prints)
        if known:
            typer.echo(f"ranked {predicted - left_out} rows with p_prints >= {min_p_prints:g}; left out {left_out} "
                       "(placed after the ranked rows)", err=True)
        else:
            typer.echo(f"p_prints unknown ({predictor.outcome_note}): ranked every row", err=True)
        _print_top(out, rank_by, top, min_p_prints)


def register(app: typer.Typer) -> None:
    app.command("predict")(predict)
