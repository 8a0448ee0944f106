"""The issue-13 abuse suite, bounded, against a real server process on 127.0.0.1.

No response >= 500, the lying-length body is refused, RSS stays bounded while unique large
molecules fill the caches, and comes back after the idle release. The full-size run with the
figures is ``benchmarks/bench_serve_abuse.py`` (docs/benchmarks.md).
"""

from __future__ import annotations

import time

import httpx
import pytest

from benchmarks.bench_serve import free_port, start_server
from benchmarks.bench_serve_abuse import ENDPOINTS, abuse, rss_mib
from tests.conftest import EXAMPLE
from tests.serving_fixtures import tiny_artifact


@pytest.mark.slow  # ~1-2 min on 2 shared cores (a server process and ~200 requests)
def test_bounded_abuse_suite_never_500_and_memory_stays_bounded():
    port = free_port()
    proc = start_server(tiny_artifact(), port, env={"RESISTML_IDLE_RELEASE_S": "2"})
    url = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=url, timeout=60) as c:
            for path in ENDPOINTS:
                assert c.post(path, json={"formulations": [EXAMPLE]}).status_code == 200
        start = rss_mib(proc.pid)
        statuses, notes = abuse(url, port, fuzz=120, cache_requests=4)
        after = rss_mib(proc.pid)
        time.sleep(7)  # > idle release (2 s) + the janitor's 1 s poll
        idle = rss_mib(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert not any(s >= 500 or s == 0 for s in statuses), (statuses, notes)
    assert notes[0] == "lying Content-Length + 20 MiB chunked: 413", notes[0]
    assert after - start < 500, (start, after, notes)
    assert idle - start < max(0.15 * start, 60), (start, after, idle)
