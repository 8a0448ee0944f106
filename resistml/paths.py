"""Where resistml finds its shipped data and keeps its caches."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent


def data_dir() -> Path:
    """The shipped `data/` folder (repository checkout or installed copy)."""
    env = os.environ.get("RESISTML_DATA_DIR")
    if env:
        return Path(env)
    for candidate in (REPO_DIR / "data", PACKAGE_DIR / "_data"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("resistml data directory not found; set RESISTML_DATA_DIR")


def cache_dir() -> Path:
    """User cache: $RESISTML_CACHE_DIR, else $XDG_CACHE_HOME/resistml, else ~/.cache/resistml."""
    env = os.environ.get("RESISTML_CACHE_DIR")
    base = Path(env) if env else Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "resistml"
    base.mkdir(parents=True, exist_ok=True)
    return base
