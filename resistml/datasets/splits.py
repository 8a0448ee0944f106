"""Reproducible train/val/test splits of a generated dataset, stored as row-id index files.

Four splits, each a pure function of the stored rows and a seed. Every row takes part, whatever
its status (the outcome head learns from failing formulations; property targets are NaN or
censored there); datasets written before issue 15 stored splits of the "ok" rows only, and
loaders simply read whatever ids a split lists:

- ``random``: 80/10/10 by row.
- ``unseen_molecules``: a seeded >= 10 % of the distinct acid generators, crosslinkers and
  component-D compounds of the dataset (each role separately) is held out; every row containing a
  held-out molecule is a test row, so no held-out molecule appears in train or val.
- ``unseen_scaffolds``: whole Bemis-Murcko scaffolds (Bemis & Murcko, J. Med. Chem. 39, 2887
  (1996); RDKit ``MurckoScaffold``; a salt's scaffold keeps both ions) of the small molecules are
  held out until about 20 % of rows are test rows; acyclic molecules have no scaffold and stay in
  training. As in scaffold splits of MoleculeNet (Wu et al., Chem. Sci. 9, 513 (2018)).
- ``beam_energy_extrapolation``: electron exposures at <= 75 keV train (90/10 train/val), those at
  exactly 100 keV (the sampler's dedicated 100 keV share) test; other rows (75-100 keV, X-ray)
  are left out of this split.

Stored as ``splits/<name>/{train,val,test}.txt`` (one row id per line, ascending) plus
``splits/<name>/meta.json``, for side-by-side comparison with other packages.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from resistml.chem.smiles import canonical_smiles
from resistml.formulation import Role

SPLIT_NAMES: tuple[str, ...] = ("random", "unseen_molecules", "unseen_scaffolds", "beam_energy_extrapolation")
PARTS: tuple[str, ...] = ("train", "val", "test")
HELD_OUT_ROLES: tuple[Role, ...] = (Role.acid_generator, Role.crosslinker, Role.polymerizable)
SCAFFOLD_ROLES: tuple[Role, ...] = (Role.acid_generator, Role.crosslinker, Role.polymerizable, Role.base)
TRAIN_MAX_KEV = 75.0
TEST_KEV = 100.0


@dataclass(frozen=True)
class SplitInputs:
    """What the splits look at, one entry per row."""

    row_ids: np.ndarray
    molecules: list[dict[Role, set[str]]]  # canonical SMILES of the small molecules, by role
    radiation: np.ndarray
    beam_energy_keV: np.ndarray


@dataclass
class Split:
    name: str
    train: np.ndarray
    val: np.ndarray
    test: np.ndarray
    meta: dict[str, Any] = field(default_factory=dict)

    def parts(self) -> dict[str, np.ndarray]:
        return {"train": self.train, "val": self.val, "test": self.test}


def split_inputs(rows: Iterable[dict[str, Any]]) -> SplitInputs:
    """Build :class:`SplitInputs` from row records with row_id, components, radiation, beam_energy_keV."""
    ids, mols, rad, energy = [], [], [], []
    for row in rows:
        by_role: dict[Role, set[str]] = defaultdict(set)
        for comp in row["components"]:
            if comp.get("smiles"):
                by_role[Role(comp["role"])].add(canonical_smiles(comp["smiles"]))
        ids.append(row["row_id"])
        mols.append(dict(by_role))
        rad.append(row["radiation"])
        energy.append(row["beam_energy_keV"])
    return SplitInputs(np.asarray(ids, dtype=np.int64), mols, np.asarray(rad, dtype=object),
                       np.asarray(energy, dtype=float))


def split_inputs_from_table(table: pa.Table) -> SplitInputs:
    """:class:`SplitInputs` from an Arrow table (row_id, components, radiation, beam_energy_keV), lean."""
    comps = table["components"].combine_chunks()
    parents = pc.list_parent_indices(comps).to_numpy()
    flat = pc.list_flatten(comps)
    mols: list[dict[Role, set[str]]] = [defaultdict(set) for _ in range(table.num_rows)]
    for i, role, smiles in zip(parents, flat.field("role").to_pylist(), flat.field("smiles").to_pylist(),
                               strict=True):
        if smiles:
            mols[i][Role(role)].add(canonical_smiles(smiles))
    return SplitInputs(table["row_id"].to_numpy(), [dict(m) for m in mols],
                       np.asarray(table["radiation"].to_pylist(), dtype=object),
                       table["beam_energy_keV"].to_numpy(zero_copy_only=False).astype(float))


def _rng(seed: int, name: str) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([seed, SPLIT_NAMES.index(name)]))


def _train_val(ids: np.ndarray, rng: np.random.Generator, val_fraction: float) -> tuple[np.ndarray, np.ndarray]:
    perm = rng.permutation(ids)
    n_val = int(round(val_fraction * len(ids)))
    return np.sort(perm[n_val:]), np.sort(perm[:n_val])


def random_split(inputs: SplitInputs, seed: int, fractions: Sequence[float] = (0.8, 0.1, 0.1)) -> Split:
    perm = _rng(seed, "random").permutation(inputs.row_ids)
    n_train = int(round(fractions[0] * len(perm)))
    n_val = int(round(fractions[1] * len(perm)))
    return Split("random", np.sort(perm[:n_train]), np.sort(perm[n_train:n_train + n_val]),
                 np.sort(perm[n_train + n_val:]), {"fractions": list(fractions)})


def unseen_molecules_split(inputs: SplitInputs, seed: int, held_fraction: float = 0.1,
                           val_fraction: float = 0.1) -> Split:
    rng = _rng(seed, "unseen_molecules")
    held: dict[str, list[str]] = {}
    test = np.zeros(len(inputs.row_ids), dtype=bool)
    for role in HELD_OUT_ROLES:
        pool = sorted(set().union(*(m.get(role, set()) for m in inputs.molecules)))
        k = math.ceil(held_fraction * len(pool))
        chosen = {pool[i] for i in rng.choice(len(pool), size=k, replace=False)} if k else set()
        held[role.value] = sorted(chosen)
        test |= np.array([bool(m.get(role, set()) & chosen) for m in inputs.molecules], dtype=bool)
    train, val = _train_val(inputs.row_ids[~test], rng, val_fraction)
    meta = {"held_fraction": held_fraction, "held_out": held,
            "held_out_counts": {r: len(v) for r, v in held.items()}}
    return Split("unseen_molecules", train, val, np.sort(inputs.row_ids[test]), meta)


@lru_cache(maxsize=65536)
def scaffold(smiles: str) -> str:
    """Bemis-Murcko scaffold SMILES ('' for acyclic molecules)."""
    from rdkit.Chem.Scaffolds import MurckoScaffold

    return MurckoScaffold.MurckoScaffoldSmiles(smiles)


def unseen_scaffolds_split(inputs: SplitInputs, seed: int, test_fraction: float = 0.2,
                           val_fraction: float = 0.1) -> Split:
    rng = _rng(seed, "unseen_scaffolds")
    rows_of: dict[str, list[int]] = defaultdict(list)
    for i, mols in enumerate(inputs.molecules):
        for s in {scaffold(m) for role in SCAFFOLD_ROLES for m in mols.get(role, ())} - {""}:
            rows_of[s].append(i)
    names = sorted(rows_of)
    n = len(inputs.row_ids)
    test = np.zeros(n, dtype=bool)
    held = []
    for j in rng.permutation(len(names)):
        if test.sum() >= test_fraction * n:
            break
        candidate = test.copy()
        candidate[rows_of[names[j]]] = True
        if candidate.sum() <= 1.1 * test_fraction * n:  # skip scaffolds that would swamp the test set
            test, held = candidate, held + [names[j]]
    train, val = _train_val(inputs.row_ids[~test], rng, val_fraction)
    meta = {"test_fraction_target": test_fraction, "held_out_scaffolds": sorted(held),
            "n_scaffolds": len(names)}
    return Split("unseen_scaffolds", train, val, np.sort(inputs.row_ids[test]), meta)


def beam_energy_split(inputs: SplitInputs, seed: int, val_fraction: float = 0.1) -> Split:
    electron = inputs.radiation == "electron"
    train_pool = inputs.row_ids[electron & (inputs.beam_energy_keV <= TRAIN_MAX_KEV)]
    test = inputs.row_ids[electron & (inputs.beam_energy_keV == TEST_KEV)]
    train, val = _train_val(train_pool, _rng(seed, "beam_energy_extrapolation"), val_fraction)
    meta = {"train_max_keV": TRAIN_MAX_KEV, "test_keV": TEST_KEV,
            "excluded": "x-ray rows and electron rows between 75 and 100 keV"}
    return Split("beam_energy_extrapolation", train, val, np.sort(test), meta)


def make_splits(inputs: SplitInputs, seed: int) -> list[Split]:
    """All four splits of :data:`SPLIT_NAMES`."""
    return [random_split(inputs, seed), unseen_molecules_split(inputs, seed),
            unseen_scaffolds_split(inputs, seed), beam_energy_split(inputs, seed)]


def save_splits(splits: Sequence[Split], out: str | Path, seed: int) -> dict[str, dict[str, int]]:
    """Write ``splits/<name>/{train,val,test}.txt`` and ``meta.json``; return the part sizes."""
    sizes = {}
    for split in splits:
        folder = Path(out) / "splits" / split.name
        folder.mkdir(parents=True, exist_ok=True)
        for part, ids in split.parts().items():
            (folder / f"{part}.txt").write_text("".join(f"{i}\n" for i in ids))
        sizes[split.name] = {part: int(len(ids)) for part, ids in split.parts().items()}
        meta = {"name": split.name, "seed": seed, "sizes": sizes[split.name], **split.meta}
        (folder / "meta.json").write_text(json.dumps(meta, indent=1) + "\n")
    return sizes


def load_split(out: str | Path, name: str) -> dict[str, np.ndarray]:
    """Row ids of each part of a stored split; a clear error for an unknown split name."""
    folder = Path(out) / "splits" / name
    if not folder.is_dir():
        known = sorted(p.name for p in (Path(out) / "splits").glob("*") if p.is_dir())
        raise ValueError(f"split: no split {name!r} in {out} (available: {', '.join(known) or 'none'})")
    return {part: np.array((folder / f"{part}.txt").read_text().split(), dtype=np.int64) for part in PARTS}
