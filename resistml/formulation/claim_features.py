"""Claim-specific structure features (RDKit SMARTS) used by :mod:`resistml.formulation.claims`.

The claims of US 6,824,948 B1 name a few structures more narrowly than the role classes of
:mod:`resistml.formulation.roles`: alkoxy/acyloxymethylated melamines, guanamines, ureas and
glycolurils (claims 7, 16), and the formula (a') unit of claim 10 (a hydroxystyrene-type unit
whose ring oxygen carries a polymerizable C=C group of formulas (b)-(d)).
"""

from __future__ import annotations

from collections import deque
from functools import cache, lru_cache

from rdkit import Chem

from resistml.chem.smiles import parse_smiles
from resistml.formulation.roles import classify_smiles
from resistml.formulation.schema import Component

# Claims 7 and 16 say "alkoxymethylated or acyloxymethylated": an N-CH2-OR with R alkyl or acyl
# (not H).
_N_CH2_OR = "[NX3]([CH2][OX2H0][#6;$([CX4]),$([CX3]=O)])"
_GLYCOLURIL_CORE = "C1(=O)NC2C(N1)NC(=O)N2"
_FEATURE_SMARTS: dict[str, str] = {
    # 2,4,6-triamino-1,3,5-triazine with an alkoxy/acyloxymethylated amino N
    "claim_melamine": f"{_N_CH2_OR}c1nc([NX3])nc([NX3])n1",
    # 2,4-diamino-6-(carbon)-1,3,5-triazine (benzoguanamine, acetoguanamine, ...)
    "claim_guanamine": f"{_N_CH2_OR}c1nc([NX3])nc([#6])n1",
    # a urea N-C(=O)-N outside a glycoluril skeleton (open-chain or other cyclic urea)
    "claim_urea": f"{_N_CH2_OR}[CX3;!$({_GLYCOLURIL_CORE})](=O)[NX3]",
    "claim_glycoluril": f"{_N_CH2_OR}[CX3;$({_GLYCOLURIL_CORE})](=O)[NX3]",
}
CLAIM_FEATURES: dict[str, str] = {  # the claim-specific features and what they mean
    "claim_melamine": "alkoxy/acyloxymethylated melamine (claims 7, 16)",
    "claim_guanamine": "alkoxy/acyloxymethylated guanamine (claims 7, 16 only if read as melamine)",
    "claim_urea": "alkoxy/acyloxymethylated urea, not glycoluril (claims 7, 16)",
    "claim_glycoluril": "alkoxy/acyloxymethylated glycoluril (claims 7, 16 if read as cyclic urea)",
    "formula_a_prime": "formula (a') unit: ring-O group with a polymerizable C=C (claim 10)",
}
_POLYMERIZABLE_CC = ("acrylate", "methacrylate", "vinyl_ether", "vinyl_ester", "styrenic", "allyl")
"""roles classes of a polymerizable C=C that we read as the groups (b), (c), (d) of claim 10."""


@cache
def _pattern(smarts: str) -> Chem.Mol:
    pattern = Chem.MolFromSmarts(smarts)
    if pattern is None:  # a programming error in this module, not user input
        raise RuntimeError(f"invalid SMARTS {smarts!r}")
    return pattern


@lru_cache(maxsize=4096)
def _small_features(smiles: str) -> frozenset[str]:
    mol = parse_smiles(smiles)
    return frozenset(n for n, s in _FEATURE_SMARTS.items() if mol.HasSubstructMatch(_pattern(s)))


def _side(mol: Chem.Mol, start: int, blocked: int) -> set[int]:
    """Atoms reachable from ``start`` without passing through ``blocked``."""
    seen, todo = {start}, deque([start])
    while todo:
        for nb in mol.GetAtomWithIdx(todo.popleft()).GetNeighbors():
            i = nb.GetIdx()
            if i != blocked and i not in seen:
                seen.add(i)
                todo.append(i)
    return seen


