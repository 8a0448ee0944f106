"""`make demo`: the end-to-end job on embedded defaults.

1. validate every example formulation in data/examples/ and report its component classes and
   patent-claim coverage;
2. simulate each one with the built-in physics at 50 and 100 keV (X-ray examples at their photon energy);
3. generate a small labelled dataset with the simulator (Dask LocalCluster), train the small ResistNet
   config on it (MLflow, local SQLite store ``sqlite:///mlflow.db``), evaluate it on the random split;
4. screen the candidate library in data/candidates/ with the shipped model and print the top ten.

Outputs go to ``runs/demo/`` in the working directory.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from resistml.formulation import Formulation, load_formulation
from resistml.formulation.claims import claims_covered
from resistml.formulation.roles import classify
from resistml.paths import data_dir

console = Console(width=max(shutil.get_terminal_size((150, 40)).columns, 120))


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


def _fmt(value: float | None, digits: int = 3, missing: str = "-") -> str:
    return missing if value is None or not math.isfinite(value) else f"{value:.{digits}g}"


def simulate_examples(forms: list[Formulation], energies: tuple[float, ...] = (50.0, 100.0)) -> None:
    """Simulate every example at each beam energy and print the properties."""
    from resistml.physics.simulator import simulate_many

    runs = [(f, e) for f in forms for e in (energies if f.process.radiation == "electron" else (None,))]
    frame = simulate_many([_at_energy(f, e) if e else f for f, e in runs])
    table = Table(title="Built-in physics simulator")
    for column in ("formulation", "energy", "sensitivity", "gel dose", "unit", "contrast", "resolution nm",
                   "LER nm", "status"):
        table.add_column(column, justify="left" if column in ("formulation", "unit", "status") else "right")
    for (form, energy), row in zip(runs, frame.to_dict(orient="records"), strict=True):
        label = f"{energy:g} keV e-" if energy else f"{form.process.photon_energy_keV:g} keV X-ray"
        table.add_row(
            form.name, label, _fmt(row["sensitivity"]), _fmt(row["gel_dose"]), row["dose_unit"],
            _fmt(row["contrast"]), _fmt(row["resolution_nm"]), _fmt(row["ler_nm"]), row["status"],
        )
    console.print(table)


DEMO_DIR = Path("runs/demo")
DEMO_SIZE = 3000
TRAIN_TIME = "00:00:04:00"


def resistml(*args: str, capture: bool = False) -> subprocess.CompletedProcess:
    """Run a ``resistml`` subcommand in a child process (stops the demo if it fails)."""
    cmd = [sys.executable, "-m", "resistml", *args]
    console.print(f"[dim]$ resistml {' '.join(args)}[/dim]")
    env = {**os.environ, "COLUMNS": str(console.width)}  # child tables as wide as ours
    return subprocess.run(cmd, check=True, text=True, capture_output=capture, env=env)


def train_and_evaluate(data: Path) -> None:
    """Generate a small dataset, train small.yaml on it, evaluate on the random split."""
    resistml("generate", "--n", str(DEMO_SIZE), "--out", str(data), "--seed", "0", "--no-progress")
    shutil.rmtree("runs/small", ignore_errors=True)  # the small config's checkpoint folder
    resistml("train", "--config", str(_train_config("small.yaml")), "--data.dataset", str(data),
             "--trainer.max_time", TRAIN_TIME, "--trainer.enable_progress_bar", "false")
    ckpt = sorted(Path("runs/small/checkpoints").glob("best-*.ckpt"), key=os.path.getmtime)[-1]
    result = resistml("evaluate", "--model", str(ckpt), "--data", str(data), "--split", "random", "--json",
                      "--plots", str(DEMO_DIR / "plots"), capture=True)
    _print_metrics(json.loads(result.stdout))
    console.print(f"MLflow run: [bold]{_latest_run_id()}[/bold]  "
                  "(browse: mlflow ui --backend-store-uri sqlite:///mlflow.db)")


def _train_config(name: str) -> Path:
    from resistml.paths import REPO_DIR

    return REPO_DIR / "train" / "configs" / name


def _print_metrics(report: dict) -> None:
    table = Table(title=f"ResistNet (small, {TRAIN_TIME} of CPU training) on the random split, test part")
    for column in ("target", "n", "MAE log10", "R2", "median % error", "1-sigma cov.", "2-sigma cov."):
        table.add_column(column, justify="right" if column != "target" else "left")
    for target, m in report["targets"].items():
        cells = [m.get(k) for k in ("mae", "r2", "median_ape_pct", "coverage_1sigma", "coverage_2sigma")]
        table.add_row(target, str(m.get("n")), *(_fmt(v) for v in cells))
    console.print(table)


def _latest_run_id() -> str:
    import mlflow

    mlflow.set_tracking_uri(os.environ.get("MLFLOW_TRACKING_URI") or "sqlite:///mlflow.db")
    runs = mlflow.search_runs(experiment_names=["resistml"], order_by=["start_time DESC"], max_results=1)
    return str(runs["run_id"].iloc[0]) if len(runs) else "(none)"


def screen_candidates() -> None:
    """Batch prediction over the shipped candidate library with the shipped model."""
    library = data_dir() / "candidates" / "library.parquet"
    out = DEMO_DIR / "candidates.parquet"
    out.unlink(missing_ok=True)
    resistml("predict", "--input", str(library), "--out", str(out), "--rank-by", "sensitivity", "--top", "10")


def main() -> int:
    """Run the demo; returns the process exit status."""
    DEMO_DIR.mkdir(parents=True, exist_ok=True)
    console.rule("resistml demo: 1. formulations")
    forms = check_examples(example_files())
    console.rule("2. physics simulator")
    simulate_examples(forms)
    console.rule("3. training data, model, evaluation")
    train_and_evaluate(DEMO_DIR / "data")
    console.rule("4. screening the candidate library")
    screen_candidates()
    return 0


def run() -> int:
    """``main`` with a one-line message instead of a traceback when a step fails."""
    try:
        return main()
    except subprocess.CalledProcessError as exc:
        console.print(f"[red]demo stopped: `resistml {' '.join(exc.cmd[3:])}` exited {exc.returncode}[/red]")
        return 1


def demo() -> None:
    """Run the main job on embedded defaults (check, simulate, generate, train, evaluate, screen)."""
    raise SystemExit(run())


def register(app) -> None:
    """Add the ``demo`` command to the ``resistml`` app."""
    app.command("demo")(demo)


if __name__ == "__main__":
    sys.exit(run())
