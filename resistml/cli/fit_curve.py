"""``resistml fit-curve FILE``: fit measured contrast curves (gel model and log-logistic)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any

import typer

from resistml.cli._common import fail, print_json

TABLE_WIDTH = 125
"""Least width of the table: the intervals stay on one line each."""


def _ci(est: dict[str, Any]) -> str:
    v, lo, hi = est["value"], est["ci_low"], est["ci_high"]
    if v is None:
        return "-"
    if lo is None or hi is None:
        return f"{v:.3g}"
    return f"{v:.3g} ({lo:.3g}-{hi:.3g})"


def _print_table(reports: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="resistml fit-curve (95 % confidence intervals)")
    for col in ("curve", "model", "D_g^i", "D50", "D90", "contrast", "RMSE", "R2"):
        table.add_column(col, justify="left" if col in {"curve", "model"} else "right", no_wrap=col != "curve",
                         overflow="fold")
    for rep in reports:
        for name, fit in rep["fits"].items():
            q = fit["quantities"]
            label = f"{rep['id']} ({rep['dose_unit']})" if name == "gel" and rep["dose_unit"] else rep["id"]
            model = f"gel (PDI {fit['pdi']:g})" if name == "gel" else "log-logistic"
            table.add_row(label if name == "gel" else "", model, _ci(q["gel_dose"]), _ci(q["d50"]),
                          _ci(q["d90"]), _ci(q["contrast"]), f"{fit['rmse']:.3f}", f"{fit['r2']:.3f}")
    Console(width=max(Console().width, TABLE_WIDTH)).print(table)  # never crop a value
    typer.echo("log-logistic D_g^i: where the tangent at D50 reaches zero thickness (extrapolated onset)")


def register(app: typer.Typer) -> None:
    """Add ``fit-curve``."""

    @app.command("fit-curve")
    def fit_curve_command(
        file: Annotated[Path, typer.Argument(help="contrast-curve file (CSV/TSV/Parquet; see README 'Measured data')")],
        formulations: Annotated[Path | None, typer.Option("--formulations", help="formulations file that formulation_id names")] = None,
        pdi: Annotated[float | None, typer.Option("--pdi", help="resin PDI for the gel model (default: the formulation's, else 2)")] = None,
        plot: Annotated[Path | None, typer.Option("--plot", help="write one PNG per curve (data + both fits) into this folder")] = None,
        as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    ) -> None:
        """Fit each measured contrast curve: D_g^i, D50, D90 and contrast with confidence intervals."""
        from resistml.lab.curves import fit_curves
        from resistml.lab.formats import LabDataError, read_contrast_curves

        if pdi is not None and not (math.isfinite(pdi) and 1.0 <= pdi <= 10.0):
            fail([f"--pdi: must be within 1-10, got {pdi:g}"])
        try:
            curves = read_contrast_curves(file, formulations, require_formulation=False)
        except LabDataError as exc:
            fail(exc.errors)
        fitted, errors = fit_curves(curves, pdi, where=str(file))
        if errors:
            fail(errors)
        reports = [f.report() for f in fitted]
        if plot is not None:
            from resistml.lab.plots import plot_curve_fits, slug

            try:
                plot.mkdir(parents=True, exist_ok=True)
                used: set[str] = set()
                for f, rep in zip(fitted, reports, strict=True):
                    name, k = slug(f.curve.id), 1
                    while name in used:
                        k += 1
                        name = f"{slug(f.curve.id)}-{k}"
                    used.add(name)
                    rep["plot"] = str(plot_curve_fits(f.curve, f.fits, plot / f"{name}.png"))
            except OSError as exc:
                fail([f"--plot: cannot write into {plot} ({exc.strerror})"])
        if as_json:
            print_json({"file": str(file), "curves": reports})
        else:
            _print_table(reports)
