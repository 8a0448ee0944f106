"""Enumerate chemically diverse resist components with RDKit fragment assembly.

Analogues are built by joining the substituents of :mod:`resistml.datasets.fragments` onto cores
at numbered attachment points with ``Chem.molzip`` (RDKit's fragment-assembly primitive), and by
capping the hydroxyls of polyols with polymerizable groups. Every product is sanitised and stored
as its RDKit canonical SMILES, so duplicates from symmetric cores collapse. Large combinatorial
families are subsampled with a seeded generator, so :func:`enumerate_library` is deterministic
for a seed. Together with the shipped catalog the library holds well over 2,000 distinct molecules.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np
from rdkit import Chem

from resistml.chem.smiles import canonical_smiles
from resistml.datasets import fragments as F
from resistml.formulation import Role

_HYDROXYL = Chem.MolFromSmarts("[OX2H1;$(O[#6])]")


@dataclass(frozen=True)
class LibraryMolecule:
    """One small molecule of the library: canonical SMILES, role, family and a stable name."""

    smiles: str
    role: Role
    family: str
    name: str


@dataclass(frozen=True)
class ResinTemplate:
    """A resin's repeat units (first = the phenolic unit); fractions/Mw/PDI fixed only for catalog resins."""

    units: tuple[str, ...]
    family: str
    name: str
    fractions: tuple[float, ...] | None = None
    mw: float | None = None
    pdi: float | None = None


@dataclass(frozen=True)
class MoleculeLibrary:
    """Small molecules by role plus resin templates."""

    molecules: tuple[LibraryMolecule, ...]
    resins: tuple[ResinTemplate, ...]

    @cached_property
    def _role_index(self) -> dict[Role, tuple[LibraryMolecule, ...]]:
        return {r: tuple(m for m in self.molecules if m.role is r) for r in Role}

    def by_role(self, role: Role | str) -> tuple[LibraryMolecule, ...]:
        return self._role_index[Role(role)]

    def counts(self) -> dict[str, int]:
        """Distinct molecules per role (resins: distinct repeat-unit sets)."""
        out = {r.value: len(self.by_role(r)) for r in Role if r is not Role.resin}
        out[Role.resin.value] = len(self.resins)
        return out


# ---- assembly primitives ---------------------------------------------------------------------
@lru_cache(maxsize=4096)
def _fragment(smiles: str) -> Chem.Mol:
    mol = Chem.MolFromSmiles(smiles)
    if mol is None:
        raise ValueError(f"invalid fragment SMILES {smiles!r}")
    return mol


@lru_cache(maxsize=4096)
def _dummies(smiles: str) -> tuple[int, ...]:
    return tuple(a.GetIdx() for a in _fragment(smiles).GetAtoms() if a.GetAtomicNum() == 0)


def _labelled(smiles: str, label: int) -> Chem.Mol:
    """A copy of the fragment with its ``[*]`` carrying atom-map number ``label`` (molzip's key)."""
    frag = Chem.Mol(_fragment(smiles))
    for idx in _dummies(smiles):
        frag.GetAtomWithIdx(idx).SetAtomMapNum(label)
    return frag


def _finish(mol: Chem.Mol) -> str:
    mol = Chem.RemoveHs(mol)
    Chem.SanitizeMol(mol)
    smiles = Chem.MolToSmiles(mol)
    if "*" in smiles:
        raise ValueError(f"unjoined attachment point in {smiles!r}")
    return smiles


@lru_cache(maxsize=65536)
def _assemble(core: str, groups: tuple[str, ...]) -> str:
    mol = Chem.Mol(_fragment(core))
    for i, group in enumerate(groups, start=1):
        mol = Chem.CombineMols(mol, _labelled(group, i))
    return _finish(Chem.molzip(mol))


def assemble(core: str, groups: Sequence[str]) -> str:
    """Join ``groups[i-1]`` (one ``[*]`` each) onto ``[*:i]`` of ``core``; canonical SMILES."""
    return _assemble(core, tuple(groups))


