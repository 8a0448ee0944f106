"""Predictor: an exported model plus featuriser, embedding cache and applicability-domain flags.

The molecule encoder runs once per unique structure; its embeddings are kept in an LRU cache
keyed by (canonical SMILES, model version), so a library of a million formulations over a few
hundred molecules costs a million Set-Transformer passes and a few hundred GNN passes.
Targets named ``log10_<q>`` are returned as ``q`` in its unit (the median 10^mu) with a 1-sigma
from first-order propagation, ``std = ln(10) * q * sigma_log10``, plus the asymmetric 1-sigma
band ``10^(mu -/+ sigma)``; other targets are returned as predicted.

Models with an outcome head (metadata ``outcomes``) also give ``p_prints``, the probability that
the formulation prints at all, and ``status``, the most likely outcome class
(``resistml.targets.OUTCOMES``); for older artifacts both are unknown (NaN / None) and
:attr:`Predictor.outcome_note` says why. Property values of a formulation that does not print
describe what the model extrapolates, not a measurement the simulator would make.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from resistml.features.collate import PHYSICS_FEATURES, column_selection, graph_batch, index_batch
from resistml.formulation import Formulation, FormulationError
from resistml.formulation.table import RowValidator
from resistml.inference.domain import DomainChecker
from resistml.inference.export import Artifact, load_artifact
from resistml.inference.novelty import NoveltyChecker
from resistml.targets import DOSE_UNITS, PRINTS, column_of, unit_for

NO_OUTCOME_NOTE = ("this model has no outcome head (exported before outcomes were trained): p_prints and "
                   "status are unknown; re-train to get them")
SIGMA_LIMIT_LOG10 = 0.3
"""Predicted sigma of a log10 target above which the answer is flagged (a factor of 2 at 1 sigma)."""


def output_name(target: str) -> str:
    """User-facing column of a model target: ``log10_resolution_nm`` -> ``resolution_nm``."""
    return column_of(target)


class EmbeddingCache:
    """Thread-safe LRU map (canonical SMILES, model version) -> embedding tensor [H]."""

    def __init__(self, maxsize: int = 100_000):
        self.maxsize = maxsize
        self._data: OrderedDict[tuple[str, str], torch.Tensor] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: tuple[str, str]) -> torch.Tensor | None:
        with self._lock:
            value = self._data.get(key)
            if value is None:
                self.misses += 1
                return None
            self._data.move_to_end(key)
            self.hits += 1
            return value

    def put(self, key: tuple[str, str], value: torch.Tensor) -> None:
        if self.maxsize <= 0:
            return
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.maxsize:
                self._data.popitem(last=False)

    def __len__(self) -> int:
        return len(self._data)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self.hits = self.misses = 0


@dataclass
class Prediction:
    """One formulation's predicted properties (values in their units, 1-sigma, domain flags)."""

    name: str
    dose_unit: str
    values: dict[str, float]
    std: dict[str, float]
    low: dict[str, float]
    high: dict[str, float]
    units: dict[str, str]
    in_domain: bool
    domain_notes: list[str] = field(default_factory=list)
    p_prints: float = float("nan")
    status: str | None = None
    outcome_probabilities: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (per target: value, std, 1-sigma band, unit)."""
        targets = {
            t: {"value": v, "std": self.std[t], "low": self.low[t], "high": self.high[t], "unit": self.units[t]}
            for t, v in self.values.items()
        }
        return {
            "name": self.name,
            "targets": targets,
            "dose_unit": self.dose_unit,
            "p_prints": None if math.isnan(self.p_prints) else self.p_prints,
            "status": self.status,
            "outcome_probabilities": self.outcome_probabilities,
            "in_domain": self.in_domain,
            "domain_notes": self.domain_notes,
        }


class Predictor:
    """Loads an artifact once and predicts formulations in batches (see module docstring)."""

    def __init__(self, artifact: Artifact, *, cache_size: int = 100_000, batch_size: int = 2048):
        self.artifact = artifact
        self.metadata = artifact.metadata
        self.targets: list[str] = list(self.metadata["targets"])
        self.outputs = [output_name(t) for t in self.targets]
        process_names = self.metadata["featurizer"]["process_features"]
        self.physics = PHYSICS_FEATURES[0] in process_names
        self.process_select = column_selection(process_names) if self.physics else None
        self.outcomes: list[str] = list(self.metadata.get("outcomes") or [])
        if self.outcomes and artifact.outcomes is None:
            self.outcomes = []
        self.outcome_note: str | None = None if self.outcomes else NO_OUTCOME_NOTE
        self.domain: dict[str, Any] = self.metadata.get("domain") or {}
        self.domain_check = DomainChecker(self.domain)
        self.novelty = NoveltyChecker(self.domain, lambda smiles: self._embeddings(list(smiles)))
        self.sigma_limit = float(self.metadata.get("sigma_limit_log10", SIGMA_LIMIT_LOG10))
        self.cache = EmbeddingCache(cache_size)
        self.batch_size = batch_size
        self.rows = RowValidator()

    @classmethod
    def load(cls, path: str | Path, format: str = "torchscript", **kwargs: Any) -> Predictor:
        """Verify and load the artifact at ``path`` (raises ``ArtifactError``)."""
        return cls(load_artifact(path, format), **kwargs)

    @property
    def version(self) -> str:
        return self.artifact.version

    # ---- tensors ---------------------------------------------------------------------------
    def _embeddings(self, smiles: list[str]) -> torch.Tensor:
        """Embeddings [U, H] of canonical SMILES, encoding only those not in the cache."""
        keys = [(s, self.version) for s in smiles]
        found = [self.cache.get(k) for k in keys]
        missing = [u for u, e in enumerate(found) if e is None]
        if missing:
            g = graph_batch([smiles[u] for u in missing])
            new = self.artifact.encode(g.x, g.edge_index, g.edge_attr, g.batch, len(missing))
            for j, u in enumerate(missing):
                found[u] = new[j].clone()
                self.cache.put(keys[u], found[u])
        return torch.stack(found)

    @torch.no_grad()
    def predict_all(self, formulations: Sequence[Formulation]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Model-space means and 1-sigma [B, T] and outcome probabilities [B, O] (O = 0 without a head)."""
        means, sigmas, probs = [], [], []
        for start in range(0, len(formulations), self.batch_size):
            batch = index_batch(formulations[start : start + self.batch_size], physics=self.physics,
                                select=self.process_select)
            args = batch.tensors(self._embeddings(batch.smiles))
            if self.outcomes:
                mean, var, logits = self.artifact.outcomes(*args)
                probs.append(torch.softmax(logits.double(), dim=1).numpy())
            else:
                mean, var = self.artifact.predict(*args)
                probs.append(np.zeros((mean.shape[0], 0)))
            means.append(mean.numpy())
            sigmas.append(var.clamp(min=0).sqrt().numpy())
        if not means:
            t = len(self.targets)
            return np.zeros((0, t)), np.zeros((0, t)), np.zeros((0, len(self.outcomes)))
        return np.concatenate(means), np.concatenate(sigmas), np.concatenate(probs)

    def predict_raw(self, formulations: Sequence[Formulation]) -> tuple[np.ndarray, np.ndarray]:
        """Model-space means and 1-sigma [B, T] (``self.targets`` order) for valid formulations."""
        mean, sigma, _ = self.predict_all(formulations)
        return mean, sigma

    def outcome_columns(self, probs: np.ndarray) -> dict[str, np.ndarray]:
        """``p_prints`` (NaN without an outcome head) and ``status`` (most likely class, None without)."""
        n = probs.shape[0]
        if not self.outcomes:
            return {"p_prints": np.full(n, np.nan), "status": np.full(n, None, dtype=object)}
        names = np.asarray(self.outcomes, dtype=object)
        return {"p_prints": probs[:, self.outcomes.index(PRINTS)], "status": names[probs.argmax(axis=1)]}

    # ---- user-facing values ----------------------------------------------------------------
    def to_units(self, mean: np.ndarray, sigma: np.ndarray) -> dict[str, np.ndarray]:
        """Columns ``<out>``, ``<out>_std``, ``<out>_low``, ``<out>_high`` from model space."""
        cols: dict[str, np.ndarray] = {}
        for j, (target, out) in enumerate(zip(self.targets, self.outputs, strict=True)):
            mu, s = mean[:, j].astype(np.float64), sigma[:, j].astype(np.float64)
            if target.startswith("log10_"):
                value = 10.0**mu
                cols[out], cols[f"{out}_std"] = value, math.log(10.0) * value * s
                cols[f"{out}_low"], cols[f"{out}_high"] = 10.0 ** (mu - s), 10.0 ** (mu + s)
            else:
                cols[out], cols[f"{out}_std"], cols[f"{out}_low"], cols[f"{out}_high"] = mu, s, mu - s, mu + s
        return cols

    def notes(self, formulation: Formulation, sigma_row: np.ndarray) -> list[str]:
        """Domain notes (rules, embedding distance) plus large-uncertainty notes for one formulation."""
        notes = self.domain_check.notes(formulation) + self.novelty.notes(formulation)
        for target, out, s in zip(self.targets, self.outputs, sigma_row, strict=True):
            if target.startswith("log10_") and s > self.sigma_limit:
                notes.append(f"large uncertainty: {out} 1-sigma is a factor {10**s:.2g} (limit {10**self.sigma_limit:.2g})")
        return notes

    def predict(self, formulations: Sequence[Formulation]) -> list[Prediction]:
        """Predictions for validated formulations, in order."""
        mean, sigma, probs = self.predict_all(formulations)
        cols = self.to_units(mean, sigma)
        outcome = self.outcome_columns(probs)
        out = []
        for i, form in enumerate(formulations):
            dose = DOSE_UNITS[form.process.radiation]
            units = {o: unit_for(o, form.process.radiation) for o in self.outputs}
            notes = self.notes(form, sigma[i])
            pick = {suffix: {o: float(cols[f"{o}{suffix}"][i]) for o in self.outputs} for suffix in ("", "_std", "_low", "_high")}
            out.append(Prediction(form.name, dose, pick[""], pick["_std"], pick["_low"], pick["_high"], units, not notes, notes,
                                  float(outcome["p_prints"][i]), outcome["status"][i],
                                  {o: float(probs[i, j]) for j, o in enumerate(self.outcomes)}))
        return out

    def predict_dicts(self, docs: Sequence[dict[str, Any]]) -> list[Prediction]:
        """Validate plain mappings (file format) and predict; raises FormulationError."""
        forms, errors = [], []
        for i, doc in enumerate(docs):
            try:
                forms.append(Formulation.from_dict(doc))
            except FormulationError as exc:
                errors += [f"formulations[{i}].{e}" for e in exc.errors]
        if errors:
            raise FormulationError(errors)
        return self.predict(forms)


