"""Request limits: body size (before parsing) and SMILES length (before RDKit sees a string)."""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyLimitMiddleware:
    """Answer 413 to bodies over ``max_bytes``: by Content-Length, else while buffering (chunked).

    A body without Content-Length is read here (at most ``max_bytes``) and replayed to the app,
    so the limit holds before any parsing starts.
    """

    def __init__(self, app: ASGIApp, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers", [])).get(b"content-length")
        if length is not None:
            if not length.isdigit() or int(length) > self.max_bytes:
                await self._reject(send)
            else:
                await self.app(scope, receive, send)
            return
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([message], receive), send)
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            more = message.get("more_body", False)
            if size > self.max_bytes:
                await self._reject(send)
                return
        body = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        await self.app(scope, _replay([body], receive), send)

    async def _reject(self, send: Send) -> None:
        body = json.dumps(
            {"detail": [{"loc": ["body"], "field": "body", "msg": f"request body larger than {self.max_bytes} bytes",
                         "type": "too_large"}]}
        ).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


def _replay(messages: list[Message], receive: Receive) -> Receive:
    queue = list(messages)

    async def replay() -> Message:
        return queue.pop(0) if queue else await receive()

    return replay


def smiles_errors(docs: list[Any], max_length: int) -> list[str]:
    """``formulations[i].components[j](.repeat_units[k]).smiles: ...`` for every over-long SMILES."""
    errors = []
    for i, doc in enumerate(docs):
        comps = doc.get("components") if isinstance(doc, dict) else None
        if not isinstance(comps, list):
            continue
        for j, comp in enumerate(comps):
            if not isinstance(comp, dict):
                continue
            places = [(f"formulations[{i}].components[{j}].smiles", comp.get("smiles"))]
            units = comp.get("repeat_units")
            if isinstance(units, list):
                places += [
                    (f"formulations[{i}].components[{j}].repeat_units[{k}].smiles", u.get("smiles"))
                    for k, u in enumerate(units)
                    if isinstance(u, dict)
                ]
            for path, text in places:
                if isinstance(text, str) and len(text) > max_length:
                    errors.append(f"{path}: SMILES longer than {max_length} characters ({len(text)})")
    return errors
