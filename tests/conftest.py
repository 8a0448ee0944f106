"""Shared test fixtures."""

from __future__ import annotations

import copy
import os

import pytest

from tests.formulation_fixtures import EXAMPLE

os.environ.setdefault("MPLBACKEND", "Agg")

@pytest.fixture
def example_dict() -> dict:
    """The issue's example formulation as a fresh mutable mapping."""
    return copy.deepcopy(EXAMPLE)


@pytest.fixture
def one_thread():
    """Tiny models train several times faster on one thread than on contended intra-op threads."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
