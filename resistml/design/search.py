"""The design loop: propose a batch with the surrogate, check it with the simulator, learn, repeat.

Why NSGA-II over an optimistic bound (and not expected hypervolume improvement, EHVI)?
The surrogate is a trained GNN with its own calibrated sigma, not a Gaussian process, so the
posterior EHVI needs (joint Gaussian, analytic box decompositions as in BoTorch) has nothing to
act on, and BoTorch would also pull in a GP stack we do not use. The space is mostly categorical
(hundreds of molecules per role) plus amounts and process values: exactly what Optuna's
:class:`~optuna.samplers.NSGAIISampler` (crossover and mutation over mixed categorical/float
parameters, constraint-dominance via ``constraints_func``) handles, and it is cheap to run for
hundreds of surrogate evaluations per batch. So each batch:

1. runs NSGA-II (``population`` x ``generations`` trials, seeded by (seed, batch), warm-started
   from the simulator-verified Pareto set) on the *optimistic* bound of the surrogate, per
   objective ``sign * mu - kappa * sigma`` in log10 (an upper confidence bound: the model's sigma
   steers the search to promising formulations it is unsure about), with constraints on the
   predicted mean (``p_prints`` included), which keeps proposals printable;
2. picks K of the evaluated candidates by greedy hypervolume improvement of their optimistic
   vectors over the verified front plus the *means* of the picks so far (a kriging believer: it
   spreads the batch along the front), lazily (hypervolume improvement only shrinks as the front
   grows), among candidates predicted feasible (then the least violating);
3. simulates them (:func:`resistml.physics.simulate_many`, optionally on a Dask scheduler) and
   appends everything to ``history.parquet`` (written atomically once per batch);
4. every ``refit_every`` batches refits the surrogate's correction on all checked rows
   (:mod:`resistml.design.surrogate`).

Baselines (``strategy``): ``random`` (Optuna's RandomSampler in the same space), ``greedy``
(kappa = 0: the model's mean, no sigma), ``no_finetune`` (no correction). A batch is a pure
function of (spec, seed, batch index, history so far), so re-running on the same folder resumes
and produces the same history as an uninterrupted run.
"""

from __future__ import annotations

import heapq
import json
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from resistml.design.hypervolume import hypervolume_curve, improvement
from resistml.design.space import SearchSpace
from resistml.design.spec import P_PRINTS, DesignSpec, SpecError
from resistml.design.surrogate import Surrogate
from resistml.formulation import Formulation
from resistml.formulation.table import formulation_to_row, row_to_formulation
from resistml.targets import COLUMNS

STRATEGIES = ("model", "greedy", "no_finetune", "random")
HISTORY = "history.parquet"
STATE = "design.json"


@dataclass(frozen=True)
class SearchConfig:
    """How the search runs (the spec says what it looks for)."""

    strategy: str = "model"
    kappa: float = 1.0
    refit_every: int = 2
    population: int = 32
    generations: int = 8

    def __post_init__(self) -> None:
        if self.strategy not in STRATEGIES:
            raise ValueError(f"strategy: expected one of {', '.join(STRATEGIES)}, got {self.strategy!r}")

    @property
    def effective_kappa(self) -> float:
        return 0.0 if self.strategy == "greedy" else self.kappa


Simulator = Callable[[list[Formulation]], pd.DataFrame]


def make_simulator(scheduler: str | None = None) -> Simulator:
    """``simulate_many`` here, or on a Dask scheduler ('local' starts a LocalCluster)."""
    from resistml.physics import simulate_many

    if not scheduler:
        return simulate_many

    state: dict[str, Any] = {}

    def on_dask(forms: list[Formulation]) -> pd.DataFrame:
        from distributed import Client, LocalCluster

        if "client" not in state:  # one client (and local cluster) for the whole run
            cluster = LocalCluster(n_workers=2, threads_per_worker=1) if scheduler == "local" else None
            state["client"] = Client(cluster or scheduler)
        client = state["client"]
        chunks = [forms[i:i + 4] for i in range(0, len(forms), 4)]
        parts = client.gather([client.submit(simulate_many, c, pure=False) for c in chunks])
        return pd.concat(parts, ignore_index=True)

    return on_dask


def key_of(row: dict[str, Any]) -> str:
    """What makes two proposals the same formulation (the flat row without its name)."""
    items = {k: v for k, v in row.items() if k != "name" and not (isinstance(v, float) and math.isnan(v))}
    return json.dumps(items, sort_keys=True, default=str)


