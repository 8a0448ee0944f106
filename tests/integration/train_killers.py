"""A callback that stops a training process the hard way, for the resume tests (run in subprocesses)."""

from __future__ import annotations

import os
import signal

import lightning as L


class KillAt(L.Callback):
    """Send ``signal`` (a name, e.g. SIGKILL or SIGTERM) to this process at a batch of an epoch."""

    def __init__(self, epoch: int = 1, batch: int = 1, signal: str = "SIGKILL"):
        self.epoch, self.batch, self.signal = epoch, batch, signal

    def on_train_batch_start(self, trainer: L.Trainer, pl_module: L.LightningModule, batch, batch_idx: int) -> None:
        if trainer.current_epoch == self.epoch and batch_idx == self.batch:
            os.kill(os.getpid(), getattr(signal, self.signal))
