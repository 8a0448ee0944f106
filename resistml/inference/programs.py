"""The exported programs of a model artifact: entry-point wrappers, example batch, padding.

``torch.export`` traces ``encode_molecules`` and ``predict_formulations`` (or, for a model with an
outcome head, ``predict_outcomes``: mean, variance and outcome logits) as two programs with
dynamic sizes; every exported dimension must be >= 2, so the loader pads small batches
(:func:`_pad_graphs`, :func:`_pad_formulations`) without changing the real rows' outputs.
Used by :mod:`resistml.inference.export`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import torch
from torch import Tensor, nn

from resistml.chem import graphs
from resistml.features import collate


class EncodeEntry(nn.Module):
    """``encode_molecules`` as a forward; ``graph_ids`` [U] carries the molecule count as a shape."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model

    def forward(self, x: Tensor, edge_index: Tensor, edge_attr: Tensor, batch: Tensor, graph_ids: Tensor) -> Tensor:
        return self.model.encode_molecules(x, edge_index, edge_attr, batch, graph_ids.shape[0])


class PredictEntry(nn.Module):
    """``predict_formulations`` as a forward; ``predict_outcomes`` (adds the logits) with an outcome head."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model

    def forward(
        self,
        mol_emb: Tensor,
        struct_index: Tensor,
        struct_weight: Tensor,
        struct_slot: Tensor,
        roles: Tensor,
        amounts: Tensor,
        mask: Tensor,
        process: Tensor,
    ) -> tuple[Tensor, ...]:
        if has_outcomes(self.model):
            return self.model.predict_outcomes(
                mol_emb, struct_index, struct_weight, struct_slot, roles, amounts, mask, process
            )
        return self.model.predict_formulations(
            mol_emb, struct_index, struct_weight, struct_slot, roles, amounts, mask, process
        )


def has_outcomes(model: nn.Module) -> bool:
    """Whether an eager model has an outcome head."""
    return int(getattr(model, "num_outcomes", 0) or 0) > 0


def example_batch(physics: bool | Sequence[str] = False, n: int = 3) -> collate.FormulationBatch:
    """A small collated batch of catalog-free formulations (the export example)."""
    from resistml.formulation import Formulation

    gens = ["c1ccc(cc1)[S+](c1ccccc1)c1ccccc1.[O-]S(=O)(=O)C(F)(F)F", "c1ccc(cc1)[I+]c1ccccc1.[O-]S(=O)(=O)C(F)(F)F"]
    units = [{"smiles": "[*]CC([*])c1ccc(O)cc1", "fraction": 0.8}, {"smiles": "[*]CC([*])c1ccccc1", "fraction": 0.2}]
    forms = []
    for i in range(n):
        comps = [
            {"role": "acid_generator", "smiles": gens[i % 2], "parts": 2.0 + i},
            {"role": "resin", "repeat_units": units, "mw": 8000 + 1000 * i, "pdi": 1.3, "parts": 100},
            {"role": "crosslinker", "smiles": "COCN(COC)c1nc(N(COC)COC)nc(N(COC)COC)n1", "parts": 10},
        ]
        if i % 2:
            comps.append({"role": "base", "smiles": "CCCCCCCCN(CCCCCCCC)CCCCCCCC", "parts": 0.3})
        forms.append(Formulation.from_dict({"name": f"example{i}", "components": comps}))
    if isinstance(physics, bool):
        return collate.collate_formulations(forms, physics=physics)
    fb = collate.collate_formulations(forms, physics=True)
    select = collate.column_selection(physics)
    return fb if select is None else replace(fb, process=fb.process[:, select])


def _encode_args(fb: collate.FormulationBatch) -> tuple[Tensor, ...]:
    g = fb.graphs
    return g.x, g.edge_index, g.edge_attr, g.batch, torch.arange(int(g.num_graphs))


def _predict_args(fb: collate.FormulationBatch, emb: Tensor) -> tuple[Tensor, ...]:
    return (emb, fb.struct_index, fb.struct_weight, fb.struct_slot, fb.roles, fb.amounts, fb.mask, fb.process)


def _export_programs(model: nn.Module, fb: collate.FormulationBatch) -> dict[str, Any]:
    dim = torch.export.Dim
    nodes, edges, mols = dim("nodes", min=2), dim("edges", min=2), dim("molecules", min=2)
    b, k, m = dim("formulations", min=2), dim("slots", min=2, max=64), dim("structures", min=2)
    encode = torch.export.export(
        EncodeEntry(model),
        _encode_args(fb),
        dynamic_shapes=({0: nodes}, {1: edges}, {0: edges}, {0: nodes}, {0: mols}),
        strict=False,
    )
    with torch.no_grad():
        emb = model.encode_molecules(*_encode_args(fb)[:4], int(fb.graphs.num_graphs))
    predict = torch.export.export(
        PredictEntry(model),
        _predict_args(fb, emb),
        dynamic_shapes=({0: mols}, {0: m}, {0: m}, {0: m}, {0: b, 1: k}, {0: b, 1: k}, {0: b, 1: k}, {0: b}),
        strict=False,
    )
    return {"encode": encode, "predict": predict}


# ---- padding for the exported programs' size floor ------------------------------------------
def _pad_graphs(
    x: Tensor, edge_index: Tensor, edge_attr: Tensor, batch: Tensor, num_graphs: int
) -> tuple[Tensor, ...]:
    """Append one ethane graph so every exported dimension is >= 2 (the export's size floor)."""
    pad = graphs.mol_graph("CC")
    n = x.shape[0]
    return (
        torch.cat([x, pad.x]),
        torch.cat([edge_index, pad.edge_index + n], dim=1),
        torch.cat([edge_attr, pad.edge_attr]),
        torch.cat([batch, torch.full((pad.x.shape[0],), num_graphs, dtype=batch.dtype)]),
        torch.arange(num_graphs + 1),
    )


def _pad_formulations(
    emb: Tensor, index: Tensor, weight: Tensor, slot: Tensor, roles: Tensor, amounts: Tensor, mask: Tensor, process: Tensor
) -> tuple[Tensor, ...]:
    """Pad to >= 2 molecules, structures, formulations and slots without changing real outputs."""
    b, k = roles.shape
    if k < 2:
        slot = (slot // k) * 2 + slot % k
        roles = torch.cat([roles, torch.zeros_like(roles[:, :1])], dim=1)
        amounts = torch.cat([amounts, torch.zeros_like(amounts[:, :1])], dim=1)
        mask = torch.cat([mask, torch.zeros_like(mask[:, :1])], dim=1)
        k = 2
    if b < 2:
        index, weight, slot = torch.cat([index, index]), torch.cat([weight, weight]), torch.cat([slot, slot + k])
        roles, amounts, mask, process = (torch.cat([t, t]) for t in (roles, amounts, mask, process))
    if emb.shape[0] < 2:
        emb = torch.cat([emb, torch.zeros_like(emb)])
    if index.shape[0] < 2:
        index, weight, slot = (torch.cat([t, torch.zeros_like(t[:1])]) for t in (index, weight, slot))
    return emb, index, weight, slot, roles, amounts, mask, process
