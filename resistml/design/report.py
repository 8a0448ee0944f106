"""Outputs of a design run: the verified Pareto set (``pareto.csv``), plots, and MLflow logging.

``pareto.csv`` holds the simulator-verified, constraint-satisfying, non-dominated formulations in
flat table form (:func:`resistml.formulation.table.formulation_to_row`; readable by ``resistml
predict``/``simulate``), then per objective the predicted value and 1-sigma and the simulated
value, ``p_prints`` (predicted), ``in_domain``, the batch and the call that found it.
MLflow: :func:`log_run` takes an ``MlflowClient`` made by the caller (this package sits below
:mod:`resistml.evaluation`, which owns the tracking URI).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from resistml.design.hypervolume import pareto_mask
from resistml.design.search import NOT_FLAT, hv_of, verified
from resistml.design.spec import DesignSpec
from resistml.targets import COLUMNS, unit_for

PARETO = "pareto.csv"
PARETO_PNG = "pareto.png"
HV_PNG = "hypervolume.png"


def pareto_frame(spec: DesignSpec, history: pd.DataFrame) -> pd.DataFrame:
    """The verified feasible non-dominated rows (sorted by the first objective)."""
    Y, ok = verified(spec, history)
    idx = np.flatnonzero(ok)
    if len(idx) == 0:
        return pd.DataFrame(columns=["name"])
    front = idx[pareto_mask(Y[idx])]
    rows = history.iloc[front]
    flat = [c for c in history.columns if not c.startswith(NOT_FLAT)]
    flat = [c for c in flat if rows[c].notna().any()]
    extra = []
    for t in spec.objective_names:
        extra += [f"pred_{t}", f"pred_{t}_std", f"sim_{t}"]
    extra += [f"sim_{t}" for t in COLUMNS if t not in spec.objectives]
    extra += ["p_prints", "in_domain", "sim_status", "batch", "call"]
    out = rows[flat + extra].reset_index(drop=True)
    return out.sort_values(f"sim_{spec.objective_names[0]}", kind="stable").reset_index(drop=True)


def summary(spec: DesignSpec, history: pd.DataFrame) -> dict[str, float]:
    """Calls, print rate, feasible rate, final hypervolume and Pareto size."""
    n = len(history)
    return {
        "calls": float(n),
        "print_rate": float(history["prints"].mean()) if n else float("nan"),
        "feasible_rate": float(history["feasible"].mean()) if n else float("nan"),
        "hypervolume": hv_of(spec, history, [n])[0] if n else 0.0,
        "pareto_size": float(len(pareto_frame(spec, history))),
    }


def _axis_label(spec: DesignSpec, t: str) -> str:
    return f"{t} ({unit_for(t, spec.process.radiation)})"


def plot_pareto(spec: DesignSpec, history: pd.DataFrame, path: Path) -> Path:
    """Simulated objectives: first two on the axes (log), the third (or the call) as colour."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = spec.objective_names
    x, y = (names + names)[:2] if len(names) >= 2 else (names[0], names[0])
    colour = names[2] if len(names) >= 3 else None
    front = pareto_frame(spec, history)
    fig, ax = plt.subplots(figsize=(6.4, 4.8))
    ok, bad = history[history["feasible"]], history[history["prints"] & ~history["feasible"]]
    ax.scatter(bad[f"sim_{x}"], bad[f"sim_{y}"], s=14, marker="x", c="0.6", label="printed, violates a constraint")
    cvals = ok[f"sim_{colour}"] if colour else ok["call"]
    sc = ax.scatter(ok[f"sim_{x}"], ok[f"sim_{y}"], s=18, c=cvals, cmap="viridis", alpha=0.55,
                    norm=matplotlib.colors.LogNorm() if colour else None, label="feasible")
    if len(front):
        ax.scatter(front[f"sim_{x}"], front[f"sim_{y}"], s=70, facecolors="none", edgecolors="crimson",
                   linewidths=1.4, label=f"Pareto set ({len(front)})")
    fig.colorbar(sc, ax=ax, label=_axis_label(spec, colour) if colour else "simulator call")
    for c in spec.constraints:  # constraint bounds on the axes' quantities
        if c.quantity == x:
            ax.axvline(c.bound, ls="--", lw=0.9, c="0.4")
        elif c.quantity == y:
            ax.axhline(c.bound, ls="--", lw=0.9, c="0.4")
    ax.set(xscale="log", yscale="log", xlabel=_axis_label(spec, x), ylabel=_axis_label(spec, y),
           title=f"{spec.name}: simulator-verified designs ({len(history)} calls)")
    for axis, (lo, hi) in ((ax.xaxis, ax.get_xlim()), (ax.yaxis, ax.get_ylim())):  # after set(xscale=...)
        plain = matplotlib.ticker.FormatStrFormatter("%g")
        axis.set_major_formatter(plain)  # minor ticks labelled too where the axis spans < 1.3 decades
        axis.set_minor_formatter(plain if hi / lo < 20 else matplotlib.ticker.NullFormatter())
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def plot_hypervolume(curves: dict[str, tuple[list[int], list[float]]], path: Path, title: str) -> Path:
    """Hypervolume of the verified feasible set against simulator calls, one line per curve."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    for label, (calls, hv) in curves.items():
        ax.plot(calls, hv, drawstyle="steps-post", label=label)
    ax.set(xlabel="simulator calls", ylabel="hypervolume (log10 decades^M)", title=title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def write_outputs(spec: DesignSpec, history: pd.DataFrame, out: Path) -> list[Path]:
    """``pareto.csv``, the Pareto plot and the hypervolume plot in ``out``; return the paths."""
    out = Path(out)
    front = pareto_frame(spec, history)
    front.to_csv(out / PARETO, index=False)
    calls = list(range(1, len(history) + 1))
    paths = [out / PARETO, plot_pareto(spec, history, out / PARETO_PNG)]
    paths.append(plot_hypervolume({"this run": (calls, hv_of(spec, history, calls))}, out / HV_PNG,
                                  f"{spec.name}: hypervolume of the verified feasible set"))
    return paths


def log_run(client: Any, spec: DesignSpec, history: pd.DataFrame, out: Path, config: dict[str, Any],
            experiment: str = "resistml-design") -> str:
    """One MLflow run: spec and search parameters, hypervolume per call, summary, every output file."""
    import time

    from mlflow.entities import Metric, Param

    found = client.get_experiment_by_name(experiment)
    experiment_id = found.experiment_id if found else client.create_experiment(experiment)
    run_id = client.create_run(experiment_id, run_name=f"design-{spec.name}-seed{spec.seed}").info.run_id
    params = {"spec_name": spec.name, "budget": spec.budget, "batch": spec.batch, "seed": spec.seed,
              "objectives": json.dumps(spec.objectives), "constraints": "; ".join(map(str, spec.constraints)),
              "radiation": spec.process.radiation, **{f"search_{k}": v for k, v in config.items()}}
    now = int(time.time() * 1000)
    calls = list(range(1, len(history) + 1))
    metrics = [Metric("hypervolume", v, now, n) for n, v in zip(calls, hv_of(spec, history, calls), strict=True)]
    metrics += [Metric(k, v, now, 0) for k, v in summary(spec, history).items() if np.isfinite(v)]
    client.log_batch(run_id, metrics=metrics[:900], params=[Param(k, str(v)[:500]) for k, v in params.items()])
    for i in range(900, len(metrics), 900):
        client.log_batch(run_id, metrics=metrics[i:i + 900])
    for name in (PARETO, PARETO_PNG, HV_PNG, "history.parquet", "design.json"):
        if (Path(out) / name).is_file():
            client.log_artifact(run_id, str(Path(out) / name), "design")
    client.set_terminated(run_id)
    return run_id
