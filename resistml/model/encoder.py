"""Molecule encoder: a GINE message-passing network with bond features, pooled per molecule.

Written with plain ``index_add_`` scatter operations (no PyG ``MessagePassing``) so the encoder
scripts with ``torch.jit.script`` and traces with ``torch.export``; ``GINELayer`` computes the same
function as ``torch_geometric.nn.GINEConv(nn, train_eps=True, edge_dim=...)`` (tested).
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

SUM_POOL_SCALE = 0.1
"""Sum pooling is reported per 10 atoms so that it stays O(1) for resist-sized molecules."""


def _mlp(d_in: int, d_hidden: int, d_out: int) -> nn.Sequential:
    return nn.Sequential(nn.Linear(d_in, d_hidden), nn.ReLU(), nn.Linear(d_hidden, d_out))


class GINELayer(nn.Module):
    """GINE convolution (Hu et al., "Strategies for Pre-training GNNs", ICLR 2020).

    h_i' = MLP((1 + eps) h_i + sum_{j in N(i)} ReLU(h_j + W_e e_ji)); ``edge_index[0]`` holds the
    source j and ``edge_index[1]`` the target i of each directed edge.
    """

    def __init__(self, hidden: int, edge_dim: int):
        super().__init__()
        self.edge = nn.Linear(edge_dim, hidden)
        self.mlp = _mlp(hidden, hidden, hidden)
        self.eps = nn.Parameter(torch.zeros(1))

    def forward(self, h: Tensor, edge_index: Tensor, edge_attr: Tensor) -> Tensor:
        message = torch.relu(h.index_select(0, edge_index[0]) + self.edge(edge_attr))
        aggregated = torch.zeros_like(h).index_add_(0, edge_index[1], message)
        return self.mlp((1.0 + self.eps) * h + aggregated)


class GINEBlock(nn.Module):
    """Pre-norm residual block around a GINE layer: h + Dropout(GINE(LN(h)))."""

    def __init__(self, hidden: int, edge_dim: int, dropout: float):
        super().__init__()
        self.norm = nn.LayerNorm(hidden)
        self.conv = GINELayer(hidden, edge_dim)
        self.dropout = nn.Dropout(dropout)

    def forward(self, h: Tensor, edge_index: Tensor, edge_attr: Tensor) -> Tensor:
        return h + self.dropout(self.conv(self.norm(h), edge_index, edge_attr))


class MoleculeEncoder(nn.Module):
    """Atom and bond features -> one embedding per molecule (mean and scaled sum pooling).

    Mean pooling describes the chemistry per atom; the sum keeps molecular size, which a resist
    model needs because amounts are given by weight while chemistry acts per mole.
    """

    def __init__(
        self, atom_dim: int, bond_dim: int, hidden: int = 128, layers: int = 4, dropout: float = 0.0
    ):
        super().__init__()
        if layers < 1:
            raise ValueError(f"layers: need at least 1 message-passing layer, got {layers}")
        self.atom_in = nn.Linear(atom_dim, hidden)
        self.blocks = nn.ModuleList([GINEBlock(hidden, bond_dim, dropout) for _ in range(layers)])
        self.norm = nn.LayerNorm(hidden)
        self.readout = _mlp(2 * hidden, hidden, hidden)
        self.sum_scale = SUM_POOL_SCALE

    def forward(
        self, x: Tensor, edge_index: Tensor, edge_attr: Tensor, batch: Tensor, num_graphs: int
    ) -> Tensor:
        h = self.atom_in(x)
        for block in self.blocks:
            h = block(h, edge_index, edge_attr)
        h = self.norm(h)
        total = torch.zeros(num_graphs, h.shape[1], dtype=h.dtype, device=h.device).index_add_(
            0, batch, h
        )
        count = torch.zeros(num_graphs, dtype=h.dtype, device=h.device).index_add_(
            0, batch, torch.ones_like(batch, dtype=h.dtype)
        )
        mean = total / count.clamp(min=1.0).unsqueeze(1)
        return self.readout(torch.cat([mean, self.sum_scale * total], dim=1))
