"""Pure-ASGI guards in front of the app: bearer auth, body size, and one-line start-up errors.

Order (outermost first): timing -> CORS -> :class:`AuthMiddleware` -> :class:`BodyLimitMiddleware`
-> routes. Auth is decided from the headers alone, so a request without the token is answered
401 before a byte of its body is read. The body limit counts the bytes actually received (a
``Content-Length`` is only used to refuse early; chunked bodies and lying lengths are counted),
reads the body within a deadline (408), and replays it to the app in one piece.
"""

from __future__ import annotations

import asyncio
import ctypes
import hmac
import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from serve.body import smiles_errors  # noqa: F401  (public name kept for older imports)


async def send_json(send: Send, status: int, content: Any, headers: list[tuple[bytes, bytes]] | None = None) -> None:
    """A complete JSON response (ASCII-escaped, so no input text can break the encoding)."""
    body = json.dumps(content, ensure_ascii=True).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            *(headers or [])]})
    await send({"type": "http.response.body", "body": body})


def body_error(msg: str, kind: str) -> dict[str, Any]:
    return {"detail": [{"loc": ["body"], "field": "body", "msg": msg, "type": kind}]}


class AuthMiddleware:
    """401 for ``/v1/*`` without ``Authorization: Bearer <token>`` (scheme case-insensitive)."""

    def __init__(self, app: ASGIApp, token: str | None, prefix: str = "/v1/"):
        self.app, self.prefix = app, prefix
        self.token = token.encode() if token else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (self.token is None or scope["type"] != "http" or scope["method"] == "OPTIONS"
                or not scope["path"].startswith(self.prefix)):
            await self.app(scope, receive, send)
            return
        header = b""
        for name, value in scope.get("headers", []):
            if name == b"authorization":
                header = value
                break
        scheme, _, token = header.partition(b" ")
        if scheme.lower() != b"bearer" or not hmac.compare_digest(token.strip(), self.token):
            await send_json(send, 401, {"detail": "missing or wrong bearer token"}, [(b"www-authenticate", b"Bearer")])
            return
        await self.app(scope, receive, send)


class BodyLimitMiddleware:
    """413 for bodies over ``max_bytes`` counted as received; 408 when the body is not complete in time."""

    def __init__(self, app: ASGIApp, max_bytes: int, timeout_s: float = 30.0):
        self.app = app
        self.max_bytes = max_bytes
        self.timeout_s = timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        lengths = [v for k, v in scope.get("headers", []) if k == b"content-length"]
        if lengths and any(not v.strip().isdigit() or int(v) > self.max_bytes for v in lengths):
            await self._too_large(send)
            return
        chunks: list[bytes] = []
        size = 0
        try:
            async with asyncio.timeout(self.timeout_s):
                while True:
                    message = await receive()
                    if message["type"] != "http.request":  # disconnected before the body was complete
                        await self.app(scope, _replay([message], receive), send)
                        return
                    chunk = message.get("body", b"")
                    size += len(chunk)
                    if size > self.max_bytes:
                        await self._too_large(send)
                        return
                    if chunk:
                        chunks.append(chunk)
                    if not message.get("more_body", False):
                        break
        except TimeoutError:
            await send_json(send, 408, body_error(f"request body not received within {self.timeout_s:g} s", "timeout"),
                            [(b"connection", b"close")])
            return
        body: Message = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        await self.app(scope, _replay([body], receive), send)

    async def _too_large(self, send: Send) -> None:
        await send_json(send, 413, body_error(f"request body larger than {self.max_bytes} bytes", "too_large"),
                        [(b"connection", b"close")])


def _replay(messages: list[Message], receive: Receive) -> Receive:
    queue = list(messages)

    async def replay() -> Message:
        return queue.pop(0) if queue else await receive()

    return replay


class StartupErrorMiddleware:
    """Turn a start-up failure into one ``error: <message>`` line instead of a traceback.

    Starlette reports a failing lifespan with the formatted traceback, which uvicorn logs; the
    app's lifespan stores the exception in ``state["startup_error"]`` and this replaces the
    message. The exception still propagates (test clients see it; uvicorn exits).
    """

    def __init__(self, app: ASGIApp, state: Any):
        self.app, self.state = app, state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return

        async def one_line_send(message: Message) -> None:
            error = getattr(self.state, "startup_error", None)
            if message["type"] == "lifespan.startup.failed" and error is not None:
                message = {**message, "message": f"error: {str(error).splitlines()[0] if str(error) else type(error).__name__}"}
            await send(message)

        await self.app(scope, receive, one_line_send)


def release_memory(clear_caches: bool = True) -> None:
    """Drop the parsed-molecule and graph caches and return free heap to the OS.

    The caches are drained a few entries at a time and no full ``gc.collect()`` runs (0.5 s
    holding the GIL in a loaded server): the event loop keeps answering while this runs.
    """
    if clear_caches:
        from resistml.chem import graphs, smiles

        smiles._parse.cache.drain()
        graphs._graph_tensors.cache.drain()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)  # ctypes releases the GIL during the call
    except (OSError, AttributeError):  # not glibc
        pass
