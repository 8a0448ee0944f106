"""`make demo`: the end-to-end job on embedded defaults.

1. validate every example formulation in data/examples/ and report its component classes and
   patent-claim coverage;
2. simulate each one with the built-in physics at 50 and 100 keV (X-ray examples at their photon energy).
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from resistml.chem.roles import classify
from resistml.claims import claims_covered
from resistml.formulation import Formulation, load_formulation
from resistml.paths import data_dir

console = Console()


def example_files() -> list[Path]:
    """The shipped example formulations."""
    return sorted((data_dir() / "examples").glob("*.yaml"))


def check_examples(paths: list[Path]) -> list[Formulation]:
    """Validate each example and print its recognised classes and claims."""
    table = Table(title="Example formulations: recognised classes and claim coverage")
    for column in ("file", "components (role: classes)", "claims", "warnings"):
        table.add_column(column, overflow="fold")
    forms = []
    for path in paths:
        form = load_formulation(path)
        forms.append(form)
        comps = "\n".join(f"{c.label} ({c.role.value}): {', '.join(classify(c)) or '-'}" for c in form.components)
        claims = ", ".join(map(str, claims_covered(form))) or "-"
        table.add_row(path.name, comps, claims, "\n".join(form.warnings()) or "-")
    console.print(table)
    return forms


def _at_energy(form: Formulation, energy_keV: float) -> Formulation:
    if form.process.radiation != "electron":
        return form
    return form.model_copy(update={"process": form.process.model_copy(update={"beam_energy_keV": energy_keV})})


def _fmt(value: float, digits: int = 3) -> str:
    return "no gel" if value is None or not math.isfinite(value) else f"{value:.{digits}g}"


def simulate_examples(forms: list[Formulation], energies: tuple[float, ...] = (50.0, 100.0)) -> None:
    """Simulate every example at each beam energy and print the properties."""
    from resistml.physics.simulator import simulate_many

    runs = [(f, e) for f in forms for e in (energies if f.process.radiation == "electron" else (None,))]
    frame = simulate_many([_at_energy(f, e) if e else f for f, e in runs])
    table = Table(title="Built-in physics simulator")
    for column in ("formulation", "energy", "sensitivity", "gel dose", "unit", "contrast", "resolution nm", "LER nm"):
        table.add_column(column, justify="right" if column not in ("formulation", "unit") else "left")
    for (form, energy), row in zip(runs, frame.to_dict(orient="records"), strict=True):
        label = f"{energy:g} keV e-" if energy else f"{form.process.photon_energy_keV:g} keV X-ray"
        table.add_row(
            form.name, label, _fmt(row["sensitivity"]), _fmt(row["gel_dose"]), row["dose_unit"],
            _fmt(row["contrast"]), _fmt(row["resolution_nm"]), _fmt(row["ler_nm"]),
        )
    console.print(table)


def main() -> int:
    """Run the demo; returns the process exit status."""
    paths = example_files()
    console.rule("resistml demo")
    forms = check_examples(paths)
    simulate_examples(forms)
    return 0


if __name__ == "__main__":
    sys.exit(main())
