"""A cheap deterministic labeller and a cached toy dataset for the dataset-machinery tests.

The labeller stands in for the simulator only where the tests exercise sharding, resume, splits
and loading; the generation tests also run the real ``simulate_many``.
"""

from __future__ import annotations

import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from resistml.datasets.generate import GenerateConfig, generate
from resistml.formulation import Formulation

TOY_LABELLER = "tests.dataset_helpers:toy_labeller"


def toy_labeller(forms: list[Formulation], noise: float = 0.0, seed: int | None = None) -> pd.DataFrame:
    """Dose ~ energy / generator loading; 'no acid generator' when generator parts exceed 30."""
    rng = np.random.default_rng(seed)
    rows = []
    for f in forms:
        gen = sum(c.parts for c in f.components if c.role.value == "acid_generator")
        dose = 20.0 * f.process.energy_keV / 50.0 / gen * (1.0 + noise * rng.standard_normal())
        rows.append({"sensitivity": dose, "gel_dose": 0.5 * dose, "resolution_nm": 30 + f.process.thickness_nm / 20,
                     "contrast": 2.0 + gen / 10, "ler_nm": 3.0, "dose_unit": "uC/cm2",
                     "status": "ok" if gen <= 30 else "no gel: toy rule", "toy_curve": [1.0, dose]})
    return pd.DataFrame(rows)


@lru_cache(maxsize=4)
def toy_dataset(n: int = 800, seed: int = 0, shard_size: int = 200) -> Path:
    """A dataset built once per test session (in-process, toy labeller)."""
    out = Path(tempfile.mkdtemp(prefix="resistml-toy-"))
    generate(out, GenerateConfig(n=n, seed=seed, shard_size=shard_size), workers=0,
             labeller=TOY_LABELLER, progress=False)
    return out


def copy_dataset(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst
