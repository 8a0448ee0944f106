"""Splits: disjoint, reproducible, honest (no held-out molecule or scaffold in training), exported."""

from __future__ import annotations

import numpy as np
import pytest

from resistml.datasets.dataset import read_table
from resistml.datasets.splits import (
    HELD_OUT_ROLES,
    SCAFFOLD_ROLES,
    SPLIT_NAMES,
    SplitInputs,
    load_split,
    make_splits,
    scaffold,
    split_inputs,
    unseen_scaffolds_split,
)
from resistml.formulation import Role
from tests.dataset_helpers import toy_dataset


@pytest.fixture(scope="module")
def data():
    path = toy_dataset()
    rows = read_table(path, ["row_id", "components", "radiation", "beam_energy_keV"], ok_only=True).to_pylist()
    return path, {r["row_id"]: r for r in rows}


def _molecules(row, roles):
    return {c["smiles"] for c in row["components"] if c["role"] in {r.value for r in roles}}


@pytest.mark.parametrize("name", SPLIT_NAMES)
def test_parts_are_disjoint_and_only_ok_rows(data, name):
    path, rows = data
    parts = load_split(path, name)
    sets = {k: set(v.tolist()) for k, v in parts.items()}
    assert all(len(sets[k]) == len(parts[k]) for k in sets)  # no duplicates
    assert not (sets["train"] & sets["val"]) and not (sets["train"] & sets["test"]) and not (sets["val"] & sets["test"])
    assert set().union(*sets.values()) <= set(rows)
    assert all(len(v) > 0 for v in parts.values())
    assert all(np.all(np.diff(v) > 0) for v in parts.values())  # exported ascending


def test_random_split_covers_every_ok_row(data):
    path, rows = data
    parts = load_split(path, "random")
    assert sorted(np.concatenate(list(parts.values())).tolist()) == sorted(rows)
    assert len(parts["test"]) == pytest.approx(0.1 * len(rows), abs=2)


def test_unseen_molecules_never_reach_training(data):
    path, rows = data
    parts = load_split(path, "unseen_molecules")
    seen = set().union(*(_molecules(rows[i], HELD_OUT_ROLES) for i in np.concatenate([parts["train"], parts["val"]])))
    import json

    meta = json.loads((path / "splits" / "unseen_molecules" / "meta.json").read_text())
    for role in HELD_OUT_ROLES:
        held = set(meta["held_out"][role.value])
        pool = set().union(*(_molecules(r, [role]) for r in rows.values()))
        assert len(held) >= 0.1 * len(pool)
        assert not held & seen, role
    for i in parts["test"]:  # every test row holds at least one held-out molecule
        assert _molecules(rows[i], HELD_OUT_ROLES) & set().union(*map(set, meta["held_out"].values()))


def test_unseen_scaffolds_never_reach_training(data):
    path, rows = data
    parts = load_split(path, "unseen_scaffolds")
    import json

    held = set(json.loads((path / "splits" / "unseen_scaffolds" / "meta.json").read_text())["held_out_scaffolds"])
    assert held
    for i in np.concatenate([parts["train"], parts["val"]]):
        assert not {scaffold(s) for s in _molecules(rows[i], SCAFFOLD_ROLES)} & held
    assert 0.12 <= len(parts["test"]) / len(rows) <= 0.25


def test_beam_energy_extrapolation(data):
    path, rows = data
    parts = load_split(path, "beam_energy_extrapolation")
    for i in np.concatenate([parts["train"], parts["val"]]):
        assert rows[i]["radiation"] == "electron" and rows[i]["beam_energy_keV"] <= 75.0
    assert all(rows[i]["radiation"] == "electron" and rows[i]["beam_energy_keV"] == 100.0 for i in parts["test"])


def test_splits_are_reproducible_from_the_rows(data):
    path, rows = data
    inputs = split_inputs(rows[i] for i in sorted(rows))
    for split in make_splits(inputs, seed=0):  # the toy dataset's seed
        stored = load_split(path, split.name)
        for part, ids in split.parts().items():
            assert np.array_equal(ids, stored[part]), (split.name, part)
    other = make_splits(inputs, seed=1)[0]
    assert not np.array_equal(other.test, load_split(path, "random")["test"])


def test_scaffold_split_skips_scaffolds_that_would_swamp_the_test_set():
    mols = [{Role.crosslinker: {"c1ccccc1O"}}] * 90 + [{Role.crosslinker: {"C1CCCCC1O"}}] * 10
    inputs = SplitInputs(np.arange(100), mols, np.array(["electron"] * 100, dtype=object), np.full(100, 50.0))
    split = unseen_scaffolds_split(inputs, seed=0, test_fraction=0.2)
    assert split.meta["held_out_scaffolds"] == ["C1CCCCC1"] and len(split.test) == 10


def test_unknown_split_names_the_available_ones(data):
    with pytest.raises(ValueError, match="available: beam_energy_extrapolation, random"):
        load_split(data[0], "temporal")
