"""A tiny randomly initialised ResistNet exported once per test session (shared by serving tests)."""

from __future__ import annotations

import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

import torch

from resistml.inference.domain import training_domain
from resistml.inference.export import export_model
from resistml.model import ResistNet
from tests.model_fixtures import random_formulations

TINY = {"hidden": 32, "gnn_layers": 2, "heads": 2, "set_blocks": 1, "dropout": 0.0}


def tiny_model(seed: int = 0) -> ResistNet:
    """A small ResistNet with fixed random weights, in eval mode."""
    torch.manual_seed(seed)
    return ResistNet(**TINY).eval()


def tiny_metadata() -> dict:
    """Metadata as training would write it (domain from 200 random formulations)."""
    return {
        "model_name": "tiny-test",
        "model_version": "0.0.1",
        "data_hash": "sha256:test",
        "domain": training_domain(random_formulations(200, seed=11)),
        "metrics": {"random": {"r2_log10_sensitivity": 0.0}},
    }


@lru_cache(maxsize=4)
def tiny_artifact(formats: tuple[str, ...] = ("torchscript",)) -> Path:
    """Directory of the exported tiny model (created once per session and format set)."""
    out = Path(tempfile.mkdtemp(prefix="resistml-art-")) / "model"
    export_model(tiny_model(), tiny_metadata(), out, formats=formats)
    return out


@contextmanager
def live_server(app: Any) -> Iterator[str]:
    """Run ``app`` with uvicorn on a free 127.0.0.1 port in a thread; yield its base URL."""
    import uvicorn

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
