"""Molecule descriptors the resist physics needs, computed from structure with RDKit (never by name).

Every value comes from SMARTS counts and atom-type sums, so a new molecule gets physically
sensible numbers. Results are cached per SMILES string.

Sources of the class values:
* Acid strengths (aqueous pKa scale): Guthrie, Can. J. Chem. 56, 2342 (1978) (sulfonic acids);
  Trummal et al., J. Phys. Chem. A 120, 3663 (2016) (CF3SO3H, (CF3SO2)2NH, HPF6/HSbF6 ranking);
  Bordwell / IUPAC tables for carboxylic acids and HX.
* Electron capture by acid generators: iodonium > sulfonium > non-ionic, following their
  reduction potentials (Crivello, Adv. Polym. Sci. 62, 1 (1984); Tagawa et al., J. Photopolym.
  Sci. Technol. 13, 413 (2000)); electron-withdrawing substituents raise it by a Hammett factor
  10^(rho*sum sigma_p) (sigma_p from Hansch, Leo & Taft, Chem. Rev. 91, 165 (1991)).
* Base strengths (pKa of the conjugate acid): Perrin, Dissociation Constants of Organic Bases
  (IUPAC, 1965): tertiary amines ~10, amidines (DBU) ~12, pyridines/anilines ~5, imidazole ~7.
* Molar volume: McGowan characteristic volume (Abraham & McGowan, Chromatographia 23, 243 (1987)).
* Resin units, crosslink sites, radiation G-values and glass transition: see
  :mod:`resistml.chem.resin_descriptors` (re-exported here). SMARTS helpers and the polymerizable
  groups live in the leaf module :mod:`resistml.chem.groups` (no import cycle).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from rdkit import Chem

from resistml.chem.groups import CC_GROUPS, count
from resistml.chem.groups import smarts as _smarts
from resistml.chem.material import summarize_smiles
from resistml.chem.resin_descriptors import (  # noqa: F401  (re-exported)
    ADDITIVE_K,
    FLORY_FOX_K,
    TG_YG_INCREMENTS,
    ResinDescriptors,
    UnitDescriptors,
    resin_descriptors,
    tg_estimate_K,
    tg_infinite_K,
    tg_unit_K,
    unit_descriptors,
)
from resistml.chem.smiles import parse_smiles

# ---- acid generators -------------------------------------------------------------------------
GENERATOR_CAPTURE = {"iodonium": 1.0, "sulfonium": 0.6, "other_onium": 0.5, "non_ionic": 0.3, "none": 0.0}
"""Relative electron-capture efficiency by generator class (iodonium reference = 1)."""

HAMMETT_RHO = 0.5
"""Sensitivity of the capture efficiency to sum(sigma_p) of cation substituents (log10 units)."""

_HAMMETT_SIGMA_P = {  # substituent SMARTS on an aromatic carbon, atom 0 = ring carbon
    "c[F]": 0.06, "c[Cl]": 0.23, "c[Br]": 0.23, "c[I]": 0.18,
    "cC(F)(F)F": 0.54, "c[N+](=O)[O-]": 0.78, "cC#N": 0.66, "cS(=O)(=O)[#6]": 0.72,
    "c[CX3](=O)[#6,#1]": 0.50, "c[CX4;H3,H2]": -0.17, "c[CX4;H0]([CH3])([CH3])[CH3]": -0.03,
    "c[OX2][CX4]": -0.27, "c[OX2H]": -0.37, "cS[#6;!$(C=O)]": 0.0,
}

_ACID_CLASSES = {  # class -> (pKa, description)
    "perfluoroalkanesulfonic": (-12.0, "perfluoroalkanesulfonic acid (triflic, nonaflic)"),
    "sulfonimide": (-11.9, "bis(perfluoroalkylsulfonyl)imide"),
    "hexafluoroantimonic": (-17.0, "HSbF6 / HAsF6 superacid"),
    "hexafluorophosphoric": (-10.0, "HPF6"),
    "tetrafluoroboric": (-4.9, "HBF4"),
    "arenesulfonic": (-2.8, "arenesulfonic acid (tosic)"),
    "alkanesulfonic": (-1.9, "alkane- or camphorsulfonic acid"),
    "hydrobromic": (-9.0, "HBr"),
    "hydrochloric": (-6.0, "HCl"),
    "perfluorocarboxylic": (0.5, "perfluoroalkanoic acid"),
    "carboxylic": (4.5, "carboxylic acid"),
    "none": (math.nan, "no acid"),
}


@dataclass(frozen=True)
class GeneratorDescriptors:
    """What radiation chemistry needs of an acid generator (per molecule = per formula unit)."""

    generator_class: str
    capture_efficiency: float
    hammett_sigma_sum: float
    acid_class: str
    acid_pka: float
    acid_smiles: str
    acid_volume_cm3_mol: float
    acids_per_molecule: float
    """Acid-releasing sites per molecule: onium centres, sulfonate esters, CX3 groups. This is the
    most acid a molecule can give (generator depletion, the stoichiometric quench limit)."""
    molar_mass: float
    acids_per_event: float = 1.0
    """Acids released per decomposition event (one captured electron or one direct ionisation):
    1 for every class. A bis(trichloromethyl)triazine loses one chlorine per event (C-Cl bond
    cleavage, or dissociative electron capture to Cl- + a CCl2 radical; Pohlers et al., Chem.
    Mater. 9, 1353 (1997)), giving one HCl; its second CCl3 group needs a second event."""


def _ionic_sites(mol: Chem.Mol) -> tuple[str, int]:
    n_iod = count(mol, "[IX2+]([#6])[#6]")
    n_sulf = count(mol, "[SX3+]([#6])([#6])[#6]")
    n_other = count(mol, "[N+,P+;X4;!$([N+](=O)[O-]);!$([N+]=O)]") + count(mol, "[N+]#N")
    if n_iod:
        return "iodonium", n_iod
    if n_sulf:
        return "sulfonium", n_sulf
    if n_other and count(mol, "[-;!$([O-][N+]=O)]"):
        return "other_onium", n_other
    return "", 0


def _hammett_sum(mol: Chem.Mol, cation_atoms: set[int]) -> float:
    """Sum of sigma_p of substituents on aromatic rings bonded to the onium centres."""
    ring_atoms: set[int] = set()
    for ring in mol.GetRingInfo().AtomRings():
        if any(mol.GetAtomWithIdx(i).GetIsAromatic() for i in ring) and any(
            nb.GetIdx() in cation_atoms for i in ring for nb in mol.GetAtomWithIdx(i).GetNeighbors()
        ):
            ring_atoms |= set(ring)
    total = 0.0
    for smarts, sigma in _HAMMETT_SIGMA_P.items():
        for match in mol.GetSubstructMatches(_smarts(smarts)):
            if match[0] in ring_atoms and match[1] not in ring_atoms | cation_atoms:
                total += sigma
    return total


def _protonate(fragment: Chem.Mol) -> str:
    """Acid SMILES of an anion fragment: each anionic atom takes a proton."""
    if any(a.GetSymbol() in {"B", "P", "Sb", "As"} and a.GetFormalCharge() < 0
           for a in fragment.GetAtoms()):  # complex anion: the acid is the H+ salt (HPF6-type)
        return "[H+]." + Chem.MolToSmiles(fragment)
    rw = Chem.RWMol(fragment)
    for atom in rw.GetAtoms():
        if atom.GetFormalCharge() < 0:
            atom.SetFormalCharge(0)
            atom.SetNumExplicitHs(atom.GetTotalNumHs() + 1)
    mol = rw.GetMol()
    Chem.SanitizeMol(mol, catchErrors=True)
    return Chem.MolToSmiles(mol)


def _acid_class(acid: Chem.Mol) -> str:
    if count(acid, "[OX2H][SX4](=O)(=O)[CX4](F)(F)"):
        return "perfluoroalkanesulfonic"
    if count(acid, "[SX4](=O)(=O)([CX4](F)(F))[NX3,NX2][SX4](=O)(=O)"):
        return "sulfonimide"
    if count(acid, "[Sb,As](F)(F)(F)(F)(F)F"):
        return "hexafluoroantimonic"
    if count(acid, "P(F)(F)(F)(F)(F)F"):
        return "hexafluorophosphoric"
    if count(acid, "[B]"):
        return "tetrafluoroboric"
    if count(acid, "[OX2H][SX4](=O)(=O)c"):
        return "arenesulfonic"
    if count(acid, "[OX2H][SX4](=O)(=O)[#6]"):
        return "alkanesulfonic"
    if count(acid, "[OX2H]C(=O)C(F)(F)F") or count(acid, "[OX2H]C(=O)C(F)(F)"):
        return "perfluorocarboxylic"
    if count(acid, "[OX2H]C(=O)[#6]"):
        return "carboxylic"
    if acid.GetNumAtoms() == 1 and acid.GetAtomWithIdx(0).GetSymbol() == "Br":
        return "hydrobromic"
    if acid.GetNumAtoms() == 1 and acid.GetAtomWithIdx(0).GetSymbol() == "Cl":
        return "hydrochloric"
    return "none"


def _nonionic_acid(mol: Chem.Mol) -> tuple[str, int]:
    """Acid released by a non-ionic generator: the sulfonic acid of a sulfonate ester, or HX."""
    ester = _smarts("[#6][SX4](=O)(=O)[OX2][N,C,c]")
    matches = mol.GetSubstructMatches(ester)
    if matches:
        s_idx, o_idx = matches[0][1], matches[0][4]
        bond = mol.GetBondBetweenAtoms(o_idx, matches[0][5]) if len(matches[0]) > 5 else None
        bond = bond or mol.GetBondBetweenAtoms(o_idx, [a for a in matches[0] if a != s_idx][-1])
        frags = Chem.GetMolFrags(Chem.FragmentOnBonds(mol, [bond.GetIdx()], addDummies=False),
                                 asMols=True)
        for frag in frags:
            if count(frag, "[SX4](=O)(=O)[OX1,OX2H]"):
                acid = Chem.MolFromSmiles(Chem.MolToSmiles(frag))
                if acid is not None:
                    return Chem.MolToSmiles(acid), len(matches)
    diazo = count(mol, "[SX4](=O)(=O)[CX3](=[N+]=[N-])[SX4](=O)(=O)[#6]", unique_atom=3)
    if diazo:  # disulfonyldiazomethanes give a sulfonic acid from one arm (Pawlowski et al. 1990)
        arm = mol.GetSubstructMatch(_smarts("[#6;!$(C=[N+])][SX4](=O)(=O)[CX3]=[N+]=[N-]"))
        bond = mol.GetBondBetweenAtoms(arm[1], arm[4])
        pieces = Chem.FragmentOnBonds(mol, [bond.GetIdx()], addDummies=True)
        for frag in Chem.GetMolFrags(pieces, asMols=True):
            if frag.HasSubstructMatch(_smarts("[#6][SX4](=O)(=O)[#0]")):
                rw = Chem.RWMol(frag)
                for atom in rw.GetAtoms():
                    if atom.GetAtomicNum() == 0:
                        atom.SetAtomicNum(8)
                        atom.SetIsotope(0)
                acid = rw.GetMol()
                Chem.SanitizeMol(acid)
                return Chem.MolToSmiles(acid), diazo
    for halogen, acid in (("Br", "Br"), ("Cl", "Cl")):
        n = count(mol, f"[CX4]([{halogen}])([{halogen}])[{halogen}]")
        if n:  # trihalomethyl triazines release HX, one per CX3 group at most (Buhr et al. 1989;
            return acid, n  # one per event: Pohlers et al. 1997, see GeneratorDescriptors)
    return "", 0


@lru_cache(maxsize=4096)
def generator_descriptors(smiles: str) -> GeneratorDescriptors:
    """Class, capture efficiency and generated acid of an acid generator, from its structure."""
    mol = parse_smiles(smiles)
    gen_class, n_sites = _ionic_sites(mol)
    sigma = 0.0
    if gen_class:
        centres = {a.GetIdx() for a in mol.GetAtoms() if a.GetFormalCharge() > 0}
        sigma = _hammett_sum(mol, centres)
        anions = [f for f in Chem.GetMolFrags(mol, asMols=True) if Chem.GetFormalCharge(f) < 0]
        acid_smiles = _protonate(anions[0]) if anions else ""
        n_acids = float(n_sites)
    else:
        acid_smiles, n = _nonionic_acid(mol)
        gen_class = "non_ionic" if n else "none"
        n_acids = float(n)
    acid = Chem.MolFromSmiles(acid_smiles) if acid_smiles else None
    acid_class = _acid_class(acid) if acid is not None else "none"
    if acid_class == "none":
        gen_class, n_acids = "none", 0.0
    efficiency = GENERATOR_CAPTURE[gen_class] * 10.0 ** (HAMMETT_RHO * sigma)
    volume = summarize_smiles(acid_smiles).mcgowan_cm3_mol if acid is not None else math.nan
    return GeneratorDescriptors(
        generator_class=gen_class, capture_efficiency=efficiency, hammett_sigma_sum=sigma,
        acid_class=acid_class, acid_pka=_ACID_CLASSES[acid_class][0], acid_smiles=acid_smiles,
        acid_volume_cm3_mol=volume, acids_per_molecule=n_acids,
        molar_mass=summarize_smiles(smiles).molar_mass, acids_per_event=1.0 if n_acids > 0 else 0.0,
    )


# ---- crosslinkers and polymerizable groups -----------------------------------------------------
CROSSLINK_GROUPS = {  # name -> (SMARTS, atom index of the reactive CH2/C, relative rate)
    "n_methylol": ("[NX3][CH2][OX2H]", 1, 1.5),
    "n_alkoxymethyl": ("[NX3][CH2][OX2][CX4]", 1, 1.0),
    "n_acyloxymethyl": ("[NX3][CH2][OX2][CX3]=O", 1, 0.8),
    "benzyl_methylol": ("c[CH2][OX2H]", 1, 0.7),
    "benzyl_alkoxymethyl": ("c[CH2][OX2][CX4]", 1, 0.5),
    "benzyl_acyloxymethyl": ("c[CH2][OX2][CX3]=O", 1, 0.4),
}
"""Acid-curable groups of crosslinker C. Relative rates: aminoplast N-CH2-OR ethers form
N-acyliminium/carbocations faster than benzylic ethers; free methylols faster than ethers
(Blank, J. Coat. Technol. 51, 61 (1979); Thackeray et al., Proc. SPIE 1086, 34 (1989))."""

ACID_GROUP_RATE = {"vinyl_ether": 0.0, "epoxide": 0.4, "oxetane": 0.6, "styrenic": 0.2}
"""Relative acid-catalysed reactivity (vs. an aminoplast ether = 1) of acid-curable C=C/ring
groups as *stable* negative-tone junctions with the resin: epoxides and styrenes need stronger
acid (Crivello, Adv. Polym. Sci. 62, 1 (1984)).

