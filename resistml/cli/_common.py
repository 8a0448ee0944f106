"""Shared CLI plumbing: user errors go to stderr as one line each and exit with status 2."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NoReturn

import typer

from resistml.formulation import Formulation, FormulationError, load_formulations

EXIT_USAGE = 2


def fail(errors: Iterable[str]) -> NoReturn:
    """Print each error on its own stderr line and exit 2 (no traceback)."""
    for line in errors:
        typer.echo(f"error: {line}", err=True)
    raise typer.Exit(EXIT_USAGE)


def load_or_fail(path: Path, *, allow_incomplete: bool = False) -> list[Formulation]:
    """Load formulations from a file, or exit 2 with field-path messages."""
    try:
        return load_formulations(path, allow_incomplete=allow_incomplete)
    except FormulationError as exc:
        fail(exc.errors)


def warn(formulations: list[Formulation]) -> None:
    """Print every formulation's warnings on stderr, ``warning: <field path>: <message>`` (as ``check``)."""
    many = len(formulations) > 1
    for i, form in enumerate(formulations):
        for note in form.warnings():
            typer.echo(f"warning: {f'[{i}] ' if many else ''}{note}", err=True)


def print_json(payload: Any) -> None:
    """Write JSON to stdout (one document)."""
    json.dump(payload, sys.stdout, indent=2, default=float)
    sys.stdout.write("\n")
