"""The hypervolume against hand-computed 2-D and 3-D cases and against Optuna's implementation."""

from __future__ import annotations

import numpy as np
import pytest

from resistml.design.hypervolume import hypervolume, hypervolume_curve, improvement, pareto_mask


def test_two_d_staircase_by_hand():
    # boxes to ref (4, 4): (1,3) adds 3 x 1, (2,2) adds 2 x 1, (3,1) adds 1 x 1
    Y = np.array([[1.0, 3.0], [2.0, 2.0], [3.0, 1.0], [3.5, 3.5], [5.0, 0.5]])  # dominated; outside ref
    assert hypervolume(Y, np.array([4.0, 4.0])) == pytest.approx(6.0)
    assert pareto_mask(Y).tolist() == [True, True, True, False, True]


def test_three_d_by_hand():
    ref = np.array([2.0, 2.0, 2.0])
    # two boxes of 4 and 2 overlapping in the unit cube [1,2]^3
    Y = np.array([[0.0, 0.0, 1.0], [1.0, 1.0, 0.0]])
    assert hypervolume(Y, ref) == pytest.approx(5.0)
    assert hypervolume(np.array([[1.0, 1.0, 1.0]]), np.array([2.0, 3.0, 4.0])) == pytest.approx(6.0)
    assert hypervolume(np.zeros((0, 3)), ref) == 0.0
    # adding (0,0,0) dominates both: the whole 2^3 cube, so it improves by 8 - 5
    assert improvement(np.zeros(3), Y, ref) == pytest.approx(3.0)
    assert improvement(np.array([1.5, 1.5, 1.5]), Y, ref) == pytest.approx(0.0)
    assert improvement(np.array([0.5, 0.5, 0.5]), np.zeros((0, 3)), ref) == pytest.approx(1.5**3)


def test_curve_counts_only_finite_rows_in_order():
    Y = np.array([[np.nan, np.nan], [1.0, 1.0], [0.0, 1.5]])
    assert hypervolume_curve(Y, np.array([2.0, 2.0]), [1, 2, 3]) == pytest.approx([0.0, 1.0, 1.5])


@pytest.mark.parametrize("m", [2, 3, 4])
def test_agrees_with_optuna(m):
    from optuna._hypervolume import compute_hypervolume

    rng = np.random.default_rng(m)
    Y = rng.random((40, m))
    ref = np.full(m, 1.05)
    assert hypervolume(Y, ref) == pytest.approx(compute_hypervolume(Y, ref), rel=1e-9)
