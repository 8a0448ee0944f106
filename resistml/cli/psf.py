"""``resistml psf`` (PSF and stopping power of a film) and ``resistml psf-grid`` (build the PSF grid)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer

from resistml.chem.material import (
    Material,
    MaterialError,
    canonical_substrate_name,
    film_material,
    material_from_formula,
    material_from_smiles,
    substrate_layers,
)
from resistml.chem.smiles import SmilesError
from resistml.chem.substrate import SubstrateError, known_substrate
from resistml.cli._common import fail, load_or_fail, print_json

DEFAULT_FILM_SMILES = "*CC(*)c1ccc(O)cc1"
_FORMULA = re.compile(r"^([A-Z][a-z]?\d*\.?\d*|\(|\)\d*)+$")


def _looks_like_formula(text: str) -> bool:
    """A formula lists each element once ('C5H8O2', 'SiO2', 'Si'); anything else is a SMILES."""
    if not _FORMULA.match(text):
        return False
    symbols = re.findall(r"[A-Z][a-z]?", re.sub(r"\(.*?\)", "", text))
    return len(symbols) == len(set(symbols)) and (any(c.isdigit() for c in text) or len(text) <= 2)


def resolve_material(resist: Path | None, material: str | None, density: float | None) -> Material:
    """The film: from a formulation file, a formula (with digits or one element) or a SMILES."""
    if resist is not None and material is not None:
        fail(["--resist and --material: give one, not both"])
    if density is not None and not density > 0:
        fail([f"--density: must be > 0 g/cm3, got {density:g}"])
    try:
        if resist is not None:
            formulation = load_or_fail(resist, allow_incomplete=True)[0]
            film = film_material(formulation)
            return film.with_density(density) if density else film
        text = (material or DEFAULT_FILM_SMILES).strip()
        if _looks_like_formula(text):
            if density is None:
                fail([f"--density: needed for the formula {text!r} (g/cm3)"])
            return material_from_formula(text, density)
        return material_from_smiles(text, density)
    except (MaterialError, SmilesError) as exc:
        fail([f"--material: {exc}" if resist is None else f"--resist: {exc}"])


def psf_report(
    material: Material, energy: float, thickness: float, substrate: str, mc: bool, electrons: int, seed: int
) -> tuple[dict[str, Any], Any]:
    """JSON fields of ``resistml psf`` and, with --mc, the Monte Carlo result."""
    from resistml.physics.electron import collision_stopping_power, csda_range_um
    from resistml.physics.psf import fit_psf, lookup_psf

    result = None
    if mc:
        from resistml.physics.montecarlo import simulate_deposition

        result = simulate_deposition(energy, thickness, material, substrate_layers(substrate), electrons, seed)
        fit = fit_psf(result, third_term=True)
        params = {k: getattr(fit, k) for k in ("alpha_nm", "beta_nm", "eta", "gamma_nm", "nu", "fit_r2")}
        params["backscatter_coefficient"] = result.backscatter_coefficient
        params["fit_r2_log"] = fit.fit_r2_log
    else:
        looked = lookup_psf(energy, thickness, substrate, material.density_g_cm3)
        params = {k: float(v) for k, v in looked.items()}
    report = {
        "beam_energy_keV": energy,
        "thickness_nm": thickness,
        "substrate": substrate,
        "source": "monte_carlo" if mc else "grid",
        **params,
        "stopping_power_MeV_cm2_g": float(collision_stopping_power(energy, material)),
        "mean_excitation_energy_eV": material.mean_excitation_eV,
        "csda_range_um": float(csda_range_um(energy, material)),
        "density_g_cm3": material.density_g_cm3,
        "mass_fractions": material.mass_fractions,
    }
    return report, result


def plot_psf(path: Path, report: dict[str, Any], result) -> None:
    """Radial PSF (log-log) with the fit; Monte Carlo points when available."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from resistml.physics.psf import psf_radial

    fig, ax = plt.subplots(figsize=(6, 4.2))
    r = np.geomspace(0.3, 3 * report["beta_nm"], 400)
    if result is not None:
        dens = result.radial_density / result.radial_energy_keV.sum()
        ok = dens > 0
        ax.loglog(result.r_centers_nm[ok], dens[ok], ".", ms=4, label="Monte Carlo")
    ax.loglog(r, psf_radial(r, report), "-", label="fit" if result is not None else "grid PSF")
    if result is not None and report.get("nu", 0) > 0:
        from resistml.physics.psf import fit_psf

        double = fit_psf(result).params()
        ax.loglog(r, psf_radial(r, double), "--", lw=1,
                  label=f"double Gaussian (α={double['alpha_nm']:.3g} nm, η={double['eta']:.2f})")
    ax.set_xlabel("radius r (nm)")
    ax.set_ylabel("f(r) (nm$^{-2}$), normalised")
    ax.set_ylim(psf_radial(r[-1], report) * 0.3, None)
    third = f", γ={report['gamma_nm']:.3g} nm, ν={report['nu']:.2f}" if report.get("nu", 0) > 0 else ""
    ax.set_title(
        f"{report['beam_energy_keV']:g} keV, {report['thickness_nm']:g} nm on {report['substrate']}: "
        f"α={report['alpha_nm']:.3g} nm, β={report['beta_nm'] / 1e3:.3g} µm, η={report['eta']:.2f}{third}",
        fontsize=8,
    )
    ax.legend()
    ax.grid(True, which="both", alpha=0.25)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _floats(option: str, text: str | None, lo: float, hi: float) -> tuple[float, ...] | None:
    """Parse a comma-separated list of numbers within [lo, hi], or exit 2 naming the option."""
    if text is None:
        return None
    try:
        values = tuple(sorted({float(v) for v in text.split(",") if v.strip()}))
    except ValueError:
        fail([f"{option}: expected comma-separated numbers, got {text!r}"])
    if not values or not all(lo <= v <= hi for v in values):
        fail([f"{option}: values must be within {lo:g}-{hi:g}, got {text!r}"])
    return values


