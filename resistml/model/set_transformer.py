"""Permutation-invariant pooling of component tokens: Set Transformer and a DeepSets ablation.

Set Transformer: Lee et al., "Set Transformer", ICML 2019 (MAB, SAB, PMA; eqs. 6-11), written by
hand with explicit key-padding masks so it scripts with ``torch.jit.script`` and exports with
``torch.export``. DeepSets: Zaheer et al., NeurIPS 2017, rho(pool_i phi(x_i)).
Both take ``film`` [B, L, 2, D] (Perez et al., FiLM, AAAI 2018): after block l the tokens become
``h * (1 + gamma_l) + beta_l``, which lets the process condition every token.
Masks are True for real tokens; each set must hold at least one real token.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn


class MAB(nn.Module):
    """Multihead attention block: H = LN(X + MHA(X, Y, Y)); MAB(X, Y) = LN(H + rFF(H))."""

    def __init__(self, dim: int, heads: int, dropout: float = 0.0):
        super().__init__()
        if dim % heads:
            raise ValueError(f"heads: hidden size {dim} is not divisible by {heads} heads")
        self.heads = heads
        self.head_dim = dim // heads
        self.q = nn.Linear(dim, dim)
        self.k = nn.Linear(dim, dim)
        self.v = nn.Linear(dim, dim)
        self.out = nn.Linear(dim, dim)
        self.ff = nn.Sequential(nn.Linear(dim, 2 * dim), nn.ReLU(), nn.Linear(2 * dim, dim))
        self.norm1 = nn.LayerNorm(dim)
        self.norm2 = nn.LayerNorm(dim)
        self.dropout = nn.Dropout(dropout)

    def _split(self, t: Tensor) -> Tensor:
        return t.reshape(t.shape[0], t.shape[1], self.heads, self.head_dim).transpose(1, 2)

    def forward(self, x: Tensor, y: Tensor, key_mask: Tensor) -> Tensor:
        q, k, v = self._split(self.q(x)), self._split(self.k(y)), self._split(self.v(y))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.head_dim)
        scores = scores.masked_fill(~key_mask[:, None, None, :], float("-inf"))
        attended = torch.matmul(torch.softmax(scores, dim=-1), v)
        attended = attended.transpose(1, 2).reshape(x.shape[0], x.shape[1], -1)
        h = self.norm1(x + self.dropout(self.out(attended)))
        return self.norm2(h + self.dropout(self.ff(h)))


class SetTransformer(nn.Module):
    """SAB^blocks (with FiLM after each) then PMA_1 -> one vector per set [B, D]."""

    def __init__(self, dim: int, heads: int = 4, blocks: int = 2, dropout: float = 0.0):
        super().__init__()
        self.num_film = blocks
        self.sabs = nn.ModuleList([MAB(dim, heads, dropout) for _ in range(blocks)])
        self.seed = nn.Parameter(torch.randn(1, 1, dim) / math.sqrt(dim))
        self.pma_ff = nn.Sequential(nn.Linear(dim, dim), nn.ReLU(), nn.Linear(dim, dim))
        self.pma = MAB(dim, heads, dropout)

    def forward(self, tokens: Tensor, mask: Tensor, film: Tensor) -> Tensor:
        h = tokens
        for i, sab in enumerate(self.sabs):
            h = sab(h, h, mask)
            h = h * (1.0 + film[:, i, 0].unsqueeze(1)) + film[:, i, 1].unsqueeze(1)
        seed = self.seed.expand(h.shape[0], -1, -1)
        return self.pma(seed, self.pma_ff(h), mask).squeeze(1)


class DeepSets(nn.Module):
    """rho(pool_i FiLM(phi(x_i))) with masked mean or sum pooling (ablation of the Set Transformer)."""

    def __init__(self, dim: int, pooling: str = "mean", dropout: float = 0.0):
        super().__init__()
        if pooling not in ("mean", "sum"):
            raise ValueError(f"pooling: expected 'mean' or 'sum', got {pooling!r}")
        self.num_film = 1
        self.use_mean = pooling == "mean"
        self.phi = nn.Sequential(
            nn.Linear(dim, 2 * dim), nn.ReLU(), nn.Dropout(dropout), nn.Linear(2 * dim, dim)
        )
        self.rho = nn.Sequential(nn.Linear(dim, dim), nn.ReLU(), nn.Linear(dim, dim))

    def forward(self, tokens: Tensor, mask: Tensor, film: Tensor) -> Tensor:
        h = self.phi(tokens)
        h = h * (1.0 + film[:, 0, 0].unsqueeze(1)) + film[:, 0, 1].unsqueeze(1)
        weights = mask.to(h.dtype).unsqueeze(-1)
        pooled = (h * weights).sum(dim=1)
        if self.use_mean:
            pooled = pooled / weights.sum(dim=1).clamp(min=1.0)
        return self.rho(pooled)