@lru_cache(maxsize=65536)
def _cap(polyol: str, caps: tuple[str, ...]) -> str:
    mol = Chem.RWMol(_fragment(polyol))
    sites = [match[0] for match in mol.GetSubstructMatches(_HYDROXYL)]
    if len(sites) != len(caps):
        raise ValueError(f"{polyol!r} has {len(sites)} hydroxyls, got {len(caps)} caps")
    for i, o_idx in enumerate(sites, start=1):
        dummy = Chem.Atom(0)
        dummy.SetAtomMapNum(i)
        mol.AddBond(o_idx, mol.AddAtom(dummy), Chem.BondType.SINGLE)
        mol.GetAtomWithIdx(o_idx).SetNoImplicit(True)
    combined = mol.GetMol()
    for i, cap in enumerate(caps, start=1):
        combined = Chem.CombineMols(combined, _labelled(cap, i))
    return _finish(Chem.molzip(combined))


def cap_hydroxyls(polyol: str, caps: Sequence[str]) -> str:
    """Replace the H of each alcohol OH of ``polyol`` (in atom order) by ``caps[i]`` (``[*][H]`` keeps it)."""
    return _cap(polyol, tuple(caps))


def hydroxyl_count(smiles: str) -> int:
    return len(_fragment(smiles).GetSubstructMatches(_HYDROXYL))


def _sulfonate(r: str) -> str:
    return assemble("[O-]S(=O)(=O)[*:1]", [r])


def _all_sulfonyl_r() -> list[str]:
    return [r for table in F.SULFONYL_R.values() for r in table.values()]


# ---- families: each returns canonical SMILES --------------------------------------------------
Draw = Callable[[np.random.Generator], str]


def _sample_distinct(rng: np.random.Generator, draw: Draw, target: int) -> list[str]:
    """Up to ``target`` distinct products of ``draw`` (stops after 20 x target tries)."""
    seen: dict[str, None] = {}
    for _ in range(20 * target):
        if len(seen) >= target:
            break
        seen.setdefault(draw(rng), None)
    return list(seen)


def _pick(rng: np.random.Generator, table: dict[str, str] | list[str], k: int = 1) -> list[str]:
    values = list(table.values()) if isinstance(table, dict) else table
    return [values[i] for i in rng.integers(0, len(values), size=k)]


def _onium(core: str, n_aryl: int) -> Draw:
    anions = _all_sulfonyl_r()

    def draw(rng: np.random.Generator) -> str:
        cation = assemble(core, _pick(rng, F.ONIUM_ARYLS, n_aryl))
        return canonical_smiles(f"{cation}.{_sulfonate(_pick(rng, anions)[0])}")

    return draw


def _imide_sulfonates() -> list[str]:
    return [assemble("[*:1]S(=O)(=O)[*:2]", [imide, r])
            for imide in F.IMIDE_OXY.values() for r in _all_sulfonyl_r()]


def _diazomethanes() -> list[str]:
    rs = list(F.DIAZO_R.values())
    core = "[*:1]S(=O)(=O)C(=[N+]=[N-])S(=O)(=O)[*:2]"
    return [assemble(core, pair) for pair in itertools.combinations_with_replacement(rs, 2)]


def _amino_resin(core: str, n_sites: int, min_reactive: int) -> Draw:
    reactive = list(F.AMINO_N_GROUPS.values())

    def draw(rng: np.random.Generator) -> str:
        n_reactive = int(rng.integers(min_reactive, n_sites + 1))
        groups = _pick(rng, reactive, n_reactive) + [F.H] * (n_sites - n_reactive)
        return assemble(core, [groups[i] for i in rng.permutation(n_sites)])

    return draw


def _phenolic(rng: np.random.Generator) -> str:
    core = _pick(rng, F.PHENOL_CORES)[0]
    n_sites = core.count("[*:")
    n_reactive = int(rng.integers(2, n_sites + 1))
    groups = _pick(rng, F.PHENOL_GROUPS, n_reactive) + [F.H] * (n_sites - n_reactive)
    return assemble(core, [groups[i] for i in rng.permutation(n_sites)])