Vinyl ethers get 0: with phenols (and carboxylic acids) an acid adds them as acetals
(ArO-CH(CH3)-OR), the acid-labile linkage of acetal-protected PHS positive resists (e.g.
US 6,133,412: PHS + vinyl ether + acid catalyst -> acetal-derivatised resin for positive CARs; the
divinyl-ether-crosslinked positive resists of Moon & Kim, J. Photochem. Photobiol. C 8, 157 (2007)).
The same photo-acid that forms them cleaves them again during the PEB, so a divinyl ether gives no
net negative-tone network; in a film it acts as a plasticiser only (through the film Tg)."""

ACID_LABILE_GROUPS = ("vinyl_ether",)
"""Acid-curable groups whose adducts with phenols/carboxylic acids are acid-labile acetals."""


@dataclass(frozen=True)
class CrosslinkDescriptors:
    """Reactive-group counts of a crosslinker or polymerizable compound."""

    n_crosslink_groups: int
    crosslink_class: str
    crosslink_rate: float
    cc_groups: dict[str, int]
    n_acid_groups: int
    n_radical_groups: int
    acid_group_rate: float
    radical_chain_length: float
    molar_mass: float


@lru_cache(maxsize=4096)
def crosslink_descriptors(smiles: str) -> CrosslinkDescriptors:
    """Crosslinking and polymerizable groups per molecule, their class and rates."""
    mol = parse_smiles(smiles)
    counts = {k: count(mol, s, unique_atom=i) for k, (s, i, _) in CROSSLINK_GROUPS.items()}
    n_x = sum(counts.values())
    rate = sum(CROSSLINK_GROUPS[k][2] * n for k, n in counts.items()) / n_x if n_x else 0.0
    main = max(counts, key=counts.get) if n_x else "none"
    cc = {k: count(mol, s) for k, (s, *_rest) in CC_GROUPS.items()}
    n_acid = sum(n for k, n in cc.items() if CC_GROUPS[k][1])
    n_rad = sum(n for k, n in cc.items() if CC_GROUPS[k][2])
    acid_rate = sum(ACID_GROUP_RATE.get(k, 0.0) * n for k, n in cc.items() if CC_GROUPS[k][1])
    nu = sum(CC_GROUPS[k][3] * n for k, n in cc.items() if CC_GROUPS[k][2])
    return CrosslinkDescriptors(
        n_crosslink_groups=n_x, crosslink_class=main, crosslink_rate=rate, cc_groups=cc,
        n_acid_groups=n_acid, n_radical_groups=n_rad,
        acid_group_rate=acid_rate / n_acid if n_acid else 0.0,
        radical_chain_length=nu / n_rad if n_rad else 0.0,
        molar_mass=summarize_smiles(smiles).molar_mass,
    )


# ---- bases -----------------------------------------------------------------------------------------
BASE_SITES = (  # (SMARTS, pKa of conjugate acid); first match of an N wins
    ("[OX1H-]", 15.7),
    ("[NX3;+0;!$(N[CX3]=O)][CX3;!$(C=O)]=[NX2;+0;!$(N[O,N])]", 12.5),
    ("[NX3;H0;+0;!$(N[a]);!$(N[CX3]=[O,S,N]);!$(NS(=O)=O);!$(N[CH2][OX2])]([CX4])([CX4])[CX4]", 9.8),
    ("[NX3;H1;+0;!$(N[a]);!$(N[CX3]=[O,S,N]);!$(NS(=O)=O);!$(N[CH2][OX2])]([CX4])[CX4]", 10.7),
    ("[NX3;H2;+0;!$(N[a]);!$(N[CX3]=[O,S,N])][CX4]", 10.6),
    ("[nX2;r5]:[c;r5]:[nX3;r5]", 7.0),
    ("[nX2]1ccc(N([CH3])[CH3])cc1", 9.6),
    ("[nX2;r6]", 5.2),
    ("[NX3;+0;!$(N[CX3]=[O,S,N]);!$(NS(=O)=O)]([a])([a])", 0.8),
    ("[NX3;+0;!$(N[CX3]=[O,S,N]);!$(NS(=O)=O)][a]", 5.1),
    ("[OX1-]C(=O)[#6]", 4.5),
)
"""Basic sites and the pKa of their conjugate acids (Perrin 1965): hydroxide; amidine/guanidine;
aliphatic 3-/2-/1-amines; imidazole; DMAP; pyridine; diarylamine; aniline; carboxylate (the
anion of a photodecomposable onium base).