def _ring_o_group_is_polymerizable(mol: Chem.Mol, ring_c: int, oxygen: int, side: set[int]) -> bool:
    """True when the group on the ring oxygen carries a polymerizable C=C (groups (b)-(d))."""
    keep = side | {oxygen, ring_c}
    frag = Chem.RWMol(mol)
    for idx in sorted(set(range(mol.GetNumAtoms())) - keep, reverse=True):
        frag.RemoveAtom(idx)
    # the ring carbon becomes a methyl: the group is read as a methyl ester/ether
    for atom in frag.GetAtoms():
        if atom.GetIsAromatic() and not atom.IsInRing():
            atom.SetIsAromatic(False)
            atom.SetNoImplicit(False)
            atom.SetNumExplicitHs(0)
    for bond in frag.GetBonds():
        if bond.GetIsAromatic() and not bond.IsInRing():
            bond.SetIsAromatic(False)
            bond.SetBondType(Chem.BondType.SINGLE)
    try:
        mol2 = frag.GetMol()
        Chem.SanitizeMol(mol2)
        smiles = Chem.MolToSmiles(mol2)
        return bool(set(classify_smiles(smiles)) & set(_POLYMERIZABLE_CC))
    except Exception:  # an unusual fragment (e.g. a fused aromatic side group)
        return False


@lru_cache(maxsize=4096)
def is_formula_a_prime_unit(smiles: str) -> bool:
    """True when a repeat unit (two ``[*]`` ends) is of formula (a') with a group (b), (c) or (d).

    Read as: a two-carbon vinyl backbone ``-CH2-C(R1')-`` whose substituted carbon carries
    (directly or through a linker A1) a benzene-type aromatic ring that bears an oxygen whose
    other substituent (R2', R3' or R4') contains a polymerizable C=C (see the module docstring).
    """
    mol = parse_smiles(smiles)
    ends = [a.GetIdx() for a in mol.GetAtoms() if a.GetAtomicNum() == 0]
    if len(ends) != 2:
        return False
    backbone = list(Chem.GetShortestPath(mol, ends[0], ends[1])[1:-1])
    atoms = [mol.GetAtomWithIdx(i) for i in backbone]
    if len(atoms) != 2 or any(a.GetAtomicNum() != 6 or a.GetIsAromatic() or a.IsInRing()
                              for a in atoms):
        return False
    ch2 = [a.GetIdx() for a in atoms if a.GetTotalNumHs() == 2]
    if not ch2:
        return False
    alpha = next(i for i in backbone if i != ch2[0])
    dist = Chem.GetDistanceMatrix(mol)
    for ring in mol.GetRingInfo().AtomRings():
        ring_atoms = [mol.GetAtomWithIdx(i) for i in ring]
        if len(ring) != 6 or not all(a.GetIsAromatic() and a.GetAtomicNum() == 6 for a in ring_atoms):
            continue
        if set(ring) & set(backbone):
            continue  # a ring in the backbone (novolac, indene type) is not a pendant Ar
        if min(dist[i][alpha] for i in ring) >= min(dist[i][ch2[0]] for i in ring):
            continue  # A1 must hang on the substituted backbone carbon, not on the CH2
        for ring_c in ring:
            for o in mol.GetAtomWithIdx(ring_c).GetNeighbors():
                if o.GetAtomicNum() != 8 or o.IsInRing() or o.GetDegree() != 2:
                    continue
                other = next(nb.GetIdx() for nb in o.GetNeighbors() if nb.GetIdx() != ring_c)
                side = _side(mol, other, o.GetIdx())
                if set(backbone) & side or set(ends) & side or set(ring) & side:
                    continue  # this O is the linker A1 to the backbone (or closes a ring)
                if _ring_o_group_is_polymerizable(mol, ring_c, o.GetIdx(), side):
                    return True
    return False


def claim_features(component: Component) -> frozenset[str]:
    """Claim-specific structure features of a component (names in ``CLAIM_FEATURES``)."""
    if component.repeat_units is not None:
        units = [u.smiles for u in component.repeat_units]
        return frozenset({"formula_a_prime"} if any(map(is_formula_a_prime_unit, units)) else ())
    return _small_features(component.smiles)