def register(app: typer.Typer) -> None:
    """Add ``psf`` and ``psf-grid``."""

    @app.command("psf")
    def psf_command(
        beam_energy: Annotated[float, typer.Option("--beam-energy", help="beam energy, keV")],
        thickness: Annotated[float, typer.Option(help="film thickness, nm")] = 300.0,
        substrate: Annotated[str, typer.Option(help="a substrate with a PSF grid (Si, SiO2/quartz, GaAs, Cr-on-quartz, Au, W, Ta, Mo, C, Al); with --mc any formula or FORMULA:DENSITY")] = "Si",
        resist: Annotated[Path | None, typer.Option(help="formulation file (its film material)")] = None,
        material: Annotated[str | None, typer.Option(help="SMILES (repeat unit with [*] ends or molecule) or formula")] = None,
        density: Annotated[float | None, typer.Option(help="film density, g/cm3 (estimated from structure if omitted)")] = None,
        json_out: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
        plot: Annotated[Path | None, typer.Option(help="write the radial PSF plot (PNG)")] = None,
        mc: Annotated[bool, typer.Option("--mc", help="run the Monte Carlo instead of the grid look-up")] = False,
        electrons: Annotated[int, typer.Option(help="Monte Carlo electrons (with --mc)")] = 20000,
        seed: Annotated[int, typer.Option(help="Monte Carlo seed")] = 0,
    ) -> None:
        """Proximity PSF (alpha, beta, eta), stopping power and range of a resist film."""
        errors = []
        if not 0.5 <= beam_energy <= 300:
            errors.append(f"--beam-energy: must be within 0.5-300 keV, got {beam_energy:g}")
        if not 5 <= thickness <= 20000:
            errors.append(f"--thickness: must be within 5-20000 nm, got {thickness:g}")
        if not 10 <= electrons <= 10**7:
            errors.append(f"--electrons: must be within 10-1e7, got {electrons}")
        try:
            substrate_layers(substrate)
            if not mc:  # the grid look-up needs the substrate's own grid; the Monte Carlo takes any
                known_substrate(substrate)
        except MaterialError as exc:
            errors.append(f"--substrate: {exc}")
        except SubstrateError as exc:
            errors.append(f"--substrate: {exc.reason} (or run the Monte Carlo with --mc)")
        if errors:
            fail(errors)
        film = resolve_material(resist, material, density)
        report, result = psf_report(film, beam_energy, thickness, substrate, mc, electrons, seed)
        if plot is not None:
            plot_psf(plot, report, result)
        if json_out:
            print_json(report)
            return
        for key in ("alpha_nm", "beta_nm", "eta", "backscatter_coefficient", "fit_r2",
                    "stopping_power_MeV_cm2_g", "mean_excitation_energy_eV", "csda_range_um", "density_g_cm3"):
            typer.echo(f"{key:28s} {report[key]:.4g}")

    @app.command("psf-grid")
    def psf_grid_command(
        out: Annotated[Path | None, typer.Option(help="CSV to write (default: cache_dir()/psf/grid.csv)")] = None,
        substrate: Annotated[list[str] | None, typer.Option(help="substrate(s): a name, formula or FORMULA:DENSITY; default: the shipped ten")] = None,
        electrons: Annotated[int, typer.Option(help="electrons per point at <= 20 keV (fewer above)")] = 6000,
        workers: Annotated[int | None, typer.Option(help="processes (default: all cores)")] = None,
        seed: Annotated[int, typer.Option(help="base seed")] = 1,
        energies: Annotated[str | None, typer.Option(help="comma-separated beam energies, keV")] = None,
        thicknesses: Annotated[str | None, typer.Option(help="comma-separated film thicknesses, nm")] = None,
        densities: Annotated[str | None, typer.Option(help="comma-separated film densities, g/cm3")] = None,
        update: Annotated[bool, typer.Option("--update", help="merge into --out, replacing only these substrates")] = False,
    ) -> None:
        """Build the PSF grid (Monte Carlo + fit) that ``resistml psf`` and the simulator look up."""
        from resistml.paths import cache_dir
        from resistml.physics.psf import clear_grid_cache
        from resistml.physics.psf_grid import DEFAULT_SUBSTRATES, build_grid, merge_grid

        if not 100 <= electrons <= 10**7:
            fail([f"--electrons: must be within 100-1e7, got {electrons}"])
        subs = tuple(canonical_substrate_name(s) for s in substrate) if substrate else DEFAULT_SUBSTRATES
        for sub in subs:
            try:
                substrate_layers(sub)
            except MaterialError as exc:
                fail([f"--substrate: {exc}"])
        target = out or cache_dir() / "psf" / "grid.csv"
        target.parent.mkdir(parents=True, exist_ok=True)

        def progress(done: int, total: int) -> None:
            typer.echo(f"\r{done}/{total} grid points", err=True, nl=done == total)

        axes = {
            "energies": _floats("--energies", energies, 0.5, 300),
            "thicknesses": _floats("--thicknesses", thicknesses, 5, 20000),
            "densities": _floats("--densities", densities, 0.3, 25),
        }
        axes = {k: v for k, v in axes.items() if v is not None}
        table = build_grid(
            substrates=subs, n_electrons=electrons, workers=workers, seed=seed, progress=progress, **axes
        )
        built, mc_s = len(table), table["mc_seconds"].sum()
        if update and target.is_file():
            import pandas as pd

            table = merge_grid(pd.read_csv(target), table)
        table.to_csv(target, index=False, float_format="%.6g")
        clear_grid_cache()
        typer.echo(f"wrote {built} points to {target} ({mc_s:.0f} s of Monte Carlo; {len(table)} rows in the file)")
