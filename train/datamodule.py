"""LightningDataModule: formulations with targets -> collated unique-molecule batches.

Data come either from a generated dataset directory (``resistml generate``: Parquet shards plus
stored splits, read with :mod:`resistml.datasets`) or directly from lists of
``(Formulation, targets)`` pairs (:meth:`FormulationDataModule.from_pairs`). Rows are held in
memory (a Formulation per row); the streaming ``resistml.datasets.dataset.FormulationDataset``
is the alternative for data sets that do not fit.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import lightning as L
import numpy as np
import torch
from torch.utils.data import DataLoader, Sampler

from resistml.datasets.dataset import label_arrays, read_table
from resistml.datasets.schema import TARGETS, formulation_from_row
from resistml.datasets.splits import PARTS, load_split
from resistml.features.collate import FormulationBatch, collate_formulations
from resistml.formulation import Formulation

Pairs = list[tuple]
"""(Formulation, targets [T]) or (Formulation, targets [T], outcome class, censor codes [T])."""


class CollateFormulations:
    """Picklable ``collate_fn``: list of (Formulation, targets [T][, outcome, censor [T]]) -> FormulationBatch."""

    def __init__(self, physics: bool = False):
        self.physics = physics

    def __call__(self, items: Pairs) -> FormulationBatch:
        forms = [item[0] for item in items]
        targets = torch.stack([torch.as_tensor(item[1], dtype=torch.float32) for item in items])
        labelled = all(len(item) == 4 for item in items)
        outcome = torch.tensor([int(item[2]) for item in items]) if labelled else None
        censor = torch.stack([torch.as_tensor(item[3]) for item in items]) if labelled else None
        return collate_formulations(forms, targets, physics=self.physics, outcome=outcome, censor=censor)


class EpochShuffleSampler(Sampler[int]):
    """Random order seeded by (seed, epoch): a resumed run sees the same batches as an unbroken one.

    :meth:`skip` drops the first indices of the next pass (a mid-epoch resume continues the epoch's
    order where the checkpoint left it).
    """

    def __init__(self, size: int, seed: int = 0):
        self.size, self.seed, self.epoch = size, seed, 0
        self._skip = self.started_at = 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def skip(self, count: int) -> None:
        self._skip = max(0, int(count))

    def __len__(self) -> int:
        return self.size

    def __iter__(self):
        generator = torch.Generator().manual_seed(self.seed * 100003 + self.epoch)
        self.started_at, self._skip = self._skip, 0
        return iter(torch.randperm(self.size, generator=generator).tolist()[self.started_at:])


class ResumableLoader(DataLoader):
    """Training loader whose position in the epoch goes into (mid-epoch) checkpoints.

    Lightning stores ``state_dict()`` in the checkpoint's loop state; :meth:`resume_at` (called by
    ``train.resume.ResumeState`` when a run restarts mid-epoch, and by Lightning's
    ``load_state_dict`` where it can) makes the :class:`EpochShuffleSampler` skip the batches
    already trained on. End-of-epoch checkpoints need none of it.
    """

    _iterator_now = None

    def __iter__(self):
        self._iterator_now = super().__iter__()
        return self._iterator_now

    def state_dict(self) -> dict[str, int]:
        done = int(getattr(self._iterator_now, "_num_yielded", 0) or 0)
        start = getattr(self.sampler, "started_at", 0) if done else 0
        return {"batches": start // (self.batch_size or 1) + done}

    def resume_at(self, batches: int) -> bool:
        """Start the next pass after ``batches`` batches of the epoch's order (False: cannot)."""
        skip = getattr(self.sampler, "skip", None)
        if not callable(skip) or not self.batch_size:
            return False
        skip(int(batches) * self.batch_size)
        return True

    def load_state_dict(self, state: dict[str, int]) -> None:
        self.resume_at(int(state.get("batches", 0)))


def _pairs(forms: Sequence[Formulation], targets: np.ndarray | torch.Tensor) -> Pairs:
    y = torch.as_tensor(np.asarray(targets, dtype=np.float32))
    if y.dim() != 2 or y.shape[0] != len(forms):
        raise ValueError(f"targets: expected shape [{len(forms)}, T], got {list(y.shape)}")
    return list(zip(forms, y, strict=True))


