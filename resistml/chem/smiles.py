"""SMILES parsing with RDKit: one cached place that turns strings into molecules or clear errors."""

from __future__ import annotations

from functools import lru_cache

from rdkit import Chem, RDLogger

RDLogger.DisableLog("rdApp.*")

MAX_SMILES_LENGTH = 500
"""Longest SMILES accepted anywhere (documented limit; longer strings are refused, not parsed)."""


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


@lru_cache(maxsize=65536)
def _parse(text: str) -> Chem.Mol | None:
    return Chem.MolFromSmiles(text)


def parse_smiles(smiles: object) -> Chem.Mol:
    """Parse a SMILES into an RDKit molecule (cached); raise SmilesError naming the string."""
    text = check_smiles_text(smiles)
    mol = _parse(text)
    if mol is None or mol.GetNumAtoms() == 0:
        raise SmilesError(f"RDKit cannot parse {text!r}")
    return mol


@lru_cache(maxsize=65536)
def canonical_smiles(smiles: str) -> str:
    """RDKit canonical SMILES of a valid SMILES string."""
    return Chem.MolToSmiles(parse_smiles(smiles))


def count_attachment_points(mol: Chem.Mol) -> int:
    """Number of `[*]` dummy atoms (repeat-unit ends)."""
    return sum(1 for atom in mol.GetAtoms() if atom.GetAtomicNum() == 0)


@lru_cache(maxsize=65536)
def attachment_points(smiles: str) -> int:
    """Number of `[*]` ends of a valid SMILES (cached by string)."""
    return count_attachment_points(parse_smiles(smiles))
