"""Request limits: body size (before parsing) and SMILES length (before RDKit sees a string)."""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyTooLarge(Exception):
    """Raised inside ``receive`` when the streamed body passes the limit."""


class BodyLimitMiddleware:
    """Answer 413 to bodies over ``max_bytes``, by Content-Length or while streaming (chunked)."""

    def __init__(self, app: ASGIApp, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers", [])).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            await self._reject(send)
            return
        seen = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._reject(send)

    async def _reject(self, send: Send) -> None:
        body = json.dumps(
            {"detail": [{"loc": ["body"], "field": "body", "msg": f"request body larger than {self.max_bytes} bytes",
                         "type": "too_large"}]}
        ).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


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
