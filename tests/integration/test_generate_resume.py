"""End to end: SIGKILL a real `resistml generate` mid-run; the re-run gives the uninterrupted dataset."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.dataset_helpers import TOY_LABELLER


def _bytes(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((out / "shards").glob("*.parquet"))}


@pytest.mark.slow
def test_killed_cli_run_resumes_to_the_same_dataset(tmp_path):
    """SIGKILL the real command mid-run, re-run it, compare with an uninterrupted run."""
    args = [sys.executable, "-c", "from resistml.cli import main; main()", "generate", "--n", "400", "--shard-size", "20",
            "--seed", "4", "--workers", "0", "--no-progress", "--labeller", TOY_LABELLER]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    killed = tmp_path / "killed"
    proc = subprocess.Popen([*args, "--out", str(killed)], env=env)
    deadline = time.time() + 120
    while len(list((killed / "shards").glob("part-*.parquet"))) < 3 and time.time() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert len(list((killed / "shards").glob("part-*.parquet"))) < 20
    subprocess.run([*args, "--out", str(killed)], env=env, check=True)
    subprocess.run([*args, "--out", str(tmp_path / "clean")], env=env, check=True)
    assert _bytes(killed) == _bytes(tmp_path / "clean")
