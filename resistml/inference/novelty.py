"""Molecules far from the training molecules in the model's own embedding space.

Ranges and element lists cannot tell a new acid generator that resembles the trained ones from
one that does not. The model can: its molecule encoder places each structure in an embedding
space, and a structure whose nearest training structure (same role) is farther than almost all
training structures are from *their* nearest neighbour is outside the data the model learned
from (a distance-to-training-set applicability domain; Sheridan et al., J. Chem. Inf. Comput.
Sci. 44, 1912 (2004), here in the learned representation rather than in fingerprints).

:func:`embedding_summary` runs at export: per role, the ``quantile`` of the leave-one-out
nearest-neighbour Euclidean distances of the training molecules (``domain["molecules"]``) is
stored as ``domain["embedding"]["threshold"][role]``. :class:`NoveltyChecker` embeds the training
molecules once (through the loaded artifact) and flags structures beyond the threshold.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

import torch
from torch import Tensor

from resistml.chem.smiles import canonical_smiles
from resistml.features.collate import graph_batch
from resistml.formulation import Formulation

NOVELTY_QUANTILE = 0.99
"""Quantile of the training molecules' nearest-neighbour distances used as the threshold."""
EMBED_CHUNK = 256

Embed = Callable[[Sequence[str]], Tensor]
"""Canonical SMILES -> embeddings [U, H]."""


def encoder_embed(encode: Callable[..., Tensor]) -> Embed:
    """An :data:`Embed` from an ``encode_molecules`` entry point (eager model or artifact)."""

    @torch.no_grad()
    def embed(smiles: Sequence[str]) -> Tensor:
        out = []
        for start in range(0, len(smiles), EMBED_CHUNK):
            chunk = list(smiles[start:start + EMBED_CHUNK])
            g = graph_batch(chunk)
            out.append(encode(g.x, g.edge_index, g.edge_attr, g.batch, len(chunk)))
        return torch.cat(out) if out else torch.zeros(0, 0)

    return embed


def nearest_distances(train: Tensor, query: Tensor | None = None) -> Tensor:
    """Distance of each query row to its nearest training row (leave-one-out when query is None)."""
    if query is None:
        d = torch.cdist(train.double(), train.double())
        d.fill_diagonal_(float("inf"))
    else:
        d = torch.cdist(query.double(), train.double())
    return d.min(dim=1).values


def embedding_summary(embed: Embed, molecules: dict[str, list[str]], quantile: float = NOVELTY_QUANTILE
                      ) -> dict[str, Any]:
    """Per-role novelty thresholds (see module docstring); roles with < 3 molecules get none."""
    thresholds = {}
    for role, smiles in sorted(molecules.items()):
        if len(smiles) < 3:
            continue
        nn = nearest_distances(embed(list(smiles)))
        thresholds[role] = float(torch.quantile(nn[torch.isfinite(nn)], quantile))
    return {"metric": "euclidean", "quantile": quantile, "threshold": thresholds}


class NoveltyChecker:
    """Flags component structures whose nearest same-role training molecule is beyond the threshold."""

    CACHE_LIMIT = 100_000

    def __init__(self, domain: dict[str, Any], embed: Embed):
        summary = domain.get("embedding") or {}
        self.thresholds: dict[str, float] = dict(summary.get("threshold") or {})
        self.quantile = float(summary.get("quantile", NOVELTY_QUANTILE))
        self.molecules: dict[str, list[str]] = {r: list(m) for r, m in (domain.get("molecules") or {}).items()
                                                if r in self.thresholds}
        self.embed = embed
        self._train: dict[str, Tensor] = {}
        self._distance: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()

    @property
    def active(self) -> bool:
        """Whether the artifact stored what this check needs (older artifacts did not)."""
        return bool(self.thresholds)

    def _training(self, role: str) -> Tensor:
        with self._lock:
            if role not in self._train:
                self._train[role] = self.embed(self.molecules[role])
            return self._train[role]

    def distance(self, role: str, smiles: str) -> float:
        """Distance of one canonical structure to its nearest training molecule of the role."""
        key = (role, smiles)
        if key not in self._distance:
            if len(self._distance) >= self.CACHE_LIMIT:
                self._distance.clear()
            self._distance[key] = float(nearest_distances(self._training(role), self.embed([smiles]))[0])
        return self._distance[key]

    def notes(self, formulation: Formulation) -> list[str]:
        """One note per component structure outside the embedding domain of its role."""
        if not self.active:
            return []
        notes = []
        for comp in formulation.components:
            role = comp.role.value
            limit = self.thresholds.get(role)
            if limit is None:
                continue
            for smiles in comp.structures():
                d = self.distance(role, canonical_smiles(smiles))
                if d > limit:
                    notes.append(f"molecule: {comp.label} ({role}) is far from the training molecules in the "
                                 f"model's embedding space (nearest-neighbour distance {d:.3g} > {limit:.3g}, "
                                 f"the {self.quantile:g} quantile of the training molecules)")
        return notes

