"""Catalog entries of real resist components, read from ``data/catalog/*.yaml`` (plain mappings).

Each YAML file is a list of entries: ``name``, ``role``, ``smiles`` (or ``repeat_units``, ``mw``,
``pdi`` for resins) and ``source`` (supplier, patent or paper). A formulation refers to an entry by
``{catalog: NAME, parts: P}``; names are matched case-insensitively.
"""

from __future__ import annotations

import difflib
from functools import lru_cache
from typing import Any

import yaml

from resistml.paths import data_dir

CATALOG_FIELDS = {"name", "role", "smiles", "repeat_units", "mw", "pdi", "source"}


@lru_cache(maxsize=1)
def _entries() -> dict[str, dict[str, Any]]:
    entries: dict[str, dict[str, Any]] = {}
    for path in sorted((data_dir() / "catalog").glob("*.yaml")):
        for raw in yaml.safe_load(path.read_text()) or []:
            unknown = set(raw) - CATALOG_FIELDS
            if unknown:
                raise ValueError(f"{path.name}: entry {raw.get('name')!r} has unknown fields {unknown}")
            key = raw["name"].lower()
            if key in entries:
                raise ValueError(f"{path.name}: duplicate catalog name {raw['name']!r}")
            entries[key] = {**raw, "catalog": raw["name"]}
    return entries


def find(name: str) -> dict[str, Any] | None:
    """The raw catalog entry for a name (case-insensitive), or None."""
    if not isinstance(name, str):
        return None
    entry = _entries().get(name.strip().lower())
    return dict(entry) if entry is not None else None


def suggest(name: str) -> str:
    """'; did you mean ...?' for a misspelt name, else ''."""
    close = difflib.get_close_matches(name.lower(), list(_entries()), n=3, cutoff=0.6)
    names = [_entries()[k]["name"] for k in close]
    return f"; did you mean {', '.join(names)}?" if names else ""


def names(role: str | None = None) -> list[str]:
    """Catalog names, optionally only those of one role."""
    return [e["name"] for e in _entries().values() if role is None or e["role"] == role]


def entries() -> list[dict[str, Any]]:
    """All catalog entries (copies)."""
    return [dict(e) for e in _entries().values()]
