"""The Parquet -> Formulation -> collate loader."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader

from resistml.datasets.dataset import FormulationDataset, read_formulations, read_table, shard_files
from resistml.datasets.schema import TARGETS
from resistml.datasets.splits import load_split
from resistml.features.collate import FormulationBatch
from resistml.formulation import Formulation
from tests.dataset_helpers import toy_dataset


@pytest.fixture(scope="module")
def path():
    return toy_dataset()


def test_batches_cover_the_split_part_once(path):
    ds = FormulationDataset(path, "random", "val", batch_size=32)
    batches = list(ds)
    assert all(isinstance(b, FormulationBatch) for b in batches)
    assert sum(b.num_formulations for b in batches) == len(ds) == len(load_split(path, "random")["val"])
    names = [n for b in batches for n in b.names]
    assert len(set(names)) == len(names)
    b = batches[0]
    assert b.targets.shape == (32, len(TARGETS)) and torch.isfinite(b.targets).all()
    assert len(set(b.smiles)) == len(b.smiles)  # unique molecules once per batch


def test_log10_targets_match_the_stored_values(path):
    ids = load_split(path, "random")["test"][:5]
    table = read_table(path).to_pandas().set_index("row_id").loc[ids]
    single = FormulationDataset(path, "random", "test", batch_size=None, transform="none")
    logged = FormulationDataset(path, "random", "test", batch_size=None)
    for (form, raw), (_, log), (_, row) in zip(single, logged, table.iterrows(), strict=False):
        assert isinstance(form, Formulation) and form.name == row["name"]
        assert np.allclose(raw.numpy(), row[list(TARGETS)].to_numpy(float))
        assert np.allclose(log.numpy(), np.log10(row[list(TARGETS)].to_numpy(float)))


def test_shuffle_is_seeded_and_complete(path):
    def order(seed, epoch=0):
        ds = FormulationDataset(path, "random", "train", batch_size=None, shuffle=True, shuffle_buffer=64, seed=seed)
        ds.set_epoch(epoch)
        return [f.name for f, _ in ds]

    a = order(1)
    assert a == order(1) and a != order(2) and a != order(1, epoch=1)
    plain = [f.name for f, _ in FormulationDataset(path, "random", "train", batch_size=None)]
    assert sorted(a) == sorted(plain) and a != plain


@pytest.mark.slow
def test_dataloader_workers_split_shards(path):
    ds = FormulationDataset(path, None, batch_size=None)
    loader = DataLoader(ds, batch_size=None, num_workers=2, collate_fn=lambda x: x)
    names = [f.name for f, _ in loader]
    assert len(names) == len(set(names)) == len(ds) == read_table(path, ["row_id"]).num_rows  # every status


def test_read_formulations_in_row_order(path):
    forms = read_formulations(path, [5, 2, 9])
    assert [f.name for f in forms] == ["s0-00000002", "s0-00000005", "s0-00000009"]


def test_bad_arguments_are_named(path, tmp_path):
    with pytest.raises(ValueError, match="part:"):
        FormulationDataset(path, "random", "holdout")
    with pytest.raises(ValueError, match="targets:"):
        FormulationDataset(path, targets=["speed"])
    with pytest.raises(FileNotFoundError, match="resistml generate"):
        shard_files(tmp_path)
