"""Issue 13 (server): each reproduction as a test. Bounded, loopback only.

Body limit on the bytes received and auth before the body (1), bounded parse caches and
per-request work (2), lone surrogates (4), a liveness probe that never waits for work and a
bounded queue with 503 + Retry-After (5), unreadable bodies in the documented error format,
unknown fields and duplicate components refused (7).
"""

from __future__ import annotations

import asyncio
import copy
import json
import random
import socket
import threading
import time

import httpx
import pytest
from fastapi.testclient import TestClient

from resistml.chem import smiles as smiles_mod
from resistml.chem.smiles import BoundedCache, count_heavy_atoms, parse_smiles
from resistml.inference.predictor import Predictor
from serve.app import create_app
from serve.settings import Settings
from tests.conftest import EXAMPLE
from tests.serving_fixtures import live_server, tiny_artifact


@pytest.fixture(scope="module")
def predictor() -> Predictor:
    return Predictor.load(tiny_artifact())


def _app(predictor, **kw):
    return create_app(Settings(model_dir=None, **kw), predictor=predictor)


@pytest.fixture(scope="module")
def client(predictor):
    with TestClient(_app(predictor)) as c:
        yield c


def _body(*forms) -> dict:
    return {"formulations": [copy.deepcopy(f) for f in (forms or [EXAMPLE])]}


def _post(client, path: str, content: bytes | str):
    return client.post(path, content=content, headers={"content-type": "application/json"})


def _fields(response) -> list[str]:
    return [d["field"] for d in response.json()["detail"]]


# ---- 1. body limit on received bytes, auth before the body -------------------------------------
def _asgi(app, scope: dict, chunks: list[bytes]) -> tuple[int, int, bytes]:
    """Run one HTTP request through the ASGI app; return (status, receive calls, body)."""
    calls = 0
    out: dict = {"body": b""}

    async def receive() -> dict:
        nonlocal calls
        calls += 1
        if calls <= len(chunks):
            return {"type": "http.request", "body": chunks[calls - 1], "more_body": calls < len(chunks)}
        await asyncio.sleep(3600)  # a client that never disconnects
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            out["status"] = message["status"]
        elif message["type"] == "http.response.body":
            out["body"] += message.get("body", b"")

    base = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
            "path": "/v1/predict", "raw_path": b"/v1/predict", "query_string": b"", "root_path": "",
            "server": ("127.0.0.1", 80), "client": ("127.0.0.1", 1234), "headers": []}
    asyncio.run(asyncio.wait_for(app({**base, **scope}, receive, send), 30))
    return out["status"], calls, out["body"]


def test_lying_content_length_with_a_chunked_body_is_413_on_the_bytes_received(predictor):
    """`Content-Length: 10` + chunked used to stream 20 MiB into the app."""
    app = _app(predictor, max_body_bytes=20_000)
    headers = [(b"content-length", b"10"), (b"transfer-encoding", b"chunked"), (b"content-type", b"application/json")]
    status, calls, body = _asgi(app, {"headers": headers}, [b" " * 1000] * 400)
    assert status == 413 and b"larger than 20000 bytes" in body
    assert calls <= 21  # reading stopped at the limit, not after 400 KB