An amino N on an aromatic ring that already carries a basic ring N (4-/2-aminopyridines, DMAP) is
not a second site: these bases protonate on the ring N (the amidinium-like cation is stabilised by
the amino group, which is why DMAP, pKa 9.6, is ~10^4 x more basic than pyridine), and the amino N
of the cation is no longer basic - the dication forms only in strong mineral acid (second pKa far
below 0; Albert, Goldacre & Phillips, J. Chem. Soc. 1948, 2240). One DMAP neutralises one acid."""


@dataclass(frozen=True)
class BaseDescriptors:
    """Quencher strength and size."""

    n_basic_sites: int
    pka_conjugate_acid: float
    strength_class: str
    volume_cm3_mol: float
    molar_mass: float


def _strength(pka: float) -> str:
    return "none" if math.isnan(pka) else "strong" if pka >= 9 else "moderate" if pka >= 4 else "weak"


def _conjugated_to_ring_base(mol: Chem.Mol, idx: int, sites: set[int]) -> bool:
    """True for an exocyclic N bonded to an aromatic ring that holds an already counted ring N."""
    atom = mol.GetAtomWithIdx(idx)
    if atom.GetIsAromatic() or atom.GetSymbol() != "N":
        return False
    rings = mol.GetRingInfo().AtomRings()
    for nb in atom.GetNeighbors():
        if nb.GetIsAromatic():
            for ring in rings:
                if nb.GetIdx() in ring and any(i in sites for i in ring):
                    return True
    return False


@lru_cache(maxsize=4096)
def base_descriptors(smiles: str) -> BaseDescriptors:
    """Basic sites (each N counted once, strongest class) and conjugate-acid pKa of the base."""
    mol = parse_smiles(smiles)
    seen: set[int] = set()
    pkas: list[float] = []
    for smarts, pka in BASE_SITES:
        for match in mol.GetSubstructMatches(_smarts(smarts)):
            if match[0] not in seen and not _conjugated_to_ring_base(mol, match[0], seen):
                seen.add(match[0])
                pkas.append(pka)
    best = max(pkas) if pkas else math.nan
    summary = summarize_smiles(smiles)
    return BaseDescriptors(len(pkas), best, _strength(best), summary.mcgowan_cm3_mol, summary.molar_mass)

