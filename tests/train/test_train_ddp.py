"""`resistml train` under DDP: 2 CPU processes (gloo) started by Lightning from `resistml train`'s argv."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.dataset_helpers import toy_dataset

ROOT = Path(__file__).parents[2]
CONFIGS = ROOT / "train" / "configs"


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_resistml_train_ddp_on_two_cpu_processes_logs_the_same_metrics(tmp_path):
    data = toy_dataset(200, 0, 100)
    script = tmp_path / "resistml_cli.py"  # stands in for the `resistml` console script
    script.write_text("from resistml.cli import main\nmain()\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
           "RESISTML_TEST_METRICS_DIR": str(tmp_path / "metrics"), "OMP_NUM_THREADS": "1",
           "MASTER_ADDR": "127.0.0.1"}
    callbacks = json.dumps([{"class_path": "tests.train.ddp_helpers.DumpMetrics"}])
    args = [sys.executable, str(script), "train", "--config", str(CONFIGS / "small.yaml"), "--data", str(data),
            "--trainer.strategy", "ddp", "--trainer.devices", "2", "--trainer.accelerator", "cpu",
            "--trainer.max_epochs", "1", "--trainer.limit_train_batches", "2", "--trainer.logger", "false",
            "--trainer.callbacks", callbacks, "--trainer.enable_progress_bar", "false",
            "--model.hidden", "16", "--model.gnn_layers", "2", "--model.heads", "2", "--model.set_blocks", "1",
            "--data.batch_size", "16"]
    done = subprocess.run(args, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=540)
    assert done.returncode == 0, done.stderr[-3000:]
    ranks = [json.loads((tmp_path / "metrics" / f"rank{r}.json").read_text()) for r in (0, 1)]
    assert [r["world_size"] for r in ranks] == [2, 2]
    zero, one = (r["metrics"] for r in ranks)
    val = sorted(k for k in zero if k.startswith("val/"))
    assert "val/loss" in val and "val/mae/sensitivity" in val, val
    assert {k: zero[k] for k in val} == {k: one[k] for k in val}
