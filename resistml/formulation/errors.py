"""Pydantic validation errors as the documented ``field.path: message`` lines."""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError


def _loc_to_path(loc: tuple[Any, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part in {"function-after[_count(), list[Component]]"}:
            continue
        else:
            path += f".{part}" if path else str(part)
    return path or "formulation"


def format_errors(exc: ValidationError) -> list[str]:
    """Pydantic errors as ``field.path: message`` lines (value quoted where pydantic lacks it)."""
    lines = []
    errors = exc.errors(include_url=False)
    unknown_catalog = {e["loc"][:-1] for e in errors if e["loc"][-1:] == ("catalog",)}
    for err in errors:
        if err["type"] == "missing" and err["loc"][:-1] in unknown_catalog:
            continue  # fields an unknown catalog entry would have supplied
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and "function" in p))
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = f"unknown field (value {err['input']!r})"
        elif err["type"] not in {"value_error", "missing"} and "got" not in msg:
            msg = f"{msg}, got {_short(err.get('input'))}"
        if not loc and err["type"] == "value_error":  # model-level checks carry their own field paths
            for line in msg.split("\n"):
                lines.append(line if _FIELD_LINE.match(line) else f"formulation: {line}")
            continue
        lines.append(f"{_loc_to_path(loc)}: {msg}")
    return lines


_FIELD_LINE = re.compile(r"^(?:components|process)[\w.\[\]]*: ")


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
