"""Server under abuse: /healthz latency during 48 concurrent simulations, RSS through an abuse suite.

    .venv/bin/python benchmarks/bench_serve_abuse.py [--model DIR] [--seconds 20] [--fuzz 3000]

Starts the server on 127.0.0.1 (a free port; loopback only) as a child process with
``RESISTML_IDLE_RELEASE_S=5`` and reports

1. ``/healthz`` p50/p99/max over a 20 ms probe while 48 concurrent clients (in a separate
   process) post ``/v1/simulate`` requests of ``--per-request`` formulations (default 8, the
   limit) for ``--seconds``;
2. server RSS at start, after the load, after the abuse suite of issue 13 (lying Content-Length
   with a 20 MiB chunked body, 1 MiB bodies of unique 480-atom SMILES on /v1/check and
   /v1/predict, requests just under the heavy-atom limit that fill the caches, lone surrogates,
   5,000-digit integers, 100k-deep JSON, non-UTF-8, duplicates, unknown fields, ``--fuzz``
   randomly mutated bodies) and after 15 s idle; the count of responses >= 500 (must be 0).

Every loop is bounded; the server is stopped after.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import multiprocessing
import os
import random
import socket
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.bench_predict import model_dir  # noqa: E402
from benchmarks.bench_serve import free_port, start_server  # noqa: E402
from tests.conftest import EXAMPLE  # noqa: E402

ENDPOINTS = ("/v1/predict", "/v1/check", "/v1/simulate")


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def chain(rng: random.Random, atoms: int = 480) -> str:
    """A unique acyclic SMILES of ``atoms`` heavy atoms (C, N, O)."""
    return "".join(rng.choice("CCCNO") for _ in range(atoms))


def big_molecule_body(rng: random.Random, per_request: int, atoms: int = 480) -> dict:
    """``per_request`` valid formulations, each with one unique large base molecule."""
    forms = []
    for i in range(per_request):
        form = copy.deepcopy(EXAMPLE)
        form["name"] = f"big-{i}"
        form["components"].append({"role": "base", "smiles": chain(rng, atoms), "parts": 0.1})
        forms.append(form)
    return {"formulations": forms}


def megabyte_body(rng: random.Random, limit: int = (1 << 20) - 1024) -> bytes:
    """Just under 1 MiB of formulations with 9 unique 480-atom SMILES each (the issue's reproduction)."""
    forms: list[dict] = []
    size = 20
    while True:
        form = copy.deepcopy(EXAMPLE)
        form["name"] = f"mb-{len(forms)}"
        form["components"] = form["components"][:3] + [{"role": "base", "smiles": chain(rng), "parts": 0.1}
                                                       for _ in range(9)]
        size += len(json.dumps(form)) + 2
        if size > limit:
            return json.dumps({"formulations": forms}).encode()
        forms.append(form)


def bad_bodies() -> list[tuple[str, bytes]]:
    """(what, body) of the unreadable / hostile bodies of issue 13 (item 4 and 7)."""
    ok = json.dumps({"formulations": [EXAMPLE]})
    dup = copy.deepcopy(EXAMPLE)
    dup["components"].append(copy.deepcopy(EXAMPLE["components"][0]))
    return [
        ("lone surrogate in name", ok.replace('"name": "example-1"', '"name": "\\ud800"', 1).encode()),
        ("lone surrogate in a key", b'{"formulations": [{"\\udfff": 1}]}'),
        ("5,000-digit integer", ok.replace('"parts": 5', '"parts": ' + "9" * 5000, 1).encode()),
        ("4,000-digit integer", ok.replace('"parts": 5', '"parts": ' + "9" * 4000, 1).encode()),
        ("100k-deep JSON", b"[" * 100_000 + b"]" * 100_000),
        ("non-UTF-8", ok.replace("TPS", "T\xe9S").encode("latin-1")),
        ("UTF-16", ok.encode("utf-16")),
        ("duplicate components", json.dumps({"formulations": [dup]}).encode()),
        ("unknown top-level field", json.dumps({"formulations": [EXAMPLE], "dry_run": True}).encode()),
        ("empty", b""),
        ("parts 1e308 twice", ok.replace('"parts": 5', '"parts": 1e308', 1).replace('"parts": 100', '"parts": 1e308', 1).encode()),
    ]


_LEAVES = [None, True, -1, 0, 1e308, -1e308, 1e-320, 3.5, "", "C1CC", "[*]", "x" * 600, "\u00e9", [], {}, "NaN"]
_FIELDS = ["name", "components", "process", "role", "parts", "smiles", "catalog", "mw", "pdi", "repeat_units",
           "beam_energy_keV", "photon_energy_keV", "radiation", "developer", "thickness_nm", "fraction", "unknown"]


def mutated_body(rng: random.Random) -> bytes:
    """A random body: positive mode (the example with one value replaced) or negative (random JSON)."""
    if rng.random() < 0.2:
        return json.dumps(rng.choice([_LEAVES, {"formulations": rng.choice(_LEAVES)}, rng.choice(_LEAVES)])).encode()
    doc = copy.deepcopy(EXAMPLE)
    targets = [doc, doc["process"], *doc["components"], doc["components"][1]["repeat_units"][0]]
    for _ in range(rng.randint(1, 3)):
        target = rng.choice(targets)
        field = rng.choice(_FIELDS)
        if rng.random() < 0.15:
            target.pop(field, None)
        else:
            target[field] = rng.choice(_LEAVES)
    return json.dumps({"formulations": [doc] * rng.randint(1, 3)}).encode()


def lying_length(port: int, mib: int = 20) -> int:
    """POST with ``Content-Length: 10`` and a chunked body of ``mib`` MiB; the status answered."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(b"POST /v1/predict HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 10\r\nTransfer-Encoding: chunked\r\n\r\n")
        chunk = b" " * (1 << 20)
        try:
            for _ in range(mib):
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            sock.sendall(b"0\r\n\r\n")
        except OSError:
            pass
        reply = sock.recv(4096)
    return int(reply.split(b" ", 2)[1]) if reply else 0


class _Reply:
    def __init__(self, status_code: int, text: str):
        self.status_code, self.text = status_code, text


def _post(c: httpx.Client, path: str, **kw) -> httpx.Response | _Reply:
    """POST; a transport error (connection reset) is status 0 so the suite goes on."""
    try:
        return c.post(path, **kw)
    except httpx.TransportError as exc:
        return _Reply(0, f"{type(exc).__name__}: {exc}")


def abuse(url: str, port: int, fuzz: int, cache_requests: int, seed: int = 0) -> tuple[Counter, list[str]]:
    """Run the abuse suite; (status counts, notes)."""
    rng = random.Random(seed)
    statuses: Counter = Counter()
    notes = []
    status = lying_length(port)
    statuses[status] += 1
    notes.append(f"lying Content-Length + 20 MiB chunked: {status}")
    with httpx.Client(base_url=url, timeout=120, headers={"content-type": "application/json"}) as c:
        for path in ("/v1/check", "/v1/check", "/v1/check", "/v1/check", "/v1/check", "/v1/check", "/v1/predict"):
            body = megabyte_body(rng)
            start = time.perf_counter()
            r = _post(c, path, content=body)
            statuses[r.status_code] += 1
            notes.append(f"{len(body) / 2**20:.2f} MiB of unique 480-atom SMILES on {path}: {r.status_code} in "
                         f"{time.perf_counter() - start:.2f} s")
        start = time.perf_counter()
        for i in range(cache_requests):
            path = "/v1/check" if i % 2 else "/v1/predict"
            r = _post(c, path, json=big_molecule_body(rng, 100))
            statuses[r.status_code] += 1
        notes.append(f"{cache_requests} requests x 100 unique 480-atom molecules (48,000 atoms, under the limit): "
                     f"{time.perf_counter() - start:.1f} s")
        for what, body in bad_bodies():
            codes = []
            for path in ENDPOINTS:
                r = _post(c, path, content=body)
                statuses[r.status_code] += 1
                codes.append(r.status_code)
            notes.append(f"{what}: {codes}")
        start = time.perf_counter()
        for i in range(fuzz):
            r = _post(c, ENDPOINTS[i % 3] if i % 10 else "/v1/simulate", content=mutated_body(rng))
            statuses[r.status_code] += 1
            if r.status_code >= 500:
                notes.append(f"fuzz {i}: {r.status_code} {r.text[:200]}")
        notes.append(f"{fuzz} mutated bodies: {time.perf_counter() - start:.1f} s")
    return statuses, notes


def _simulate_load(url: str, clients: int, seconds: float, per_request: int, out: multiprocessing.Queue) -> None:
    counts: Counter = Counter()
    body = {"formulations": [EXAMPLE] * per_request}

    async def client(stop: float) -> None:
        async with httpx.AsyncClient(base_url=url, timeout=60) as c:
            while time.perf_counter() < stop:
                r = await c.post("/v1/simulate", json=body)
                counts[r.status_code] += 1
                if r.status_code == 503:
                    await asyncio.sleep(float(r.headers.get("retry-after", "1")) * 0.1)

    async def main() -> None:
        stop = time.perf_counter() + seconds
        await asyncio.gather(*(client(stop) for _ in range(clients)))

    asyncio.run(main())
    out.put(dict(counts))


def healthz_under_load(url: str, clients: int, seconds: float, per_request: int = 8) -> tuple[list[float], dict]:
    """/healthz latencies (ms) probed every 20 ms while ``clients`` post /v1/simulate (other process)."""
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_simulate_load, args=(url, clients, seconds, per_request, queue))
    proc.start()
    time.sleep(1.0)  # let the load build up
    latencies = []
    with httpx.Client(base_url=url, timeout=30) as c:
        stop = time.perf_counter() + seconds - 2.0
        while time.perf_counter() < stop:
            start = time.perf_counter()
            r = c.get("/healthz")
            latencies.append((time.perf_counter() - start) * 1000)
            assert r.status_code == 200
            time.sleep(0.02)
    counts = queue.get(timeout=seconds + 120)
    proc.join(timeout=60)
    return latencies, counts


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--clients", type=int, default=48)
    parser.add_argument("--per-request", type=int, default=8, help="formulations per simulate request (limit: 8)")
    parser.add_argument("--fuzz", type=int, default=3000)
    parser.add_argument("--cache-requests", type=int, default=12)
    parser.add_argument("--code", type=Path, default=REPO, help="source tree of the server (e.g. an old commit)")
    parser.add_argument("--healthz-only", action="store_true", help="only the /healthz-under-load part")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        model = model_dir(args.model, Path(tmp))
        port = free_port()
        proc = start_server(model, port, args.code.resolve(), env={"RESISTML_IDLE_RELEASE_S": "5"})
        url = f"http://127.0.0.1:{port}"
        try:
            with httpx.Client(base_url=url, timeout=60) as c:  # warm every endpoint once
                for path in ENDPOINTS:
                    c.post(path, json={"formulations": [EXAMPLE]}).raise_for_status()
            rss = {"start": rss_mib(proc.pid)}
            ms, counts = healthz_under_load(url, args.clients, args.seconds, args.per_request)
            rss["after 48-client simulate load"] = rss_mib(proc.pid)
            statuses, notes = Counter(), []
            if not args.healthz_only:
                statuses, notes = abuse(url, port, args.fuzz, args.cache_requests)
                rss["after abuse suite"] = rss_mib(proc.pid)
                time.sleep(15)
                rss["after 15 s idle"] = rss_mib(proc.pid)
            hwm = next(int(x.split()[1]) / 1024 for x in Path(f"/proc/{proc.pid}/status").read_text().splitlines()
                       if x.startswith("VmHWM:"))
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    print(f"server code {args.code.resolve()}  model {model}  load average {os.getloadavg()[0]:.1f}  cores {os.cpu_count()}")
    print(f"/healthz during {args.clients} concurrent /v1/simulate clients, {args.per_request} formulations each "
          f"({args.seconds:g} s, {len(ms)} probes): "
          f"p50 {statistics.median(ms):.1f} ms  p99 {pct(ms, 0.99):.1f} ms  max {max(ms):.1f} ms  "
          f"(> 50 ms: {sum(m > 50 for m in ms)})")
    print(f"simulate responses during the load: {dict(sorted(counts.items()))}")
    for note in notes:
        print(f"  {note}")
    print(f"abuse suite statuses: {dict(sorted(statuses.items()))}; responses >= 500: "
          f"{sum(n for s, n in statuses.items() if s >= 500)}")
    print("server RSS: " + ", ".join(f"{k} {v:,.0f} MiB" for k, v in rss.items()) + f"; peak (VmHWM) {hwm:,.0f} MiB")


if __name__ == "__main__":
    main()
