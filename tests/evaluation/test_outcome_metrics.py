"""AUROC, Brier score and reliability of p_prints."""

from __future__ import annotations

import math

import numpy as np

from resistml.evaluation.metrics import auroc, brier_score, outcome_metrics, reliability_curve


def test_auroc_against_pairs_counted_by_hand():
    y = np.array([1, 1, 0, 0, 1, 0])
    p = np.array([0.9, 0.4, 0.4, 0.1, 0.7, 0.8])
    pos, neg = p[y == 1], p[y == 0]
    pairs = [(a > b) + 0.5 * (a == b) for a in pos for b in neg]
    assert math.isclose(auroc(y, p), np.mean(pairs))
    assert auroc(y, y.astype(float)) == 1.0 and math.isnan(auroc(np.ones(3), np.ones(3)))


def test_brier_and_reliability():
    y = np.array([1, 0, 1, 1])
    p = np.array([0.9, 0.1, 0.7, np.nan])  # NaN rows (no outcome head) are skipped
    assert math.isclose(brier_score(y, p), (0.01 + 0.01 + 0.09) / 3)
    mean_p, observed, count = reliability_curve(y, p, n_bins=5)
    assert count.tolist() == [1, 0, 0, 1, 1] and observed[4] == 1.0 and math.isclose(mean_p[4], 0.9)
    m = outcome_metrics(y, p)
    assert m["n"] == 3 and math.isclose(m["prevalence"], 2 / 3) and m["auroc"] == 1.0


def test_evaluate_scores_p_prints_on_every_row(one_thread):
    import torch

    from resistml.evaluation.evaluate import (
        LoadedModel,
        eager_p_prints,
        eager_predictor,
        evaluate,
        evaluation_table,
    )
    from resistml.model import TARGETS, ResistNet
    from resistml.targets import OUTCOMES
    from tests.datasets.test_labels import status_dataset

    torch.manual_seed(0)
    model = ResistNet(hidden=16, gnn_layers=1, heads=2, set_blocks=1, num_outcomes=len(OUTCOMES)).eval()
    loaded = LoadedModel(list(TARGETS), eager_predictor(model), {}, "checkpoint", eager_p_prints(model))
    result = evaluate(loaded, status_dataset(), "random", "test")
    assert result.info["n"] == 16  # every status, not only "ok"
    assert result.outcome["n"] == 16 and 0 < result.outcome["prevalence"] < 1
    assert 0 <= result.outcome["brier"] <= 1 and len(result.outcome["reliability"]["count"]) == 10
    assert "| p_prints |" in evaluation_table(result)
    assert result.to_dict()["p_prints"]["n"] == 16
