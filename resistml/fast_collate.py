"""Model index tensors without molecule graphs, for serving with an embedding cache.

:func:`resistml.chem.collate.collate_formulations` always builds the PyG graph batch of every
unique structure. When the embeddings are cached only the index, role, amount and process
tensors are needed, and graphs only for the structures the cache lacks. This module builds the
same tensors with the same per-component features (it calls collate's own feature functions)
in the same unique-structure order, filling NumPy arrays once per batch instead of one small
tensor per formulation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch_geometric.data import Batch

from resistml.chem import collate
from resistml.chem.graphs import mol_graph
from resistml.chem.smiles import canonical_smiles
from resistml.formulation import Formulation


@dataclass
class IndexBatch:
    """Everything ``predict_formulations`` needs except the embeddings (see FormulationBatch)."""

    smiles: list[str]
    """Canonical SMILES of the U unique structures, in embedding order."""
    struct_index: torch.Tensor
    struct_weight: torch.Tensor
    struct_slot: torch.Tensor
    roles: torch.Tensor
    amounts: torch.Tensor
    mask: torch.Tensor
    process: torch.Tensor

    def tensors(self, embeddings: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """Positional arguments of ``predict_formulations``."""
        return (embeddings, self.struct_index, self.struct_weight, self.struct_slot, self.roles, self.amounts,
                self.mask, self.process)


def index_batch(formulations: Sequence[Formulation], physics: bool = False) -> IndexBatch:
    """Index tensors of ``formulations`` (non-empty), identical to ``collate_formulations``'."""
    b = len(formulations)
    k = max(len(f.components) for f in formulations)
    index_of: dict[str, int] = {}
    s_index: list[int] = []
    s_weight: list[float] = []
    s_slot: list[int] = []
    roles = np.zeros((b, k), dtype=np.int64)
    amounts = np.zeros((b, k, len(collate.AMOUNT_FEATURES)), dtype=np.float32)
    process = []
    for i, form in enumerate(formulations):
        for c, (comp, structs) in enumerate(zip(form.components, collate.structure_weights(form), strict=True)):
            roles[i, c] = collate.ROLE_IDS[comp.role]
            for smiles, weight in structs:
                s_index.append(index_of.setdefault(canonical_smiles(smiles), len(index_of)))
                s_weight.append(weight)
                s_slot.append(i * k + c)
        amounts[i, : len(form.components)] = collate.amount_features(form)
        process.append(collate.process_features(form.process) + (_physics(form) if physics else []))
    roles_t = torch.from_numpy(roles)
    return IndexBatch(
        smiles=list(index_of),
        struct_index=torch.tensor(s_index, dtype=torch.long),
        struct_weight=torch.tensor(s_weight, dtype=torch.float32),
        struct_slot=torch.tensor(s_slot, dtype=torch.long),
        roles=roles_t,
        amounts=torch.from_numpy(amounts),
        mask=roles_t > 0,
        process=torch.tensor(process, dtype=torch.float32),
    )


_PHYSICS_CACHE: dict[tuple, tuple[tuple, list[float]]] = {}
PHYSICS_CACHE_LIMIT = 100_000


def _physics(form: Formulation) -> list[float]:
    """``collate.physics_features``, memoised on what it reads: the components and the beam.

    Keyed on the component *objects* (:class:`resistml.fast_rows.RowValidator` hands out one
    object per distinct component); the entry keeps them alive, so their ids cannot be reused.
    """
    comps = form.components
    key = (form.process.radiation, form.process.beam_energy_keV, tuple(map(id, comps)))
    hit = _PHYSICS_CACHE.get(key)
    if hit is not None and all(a is b for a, b in zip(hit[0], comps, strict=True)):
        return hit[1]
    if len(_PHYSICS_CACHE) >= PHYSICS_CACHE_LIMIT:
        _PHYSICS_CACHE.clear()
    value = collate.physics_features(form)
    _PHYSICS_CACHE[key] = (tuple(comps), value)
    return value


def graph_batch(smiles: Sequence[str]) -> Batch:
    """PyG batch of the given (canonical) SMILES, for encoding the molecules a cache lacks."""
    return Batch.from_data_list([mol_graph(s) for s in smiles])
