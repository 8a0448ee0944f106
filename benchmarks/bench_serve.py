"""HTTP endpoint latency (p50/p99, one formulation) and throughput with 16 concurrent clients.

    .venv/bin/python benchmarks/bench_serve.py [--model DIR] [--requests 300] [--clients 16] [--seconds 15]
    .venv/bin/python benchmarks/bench_serve.py --compare OLD_TREE [--rounds 3] [--seconds 10]

Starts ``resistml serve`` on 127.0.0.1 (a free port; loopback only) as a child process, waits for
``/readyz``, then (1) sends ``--requests`` sequential single-formulation ``POST /v1/predict`` and
reports p50/p99 latency, (2) runs ``--clients`` concurrent async httpx clients for ``--seconds``
and reports requests/s and the error count. Both loops are bounded; the server is stopped after.
Without ``--model`` the shipped model is used if present, else a random default-size ResistNet.

``--compare OLD_TREE`` (e.g. ``git archive <commit> | tar -x -C /tmp/old``) starts a second server
from that source tree and alternates the 16-client load between the two (old, new, old, new, ...
``--rounds`` times), so both are measured in one run under the same machine noise.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.bench_predict import model_dir  # noqa: E402
from tests.conftest import EXAMPLE  # noqa: E402

BODY = {"formulations": [EXAMPLE]}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(model: Path, port: int, code: Path = REPO, env: dict[str, str] | None = None) -> subprocess.Popen:
    """`resistml serve` (from the source tree ``code``) on 127.0.0.1:port; returns once /readyz answers 200."""
    cmd = [sys.executable, "-m", "uvicorn", "serve.app:create_app", "--factory", "--host", "127.0.0.1",
           "--port", str(port), "--log-level", "warning"]
    environ = {**os.environ, "RESISTML_MODEL_DIR": str(model), "PYTHONPATH": str(code), **(env or {})}
    proc = subprocess.Popen(cmd, cwd=code, env=environ)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return proc
        except httpx.TransportError:
            pass
        if proc.poll() is not None:
            raise RuntimeError("server exited during start-up")
        time.sleep(0.2)
    proc.terminate()
    raise RuntimeError("server not ready after 120 s")


def latency(url: str, n: int) -> list[float]:
    """Milliseconds of n sequential single-formulation predictions."""
    out = []
    with httpx.Client(base_url=url, timeout=30) as client:
        for _ in range(5):
            client.post("/v1/predict", json=BODY)  # warm the embedding cache and the JIT
        for _ in range(n):
            start = time.perf_counter()
            response = client.post("/v1/predict", json=BODY)
            out.append((time.perf_counter() - start) * 1000)
            response.raise_for_status()
    return out


async def _client(url: str, stop: float, counts: dict[str, int]) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        while time.perf_counter() < stop:
            response = await client.post("/v1/predict", json=BODY)
            counts["ok" if response.status_code == 200 else "errors"] += 1


async def load(url: str, clients: int, seconds: float) -> tuple[float, int]:
    """(requests/s, errors) for `clients` concurrent clients over `seconds`."""
    counts = {"ok": 0, "errors": 0}
    start = time.perf_counter()
    await asyncio.gather(*(_client(url, start + seconds, counts) for _ in range(clients)))
    return (counts["ok"] + counts["errors"]) / (time.perf_counter() - start), counts["errors"]


def compare(model: Path, old: Path, clients: int, seconds: float, rounds: int) -> None:
    """Alternate the load between a server from ``old`` and one from this tree (see docstring)."""
    ports = {"old": free_port(), "new": free_port()}
    procs = {"old": start_server(model, ports["old"], old), "new": start_server(model, ports["new"])}
    rates: dict[str, list[float]] = {"old": [], "new": []}
    try:
        for port in ports.values():  # warm both
            asyncio.run(load(f"http://127.0.0.1:{port}", clients, 2.0))
        for r in range(rounds):
            for name in ("old", "new") if r % 2 == 0 else ("new", "old"):
                rate, errors = asyncio.run(load(f"http://127.0.0.1:{ports[name]}", clients, seconds))
                rates[name].append(rate)
                print(f"round {r + 1} {name}: {rate:,.0f} requests/s, {errors} errors, load {os.getloadavg()[0]:.1f}")
    finally:
        for proc in procs.values():
            proc.terminate()
            proc.wait(timeout=30)
    for name, values in rates.items():
        print(f"{name} ({old if name == 'old' else REPO}): median {statistics.median(values):,.0f} requests/s "
              f"over {rounds} x {seconds:g} s at {clients} clients ({', '.join(f'{v:,.0f}' for v in values)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--compare", type=Path, help="source tree of the server to compare with (old code)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if args.compare:
        with tempfile.TemporaryDirectory() as tmp:
            compare(model_dir(args.model, Path(tmp)), args.compare.resolve(), args.clients, args.seconds, args.rounds)
        return
    with tempfile.TemporaryDirectory() as tmp:
        model = model_dir(args.model, Path(tmp))
        port = free_port()
        proc = start_server(model, port)
        try:
            url = f"http://127.0.0.1:{port}"
            ms = sorted(latency(url, args.requests))
            p50, p99 = statistics.median(ms), ms[min(len(ms) - 1, int(0.99 * len(ms)))]
            rate, errors = asyncio.run(load(url, args.clients, args.seconds))
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    print(f"model {model}  load average {os.getloadavg()[0]:.1f}  cores {os.cpu_count()}")
    print(f"single formulation: p50 {p50:.1f} ms  p99 {p99:.1f} ms  ({args.requests} sequential requests)")
    print(f"{args.clients} concurrent clients: {rate:,.0f} requests/s over {args.seconds:g} s, {errors} errors")


if __name__ == "__main__":
    main()