def minimisation_form(spec: DesignSpec, log_values: np.ndarray) -> np.ndarray:
    """[N, T] log10 values in ``COLUMNS`` order -> [N, M] objectives to minimise."""
    idx = [COLUMNS.index(t) for t in spec.objective_names]
    signs = np.array([spec.sign(t) for t in spec.objective_names])
    return log_values[:, idx] * signs


def reference_min(spec: DesignSpec) -> np.ndarray:
    ref = spec.reference_point()
    return np.array([spec.sign(t) * math.log10(ref[t]) for t in spec.objective_names])


def violations(spec: DesignSpec, log_values: np.ndarray, p_prints: np.ndarray) -> np.ndarray:
    """[N, C] constraint values (<= 0 holds) on log10 values and p_prints."""
    cols = []
    for c in spec.constraints:
        if c.quantity == P_PRINTS:
            v = p_prints - c.bound
        else:
            v = log_values[:, COLUMNS.index(c.quantity)] - math.log10(c.bound)
        cols.append(v if c.upper else -v)
    out = np.column_stack(cols) if cols else np.zeros((len(p_prints), 0))
    return np.where(np.isfinite(out), out, 1e3)


def verified(spec: DesignSpec, history: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Simulated objectives in minimisation form [N, M] and the feasibility mask [N] of a history."""
    if history.empty:
        return np.zeros((0, len(spec.objectives))), np.zeros(0, dtype=bool)
    sim = np.log10(np.column_stack([history[f"sim_{t}"].to_numpy(float) for t in COLUMNS]).clip(1e-300))
    return minimisation_form(spec, sim), history["feasible"].to_numpy(bool)


def hv_of(spec: DesignSpec, history: pd.DataFrame, counts: list[int]) -> list[float]:
    """Hypervolume (log10 decades^M) of the verified feasible set after each count of simulator calls."""
    Y, ok = verified(spec, history)
    Y = np.where(ok[:, None], Y, np.nan)
    return hypervolume_curve(Y, reference_min(spec), counts)


class Search:
    """One design run in a folder (see the module docstring); :meth:`run` resumes where it stopped."""

    def __init__(self, spec: DesignSpec, out: str | Path, predictor: Any = None,
                 config: SearchConfig = SearchConfig(), simulate: Simulator | None = None):
        if config.strategy != "random" and predictor is None:
            raise ValueError(f"strategy {config.strategy!r} needs a predictor")
        self.spec, self.out, self.config = spec, Path(out), config
        self.space = SearchSpace(spec)
        self.surrogate = Surrogate(predictor) if predictor is not None else None
        self.simulate = simulate or make_simulator(None)
        self.forms: list[Formulation] = []
        self.history = pd.DataFrame()
        self._fitted_upto = 0

    # ---- state -------------------------------------------------------------------------
    def _state(self) -> dict[str, Any]:
        spec = self.spec.model_dump(mode="json")
        spec.pop("budget")
        return {"spec": spec, "config": asdict(self.config)}

    def _load(self) -> None:
        self.out.mkdir(parents=True, exist_ok=True)
        state_path, state = self.out / STATE, self._state()
        if state_path.is_file():
            found = json.loads(state_path.read_text())
            if found != state:
                diff = sorted(k for k in {**found["spec"], **state["spec"]} if found["spec"].get(k) != state["spec"].get(k))
                diff += [f"config.{k}" for k in state["config"] if found["config"].get(k) != state["config"][k]]
                raise SpecError([f"--out: {self.out} holds a run with a different {', '.join(diff)}; "
                                 "use a new folder (same spec and seed resume)"])
        else:
            state_path.write_text(json.dumps(state, indent=2))
        path = self.out / HISTORY
        if path.is_file():
            self.history = pd.read_parquet(path)
            flat = [c for c in self.history.columns if not c.startswith(NOT_FLAT)]
            self.forms = [row_to_formulation({k: v for k, v in r.items() if _present(v)})
                          for r in self.history[flat].to_dict("records")]

    def _save(self) -> None:
        tmp = self.out / f".{HISTORY}.tmp"
        self.history.to_parquet(tmp, index=False)
        tmp.replace(self.out / HISTORY)

    # ---- the loop ----------------------------------------------------------------------
    def run(self, progress: Callable[[int, int, pd.DataFrame], None] | None = None) -> pd.DataFrame:
        """Run (or resume) to the spec's budget; return the history."""
        self._load()
        if self.surrogate is not None and len(self.history) < self.spec.budget:
            self.surrogate.warm(self.space.pools, self.space.warmup_formulation)
        budget, k = self.spec.budget, self.spec.batch
        while len(self.history) < budget:
            batch = int(self.history["batch"].max()) + 1 if len(self.history) else 0
            n = min(k, budget - len(self.history))
            self._refit(batch)
            forms, extra = self._propose(batch, n)
            sim = self.simulate(forms)
            rows = self._rows(batch, forms, extra, sim)
            self.history = pd.concat([self.history, rows], ignore_index=True) if len(self.history) else rows
            self.forms += forms
            self._save()
            if progress is not None:
                progress(len(self.history), budget, rows)
        return self.history

    def _refit(self, batch: int) -> None:
        cfg = self.config
        if self.surrogate is None or cfg.strategy == "no_finetune" or batch == 0:
            return
        upto = batch - batch % cfg.refit_every  # rows of batches < upto: the same after a resume
        if upto == 0 or self._fitted_upto == upto:
            return
        h = self.history[self.history["batch"] < upto]
        forms = self.forms[: len(h)]
        model_mean = np.column_stack([h[f"model_{t}"].to_numpy(float) for t in COLUMNS])
        model_sigma = np.column_stack([h[f"model_{t}_sigma"].to_numpy(float) for t in COLUMNS])
        sim = np.log10(np.column_stack([h[f"sim_{t}"].to_numpy(float) for t in COLUMNS]).clip(1e-300))
        self.surrogate.fit(forms, model_mean, model_sigma, sim, h["prints"].to_numpy(bool))
        self._fitted_upto = upto

    def _seen(self) -> set[str]:
        return set(self.history["key"]) if len(self.history) else set()

    def _propose(self, batch: int, n: int) -> tuple[list[Formulation], dict[str, Any]]:
        import optuna

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        seed = int(np.random.SeedSequence([self.spec.seed, batch]).generate_state(1)[0])
        seen = self._seen()
        if self.config.strategy == "random":
            study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=seed))
            forms, params = [], []
            for _ in range(50 * n):
                if len(forms) == n:
                    break
                trial = study.ask()
                form = self.space.suggest(trial, self._name(batch, len(forms)))
                key = key_of(formulation_to_row(form))
                study.tell(trial, 0.0)
                if key not in seen:
                    seen.add(key)
                    forms.append(form)
                    params.append(trial.params)
            return forms, {"params": params}
        return self._propose_model(batch, n, seed, seen)

    def _name(self, batch: int, i: int) -> str:
        return f"{self.spec.name}-b{batch:03d}-{i:02d}"

    def _propose_model(self, batch: int, n: int, seed: int, seen: set[str]) -> tuple[list[Formulation], dict[str, Any]]:
        import optuna

        cfg, spec = self.config, self.spec
        sampler = optuna.samplers.NSGAIISampler(population_size=cfg.population, seed=seed)
        study = optuna.create_study(directions=["minimize"] * len(spec.objectives), sampler=sampler)
        Y, ok = verified(spec, self.history)
        if ok.any():  # warm start from the verified feasible set (its best rows first)
            order = np.argsort(Y[ok].sum(axis=1))[: cfg.population // 2]
            for p in self.history.loc[ok, "params"].iloc[order]:
                study.enqueue_trial(json.loads(p), skip_if_exists=True)
        cands: dict[str, tuple[Formulation, dict, np.ndarray, np.ndarray, np.ndarray]] = {}
        for _ in range(cfg.generations):
            trials = [study.ask() for _ in range(cfg.population)]
            forms = [self.space.suggest(t, "candidate") for t in trials]
            out = self.surrogate(forms)
            sigma = np.abs(minimisation_form(spec, out.sigma))
            acq = minimisation_form(spec, out.mean) - cfg.effective_kappa * sigma  # optimistic bound
            viol = violations(spec, out.mean, out.p_prints)
            for i, (trial, form) in enumerate(zip(trials, forms, strict=True)):
                for j, v in enumerate(viol[i]):  # constraint dominance: feasible when every value <= 0
                    trial.set_constraint(f"c{j}", float(v))
                study.tell(trial, [float(v) for v in acq[i]])
                key = key_of(formulation_to_row(form))
                if key not in seen and key not in cands:
                    cands[key] = (form, trial.params, acq[i], minimisation_form(spec, out.mean[i:i + 1])[0],
                                  viol[i])
        picks = self._select(list(cands.values()), Y[ok], n)
        forms = [Formulation.model_construct(name=self._name(batch, i), components=c[0].components,
                                             process=c[0].process) for i, c in enumerate(picks)]
        return forms, {"params": [c[1] for c in picks]}

    def _select(self, cands: list, front: np.ndarray, n: int) -> list:
        """Greedy (lazy) hypervolume improvement with a kriging believer; infeasible ones last."""
        ref = reference_min(self.spec)
        total_viol = np.array([np.clip(c[4], 0, None).sum() for c in cands])
        feasible = [i for i in range(len(cands)) if total_viol[i] <= 0]
        picks: list[int] = []
        believed = list(front)
        heap = [(-improvement(cands[i][2], np.array(believed), ref), i) for i in feasible]
        heapq.heapify(heap)
        while heap and len(picks) < n:
            _, i = heapq.heappop(heap)
            gain = improvement(cands[i][2], np.array(believed).reshape(-1, len(ref)), ref)
            if heap and gain < -heap[0][0] - 1e-12:
                heapq.heappush(heap, (-gain, i))  # stale bound: re-queue with its true gain
                continue
            if gain <= 0:
                heapq.heappush(heap, (0.0, i))
                break
            picks.append(i)
            believed.append(cands[i][3])
        rest = [i for i in feasible if i not in picks]
        # no hypervolume gain left: closest to the front (additive epsilon), then least violating
        rest.sort(key=lambda i: (_epsilon(cands[i][2], np.array(believed).reshape(-1, len(ref)), ref), i))
        rest += sorted((i for i in range(len(cands)) if total_viol[i] > 0), key=lambda i: (total_viol[i], i))
        picks += rest[: n - len(picks)]
        return [cands[i] for i in picks]

    # ---- rows --------------------------------------------------------------------------
    def _rows(self, batch: int, forms: list[Formulation], extra: dict[str, Any], sim: pd.DataFrame) -> pd.DataFrame:
        spec = self.spec
        flat = pd.DataFrame([formulation_to_row(f) for f in forms])
        rows = pd.DataFrame({"call": np.arange(len(self.history), len(self.history) + len(forms)),
                             "batch": batch, "strategy": self.config.strategy})
        rows["key"] = [key_of(formulation_to_row(f)) for f in forms]
        rows["params"] = [json.dumps(p, sort_keys=True) for p in extra["params"]]
        if self.surrogate is not None:
            out = self.surrogate(forms)
            notes = [self.surrogate.predictor.domain_check.notes(f) for f in forms]
            for j, t in enumerate(COLUMNS):
                rows[f"model_{t}"], rows[f"model_{t}_sigma"] = out.model_mean[:, j], out.model_sigma[:, j]
                rows[f"pred_{t}"] = 10.0 ** out.mean[:, j]
                rows[f"pred_{t}_std"] = math.log(10.0) * rows[f"pred_{t}"] * out.sigma[:, j]
            rows["p_prints"] = out.p_prints
            rows["in_domain"] = [not n for n in notes]
        else:
            for t in COLUMNS:
                rows[f"model_{t}"] = rows[f"model_{t}_sigma"] = rows[f"pred_{t}"] = rows[f"pred_{t}_std"] = np.nan
            rows["p_prints"], rows["in_domain"] = np.nan, None
        for t in COLUMNS:
            rows[f"sim_{t}"] = sim[t].to_numpy(float)
        rows["sim_status"] = sim["status"].astype(str).to_numpy()
        rows["prints"] = rows["sim_status"] == "ok"
        logs = np.log10(np.column_stack([rows[f"sim_{t}"].to_numpy(float) for t in COLUMNS]).clip(1e-300))
        viol = violations(spec, logs, rows["prints"].to_numpy(float))
        rows["feasible"] = rows["prints"].to_numpy() & np.all(viol <= 0, axis=1)
        return pd.concat([rows, flat], axis=1)


NOT_FLAT = ("call", "batch", "strategy", "key", "params", "model_", "pred_", "sim_", "p_prints",
             "in_domain", "prints", "feasible")
"""Prefixes of history columns that are not the flat table form of the formulation."""


def _present(value: Any) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def _epsilon(y: np.ndarray, front: np.ndarray, ref: np.ndarray) -> float:
    """Smallest shift that makes ``y`` non-dominated and inside ``ref``."""
    shift = float(np.max(y - ref))
    if len(front):
        shift = max(shift, float(np.min(np.max(y - front, axis=1))))
    return shift
