"""Deep ensemble of ResistNets: sigma that grows away from the training data.

A single network's variance head is trained only where there are data, so it does not know to
widen out of domain (issue 15: about 14 % at 150 keV, as inside). A deep ensemble
(Lakshminarayanan et al., NeurIPS 2017) trains M members from different random initialisations
(``seed + m``) on the same data; where data constrain them they agree, away from the data they
disagree. The ensemble predicts the Gaussian of the uniform mixture of the members:

    mu = mean_m mu_m,    sigma^2 = mean_m sigma_m^2  +  mean_m (mu_m - mu)^2

(aleatoric + epistemic), and outcome probabilities averaged over members (returned as their log,
so a softmax of the returned "logits" gives the averaged probabilities). It keeps ResistNet's two
entry points: ``encode_molecules`` concatenates the members' embeddings ([U, M*H]; a cache keeps
them per molecule), ``predict_formulations``/``predict_outcomes`` split them again. Each member is
trained on its own likelihood (``predict_members``), not the mixture's.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from resistml.model.resistnet import ResistNet


class ResistEnsemble(nn.Module):
    """``members`` ResistNets built with seeds ``seed + m``; other arguments as for ResistNet."""

    def __init__(self, members: int = 3, seed: int = 0, **kwargs):
        super().__init__()
        if members < 1:
            raise ValueError(f"members: expected >= 1, got {members}")
        nets = []
        for m in range(members):
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(int(seed) + m)
                nets.append(ResistNet(**kwargs))
        self.members = nn.ModuleList(nets)
        self.config = {**nets[0].config, "members": members, "seed": seed}
        self.num_members = members
        self.hidden = nets[0].hidden
        self.num_targets = nets[0].num_targets
        self.num_outcomes = nets[0].num_outcomes
        self.process_dim = int(kwargs.get("process_dim", 9))
        self.register_buffer("variance_scale", torch.ones(self.num_targets))

    @property
    def target_mean(self) -> Tensor:
        return self.members[0].target_mean

    @property
    def target_std(self) -> Tensor:
        return self.members[0].target_std

    __jit_unused_properties__ = ["target_mean", "target_std"]

    @torch.jit.ignore
    def set_target_scaling(self, mean: Tensor, std: Tensor) -> None:
        for net in self.members:
            net.set_target_scaling(mean, std)

    @torch.jit.ignore
    def observe_process(self, process: Tensor) -> None:
        for net in self.members:
            net.observe_process(process)

    @torch.jit.ignore
    def set_variance_scale(self, scale: Tensor) -> None:
        """Multiply the ensemble's total variance of target t by ``scale[t]`` (post-hoc recalibration)."""
        self.variance_scale.copy_(torch.as_tensor(scale, dtype=torch.float32).clamp(min=1e-6))

    @torch.jit.export
    def encode_molecules(
        self, x: Tensor, edge_index: Tensor, edge_attr: Tensor, batch: Tensor, num_graphs: int
    ) -> Tensor:
        """Member embeddings side by side, [U, M * H]."""
        out = []
        for net in self.members:
            out.append(net.encode_molecules(x, edge_index, edge_attr, batch, num_graphs))
        return torch.cat(out, dim=1)

    @torch.jit.export
    def predict_members(
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
        """Per-member mean, variance [M, B, T] and outcome logits [M, B, O]."""
        means, vars_, logits = [], [], []
        h = self.hidden
        for m, net in enumerate(self.members):
            emb = mol_emb[:, m * h:(m + 1) * h]
            mu, var, lg = net.predict_outcomes(emb, struct_index, struct_weight, struct_slot, roles, amounts, mask, process)
            means.append(mu)
            vars_.append(var)
            logits.append(lg)
        return torch.stack(means), torch.stack(vars_), torch.stack(logits)

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
        """Mixture mean, variance [B, T] (within + between members) and log mean probabilities [B, O]."""
        mu, var, logits = self.predict_members(
            mol_emb, struct_index, struct_weight, struct_slot, roles, amounts, mask, process
        )
        mean = mu.mean(0)
        total = (var.mean(0) + ((mu - mean.unsqueeze(0)) ** 2).mean(0)) * self.variance_scale
        if logits.shape[2] > 0:
            probs = torch.softmax(logits, dim=2).mean(0)
            out_logits = torch.log(probs.clamp(min=1e-12))
        else:
            out_logits = logits[0]
        return mean, total, out_logits

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
        """Mixture mean and variance [B, T]."""
        mean, var, _ = self.predict_outcomes(
            mol_emb, struct_index, struct_weight, struct_slot, roles, amounts, mask, process
        )
        return mean, var

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


def build_model(config: dict) -> nn.Module:
    """A ResistNet, or a ResistEnsemble when ``config`` has ``members`` > 1 (checkpoint configs)."""
    cfg = dict(config)
    members = int(cfg.pop("members", 1) or 1)
    seed = int(cfg.pop("seed", 0) or 0)
    return ResistEnsemble(members, seed, **cfg) if members > 1 else ResistNet(**cfg)