def _capped_polyol(rng: np.random.Generator) -> str:
    polyol = _pick(rng, F.POLYOLS)[0]
    n = hydroxyl_count(polyol)
    caps = list(F.POLYMERIZABLE_CAPS.values())
    # one cap type for most molecules (as sold), mixed caps (e.g. hybrid vinyl ether acrylates) sometimes
    chosen = _pick(rng, caps, 1) * n if rng.random() < 0.7 else _pick(rng, caps, n)
    if n >= 3 and rng.random() < 0.3:  # partial esters such as pentaerythritol triacrylate
        chosen[int(rng.integers(0, n))] = F.H
    return cap_hydroxyls(polyol, chosen)


def _amines(rng: np.random.Generator) -> list[str]:
    alkyls = list(F.AMINE_ALKYLS.values())
    out = _sample_distinct(rng, lambda g: assemble("N([*:1])([*:2])[*:3]", _pick(g, alkyls, 3)), 250)
    out += [assemble(ring, [r]) for ring in F.CYCLIC_AMINES.values() for r in alkyls]
    out += [assemble("N([*:1])([*:2])[*:3]", [ar, r, r])
            for ar in F.ANILINE_RINGS.values() for r in alkyls[:6]]
    groups = list(F.PYRIDINE_GROUPS.values())
    out += [assemble(F.PYRIDINE_CORE, trio) for trio in itertools.product(groups, repeat=3)]
    return out


def _amidines() -> list[str]:
    out = list(F.BICYCLIC_AMIDINES.values())
    for core in F.AMIDINE_CORES.values():
        for c_group, n_group in itertools.product(F.AMIDINE_C_GROUPS.values(), F.AMIDINE_N_GROUPS.values()):
            out.append(assemble(core, [c_group, n_group]))
    return [canonical_smiles(s) for s in out]


def _imidazoles() -> list[str]:
    out = []
    for core in F.IMIDAZOLE_CORES.values():
        c4s = F.IMIDAZOLE_C4.values() if "[*:3]" in core else [None]
        for n1, c2, c4 in itertools.product(F.IMIDAZOLE_N1.values(), F.IMIDAZOLE_C2.values(), c4s):
            out.append(assemble(core, [n1, c2] + ([c4] if c4 else [])))
    return out


def _ammonium_hydroxides() -> list[str]:
    alkyls = list(F.AMMONIUM_ALKYLS.values())
    cations = {assemble("[N+]([*:1])([*:2])([*:3])[*:4]", [r, r, r, r]) for r in alkyls[:4]}
    cations |= {assemble("[N+]([*:1])([*:2])([*:3])[*:4]", ["[*]C", "[*]C", "[*]C", r]) for r in alkyls}
    return [canonical_smiles(f"{c}.[OH-]") for c in sorted(cations)]


Enumerator = Callable[[np.random.Generator], list[str]]


def _sampled(draw: Draw, target: int) -> Enumerator:
    return lambda rng: _sample_distinct(rng, draw, target)


def _fixed(make: Callable[[], list[str]]) -> Enumerator:
    return lambda rng: make()


def _amino(*spec: tuple[str, int, int]) -> Enumerator:
    """Amino-resin crosslinkers: (core name, attachment points, distinct molecules wanted) per core."""
    return lambda rng: [s for core, sites, target in spec
                        for s in _sample_distinct(rng, _amino_resin(F.AMINO_CORES[core], sites, 2), target)]


def _families() -> dict[str, tuple[Role, Enumerator]]:
    """Family name -> (role, enumerator of canonical SMILES)."""
    a, c, d, e = Role.acid_generator, Role.crosslinker, Role.polymerizable, Role.base
    return {
        "sulfonium_sulfonate": (a, _sampled(_onium("[*:1][S+]([*:2])[*:3]", 3), 450)),
        "iodonium_sulfonate": (a, _sampled(_onium("[*:1][I+][*:2]", 2), 250)),
        "imide_sulfonate": (a, _fixed(_imide_sulfonates)),
        "disulfonyl_diazomethane": (a, _fixed(_diazomethanes)),
        "alkoxymethyl_melamine": (c, _amino(("melamine", 6, 160))),
        "alkoxymethyl_guanamine": (c, _amino(("benzoguanamine", 4, 40), ("acetoguanamine", 4, 30))),
        "alkoxymethyl_glycoluril": (c, _amino(("glycoluril", 4, 80))),
        "alkoxymethyl_urea": (c, _amino(("urea", 4, 50), ("ethyleneurea", 2, 20), ("propyleneurea", 2, 20),
                                        ("4,5-dimethoxyethyleneurea", 2, 20))),
        "alkoxymethyl_phenol": (c, _sampled(_phenolic, 200)),
        "polyol_polymerizable": (d, _sampled(_capped_polyol, 550)),
        "amine": (e, _amines),
        "amidine": (e, _fixed(_amidines)),
        "imidazole": (e, _fixed(_imidazoles)),
        "ammonium_hydroxide": (e, _fixed(_ammonium_hydroxides)),
    }


