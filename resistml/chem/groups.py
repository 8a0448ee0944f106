"""SMARTS helpers and polymerizable-group definitions shared by the molecule and resin descriptors.

A leaf module: :mod:`resistml.chem.descriptors` and :mod:`resistml.chem.resin_descriptors` both
import from here and never from each other in a cycle (descriptors imports resin_descriptors;
resin_descriptors imports only this module).
"""

from __future__ import annotations

from functools import cache

from rdkit import Chem


@cache
def smarts(text: str) -> Chem.Mol:
    """Compiled SMARTS pattern (cached)."""
    pattern = Chem.MolFromSmarts(text)
    if pattern is None:
        raise ValueError(f"bad SMARTS in descriptors: {text}")
    return pattern


def count(mol: Chem.Mol, pattern: str, unique_atom: int | None = None) -> int:
    """Number of matches of a SMARTS; with ``unique_atom`` count distinct atoms at that position."""
    matches = mol.GetSubstructMatches(smarts(pattern), uniquify=True)
    if unique_atom is None:
        return len(matches)
    return len({m[unique_atom] for m in matches})


CC_GROUPS = {  # name -> (SMARTS, acid-polymerizable, radical-polymerizable, chain length at 1 nm^-3)
    "vinyl_ether": ("[CX3;H2,H1]=[CX3;H1][OX2][#6;!$(C=O)]", True, False, 1.0),
    "acrylate": ("[CH2]=[CH][CX3](=O)[O,N]", False, True, 40.0),
    "methacrylate": ("[CH2]=[CX3]([CH3])[CX3](=O)[O,N]", False, True, 20.0),
    "styrenic": ("[CH2]=[CX3;H1,$(C[CH3])]c", True, True, 8.0),
    "allyl": ("[CH2]=[CH][CH2][O,N,S,c]", False, True, 2.0),
    "epoxide": ("[CX4]1[OX2][CX4]1", True, False, 1.0),
    "oxetane": ("[CX4]1[CX4][OX2][CX4]1", True, False, 1.0),
}
"""Polymerizable groups of component D. The last value is the radical kinetic chain length at a
group concentration of 1 nm^-3 (1.66 M); the steady-state chain length scales as [M],
nu = k_p [M] / (2 (f k_d k_t [I])^1/2) (Odian, Principles of Polymerization, 4th ed., ch. 3):
acrylates > methacrylates > styrenes, allyl monomers suffer degradative chain transfer (Decker,
Prog. Polym. Sci. 21, 593 (1996)). Vinyl ethers do not homopolymerize by radicals (Odian ch. 3-6)
and react with acid only (see descriptors.ACID_GROUP_RATE)."""

RADICAL_CC_GROUPS = tuple(k for k, v in CC_GROUPS.items() if v[2])
"""Groups that propagate a radical chain (pendant groups of B' resins count only these)."""
