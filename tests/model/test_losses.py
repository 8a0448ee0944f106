"""Censored Gaussian likelihood and outcome loss against hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import torch
from scipy.stats import norm

from resistml.model.losses import censored_gaussian_nll, outcome_loss
from resistml.targets import CENSOR_LEFT, CENSOR_RIGHT


def test_censored_nll_matches_scipy_by_hand():
    mean = torch.tensor([[0.2, 1.0, -0.5, 0.0]], dtype=torch.float64)
    var = torch.tensor([[0.25, 4.0, 1.0, 9.0]], dtype=torch.float64)
    target = torch.tensor([[0.5, 2.0, 0.3, float("nan")]], dtype=torch.float64)
    censor = torch.tensor([[0, CENSOR_RIGHT, CENSOR_LEFT, 0]])
    loss = censored_gaussian_nll(mean, var, target, censor)
    sd = np.sqrt([0.25, 4.0, 1.0])
    expected = -np.mean([
        norm.logpdf(0.5, 0.2, sd[0]),  # observed: Gaussian NLL
        norm.logsf(2.0, 1.0, sd[1]),  # right-censored: -log P(Y > 2)
        norm.logcdf(0.3, -0.5, sd[2]),  # left-censored: -log P(Y < 0.3)
    ])  # the NaN entry carries no information
    assert math.isclose(float(loss), expected, rel_tol=1e-10)


def test_right_censored_loss_pushes_the_mean_above_the_bound():
    mean = torch.tensor([[0.0]], requires_grad=True)
    loss = censored_gaussian_nll(mean, torch.ones(1, 1), torch.tensor([[1.0]]), torch.tensor([[CENSOR_RIGHT]]))
    loss.backward()
    assert mean.grad.item() < 0  # gradient descent raises the mean
    # far above the bound the survival term vanishes (no pull on a mean that is already right)
    far = censored_gaussian_nll(torch.tensor([[9.0]]), torch.ones(1, 1), torch.tensor([[1.0]]), torch.tensor([[1]]))
    assert far.item() < 1e-12


def test_without_censor_codes_it_is_the_plain_gaussian_nll():
    mean, var, y = torch.randn(4, 3, dtype=torch.float64), torch.rand(4, 3, dtype=torch.float64) + 0.1, torch.randn(4, 3, dtype=torch.float64)
    expected = -norm.logpdf(y.numpy(), mean.numpy(), np.sqrt(var.numpy())).mean()
    assert math.isclose(float(censored_gaussian_nll(mean, var, y)), expected, rel_tol=1e-10)


def test_outcome_loss_skips_unknown_classes_and_empty_heads():
    logits = torch.tensor([[2.0, 0.0, -1.0], [0.0, 0.0, 0.0]])
    loss = outcome_loss(logits, torch.tensor([0, -1]))
    assert math.isclose(float(loss), -float(torch.log_softmax(logits[0], 0)[0]), rel_tol=1e-6)
    assert float(outcome_loss(torch.zeros(2, 0), torch.tensor([0, 1]))) == 0.0
