"""A callback for the DDP test: every rank writes its logged metrics to ``$RESISTML_TEST_METRICS_DIR``."""

from __future__ import annotations

import json
import os
from pathlib import Path

import lightning as L


class DumpMetrics(L.Callback):
    """After fit, write ``rank<global rank>.json`` with the rank's ``callback_metrics`` and world size."""

    def on_fit_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        out = Path(os.environ["RESISTML_TEST_METRICS_DIR"])
        out.mkdir(parents=True, exist_ok=True)
        metrics = {k: float(v) for k, v in trainer.callback_metrics.items()}
        record = {"world_size": trainer.world_size, "metrics": metrics}
        (out / f"rank{trainer.global_rank}.json").write_text(json.dumps(record))