def load_parts(
    path: str | Path, split: str, targets: Sequence[str], transform: str
) -> dict[str, Pairs]:
    """(Formulation, targets, outcome, censor) items of each part of a stored split (every status)."""
    ids = load_split(path, split)
    rows = {r["row_id"]: r for r in read_table(path).to_pylist()}
    parts = {}
    for part in PARTS:
        chosen = [rows[i] for i in ids[part].tolist() if i in rows]
        forms = [formulation_from_row(r) for r in chosen]
        y, outcome, censor = label_arrays(chosen, targets, transform)
        pairs = _pairs(forms, y.reshape(len(chosen), len(targets)))
        parts[part] = [(f, t, int(o), torch.as_tensor(c)) for (f, t), o, c in zip(pairs, outcome, censor, strict=True)]
    return parts


class FormulationDataModule(L.LightningDataModule):
    """Train/val/test loaders of collated batches; ``physics`` appends the physics features."""

    def __init__(
        self,
        dataset: str | None = None,
        split: str = "random",
        targets: Sequence[str] = TARGETS,
        transform: str = "log10",
        batch_size: int = 64,
        physics: bool = False,
        num_workers: int = 0,
        seed: int = 0,
    ):
        super().__init__()
        self.save_hyperparameters()
        self.parts: dict[str, Pairs] | None = None

    @classmethod
    def from_pairs(
        cls,
        train: Pairs,
        val: Pairs | None = None,
        test: Pairs | None = None,
        **kwargs,
    ) -> FormulationDataModule:
        """A data module over in-memory (Formulation, targets) pairs.

        Targets are used as given; ``transform`` (default "none") only records how they were
        derived from the physical quantities (e.g. "log10").
        """
        dm = cls(**{"transform": "none", **kwargs})
        dm.parts = {"train": list(train), "val": list(val or []), "test": list(test or [])}
        return dm

    def setup(self, stage: str | None = None) -> None:
        if self.parts is not None:
            return
        if self.hparams.dataset is None:
            raise ValueError(
                "dataset: give a generated dataset directory (resistml generate --out DIR)"
            )
        hp = self.hparams
        self.parts = load_parts(hp.dataset, hp.split, hp.targets, hp.transform)
        if not self.parts["train"]:
            raise ValueError(
                f"dataset: split {hp.split!r} of {hp.dataset} has no usable training rows"
            )

    def target_stats(self) -> tuple[torch.Tensor, torch.Tensor]:
        """Per-target mean and standard deviation over the observed (finite, uncensored) training targets."""
        self.setup()
        y = torch.stack([item[1] for item in self.parts["train"]]).double()
        finite = torch.isfinite(y)
        if all(len(item) == 4 for item in self.parts["train"]):
            finite &= torch.stack([torch.as_tensor(item[3]) for item in self.parts["train"]]) == 0
        count = finite.sum(0).clamp(min=1)
        mean = torch.where(finite, y, 0.0).sum(0) / count
        var = torch.where(finite, (y - mean) ** 2, 0.0).sum(0) / count
        std = var.sqrt()
        return mean.float(), torch.where(std > 0, std, torch.ones_like(std)).float()

    def _loader(self, part: str, shuffle: bool) -> DataLoader:
        """A loader of ``part``; the training one (``shuffle``) is resumable mid-epoch.

        Each loader has its own seeded generator (for worker seeds), so iterating it does not draw
        from the global torch RNG: the dropout stream - saved and restored by
        ``train.resume.ResumeState`` - is the same whether a run was resumed or not.
        """
        self.setup()
        data = self.parts[part]
        cls = ResumableLoader if shuffle else DataLoader
        return cls(
            data,
            batch_size=self.hparams.batch_size,
            sampler=EpochShuffleSampler(len(data), self.hparams.seed) if shuffle else None,
            collate_fn=CollateFormulations(self.hparams.physics),
            num_workers=self.hparams.num_workers,
            persistent_workers=self.hparams.num_workers > 0,
            generator=torch.Generator().manual_seed(int(self.hparams.seed)),
        )

    def train_dataloader(self) -> DataLoader:
        return self._loader("train", shuffle=True)

    def val_dataloader(self) -> DataLoader:
        return self._loader("val", shuffle=False)

    def test_dataloader(self) -> DataLoader:
        return self._loader("test", shuffle=False)

    def predict_dataloader(self) -> DataLoader:
        return self._loader("test", shuffle=False)
