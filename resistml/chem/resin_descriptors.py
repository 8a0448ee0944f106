"""Resin descriptors and glass-transition estimates from structure (RDKit), cached per SMILES.

* Glass transition: Van Krevelen's molar glass-transition function Tg = Yg/M (Properties of
  Polymers, ch. 6) with atom-type Yg increments fitted by non-negative least squares to the
  handbook Tg of 30 homopolymers (PE ... PHS, PMMA, PVAc, PAA; RMS error 32 K); copolymers by the
  Fox equation over unit weight fractions (Fox, Bull. Am. Phys. Soc. 1, 123 (1956)); chain ends
  by Flory-Fox, Tg = Tg_inf - K/Mn (Fox & Flory, J. Appl. Phys. 21, 581 (1950)); small molecules
  Yg/M - 2e4/M.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from rdkit import Chem

from resistml.chem.material import summarize_smiles
from resistml.chem.smiles import parse_smiles


def _cc_smarts() -> list[str]:
    from resistml.chem.descriptors import CC_GROUPS

    return [s for k, (s, *_r) in CC_GROUPS.items() if k != "epoxide"]


TG_YG_INCREMENTS = (5.90, 1.94, 3.34, 14.21, 5.34, 10.08, 4.95, 10.90, 13.23, 2.29)
"""Van Krevelen Yg increments (K kg/mol) per heavy atom incl. its H: aromatic atom, CH3, CH2/CH,
quaternary sp3 C, sp2/sp C, OH oxygen, other O, N, halogen, other element. NNLS fit to 30
homopolymers (Polymer Handbook, Brandrup & Immergut 4th ed.), RMS 32 K."""
FLORY_FOX_K = 1.0e5
"""Flory-Fox constant K in Tg = Tg_inf - K/Mn, K g/mol (polystyrene ~1e5)."""
ADDITIVE_K = 2.0e4
"""End-group term K/M applied to small molecules, K g/mol (small organic glasses ~0.6-0.7 Tm)."""


def _atom_type(atom: Chem.Atom) -> int:
    z, h = atom.GetAtomicNum(), atom.GetTotalNumHs()
    if atom.GetIsAromatic():
        return 0
    if z == 6:
        if atom.GetHybridization() == Chem.HybridizationType.SP3:
            return 1 if h == 3 else 2 if h else 3
        return 4
    if z == 8:
        return 5 if h else 6
    return {7: 7, 9: 8, 17: 8, 35: 8, 53: 8}.get(z, 9)


@lru_cache(maxsize=8192)
def tg_infinite_K(smiles: str) -> float:
    """Van Krevelen Tg = Yg/M of a repeat unit or molecule (charges ignored), K."""
    mol = parse_smiles(smiles)
    yg = sum(TG_YG_INCREMENTS[_atom_type(a)] for a in mol.GetAtoms() if a.GetAtomicNum() > 0)
    return 1000.0 * yg / summarize_smiles(smiles).molar_mass


def tg_estimate_K(smiles: str) -> float:
    """Glass transition of a small molecule: Yg/M - K/M, kept within 150-450 K."""
    value = tg_infinite_K(smiles) - ADDITIVE_K / summarize_smiles(smiles).molar_mass
    return min(max(value, 150.0), 450.0)


@dataclass(frozen=True)
class UnitDescriptors:
    """One resin repeat unit."""

    molar_mass: float
    phenolic_oh: int
    aromatic_fraction: float
    cc_groups: int
    tg_inf_K: float


@lru_cache(maxsize=4096)
def unit_descriptors(smiles: str) -> UnitDescriptors:
    """Mass, phenolic OH, aromatic heavy-atom fraction, pendant C=C and Tg_inf of a repeat unit."""
    mol = parse_smiles(smiles)
    heavy = [a for a in mol.GetAtoms() if a.GetAtomicNum() > 0]
    aromatic = sum(a.GetIsAromatic() for a in heavy) / max(len(heavy), 1)
    from resistml.chem.descriptors import count

    pendant = sum(count(mol, s) for s in _cc_smarts())
    return UnitDescriptors(
        molar_mass=summarize_smiles(smiles).molar_mass, phenolic_oh=count(mol, "[OX2H]c"),
        aromatic_fraction=aromatic, cc_groups=pendant, tg_inf_K=tg_infinite_K(smiles),
    )


@dataclass(frozen=True)
class ResinDescriptors:
    """Mole-fraction-averaged repeat unit of a (co)polymer."""

    unit_mass: float
    phenolic_oh_per_unit: float
    aromatic_fraction: float
    pendant_cc_per_unit: float
    tg_K: float


@lru_cache(maxsize=65536)
def resin_descriptors(units: tuple[tuple[str, float], ...], mw: float, pdi: float) -> ResinDescriptors:
    """Average unit; Tg by the Fox equation over unit weight fractions, then Flory-Fox with Mn."""
    descs = [(unit_descriptors(s), x) for s, x in units]
    mass = sum(d.molar_mass * x for d, x in descs)
    inv_tg = sum(d.molar_mass * x / mass / d.tg_inf_K for d, x in descs)
    tg = 1.0 / inv_tg - FLORY_FOX_K / (mw / pdi)
    return ResinDescriptors(
        unit_mass=mass,
        phenolic_oh_per_unit=sum(d.phenolic_oh * x for d, x in descs),
        aromatic_fraction=sum(d.aromatic_fraction * x for d, x in descs),
        pendant_cc_per_unit=sum(d.cc_groups * x for d, x in descs),
        tg_K=max(tg, 150.0),
    )
