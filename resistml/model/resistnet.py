"""ResistNet: GNN per unique molecule -> component tokens -> Set Transformer -> Gaussian heads.

Two scriptable entry points let serving cache molecule embeddings:
``encode_molecules`` (graphs -> [U, H]) and ``predict_formulations`` (embeddings + indices ->
mean [B, T], variance [B, T]); ``predict_outcomes`` also returns the outcome logits [B, O] of
the outcome head (``num_outcomes`` classes of ``resistml.targets.OUTCOMES``; O = 0 for models
trained without one, as before issue 15). Each target has a mean and a log-variance head trained with the
Gaussian negative log-likelihood (Nix & Weigend 1994; Kendall & Gal, NeurIPS 2017), so every
prediction carries an uncertainty. Targets are predicted in the units of ``TARGETS`` (log10 of
the physical quantity where named so); ``target_mean``/``target_std`` buffers standardise them.
Away from the data sigma must grow: the model records the training range of every process
column (``observe_process``, called on each training batch) and in eval mode adds a variance that
grows with the squared distance outside it (``extrapolation_sigma``; 0 = off, as in models
trained before issue 15); distance in molecule space is covered by the deep ensemble
(:mod:`resistml.model.ensemble`). The model sees tensors only (no RDKit): the input sizes default to those of
``resistml.chem.graphs`` and ``resistml.features.collate`` (checked by the tests).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import torch
from torch import Tensor, nn

from resistml.model.encoder import MoleculeEncoder
from resistml.model.set_transformer import DeepSets, SetTransformer
from resistml.targets import MODEL_NAMES

if TYPE_CHECKING:
    from resistml.features.collate import FormulationBatch

TARGETS: tuple[str, ...] = MODEL_NAMES
"""Default output names, in column order (defined in :mod:`resistml.targets`)."""
MIN_RANGE = 0.1
"""Narrowest training range of a process column (feature units) in the extrapolation variance."""
LOGVAR_MIN, LOGVAR_MAX = -12.0, 8.0
"""Clamp of the standardised log-variance heads (keeps the NLL finite)."""


class ResistNet(nn.Module):
    """Formulation property model (see module docstring).

    ``pooling``: "attention" (Set Transformer) or the DeepSets ablations "mean" / "sum".
    ``physics_columns``: process columns holding physics features; ``use_physics=False`` zeroes
    them (the "without physics features" ablation, same data pipeline).
    """

    def __init__(
        self,
        *,
        atom_dim: int = 40,
        bond_dim: int = 13,
        amount_dim: int = 4,
        process_dim: int = 9,
        num_roles: int = 6,
        num_targets: int = len(TARGETS),
        hidden: int = 128,
        gnn_layers: int = 4,
        heads: int = 4,
        set_blocks: int = 2,
        pooling: str = "attention",
        dropout: float = 0.1,
        use_physics: bool = True,
        physics_columns: tuple[int, ...] = (),
        num_outcomes: int = 0,
        extrapolation_sigma: float = 0.0,
    ):
        super().__init__()
        self.config = {k: v for k, v in locals().items() if k not in ("self", "__class__")}
        self.encoder = MoleculeEncoder(atom_dim, bond_dim, hidden, gnn_layers, dropout)
        self.component_in = nn.Sequential(
            nn.Linear(hidden + amount_dim, hidden), nn.ReLU(), nn.Linear(hidden, hidden)
        )
        self.role_embedding = nn.Embedding(num_roles, hidden)
        self.process_in = nn.Sequential(
            nn.Linear(process_dim, hidden), nn.ReLU(), nn.Linear(hidden, hidden)
        )
        self.set_encoder = self._set_encoder(pooling, hidden, heads, set_blocks, dropout)
        self.num_film = int(self.set_encoder.num_film)
        self.film = nn.Linear(hidden, self.num_film * 2 * hidden)
        nn.init.zeros_(self.film.weight)
        nn.init.zeros_(self.film.bias)
        self.head = nn.Sequential(
            nn.Linear(2 * hidden, hidden),
            nn.ReLU(),
            nn.Dropout(dropout),
            nn.Linear(hidden, 2 * num_targets),
        )
        # outcome classifier (prints / no gel / ... ; resistml.targets.OUTCOMES) on the same pooled state
        self.num_outcomes = int(num_outcomes)
        self.outcome_head = (
            nn.Sequential(nn.Linear(2 * hidden, hidden), nn.ReLU(), nn.Dropout(dropout), nn.Linear(hidden, num_outcomes))
            if num_outcomes > 0 else nn.Identity()
        )
        # linear path from the process (log energy, log stopping power, ...) to the means: log-log
        # scalings such as dose ~ 1/S(E) then extrapolate beyond the training energies
        self.process_skip = nn.Linear(process_dim, num_targets)
        nn.init.zeros_(self.process_skip.weight)
        nn.init.zeros_(self.process_skip.bias)
        keep = torch.ones(process_dim)
        if not use_physics:
            keep[list(physics_columns)] = 0.0
        self.register_buffer("process_keep", keep)
        # training range of every process column (observe_process); outside it, in eval mode, the
        # variance grows with the squared range-normalised excess (see predict_outcomes)
        self.extrapolation_sigma = float(extrapolation_sigma)
        self.min_range = MIN_RANGE
        self.register_buffer("process_low", torch.full((process_dim,), float("inf")))
        self.register_buffer("process_high", torch.full((process_dim,), float("-inf")))
        self.register_buffer("target_mean", torch.zeros(num_targets))
        self.register_buffer("target_std", torch.ones(num_targets))
        # post-hoc variance recalibration (resistml.evaluation.recalibration); 1 = as trained
        self.register_buffer("variance_scale", torch.ones(num_targets))
        self.hidden = hidden
        self.logvar_min, self.logvar_max = LOGVAR_MIN, LOGVAR_MAX
        self.num_targets = num_targets

    @staticmethod
    def _set_encoder(
        pooling: str, hidden: int, heads: int, blocks: int, dropout: float
    ) -> nn.Module:
        if pooling == "attention":
            return SetTransformer(hidden, heads, blocks, dropout)
        if pooling in ("mean", "sum"):
            return DeepSets(hidden, pooling, dropout)
        raise ValueError(f"pooling: expected 'attention', 'mean' or 'sum', got {pooling!r}")

    @torch.jit.ignore
    def set_target_scaling(self, mean: Tensor, std: Tensor) -> None:
        """Standardise targets with the training-set mean and standard deviation per column."""
        self.target_mean.copy_(torch.as_tensor(mean, dtype=torch.float32))
        self.target_std.copy_(torch.as_tensor(std, dtype=torch.float32).clamp(min=1e-6))

    @torch.jit.ignore
    def set_variance_scale(self, scale: Tensor) -> None:
        """Multiply every predicted variance of target t by ``scale[t]`` (post-hoc recalibration)."""
        self.variance_scale.copy_(torch.as_tensor(scale, dtype=torch.float32).clamp(min=1e-6))

    @torch.jit.ignore
    def observe_process(self, process: Tensor) -> None:
        """Widen the recorded training range of the process columns to cover ``process`` [B, P]."""
        with torch.no_grad():
            self.process_low.copy_(torch.minimum(self.process_low, process.min(0).values.to(self.process_low)))
            self.process_high.copy_(torch.maximum(self.process_high, process.max(0).values.to(self.process_high)))

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
        """Checkpoints written before ``variance_scale`` existed load as uncalibrated (scale 1);
        those without a recorded process range add no extrapolation variance."""
        state_dict.setdefault(prefix + "variance_scale", torch.ones_like(self.variance_scale))
        state_dict.setdefault(prefix + "process_low", torch.full_like(self.process_low, float("inf")))
        state_dict.setdefault(prefix + "process_high", torch.full_like(self.process_high, float("-inf")))
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)

    @torch.jit.export
    def encode_molecules(
        self, x: Tensor, edge_index: Tensor, edge_attr: Tensor, batch: Tensor, num_graphs: int
    ) -> Tensor:
        """Embeddings [U, H] of U molecule graphs (cacheable per canonical SMILES)."""
        return self.encoder(x, edge_index, edge_attr, batch, num_graphs)

    @torch.jit.export
    def predict_outcomes(
        self,
        mol_emb: Tensor,
        struct_index: Tensor,
        struct_weight: Tensor,
        struct_slot: Tensor,
        roles: Tensor,
        amounts: Tensor,
        mask: Tensor,
        process: Tensor,
    ) -> tuple[Tensor, Tensor, Tensor]:
        """Mean and variance [B, T] of every target and the outcome logits [B, O] (O may be 0)."""
        b, k = roles.shape[0], roles.shape[1]
        picked = mol_emb.index_select(0, struct_index) * struct_weight.unsqueeze(1)
        components = torch.zeros(b * k, self.hidden, dtype=picked.dtype, device=picked.device)
        components = components.index_add_(0, struct_slot, picked).reshape(b, k, self.hidden)
        tokens = self.component_in(torch.cat([components, amounts], dim=-1)) + self.role_embedding(
            roles
        )
        process = process * self.process_keep
        proc = self.process_in(process)
        tokens = torch.cat([proc.unsqueeze(1), tokens], dim=1)
        full_mask = torch.cat([torch.ones_like(mask[:, :1]), mask], dim=1)
        film = self.film(proc).reshape(b, self.num_film, 2, self.hidden)
        pooled = torch.cat([self.set_encoder(tokens, full_mask, film), proc], dim=1)
        out = self.head(pooled).reshape(b, 2, self.num_targets)
        logvar = out[:, 1].clamp(self.logvar_min, self.logvar_max)
        mean = (out[:, 0] + self.process_skip(process)) * self.target_std + self.target_mean
        var = torch.exp(logvar) * self.target_std**2
        if self.extrapolation_sigma > 0 and not self.training:
            var = var + self.extrapolation_variance(process)
        var = var * self.variance_scale
        if self.num_outcomes > 0:
            logits = self.outcome_head(pooled)
        else:
            logits = torch.zeros(b, 0, dtype=mean.dtype, device=mean.device)
        return mean, var, logits

    def extrapolation_variance(self, process: Tensor) -> Tensor:
        """Variance [B, T] added outside the training range of the process columns.

        ``(extrapolation_sigma * target_std)^2 * sum_p excess_p^2``, with ``excess_p`` the distance
        outside ``[process_low, process_high]`` in units of that range (at least ``MIN_RANGE``
        wide): zero inside the training data, growing quadratically in the distance beyond it, as
        the spread of fitted trends does when a slope is extrapolated.
        """
        width = (self.process_high - self.process_low).clamp(min=self.min_range)
        excess = (torch.relu(process - self.process_high) + torch.relu(self.process_low - process)) / width
        excess = torch.where(torch.isfinite(excess), excess, torch.zeros_like(excess))
        d2 = (excess**2).sum(dim=1, keepdim=True)
        return d2 * (self.extrapolation_sigma * self.target_std) ** 2

    @torch.jit.export
    def predict_formulations(
        self,
        mol_emb: Tensor,
        struct_index: Tensor,
        struct_weight: Tensor,
        struct_slot: Tensor,
        roles: Tensor,
        amounts: Tensor,
        mask: Tensor,
        process: Tensor,
    ) -> tuple[Tensor, Tensor]:
        """Mean and variance [B, T] of every target from molecule embeddings and slot indices."""
        mean, var, _ = self.predict_outcomes(
            mol_emb, struct_index, struct_weight, struct_slot, roles, amounts, mask, process
        )
        return mean, var

    def predict_members(self, *args: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """``predict_outcomes`` with a leading member axis of size 1 (an ensemble of one; training)."""
        mean, var, logits = self.predict_outcomes(*args)
        return mean.unsqueeze(0), var.unsqueeze(0), logits.unsqueeze(0)

    def forward(
        self,
        x: Tensor,
        edge_index: Tensor,
        edge_attr: Tensor,
        batch: Tensor,
        num_graphs: int,
        struct_index: Tensor,
        struct_weight: Tensor,
        struct_slot: Tensor,
        roles: Tensor,
        amounts: Tensor,
        mask: Tensor,
        process: Tensor,
    ) -> tuple[Tensor, Tensor]:
        """``encode_molecules`` then ``predict_formulations``."""
        mol_emb = self.encode_molecules(x, edge_index, edge_attr, batch, num_graphs)
        return self.predict_formulations(
            mol_emb, struct_index, struct_weight, struct_slot, roles, amounts, mask, process
        )


def batch_inputs(fb: FormulationBatch) -> tuple[Any, ...]:
    """The positional ``ResistNet.forward`` arguments of a collated batch."""
    g = fb.graphs
    return (
        g.x,
        g.edge_index,
        g.edge_attr,
        g.batch,
        int(g.num_graphs),
        fb.struct_index,
        fb.struct_weight,
        fb.struct_slot,
        fb.roles,
        fb.amounts,
        fb.mask,
        fb.process,
    )


def predict_batch(model: nn.Module, fb: FormulationBatch) -> tuple[Tensor, Tensor]:
    """Mean and variance [B, T] for a collated batch (eager or scripted model)."""
    return model(*batch_inputs(fb))


def predict_batch_outcomes(model: nn.Module, fb: FormulationBatch) -> tuple[Tensor, Tensor, Tensor]:
    """Mean, variance [B, T] and outcome logits [B, O] for a collated batch (eager model)."""
    args = batch_inputs(fb)
    emb = model.encode_molecules(*args[:5])
    return model.predict_outcomes(emb, *args[5:])


def members_batch(model: nn.Module, fb: FormulationBatch) -> tuple[Tensor, Tensor, Tensor]:
    """Per-member mean, variance [M, B, T] and logits [M, B, O] (M = 1 for a single ResistNet)."""
    args = batch_inputs(fb)
    emb = model.encode_molecules(*args[:5])
    return model.predict_members(emb, *args[5:])