def predict_table(
    predictor: Predictor, table: pd.DataFrame | Any, id_columns: Sequence[str] = ("name",)
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Predict every valid row of a pandas or Arrow batch; return (predictions, errors).

    Predictions start with ``row`` (the frame index) and the ``id_columns`` present, then per
    target the value and ``<target>_std``, then ``dose_unit``, ``p_prints``, ``status``,
    ``in_domain``, ``domain_notes``.
    Errors hold ``row`` and ``error`` (every field problem, joined by ``; ``). Rows are validated
    with :class:`resistml.formulation.table.RowValidator` (the same results as ``table.iter_frame``).
    """
    frame = table if isinstance(table, pd.DataFrame) else table.to_pandas()
    rows, forms, errors = [], [], []
    for index, item in predictor.rows.iter_frame(frame):
        if isinstance(item, FormulationError):
            errors.append({"row": index, "error": "; ".join(item.errors)})
        else:
            rows.append(index)
            forms.append(item)
    return _result_frame(predictor, frame, rows, forms, id_columns), pd.DataFrame(errors, columns=["row", "error"])


def _result_frame(
    predictor: Predictor, frame: pd.DataFrame, rows: list[Any], forms: list[Formulation], id_columns: Sequence[str]
) -> pd.DataFrame:
    mean, sigma, probs = predictor.predict_all(forms)
    cols = predictor.to_units(mean, sigma)
    ids = [c for c in id_columns if c in frame.columns]
    out = frame.loc[rows, ids].reset_index(drop=True)
    out.insert(0, "row", np.asarray(rows, dtype=np.int64))
    for o in predictor.outputs:
        out[o], out[f"{o}_std"] = cols[o], cols[f"{o}_std"]
    out["dose_unit"] = [DOSE_UNITS[f.process.radiation] for f in forms]
    for key, values in predictor.outcome_columns(probs).items():
        out[key] = values
    notes = [predictor.notes(f, sigma[i]) for i, f in enumerate(forms)]
    out["in_domain"] = [not n for n in notes]
    out["domain_notes"] = ["; ".join(n) for n in notes]
    return out
