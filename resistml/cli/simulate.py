"""``resistml simulate FILE``: run the built-in physics simulator on one or more formulations."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any

import typer

from resistml.cli._common import fail, load_or_fail, print_json, warn
from resistml.formulation import Formulation, FormulationError

REPORT_FIELDS = (
    "sensitivity", "gel_dose", "dose_unit", "contrast", "resolution_nm", "resolution_limit", "ler_nm",
    "acid_yield_per_100eV", "acid_diffusion_length_nm", "stopping_power_MeV_cm2_g",
    "mass_energy_absorption_cm2_g", "dose_to_size", "exposure_latitude", "film_density_g_cm3",
    "film_tg_K", "status",
)


def _with_energy(form: Formulation, energy: float | None, many: bool, allow_incomplete: bool) -> Formulation:
    """The formulation with --beam-energy applied (validated like the file itself)."""
    if energy is None:
        return form
    where = f"{form.name}: " if many else ""
    if form.process.radiation != "electron":
        fail([f"--beam-energy: {where}applies to electron exposures, this one is radiation: xray"])
    data = form.to_dict()
    data.setdefault("process", {})["beam_energy_keV"] = energy
    try:
        return Formulation.from_dict(data, allow_incomplete=allow_incomplete)
    except FormulationError as exc:
        fail([f"--beam-energy: {e}" for e in exc.errors])


def report(result: Any) -> dict[str, Any]:
    """The JSON document of one simulation: the issue's fields, the PSF and the curves."""
    full = result.to_dict()
    props = full["properties"]
    out: dict[str, Any] = {"name": result.name}
    out.update({k: props.get(k) for k in REPORT_FIELDS})
    out["psf"] = {k: full["psf"][k] for k in ("alpha_nm", "beta_nm", "eta", "backscatter_coefficient")}
    out["contrast_curve"] = {"dose": full["contrast_dose"], "thickness": full["contrast_thickness"]}
    out["cd_vs_dose"] = {"half_pitch_nm": full["cd_half_pitch_nm"], "dose": full["cd_dose"],
                         "cd_nm": full["cd_nm"]}
    out["intermediates"] = full["film"]
    return out


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return "-" if not math.isfinite(value) else f"{value:.4g}"
    return "-" if value is None else str(value)


def _print_table(reports: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="resistml simulate")
    table.add_column("quantity")
    for rep in reports:
        table.add_column(rep["name"], justify="right")
    for key in REPORT_FIELDS:
        table.add_row(key, *(_fmt(r[key]) for r in reports))
    for key in ("alpha_nm", "beta_nm", "eta"):
        table.add_row(f"psf.{key}", *(_fmt(r["psf"][key]) for r in reports))
    published = [r.get("published") or {} for r in reports]
    for key in dict.fromkeys(k for p in published for k in p):  # files with a published.csv beside them
        table.add_row(key, *(p.get(key, "-") or "-" for p in published))
    Console().print(table)


def _plot(reports: list[dict[str, Any]], path: Path) -> None:
    """Contrast curve and CD versus dose at the resolution limit, one line per formulation."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import NullFormatter

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    unit = " | ".join(sorted({r["dose_unit"] for r in reports}))
    for rep in reports:
        curve = rep["contrast_curve"]
        ax1.semilogx(curve["dose"], curve["thickness"], label=rep["name"])
        cd = rep["cd_vs_dose"]
        if cd["dose"]:
            ax2.semilogx(cd["dose"], cd["cd_nm"], "o-", ms=3,
                     label=f"{rep['name']} (hp {cd['half_pitch_nm']:.3g} nm)")
            ax2.axhline(cd["half_pitch_nm"], color="0.7", lw=0.8)
    ax1.set(xlabel=f"dose ({unit})", ylabel="normalised remaining thickness",
            title="contrast curve (500 um pad)", ylim=(-0.02, 1.02))
    for ax in (ax1, ax2):
        ax.xaxis.set_minor_formatter(NullFormatter())
    ax2.set(xlabel=f"dose ({unit})", ylabel="line width (nm)", title="CD vs dose at the resolution limit")
    for ax in (ax1, ax2):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    fig.tight_layout()
    try:
        fig.savefig(path, dpi=120)
    except OSError as exc:
        fail([f"--plot: cannot write {path} ({exc.strerror})"])
    finally:
        plt.close(fig)


def register(app: typer.Typer) -> None:
    """Add ``simulate``."""

    @app.command("simulate")
    def simulate_command(
        files: Annotated[list[Path], typer.Argument(help="formulation file(s) (YAML/JSON/JSONL/CSV/Parquet)")],
        beam_energy: Annotated[float | None, typer.Option("--beam-energy", help="override the beam energy, keV")] = None,
        as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
        plot: Annotated[Path | None, typer.Option("--plot", help="write the contrast curve and CD-vs-dose plot (PNG)")] = None,
        noise: Annotated[float, typer.Option("--noise", help="multiplicative log-normal noise sigma")] = 0.0,
        seed: Annotated[int | None, typer.Option("--seed", help="noise seed")] = None,
        allow_incomplete: Annotated[bool, typer.Option(
            "--allow-incomplete",
            help="also simulate formulations that lack a generator, resin or crosslinker (physics studies)")] = False,
    ) -> None:
        """Simulate sensitivity, gel dose, contrast, resolution and LER with the built-in physics."""
        from resistml.physics.simulator import simulate

        if not (math.isfinite(noise) and noise >= 0):
            fail([f"--noise: must be a finite number >= 0, got {noise:g}"])
        from resistml.lab.published import comparison, published_for

        loaded = [(file, form) for file in files for form in load_or_fail(file, allow_incomplete=allow_incomplete)]
        sources = [file for file, _ in loaded]
        forms = [form for _, form in loaded]
        many = len(forms) > 1
        forms = [_with_energy(f, beam_energy, many, allow_incomplete) for f in forms]
        warn(forms)
        reports = []
        for i, form in enumerate(forms):
            try:
                reports.append(report(simulate(form, noise=noise, seed=None if seed is None else seed + i)))
                pub = published_for(sources[i])
                if pub is not None:
                    reports[-1]["published"] = comparison(pub, reports[-1].get("dose_to_size"),
                                                          reports[-1].get("resolution_nm"))
            except (ValueError, ArithmeticError) as exc:
                fail([f"{form.name}: simulation failed: {exc}"])
        if plot is not None:
            _plot(reports, plot)
        if as_json:
            print_json(reports if many else reports[0])
        else:
            _print_table(reports)
