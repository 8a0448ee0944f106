"""SMILES parsing with RDKit: one cached place that turns strings into molecules or clear errors.

The caches here are bounded by what they hold, not by their entry count: an RDKit molecule of
500 atoms costs ~257 KiB, so 65,536 cached molecules could reach gigabytes. The parse cache keeps
at most :data:`PARSE_CACHE_ATOMS` atoms (about 0.5 KiB each, ~128 MiB in all; override with
``RESISTML_SMILES_CACHE_ATOMS``). The string caches (canonical SMILES, ``[*]`` ends) stay plain
``lru_cache`` for speed: 65,536 entries of at most 500-character strings are at most ~70 MiB.
"""

from __future__ import annotations

import functools
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Generic, NamedTuple, TypeVar

from rdkit import Chem, RDLogger

RDLogger.DisableLog("rdApp.*")

MAX_SMILES_LENGTH = 500
"""Longest SMILES accepted anywhere (documented limit; longer strings are refused, not parsed)."""


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw.isdigit() and int(raw) > 0 else default


PARSE_CACHE_ATOMS = _env_int("RESISTML_SMILES_CACHE_ATOMS", 1 << 18)
"""Most atoms held by the parsed-molecule cache (~0.5 KiB of RDKit memory per atom)."""
MOL_BYTES_PER_ATOM = 527
"""Measured RDKit memory of a cached molecule per atom (257 KiB for a 500-atom chain)."""

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class CacheInfo(NamedTuple):
    hits: int
    misses: int
    maxsize: int
    currsize: int
    cost: int
    max_cost: int


class BoundedCache(Generic[K, V]):
    """Thread-safe LRU map bounded by entry count *and* by a total cost (atoms, bytes, ...).

    ``cost(key, value)`` is charged on insertion; least recently used entries are evicted until
    both bounds hold. A single value costing more than ``max_cost`` is returned but not kept.
    """

    def __init__(self, maxsize: int, max_cost: int, cost: Callable[[Any, Any], int]):
        self.maxsize, self.max_cost, self._cost = maxsize, max_cost, cost
        self._data: OrderedDict[Any, tuple[Any, int]] = OrderedDict()
        self._lock = threading.Lock()
        self.total = self.hits = self.misses = 0

    def get(self, key: Any, default: Any = None) -> Any:
        with self._lock:
            item = self._data.get(key)
            if item is None:
                self.misses += 1
                return default
            self._data.move_to_end(key)
            self.hits += 1
            return item[0]

    def put(self, key: Any, value: Any) -> None:
        cost = max(1, int(self._cost(key, value)))
        with self._lock:
            old = self._data.pop(key, None)
            if old is not None:
                self.total -= old[1]
            if cost > self.max_cost:
                return
            self._data[key] = (value, cost)
            self.total += cost
            while len(self._data) > self.maxsize or self.total > self.max_cost:
                _, (_, c) = self._data.popitem(last=False)
                self.total -= c

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self.total = self.hits = self.misses = 0

    def drain(self, batch: int = 16) -> None:
        """Empty the cache a few entries at a time, so freeing large values never holds the GIL long."""
        while True:
            with self._lock:
                items = [self._data.popitem(last=False) for _ in range(min(batch, len(self._data)))]
                self.total -= sum(c for _, (_, c) in items)
            if not items:
                return
            del items

    def info(self) -> CacheInfo:
        return CacheInfo(self.hits, self.misses, self.maxsize, len(self._data), self.total, self.max_cost)

    def __len__(self) -> int:
        return len(self._data)


def bounded_cache(maxsize: int, max_cost: int, cost: Callable[[Any, Any], int]) -> Callable[[Callable[[K], V]], Callable[[K], V]]:
    """Like ``functools.lru_cache`` for one-argument functions, bounded by a total ``cost`` too.

    The wrapper keeps ``cache_clear()`` and ``cache_info()`` (with ``cost``/``max_cost``) and
    exposes the :class:`BoundedCache` as ``.cache``. Exceptions are not cached.
    """

    def decorate(fn: Callable[[K], V]) -> Callable[[K], V]:
        cache = BoundedCache(maxsize, max_cost, cost)
        missing = object()

        @functools.wraps(fn)
        def wrapper(key: K) -> V:
            value = cache.get(key, missing)
            if value is missing:
                value = fn(key)
                cache.put(key, value)
            return value

        wrapper.cache = cache  # type: ignore[attr-defined]
        wrapper.cache_clear = cache.clear  # type: ignore[attr-defined]
        wrapper.cache_info = cache.info  # type: ignore[attr-defined]
        return wrapper

    return decorate


def _mol_atoms(_: Any, mol: Chem.Mol | None) -> int:
    return 1 + (mol.GetNumAtoms() if mol is not None else 0)


class SmilesError(ValueError):
    """A SMILES string that cannot be used; the message says why."""


def check_smiles_text(smiles: object) -> str:
    """Reject non-strings, empty and oversized SMILES before RDKit sees them."""
    if not isinstance(smiles, str):
        raise SmilesError(f"SMILES must be a string, got {type(smiles).__name__}")
    text = smiles.strip()
    if not text:
        raise SmilesError("empty SMILES")
    if len(text) > MAX_SMILES_LENGTH:
        raise SmilesError(f"SMILES longer than {MAX_SMILES_LENGTH} characters ({len(text)})")
    return text


@bounded_cache(maxsize=65536, max_cost=PARSE_CACHE_ATOMS, cost=_mol_atoms)
def _parse(text: str) -> Chem.Mol | None:
    return Chem.MolFromSmiles(text)


def parse_smiles(smiles: object) -> Chem.Mol:
    """Parse a SMILES into an RDKit molecule (cached); raise SmilesError naming the string."""
    text = check_smiles_text(smiles)
    mol = _parse(text)
    if mol is None or mol.GetNumAtoms() == 0:
        raise SmilesError(f"RDKit cannot parse {text!r}")
    return mol


@functools.lru_cache(maxsize=65536)  # strings of <= 500 characters: <= ~70 MiB at full size
def canonical_smiles(smiles: str) -> str:
    """RDKit canonical SMILES of a valid SMILES string."""
    return Chem.MolToSmiles(parse_smiles(smiles))


def count_attachment_points(mol: Chem.Mol) -> int:
    """Number of `[*]` dummy atoms (repeat-unit ends)."""
    return sum(1 for atom in mol.GetAtoms() if atom.GetAtomicNum() == 0)


@functools.lru_cache(maxsize=65536)
def attachment_points(smiles: str) -> int:
    """Number of `[*]` ends of a valid SMILES (cached by string)."""
    return count_attachment_points(parse_smiles(smiles))


_ATOM_TOKEN = re.compile(r"\[[^\]]*\]|Br|Cl|[BCNOPSFIbcnops*]")


def count_heavy_atoms(smiles: str) -> int:
    """Atoms written in a SMILES string (bracket atoms and organic-subset symbols), without RDKit.

    An upper bound of the heavy atoms RDKit will build (explicit ``[H]`` counts too); used to
    bound the work a request may ask for before any parsing.
    """
    return len(_ATOM_TOKEN.findall(smiles))
