"""Shared test fixtures."""

from __future__ import annotations

import copy
import os

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")

EXAMPLE = {
    "name": "example-1",
    "components": [
        {
            "name": "TPS-Tf",
            "role": "acid_generator",
            "smiles": "c1ccc(cc1)[S+](c1ccccc1)c1ccccc1.[O-]S(=O)(=O)C(F)(F)F",
            "parts": 5,
        },
        {
            "name": "PHS-8k",
            "role": "resin",
            "repeat_units": [{"smiles": "[*]CC([*])c1ccc(O)cc1", "fraction": 1.0}],
            "mw": 8000,
            "pdi": 1.2,
            "parts": 100,
        },
        {"catalog": "HMMM", "parts": 10},
    ],
    "process": {"radiation": "electron", "beam_energy_keV": 100, "thickness_nm": 300},
}


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