def test_lying_content_length_on_a_real_socket(predictor):
    app = _app(predictor, max_body_bytes=100_000)
    with live_server(app) as url:
        port = int(url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
            sock.sendall(b"POST /v1/predict HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                         b"Content-Length: 10\r\nTransfer-Encoding: chunked\r\n\r\n")
            chunk = b" " * 65536
            try:
                for _ in range(64):  # 4 MiB at most
                    sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sock.sendall(b"0\r\n\r\n")
            except OSError:
                pass  # the server answered and closed the connection: expected
            reply = sock.recv(4096)
    status = int(reply.split(b" ", 2)[1])
    assert status in (400, 413), reply[:200]


def test_auth_is_checked_before_the_body_is_read(predictor):
    app = _app(predictor, api_token="s3cret")
    headers = [(b"content-type", b"application/json"), (b"transfer-encoding", b"chunked")]
    status, calls, body = _asgi(app, {"headers": headers}, [b"{" * 1000] * 50)
    assert status == 401 and calls == 0 and b"bearer token" in body
    status, calls, _ = _asgi(app, {"headers": [*headers, (b"authorization", b"bearer wrong")]}, [b"{}"])
    assert status == 401 and calls == 0
    ok = json.dumps(_body()).encode()
    status, _, body = _asgi(app, {"headers": [*headers, (b"authorization", b"bearer s3cret")]}, [ok])
    assert status == 200, body


def test_slow_body_is_408(predictor):
    app = _app(predictor, request_timeout_s=0.3)
    scope = {"headers": [(b"content-type", b"application/json")]}
    status, _, body = _asgi(app, scope, [b"{"])  # more_body=False never arrives... one chunk then silence
    assert status in (200, 422)  # one complete chunk: parsed (invalid JSON)
    calls = 0

    async def run() -> int:
        out = {}

        async def receive() -> dict:
            nonlocal calls
            calls += 1
            if calls == 1:
                return {"type": "http.request", "body": b"{", "more_body": True}
            await asyncio.sleep(3600)
            return {"type": "http.disconnect"}

        async def send(message: dict) -> None:
            if message["type"] == "http.response.start":
                out["status"] = message["status"]

        scope2 = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
                  "path": "/v1/predict", "raw_path": b"/v1/predict", "query_string": b"", "root_path": "",
                  "server": ("127.0.0.1", 80), "client": ("127.0.0.1", 1), "headers": []}
        await asyncio.wait_for(app(scope2, receive, send), 10)
        return out["status"]

    assert asyncio.run(run()) == 408


# ---- 2. bounded caches and per-request work ----------------------------------------------------
def _chain(rng: random.Random, n: int = 480) -> str:
    return "".join(rng.choice("CCCNO") for _ in range(n))


def test_bounded_cache_evicts_by_cost_and_skips_oversized_values():
    cache = BoundedCache(maxsize=100, max_cost=10, cost=lambda _k, v: v)
    for key in "abcd":
        cache.put(key, 3)
    assert cache.info().cost == 9 and cache.get("a") is None and cache.get("d") == 3
    cache.put("big", 11)
    assert cache.get("big") is None and cache.info().cost <= 10


def test_parse_cache_is_bounded_by_atoms_not_entries(monkeypatch):
    """65,536 cached 500-atom molecules were ~16 GiB; now the cache holds a fixed atom budget."""
    assert smiles_mod._parse.cache.max_cost == smiles_mod.PARSE_CACHE_ATOMS <= 1 << 20
    monkeypatch.setattr(smiles_mod._parse.cache, "max_cost", 5_000)  # ~10 large molecules
    rng = random.Random(1)
    for _ in range(30):
        parse_smiles(_chain(rng))
    info = smiles_mod._parse.cache_info()
    assert info.cost <= 5_000 and info.currsize <= 11
    smiles_mod._parse.cache_clear()


def test_heavy_atoms_are_counted_without_rdkit():
    assert count_heavy_atoms("c1ccc(cc1)[S+](c1ccccc1)c1ccccc1.[O-]S(=O)(=O)C(F)(F)F") == 27
    assert count_heavy_atoms("[*]CC([*])c1ccc(O)cc1") == parse_smiles("[*]CC([*])c1ccc(O)cc1").GetNumAtoms()
    assert count_heavy_atoms("ClCBr") == 3


def test_request_heavy_atom_limit_is_a_field_error(predictor):
    rng = random.Random(2)
    form = copy.deepcopy(EXAMPLE)
    form["components"] += [{"role": "base", "smiles": _chain(rng), "parts": 0.1} for _ in range(8)]
    with TestClient(_app(predictor, max_request_atoms=3_000)) as c:
        for path in ("/v1/check", "/v1/predict", "/v1/simulate"):
            r = c.post(path, json=_body(form))
            assert r.status_code == 422, (path, r.text)
            assert r.json()["detail"][0]["field"] == "formulations"
            assert "heavy atoms" in r.json()["detail"][0]["msg"] and "at most 3000" in r.json()["detail"][0]["msg"]


class _SlowPredictor:
    """Wraps a predictor and sleeps in predict (simulates a slow model)."""

    def __init__(self, inner, seconds: float):
        self.inner, self.seconds = inner, seconds
        self.version, self.metadata = inner.version, inner.metadata

    def predict(self, forms):
        time.sleep(self.seconds)
        return self.inner.predict(forms)


def test_request_timeout_is_504(predictor):
    with TestClient(create_app(Settings(model_dir=None, request_timeout_s=0.3),
                               predictor=_SlowPredictor(predictor, 1.0))) as c:
        start = time.monotonic()
        r = c.post("/v1/predict", json=_body())
        assert r.status_code == 504 and "longer than 0.3 s" in r.json()["detail"]
        assert time.monotonic() - start < 0.9
        time.sleep(0.8)  # let the worker finish before the app shuts down


# ---- 4. lone surrogates --------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/v1/predict", "/v1/simulate", "/v1/check"])
def test_lone_surrogate_in_name_is_a_field_named_422(client, path):
    raw = json.dumps(_body()).replace('"name": "example-1"', '"name": "\\ud800x"', 1)
    r = _post(client, path, raw)
    assert r.status_code == 422, r.text
    assert _fields(r) == ["formulations[0].name"] and "surrogate" in r.json()["detail"][0]["msg"]
    assert r.json()["detail"][0]["loc"] == ["body", "formulations", 0, "name"]


def test_lone_surrogate_in_keys_and_smiles_never_500(client):
    raw = json.dumps(_body()).replace('"smiles": "c1ccc', '"smiles": "\\udfffc1ccc', 1)
    r = _post(client, "/v1/check", raw)
    assert r.status_code == 422 and _fields(r) == ["formulations[0].components[0].smiles"]
    r = _post(client, "/v1/check", '{"formulations": [{"\\ud800": 1}]}')
    assert r.status_code == 422 and _fields(r) == ["formulations[0]"]
    paired = json.dumps(_body()).replace('"name": "example-1"', '"name": "\\ud83d\\ude00"', 1)  # a valid pair
    r = _post(client, "/v1/predict", paired)
    assert r.status_code == 200 and r.json()["predictions"][0]["name"] == "\U0001f600"


# ---- 7. unreadable bodies, unknown fields, duplicates ------------------------------------------
@pytest.mark.parametrize(
    ("content", "field", "words"),
    [
        (json.dumps(_body()).replace("TPS", "T\xe9S").encode("latin-1"), "body", "not UTF-8"),
        (json.dumps(_body()).replace('"parts": 5', '"parts": ' + "9" * 5000, 1).encode(),
         "formulations[0].components[0].parts", "5000 digits"),
        (json.dumps(_body()).replace('"parts": 5', '"parts": ' + "9" * 400, 1).encode(),
         "formulations[0].components[0].parts", "400 digits"),
        (b"[" * 100_000 + b"]" * 100_000, "body", "nested deeper than 32"),
        (b'{"formulations": ' + b"[" * 40 + b"]" * 40 + b"}", "formulations[0][0][0]", "nested deeper than 32"),
        (b"", "body", "empty"),
        (b"\xff\xfe{\x00}\x00", "body", "not UTF-8"),
        (json.dumps({**_body(), "dry_run": True}).encode(), "dry_run", "unknown field"),
    ],
)
def test_unreadable_bodies_use_the_documented_error_format(client, content, field, words):
    for path in ("/v1/predict", "/v1/check", "/v1/simulate"):
        r = _post(client, path, content)
        assert r.status_code == 422, (path, r.text[:300])
        detail = r.json()["detail"]
        assert detail[0]["field"].startswith(field) and words in detail[0]["msg"], detail
        assert "There was an error parsing the body" not in r.text


def test_duplicate_components_are_refused(client):
    dup = copy.deepcopy(EXAMPLE)
    dup["components"].append({"name": "again", "role": "acid_generator",
                              "smiles": "[O-]S(=O)(=O)C(F)(F)F.c1ccc(cc1)[S+](c1ccccc1)c1ccccc1", "parts": 1})
    r = client.post("/v1/predict", json=_body(EXAMPLE, dup))
    assert r.status_code == 422
    assert _fields(r) == ["formulations[1].components[3]"] and "components[0]" in r.json()["detail"][0]["msg"]
    blend = copy.deepcopy(EXAMPLE)  # the same resin at another molecular weight is a blend, not a duplicate
    blend["components"].append({**copy.deepcopy(EXAMPLE["components"][1]), "mw": 20000})
    assert client.post("/v1/predict", json=_body(blend)).status_code == 200


# ---- 5. liveness under load, bounded queue -------------------------------------------------
def test_healthz_answers_while_every_worker_is_busy_and_a_full_queue_is_503(predictor):
    slow = _SlowPredictor(predictor, 1.5)
    app = create_app(Settings(model_dir=None, worker_threads=1, queue_depth=2), predictor=slow)
    statuses: list[int] = []
    retry_after: list[str] = []
    with live_server(app) as url:

        def one() -> None:
            with httpx.Client(base_url=url, timeout=30) as c:
                r = c.post("/v1/predict", json=_body())
                statuses.append(r.status_code)
                if r.status_code == 503:
                    retry_after.append(r.headers.get("retry-after", ""))

        threads = [threading.Thread(target=one) for _ in range(6)]
        for t in threads:
            t.start()
        time.sleep(0.5)
        with httpx.Client(base_url=url, timeout=10) as c:
            times = []
            for _ in range(20):
                start = time.perf_counter()
                assert c.get("/healthz").status_code == 200
                times.append(time.perf_counter() - start)
        for t in threads:
            t.join(timeout=30)
    assert max(times) < 0.5, times  # a queued predict takes 1.5-4.5 s
    assert sorted(statuses) == [200, 200, 200, 503, 503, 503]
    assert all(v.isdigit() and int(v) >= 1 for v in retry_after)


def test_overflowing_parts_are_a_field_error_not_500(client):
    """`parts: 1e308` on two components divided by zero in the film composition: 500 for the batch."""
    bad = copy.deepcopy(EXAMPLE)
    bad["components"][0]["parts"] = 1e308
    bad["components"][1]["parts"] = 1e308
    for path in ("/v1/predict", "/v1/check", "/v1/simulate"):
        r = client.post(path, json=_body(EXAMPLE, bad))
        assert r.status_code in (200, 422), (path, r.text[:300])
        if r.status_code == 422:
            # the schema bounds amounts (formulation.composition), so each bad field is named
            assert _fields(r) == ["formulations[1].components[0].parts", "formulations[1].components[1].parts"], r.text


def test_idle_release_drains_caches_without_a_long_gil_hold():
    from serve.limits import release_memory

    rng = random.Random(3)
    for _ in range(20):
        parse_smiles(_chain(rng))
    assert smiles_mod._parse.cache_info().currsize >= 20
    release_memory()
    info = smiles_mod._parse.cache_info()
    assert info.currsize == 0 and info.cost == 0


def test_a_backlog_longer_than_the_timeout_is_503_at_once():
    from serve.work import Busy, WorkQueue

    async def run() -> list[str]:
        queue = WorkQueue("t", workers=1, depth=10, timeout_s=1.0)
        queue._mean_s = 0.4  # recent requests took 0.4 s each
        tasks = [asyncio.create_task(queue.run(lambda _d: time.sleep(0.05) or "ok")) for _ in range(5)]
        out = []
        for task in tasks:
            try:
                out.append(await task)
            except Busy as exc:
                assert exc.retry_after >= 1
                out.append("busy")
        queue.shutdown()
        return out

    out = asyncio.run(run())
    assert out[:2] == ["ok", "ok"] and out[-1] == "busy"
