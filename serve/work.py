"""Bounded work queue for the heavy endpoints: a few worker threads, a bounded backlog, deadlines.

``/v1/predict``, ``/v1/check`` and ``/v1/simulate`` run their parsing, validation and computation
in a :class:`WorkQueue` (its own small thread pool), never on the event loop or the shared
AnyIO pool, so ``/healthz`` stays an event-loop answer in milliseconds whatever the load.
A request that finds ``workers + depth`` requests already admitted, or a backlog whose expected
duration (recent mean work time x requests ahead / workers) exceeds the timeout, is answered 503
with ``Retry-After``; one that waits in the backlog past its deadline is dropped unstarted (503);
one whose work runs past the deadline is answered 504 (the work notices the deadline at its
next :meth:`Deadline.check` and stops; its worker slot stays counted until it has).
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


class Busy(Exception):
    """The queue is full (or the request waited past its deadline): answer 503 + Retry-After."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


class Timeout(Exception):
    """The work ran past the request deadline: answer 504."""


class Deadline:
    """A monotonic deadline the work checks between its steps (cooperative cancellation)."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def remaining(self) -> float:
        return self.end - time.monotonic()

    def check(self) -> None:
        if time.monotonic() > self.end:
            raise Timeout(f"request took longer than {self.seconds:g} s")


class WorkQueue:
    """``workers`` threads plus at most ``depth`` waiting requests; each run has a deadline."""

    def __init__(self, name: str, workers: int, depth: int, timeout_s: float,
                 initializer: Callable[[], object] | None = None):
        self.name, self.workers, self.depth, self.timeout_s = name, workers, depth, timeout_s
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=f"resistml-{name}",
                                            initializer=initializer)
        self._lock = threading.Lock()
        self.pending = 0
        self.rejected = 0
        self._mean_s = 0.05
        self.last_done = time.monotonic()

    @property
    def capacity(self) -> int:
        return self.workers + self.depth

    def retry_after(self) -> int:
        """Seconds until the backlog has probably drained (1-60)."""
        return int(min(60, max(1, math.ceil(self._mean_s * max(self.pending, 1) / self.workers))))

    def _release(self, _: Future) -> None:
        with self._lock:
            self.pending -= 1
            self.last_done = time.monotonic()

    def _call(self, fn: Callable[..., T], deadline: Deadline, args: tuple[Any, ...]) -> T:
        deadline.check()
        start = time.monotonic()
        try:
            return fn(deadline, *args)
        finally:
            self._mean_s = 0.8 * self._mean_s + 0.2 * (time.monotonic() - start)

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(deadline, *args)`` on a worker thread; Busy / Timeout as described above."""
        with self._lock:
            if self.pending >= self.capacity:
                self.rejected += 1
                raise Busy(f"server busy: {self.pending} {self.name} requests in progress or queued; retry later",
                           self.retry_after())
            expected = self._mean_s * (self.pending + 1) / self.workers
            if self.pending >= self.workers and expected > self.timeout_s:  # would time out anyway: say so now
                self.rejected += 1
                raise Busy(f"server busy: {self.pending} {self.name} requests ahead, about {expected:.0f} s of work; "
                           "retry later", self.retry_after())
            self.pending += 1
        deadline = Deadline(self.timeout_s)
        try:
            future = self._executor.submit(self._call, fn, deadline, args)
        except BaseException:
            self._release(None)  # type: ignore[arg-type]
            raise
        future.add_done_callback(self._release)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), self.timeout_s)
        except TimeoutError:
            if future.cancelled():
                raise Busy(f"server busy: waited {self.timeout_s:g} s in the {self.name} queue; retry later",
                           self.retry_after()) from None
            raise Timeout(f"request took longer than {self.timeout_s:g} s") from None

    def idle_for(self) -> float:
        """Seconds since the last request finished (0 while any is pending)."""
        with self._lock:
            return 0.0 if self.pending else time.monotonic() - self.last_done

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
