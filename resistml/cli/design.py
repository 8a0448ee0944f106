"""``resistml design --spec SPEC.yaml --out DIR``: propose formulations that meet a target (resumable)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import typer

from resistml.cli._common import fail


def _print_pareto(front, spec) -> None:  # noqa: ANN001 - a DataFrame and a DesignSpec
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{spec.name}: simulator-verified Pareto set ({len(front)}), simulated (predicted)")
    roles = [c for c in ("acid_generator", "resin", "crosslinker", "polymerizable", "base") if c in front]
    for col in ["name", "components (parts)", *spec.objective_names, "in domain"]:
        table.add_column(col, overflow="fold")
    for _, r in front.iterrows():
        label = {c: r[f"{c}_name"] if isinstance(r.get(f"{c}_name"), str) else r[c] for c in roles}
        comps = " + ".join(f"{label[c]} {r[c + '_parts']:.3g}" for c in roles if isinstance(r[c], str))
        objs = []
        for t in spec.objective_names:
            pred, sim = r[f"pred_{t}"], r[f"sim_{t}"]
            objs.append(f"{sim:.3g}" + (f" ({pred:.3g})" if isinstance(pred, float) and math.isfinite(pred) else ""))
        dom = r["in_domain"]
        dom = "-" if dom is None or (isinstance(dom, float) and math.isnan(dom)) else ("yes" if bool(dom) else "no")
        table.add_row(str(r["name"]), comps, *objs, dom)
    console = Console()
    if not console.is_terminal:
        console = Console(width=160)
    console.print(table)


def design(
    spec_path: Annotated[Path, typer.Option("--spec", help="design spec (YAML), e.g. data/design/example.yaml")],
    out: Annotated[Path, typer.Option(help="output folder (re-running with the same spec and seed resumes)")],
    budget: Annotated[int | None, typer.Option(help="simulator calls (default: the spec's budget)")] = None,
    batch: Annotated[int | None, typer.Option(help="proposals per batch (default: the spec's)")] = None,
    seed: Annotated[int | None, typer.Option(help="random seed (default: the spec's)")] = None,
    scheduler: Annotated[str | None, typer.Option(help="Dask scheduler address for the simulator, or 'local'")] = None,
    model: Annotated[Path | None, typer.Option(help="model artifact directory (default: the shipped model)")] = None,
    strategy: Annotated[str, typer.Option(help="model (default), greedy (no sigma), no_finetune, random")] = "model",
    mlflow: Annotated[bool, typer.Option("--mlflow/--no-mlflow", help="log the run to MLflow ($MLFLOW_TRACKING_URI)")] = True,
    threads: Annotated[int, typer.Option(min=1, help="torch threads (1 is fastest on a busy machine)")] = 1,
) -> None:
    """Multi-objective search for formulations meeting a target, checked by the simulator."""
    from resistml.design.report import pareto_frame, summary, write_outputs
    from resistml.design.search import STRATEGIES, Search, SearchConfig
    from resistml.design.spec import SpecError, load_spec

    if strategy not in STRATEGIES:
        fail([f"--strategy: expected one of {', '.join(STRATEGIES)}, got {strategy!r}"])
    try:
        spec = load_spec(spec_path).with_run(budget, batch, seed)
    except SpecError as exc:
        fail([f"{spec_path}: {e}" for e in exc.errors])
    predictor = None
    if strategy != "random":
        import torch

        from resistml.inference.export import ArtifactError
        from resistml.inference.predictor import Predictor
        from resistml.paths import data_dir

        torch.set_num_threads(threads)
        try:
            predictor = Predictor.load(model or data_dir() / "models" / "default")
        except (ArtifactError, FileNotFoundError) as exc:
            fail([f"--model: {exc}"])
    from resistml.design.search import make_simulator

    config = SearchConfig(strategy=strategy)
    search = Search(spec, out, predictor, config, make_simulator(scheduler))

    def progress(done: int, total: int, rows) -> None:  # noqa: ANN001
        typer.echo(f"batch {int(rows['batch'].iloc[0])}: {done}/{total} simulator calls, "
                   f"{int(rows['prints'].sum())}/{len(rows)} print, {int(rows['feasible'].sum())} feasible", err=True)

    try:
        history = search.run(progress)
    except SpecError as exc:
        fail(exc.errors)
    write_outputs(spec, history, out)
    _print_pareto(pareto_frame(spec, history), spec)
    s = summary(spec, history)
    typer.echo(f"{int(s['calls'])} calls, {s['print_rate']:.0%} printed, {s['feasible_rate']:.0%} feasible, "
               f"hypervolume {s['hypervolume']:.4g} -> {out}", err=True)
    if mlflow:
        from dataclasses import asdict

        from resistml.design.report import log_run
        from resistml.evaluation.tracking import client, tracking_uri

        run_id = log_run(client(), spec, history, out, asdict(config))
        typer.echo(f"MLflow run {run_id} ({tracking_uri()})", err=True)


def register(app: typer.Typer) -> None:
    app.command("design")(design)
