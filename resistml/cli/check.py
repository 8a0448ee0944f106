"""``resistml check FILE [--json]``: validate formulations, show structure classes and claim coverage."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from resistml.cli._common import EXIT_USAGE, fail, print_json
from resistml.formulation import Formulation, FormulationError, load_formulations
from resistml.formulation.claims import DISCLAIMER, PATENT, claim_text
from resistml.formulation.report import invalid_report, report
from resistml.formulation.roles import recognised_roles


def _print_human(formulation: Formulation, result: dict[str, Any], console: Console) -> None:
    table = Table(title=f"{formulation.name}: valid negative CAR formulation",
                  caption="! = structure contradicts the declared role (see warnings)")
    table.add_column("#", justify="right")
    table.add_column("component", overflow="fold")
    table.add_column("role", no_wrap=True)
    table.add_column("parts", justify="right")
    table.add_column("classes", min_width=22)
    for i, (comp, row) in enumerate(zip(formulation.components, result["components"], strict=True)):
        mark = "" if comp.role in recognised_roles(comp) else " !"
        table.add_row(str(i), row["name"], row["role"] + mark, f"{comp.parts:g}",
                      ", ".join(row["classes"]) or "-")
    console.print(table)
    process = formulation.process
    unit = "beam" if process.radiation == "electron" else "photon"
    console.print(f"process: {process.radiation}, {unit} energy {process.energy_keV:g} keV, "
                  f"{process.thickness_nm:g} nm film")
    if result["claims"]:
        console.print(f"claims of {PATENT} covered ({DISCLAIMER}):", highlight=False)
        for number in result["claims"]:
            console.print(f"  {claim_text(number)}", highlight=False)
    else:
        console.print(f"claims of {PATENT} covered: none ({DISCLAIMER})", highlight=False)
    for note in result.get("claim_notes", []):
        console.print(f"  reading: {note}", highlight=False)
    for warning in result["warnings"]:
        console.print(f"[yellow]warning:[/yellow] {warning}", highlight=False)


def check(
    path: Annotated[Path, typer.Argument(help="formulation file (YAML, JSON, JSONL, CSV, Parquet)")],
    as_json: Annotated[bool, typer.Option("--json", help="print the result as JSON")] = False,
) -> None:
    """Validate a formulation and report its recognised component classes and claim coverage."""
    try:
        formulations = load_formulations(path)
    except FormulationError as exc:
        if as_json:
            print_json(invalid_report(exc.errors))
            raise typer.Exit(EXIT_USAGE) from None
        fail(exc.errors)
    results = [report(f) for f in formulations]
    if as_json:
        print_json(results[0] if len(results) == 1 else results)
        return
    console = Console()
    for formulation, result in zip(formulations, results, strict=True):
        _print_human(formulation, result, console)


def _group() -> None:
    """Keep ``resistml`` a command group even while ``check`` is its only command."""


def register(app: typer.Typer) -> None:
    """Add the ``check`` command to the ``resistml`` app."""
    if app.registered_callback is None:  # a lone command would otherwise swallow its name
        app.callback()(_group)
    app.command("check")(check)