FAMILIES: tuple[str, ...] = tuple(_families())
"""Enumerated small-molecule families, in library order."""


def enumerate_family(family: str, seed: int = 0) -> list[str]:
    """Canonical SMILES of one family for a seed (each family has its own seeded stream)."""
    if family not in FAMILIES:
        raise ValueError(f"family: unknown {family!r}; expected one of {', '.join(FAMILIES)}")
    make = _families()[family][1]
    return make(np.random.default_rng(np.random.SeedSequence([seed, FAMILIES.index(family)])))


def _resins() -> list[ResinTemplate]:
    phenolic = list(F.PHENOLIC_UNITS.items())
    out = [ResinTemplate((s,), "hydroxystyrene", f"poly({n})") for n, s in phenolic]
    for (pn, ps), (cn, cs) in itertools.product(phenolic, F.COMONOMER_UNITS.items()):
        out.append(ResinTemplate((ps, cs), "hydroxystyrene", f"poly({pn}-co-{cn})"))
    for (pn, ps), (bn, bs) in itertools.product(phenolic, F.B_PRIME_UNITS.items()):
        out.append(ResinTemplate((ps, bs), "b_prime", f"poly({pn}-co-{bn})"))
    for (bn, bs), (cn, cs) in itertools.product(F.B_PRIME_UNITS.items(), list(F.COMONOMER_UNITS.items())[:6]):
        ps = F.PHENOLIC_UNITS["4-hydroxystyrene"]
        out.append(ResinTemplate((ps, bs, cs), "b_prime", f"poly(4-hydroxystyrene-co-{bn}-co-{cn})"))
    return out


def _name(family: str, smiles: str) -> str:
    import hashlib

    return f"{family}-{hashlib.sha1(smiles.encode()).hexdigest()[:8]}"


def catalog_components() -> tuple[list[LibraryMolecule], list[ResinTemplate]]:
    """The shipped catalog as library entries (fixed fractions, Mw and PDI for resins)."""
    from resistml.formulation.catalog import entries

    mols, resins = [], []
    for entry in entries():
        role = Role(entry["role"])
        if role is Role.resin:
            units = entry["repeat_units"]
            resins.append(ResinTemplate(
                tuple(u["smiles"] for u in units), "catalog", entry["name"],
                tuple(float(u.get("fraction", 1.0)) for u in units), float(entry["mw"]),
                float(entry.get("pdi") or 1.5)))
        else:
            mols.append(LibraryMolecule(canonical_smiles(entry["smiles"]), role, "catalog", entry["name"]))
    return mols, resins


@lru_cache(maxsize=4)
def enumerate_library(seed: int = 0, include_catalog: bool = True) -> MoleculeLibrary:
    """The molecule library for a seed (cached): see :func:`build_library`."""
    return build_library(seed, include_catalog)


def build_library(seed: int = 0, include_catalog: bool = True) -> MoleculeLibrary:
    """Enumerated families (+ the catalog), distinct by canonical SMILES; deterministic for a seed."""
    molecules: dict[str, LibraryMolecule] = {}
    resins: list[ResinTemplate] = []
    if include_catalog:
        cat_mols, resins = catalog_components()
        molecules.update((m.smiles, m) for m in cat_mols)
    for family in FAMILIES:
        role = _families()[family][0]
        for smiles in enumerate_family(family, seed):
            molecules.setdefault(smiles, LibraryMolecule(smiles, role, family, _name(family, smiles)))
    return MoleculeLibrary(tuple(molecules.values()), tuple(resins + _resins()))


def unique_structures(molecules: Iterable[LibraryMolecule]) -> set[str]:
    return {m.smiles for m in molecules}
