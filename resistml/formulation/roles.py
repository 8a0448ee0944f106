"""Structure-based component classes (RDKit SMARTS) and the resist roles they imply.

The classes follow the component classes of the seed patent's negative chemically amplified
resist: acid generators A (sulfonium / iodonium sulfonates, N-hydroxyimide sulfonates,
disulfonyldiazomethanes; see J. V. Crivello, Adv. Polym. Sci. 62, 1 (1984) and H. Ito,
Adv. Polym. Sci. 172, 37 (2005)), alkali-soluble phenolic resins B (formula (a) hydroxystyrene
units, novolacs) and B' (resins bearing polymerizable C=C), acid crosslinkers C
(hydroxymethyl / alkoxymethyl / acyloxymethyl phenols, melamines, ureas, glycolurils; J. W.
Thackeray et al., Proc. SPIE 1086, 34 (1989)), polymerizable compounds D (acid-polymerizable
vinyl ethers, styrenes, epoxides; radical-polymerizable (meth)acrylates, allyl compounds,
vinyl esters) and organic bases E (amines, amidines, imidazoles, pyridines, anilines,
ammonium hydroxides).

Small molecules are classified with :func:`classify_smiles` (onium salts are multi-fragment
SMILES, ``"cation.anion"``); resins by their repeat units with :func:`classify_resin`, which
looks along the backbone (the shortest path between the two ``[*]`` ends).
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from functools import cache, lru_cache
from typing import TYPE_CHECKING

from rdkit import Chem

from resistml.chem.smiles import parse_smiles

if TYPE_CHECKING:
    from resistml.formulation.schema import Component


class Role(StrEnum):
    """Component roles of a negative chemically amplified resist (A, B/B', C, D, E)."""

    acid_generator = "acid_generator"
    resin = "resin"
    crosslinker = "crosslinker"
    polymerizable = "polymerizable"
    base = "base"

# ---- small-molecule group patterns: class -> SMARTS (any match) ---------------------------
_HYDROXY_ALKOXY_ACYLOXY = "[OX2;H1,$(O[CX4]),$(O[CX3]=O)]"
_AMINE_N = "[NX3;+0;!$(N[CH2][OX2])"  # an N-(alkoxy)methyl N is an aminal ether, not a base

_GROUP_SMARTS: dict[str, tuple[str, ...]] = {
    "sulfonium_cation": ("[SX3+]([#6])([#6])[#6]",),
    "iodonium_cation": ("[IX2+]([#6])[#6]",),
    "sulfonate_anion": ("[OX1-][SX4](=O)(=O)[#6]",),
    "perfluoroalkanesulfonate": ("[OX1-][SX4](=O)(=O)C(F)(F)F", "[OX1-][SX4](=O)(=O)C(F)(F)C(F)"),
    "arenesulfonate": ("[OX1-][SX4](=O)(=O)c",),
    "n_hydroxyimide_sulfonate": ("[CX3](=O)[NX3]([CX3]=O)[OX2][SX4](=O)(=O)[#6]",),
    "disulfonyldiazomethane": ("[#6][SX4](=O)(=O)[CX3](=[N+]=[N-])[SX4](=O)(=O)[#6]",),
    "phenol": ("[OX2H]c",),
    "methylol_phenol": (
        f"[OX2H]c1c([CH2]{_HYDROXY_ALKOXY_ACYLOXY})cccc1",
        f"[OX2H]c1ccc([CH2]{_HYDROXY_ALKOXY_ACYLOXY})cc1",
    ),
    "alkoxymethyl_melamine": (f"[NX3]([CH2]{_HYDROXY_ALKOXY_ACYLOXY})c(:n):n",),
    "alkoxymethyl_urea": (f"[NX3]([CH2]{_HYDROXY_ALKOXY_ACYLOXY})[CX3](=O)[NX3]",),
    "alkoxymethyl_glycoluril": (
        f"O=C1N([CH2]{_HYDROXY_ALKOXY_ACYLOXY})C2C(N1)NC(=O)N2",
    ),
    "acrylate": ("[CH2]=[CH][CX3](=O)[OX2][#6]",),
    "methacrylate": ("[CH2]=[CX3]([CH3])[CX3](=O)[OX2][#6]",),
    "vinyl_ether": ("[CH2]=[CH][OX2][#6;!$([CX3]=O)]",),
    "vinyl_ester": ("[CH2]=[CH][OX2][CX3]=O",),
    "styrenic": ("[CH2]=[CX3;H1,$(C[CH3])]c",),
    "allyl": ("[CH2]=[CH][CH2][O,N,S,c]",),
    "epoxide": ("C1OC1",),
    "tertiary_amine": (f"{_AMINE_N};H0]([CX4])([CX4])[CX4]",),
    "secondary_amine": (f"{_AMINE_N};H1]([CX4])[CX4]",),
    "primary_amine": (f"{_AMINE_N};H2][CX4]",),
    "amidine": ("[NX3;+0;!$(N[CX3]=O)][CX3;!$(C=O)]=[NX2;+0;!$(N[O,N])]",),
    "imidazole": ("[nX2;r5]:[c;r5]:[nX3;r5]",),
    "pyridine": ("[nX2]1ccccc1",),
    "aniline": (f"{_AMINE_N};!$(N[CX3]=[O,S,N]);!$(NS(=O)=O)][c;$(c1ccccc1)]",),
    "quaternary_ammonium": ("[NX4+;H0]([#6])([#6])([#6])[#6]",),
    "hydroxide": ("[OX1H-]",),
}

# ---- every class name, with the composite and resin classes ------------------------------
CLASSES: dict[str, str] = {
    "sulfonium_cation": "triaryl/alkyl sulfonium cation R3S+",
    "iodonium_cation": "diaryl iodonium cation Ar2I+",
    "sulfonate_anion": "sulfonate anion RSO3-",
    "perfluoroalkanesulfonate": "perfluoroalkanesulfonate anion (triflate, nonaflate, ...): strong acid",
    "arenesulfonate": "arenesulfonate anion (tosylate, ...)",
    "onium_salt": "sulfonium or iodonium salt (any anion)",
    "sulfonium_sulfonate": "sulfonium sulfonate (onium sulfonate acid generator)",
    "iodonium_sulfonate": "iodonium sulfonate (onium sulfonate acid generator)",
    "onium_sulfonate": "sulfonium or iodonium sulfonate",
    "n_hydroxyimide_sulfonate": "sulfonic ester of an N-hydroxyimide (non-ionic acid generator)",
    "disulfonyldiazomethane": "bis(sulfonyl)diazomethane (non-ionic acid generator)",
    "phenol": "phenolic OH",
    "methylol_phenol": "hydroxymethyl/alkoxymethyl/acyloxymethyl phenol (acid crosslinker)",
    "alkoxymethyl_melamine": "N-hydroxy/alkoxy/acyloxymethyl melamine or guanamine (acid crosslinker)",
    "alkoxymethyl_urea": "N-hydroxy/alkoxy/acyloxymethyl urea, incl. cyclic ureas (acid crosslinker)",
    "alkoxymethyl_glycoluril": "N-hydroxy/alkoxy/acyloxymethyl glycoluril (acid crosslinker)",
    "acrylate": "acrylate ester C=C (radical-polymerizable)",
    "methacrylate": "methacrylate ester C=C (radical-polymerizable)",
    "vinyl_ether": "vinyl ether C=C (acid/cationically polymerizable)",
    "vinyl_ester": "vinyl ester C=C (radical-polymerizable)",
    "styrenic": "styrenic C=C (acid- and radical-polymerizable)",
    "allyl": "allyl ether/ester/amine C=C (radical-polymerizable)",
    "epoxide": "epoxide (acid/cationically polymerizable)",
    "acid_polymerizable": "polymerizable by acid: vinyl ether, styrenic or epoxide",
    "radical_polymerizable": "polymerizable by radicals: (meth)acrylate, allyl, vinyl ester, styrenic",
    "tertiary_amine": "aliphatic tertiary amine",
    "secondary_amine": "aliphatic secondary amine",
    "primary_amine": "aliphatic primary amine",
    "amidine": "amidine or guanidine (DBU, DBN, ...)",
    "imidazole": "imidazole (incl. benzimidazole)",
    "pyridine": "pyridine (incl. DMAP)",
    "aniline": "aromatic amine on a benzene ring",
    "quaternary_ammonium": "tetraalkylammonium cation",
    "hydroxide": "hydroxide anion",
    "ammonium_hydroxide": "tetraalkylammonium hydroxide (strong organic base)",
    "organic_base": "any organic base of component E",
    # resins (from repeat units)
    "hydroxystyrene_resin": "formula (a): phenol ring bonded directly to an aliphatic backbone carbon",
    "novolac_resin": "novolac-type: phenol ring within the backbone",
    "phenolic_resin": "resin with phenolic OH repeat units",
    "carboxylic_acid_resin": "resin with carboxylic acid repeat units",
    "alkali_soluble_resin": "alkali-soluble resin (phenolic or carboxylic acid units)",
    "polymerizable_resin": "B': resin with pendant polymerizable C=C (vinyl, allyl, (meth)acrylate)",
    "pendant_acrylate": "resin unit with a pendant acrylate",
    "pendant_methacrylate": "resin unit with a pendant methacrylate",
    "pendant_vinyl_ether": "resin unit with a pendant vinyl ether",
    "pendant_vinyl_ester": "resin unit with a pendant vinyl ester",
    "pendant_styrenic": "resin unit with a pendant styrenic vinyl",
    "pendant_allyl": "resin unit with a pendant allyl group",
}

_ROLE_OF_CLASS: dict[str, Role] = {
    "onium_salt": Role.acid_generator,
    "n_hydroxyimide_sulfonate": Role.acid_generator,
    "disulfonyldiazomethane": Role.acid_generator,
    "alkali_soluble_resin": Role.resin,
    "methylol_phenol": Role.crosslinker,
    "alkoxymethyl_melamine": Role.crosslinker,
    "alkoxymethyl_urea": Role.crosslinker,
    "alkoxymethyl_glycoluril": Role.crosslinker,
    "acid_polymerizable": Role.polymerizable,
    "radical_polymerizable": Role.polymerizable,
    "organic_base": Role.base,
}

_BASE_CLASSES = ("tertiary_amine", "secondary_amine", "primary_amine", "amidine", "imidazole",
                 "pyridine", "aniline", "ammonium_hydroxide")
_CC_GROUPS = ("acrylate", "methacrylate", "vinyl_ether", "vinyl_ester", "styrenic", "allyl")


@cache
def _pattern(smarts: str) -> Chem.Mol:
    pattern = Chem.MolFromSmarts(smarts)
    if pattern is None:  # a programming error in this module, not user input
        raise RuntimeError(f"invalid SMARTS {smarts!r}")
    return pattern


def _groups(mol: Chem.Mol) -> set[str]:
    """Group classes whose SMARTS match the molecule."""
    return {name for name, patterns in _GROUP_SMARTS.items()
            if any(mol.HasSubstructMatch(_pattern(p)) for p in patterns)}


def _composites(found: set[str]) -> set[str]:
    """Derived classes: onium sulfonates, polymerization modes, organic bases."""
    out = set(found)
    if {"sulfonium_cation", "iodonium_cation"} & found:
        out.add("onium_salt")
    if "sulfonate_anion" in found:
        if "sulfonium_cation" in found:
            out.add("sulfonium_sulfonate")
        if "iodonium_cation" in found:
            out.add("iodonium_sulfonate")
        if {"sulfonium_sulfonate", "iodonium_sulfonate"} & out:
            out.add("onium_sulfonate")
    if {"quaternary_ammonium", "hydroxide"} <= found:
        out.add("ammonium_hydroxide")
    if {"vinyl_ether", "styrenic", "epoxide"} & found:
        out.add("acid_polymerizable")
    if {"acrylate", "methacrylate", "allyl", "vinyl_ester", "styrenic"} & found:
        out.add("radical_polymerizable")
    if set(_BASE_CLASSES) & out:
        out.add("organic_base")
    return out


def _ordered(names: Iterable[str]) -> list[str]:
    """Class names in the documented order of CLASSES."""
    wanted = set(names)
    return [name for name in CLASSES if name in wanted]


@lru_cache(maxsize=65536)
def _classify_cached(smiles: str) -> tuple[str, ...]:
    return tuple(_ordered(_composites(_groups(parse_smiles(smiles)))))


def classify_smiles(smiles: str) -> list[str]:
    """Class names (keys of CLASSES) of a small molecule or salt; raises SmilesError if unparsable."""
    return list(_classify_cached(smiles))


# ---- resins ------------------------------------------------------------------------------
def _backbone(mol: Chem.Mol) -> set[int]:
    """Atoms on the shortest path between the two [*] ends (empty if not exactly two)."""
    ends = [a.GetIdx() for a in mol.GetAtoms() if a.GetAtomicNum() == 0]
    if len(ends) != 2:
        return set()
    return set(Chem.GetShortestPath(mol, ends[0], ends[1])[1:-1])


def _phenol_rings(mol: Chem.Mol) -> list[set[int]]:
    """Aromatic six-membered rings bearing a phenolic OH."""
    phenol_c = {m[1] for m in mol.GetSubstructMatches(_pattern("[OX2H]c"))}
    rings = [set(r) for r in mol.GetRingInfo().AtomRings() if len(r) == 6]
    return [r for r in rings if r & phenol_c and all(mol.GetAtomWithIdx(i).GetIsAromatic() for i in r)]


def _unit_classes(smiles: str) -> set[str]:
    """Resin classes contributed by one repeat unit."""
    mol = parse_smiles(smiles)
    backbone = _backbone(mol)
    groups = _groups(mol)
    out = {f"pendant_{g}" for g in _CC_GROUPS if g in groups}
    if out:
        out.add("polymerizable_resin")
    for ring in _phenol_rings(mol):
        out.add("phenolic_resin")
        if ring & backbone:
            out.add("novolac_resin")
        elif any(nb.GetIdx() in backbone and not nb.GetIsAromatic()
                 for i in ring for nb in mol.GetAtomWithIdx(i).GetNeighbors()):
            out.add("hydroxystyrene_resin")
    if mol.HasSubstructMatch(_pattern("[CX3](=O)[OX2H1]")):
        out.add("carboxylic_acid_resin")
    if {"phenolic_resin", "carboxylic_acid_resin"} & out:
        out.add("alkali_soluble_resin")
    return out


@lru_cache(maxsize=65536)
def _classify_resin_cached(units: tuple[str, ...]) -> tuple[str, ...]:
    found: set[str] = set()
    for smiles in units:
        found |= _unit_classes(smiles)
    return tuple(_ordered(found))


def classify_resin(repeat_units: list[str]) -> list[str]:
    """Resin class names from the repeat-unit SMILES (each with two ``[*]`` ends)."""
    return list(_classify_resin_cached(tuple(repeat_units)))


# ---- components and roles ----------------------------------------------------------------
def classify(component: Component) -> list[str]:
    """Class names of a validated component (resins by repeat units, others by SMILES)."""
    if component.repeat_units is not None:
        return classify_resin([u.smiles for u in component.repeat_units])
    return classify_smiles(component.smiles)


def roles_for_classes(classes: Iterable[str]) -> set[Role]:
    """Roles a set of class names makes structurally plausible."""
    return {_ROLE_OF_CLASS[c] for c in classes if c in _ROLE_OF_CLASS}


def recognised_roles(component: Component) -> set[Role]:
    """Roles the component's structure is recognised as (may be empty or several)."""
    return roles_for_classes(classify(component))


def _role_evidence(role: Role, classes: list[str]) -> list[str]:
    """Class names that support a role, for messages (most specific first)."""
    keys = [c for c, r in _ROLE_OF_CLASS.items() if r is role]
    detail = {Role.base: _BASE_CLASSES, Role.polymerizable: (*_CC_GROUPS, "epoxide")}.get(role, ())
    specific = [c for c in classes if c in detail]
    return specific or [c for c in classes if c in keys]


def role_warnings(component: Component) -> list[str]:
    """Warnings when the structure contradicts the declared role (empty when consistent)."""
    classes = classify(component)
    recognised = roles_for_classes(classes)
    declared = component.role
    if declared in recognised:
        return []
    if not recognised:
        shown = ", ".join(classes) if classes else "none"
        return [f"declared {declared.value} but no {declared.value} structure recognised "
                f"(classes: {shown})"]
    looks = "; ".join(f"{r.value} ({', '.join(_role_evidence(r, classes))})"
                      for r in sorted(recognised, key=lambda r: list(Role).index(r)))
    return [f"declared {declared.value} but structure looks like {looks}"]
