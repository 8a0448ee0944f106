"""Catalog of real resist components shipped in ``data/catalog/*.yaml``, as validated Components.

The entries themselves (``find``, ``suggest``, ``names``, ``entries``) are read by
:mod:`resistml.formulation.catalog_data`, which the schema uses to resolve ``{catalog: NAME}``;
this module adds :func:`component`, which builds a validated :class:`Component` from an entry.
"""

from __future__ import annotations

from resistml.formulation.catalog_data import CATALOG_FIELDS, entries, find, names, suggest
from resistml.formulation.schema import Component

__all__ = ["CATALOG_FIELDS", "component", "entries", "find", "names", "suggest"]


def component(name: str, parts: float = 1.0) -> Component:
    """A validated Component for a catalog entry."""
    return Component.model_validate({"catalog": name, "parts": parts})
