"""Training losses of ResistNet: Gaussian NLL with censored entries, outcome cross-entropy.

Targets are standardised; every tensor is [B, T]. An entry is *observed* (finite target, censor
code 0), *right-censored* (code +1: the true value is above the stored bound, e.g. the resolution
of a formulation that resolves no half-pitch of the simulator's grid), *left-censored* (code -1:
below the bound) or *missing* (NaN, no information). Observed entries contribute the Gaussian NLL
(optionally beta-weighted, Seitzer et al., ICLR 2022); censored ones the negative log of the
Gaussian survival function, -log P(Y > c) = -log Phi((mu - c) / sigma) (right) or of the CDF,
-log Phi((c - mu) / sigma) (left) -- the Tobit likelihood (Tobin, Econometrica 26, 24 (1958)).
"""

from __future__ import annotations

import math

import torch
from torch import Tensor
from torch.nn import functional as F

LOG_2PI = math.log(2.0 * math.pi)


def log_ndtr(z: Tensor) -> Tensor:
    """log Phi(z), stable in both tails (``torch.special.log_ndtr``)."""
    return torch.special.log_ndtr(z)


def censored_gaussian_nll(mean: Tensor, var: Tensor, target: Tensor, censor: Tensor | None = None,
                          beta: float = 0.0) -> Tensor:
    """Mean NLL over observed and censored entries (see module docstring); NaN entries skipped.

    ``censor``: int tensor like ``target`` (0 observed, +1 right-, -1 left-censored) or None
    (nothing censored). ``beta`` weights observed entries by stop-gradient var**beta (beta-NLL);
    censored entries are not weighted.
    """
    finite = torch.isfinite(target)
    if censor is None:
        censor = torch.zeros_like(target, dtype=torch.long)
    observed = finite & (censor == 0)
    cens = finite & (censor != 0)
    safe = torch.where(finite, target, mean.detach())
    nll = 0.5 * (torch.log(var) + (safe - mean) ** 2 / var + LOG_2PI)
    if beta > 0:
        nll = nll * var.detach() ** beta
    sign = censor.to(mean.dtype)
    z = sign * (mean - safe) / var.sqrt()
    surv = -log_ndtr(z)
    total = torch.where(observed, nll, torch.zeros_like(nll)) + torch.where(cens, surv, torch.zeros_like(surv))
    return total.sum() / (observed | cens).sum().clamp(min=1)


def outcome_loss(logits: Tensor, outcome: Tensor) -> Tensor:
    """Mean cross-entropy of the outcome logits [B, O] over rows with a known class (>= 0)."""
    known = outcome >= 0
    if logits.shape[1] == 0 or not bool(known.any()):
        return logits.sum() * 0.0
    return F.cross_entropy(logits[known], outcome[known])
