"""The ``resistml`` command. Each module in this package adds its subcommand via ``register(app)``.

Thin wrappers only: argument parsing, printing, exit codes. Every piece of logic a command
runs lives in the library below (or in the ``train``/``serve`` applications it starts), so that
``serve/`` and notebooks can use it too.

May import: the whole library and the ``train``/``serve`` applications it starts.
"""

from __future__ import annotations

import importlib
import pkgutil

import typer

app = typer.Typer(
    name="resistml",
    help="Property prediction and simulation for negative-tone chemically amplified resists.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _root() -> None:
    """Property prediction and simulation for negative-tone chemically amplified resists."""


def _register_commands() -> None:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        module.register(app)


_register_commands()


def main() -> None:
    """Console entry point."""
    app()
