"""Film and substrate materials: elemental mass fractions, density, mean excitation energy.

What the energy-deposition physics needs about a solid: its elemental composition by weight,
its density, the electrons per gram (Z/A) and the mean excitation energy I.

* I of a compound by Bragg additivity, ln I = sum_i w_i (Z/A)_i ln I_i / sum_i w_i (Z/A)_i, with the
  condensed-phase elemental values of ICRU Report 37 (1984), Table 2.11 / Seltzer & Berger,
  Int. J. Appl. Radiat. Isot. 33, 1189 (1982): H 19.2, C 81, N 82, O 106, F 112, Cl 180 eV in
  compounds; 1.13 x the elemental value for the other elements; the elemental value for a pure element.
* Film density from structure: McGowan characteristic volume V_x (Abraham & McGowan,
  Chromatographia 23, 243 (1987)) times a packing factor of 1.10 calibrated on amorphous PS
  (1.05 g/cm3), PMMA (1.18) and poly(4-hydroxystyrene) (1.16); components mix by volume additivity.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING

from rdkit import Chem

from resistml.chem.smiles import SmilesError, parse_smiles

if TYPE_CHECKING:
    from resistml.formulation import Component, Formulation

_PT = Chem.GetPeriodicTable()

# Elemental mean excitation energies in eV, ICRU Report 37 (as tabulated by NIST ESTAR), Z = 1..92.
_I_ELEMENT_EV = (
    19.2, 41.8, 40.0, 63.7, 76.0, 78.0, 82.0, 95.0, 115.0, 137.0, 149.0, 156.0, 166.0, 173.0,
    173.0, 180.0, 174.0, 188.0, 190.0, 191.0, 216.0, 233.0, 245.0, 257.0, 272.0, 286.0, 297.0,
    311.0, 322.0, 330.0, 334.0, 350.0, 347.0, 348.0, 343.0, 352.0, 363.0, 366.0, 379.0, 393.0,
    417.0, 424.0, 428.0, 441.0, 449.0, 470.0, 470.0, 469.0, 488.0, 488.0, 487.0, 485.0, 491.0,
    482.0, 488.0, 491.0, 501.0, 523.0, 535.0, 546.0, 560.0, 574.0, 580.0, 591.0, 614.0, 628.0,
    650.0, 658.0, 674.0, 684.0, 694.0, 705.0, 718.0, 727.0, 736.0, 746.0, 757.0, 790.0, 790.0,
    800.0, 810.0, 823.0, 823.0, 830.0, 825.0, 794.0, 827.0, 826.0, 841.0, 847.0, 878.0, 890.0,
)
# Values for atoms bound in condensed compounds (ICRU 37 Table 2.11); others get 1.13 x elemental.
_I_IN_COMPOUND_EV = {"H": 19.2, "C": 81.0, "N": 82.0, "O": 106.0, "F": 112.0, "Cl": 180.0}

# McGowan atomic volume contributions, cm3/mol (Abraham & McGowan 1987); minus 6.56 per bond.
_MCGOWAN_CM3 = {
    "H": 8.71, "B": 18.32, "C": 16.35, "N": 14.39, "O": 12.43, "F": 10.48, "Si": 26.83,
    "P": 24.87, "S": 22.91, "Cl": 20.95, "Ge": 31.02, "As": 29.42, "Se": 27.81, "Br": 26.21,
    "Sn": 39.35, "Sb": 37.74, "Te": 36.14, "I": 34.53, "Hf": 40.0, "Zr": 38.0, "Ti": 32.0,
    "Al": 28.0, "Li": 12.0, "Na": 20.0, "K": 30.0, "Cs": 40.0, "Zn": 27.0,
}
_MCGOWAN_BOND = 6.56
PACKING_FACTOR = 1.10
"""Molar volume / McGowan volume of an amorphous organic solid (calibrated on PS, PMMA, PHS)."""

# Bulk densities (g/cm3) of common substrates (CRC Handbook of Chemistry and Physics).
_SUBSTRATE_DENSITY = {
    "Si": 2.329, "GaAs": 5.317, "SiO2": 2.20, "Cr": 7.19, "Ge": 5.323, "Al": 2.699, "Au": 19.32,
    "W": 19.3, "Ta": 16.69, "Cu": 8.96, "Ti": 4.506, "Ni": 8.908, "Mo": 10.28, "Pt": 21.45,
    "InP": 4.81, "Si3N4": 3.17, "Al2O3": 3.95, "SiC": 3.21, "Ag": 10.49, "C": 2.0, "Fe": 7.874,
    "MoSi2": 6.26, "TaN": 14.3, "Ru": 12.37, "CrO": 5.2, "HfO2": 9.68, "ZrO2": 5.68, "GaN": 6.15,
}
SUBSTRATE_ALIASES = {
    "quartz": "SiO2", "fused silica": "SiO2", "silica": "SiO2", "silicon": "Si", "gallium arsenide": "GaAs",
    "gold": "Au", "tungsten": "W", "tantalum": "Ta", "molybdenum": "Mo", "carbon": "C",
    "aluminium": "Al", "aluminum": "Al", "chromium": "Cr", "chrome": "Cr",
    "cr-on-quartz": "Cr-on-quartz", "chrome-on-quartz": "Cr-on-quartz", "chrome on quartz": "Cr-on-quartz",
}
"""English names of substrates -> formula or grid name (lower-case keys). 'glass' is deliberately
absent: soda-lime and borosilicate glasses are not SiO2; give their formula and density instead."""
_SUBSTRATE_ALIASES = SUBSTRATE_ALIASES  # old private name
CR_ON_QUARTZ_CR_NM = 100.0
"""Chrome thickness of a standard photomask blank (Cr-on-quartz), nm."""


class MaterialError(ValueError):
    """A material that cannot be built; the message names the offending input."""


@dataclass(frozen=True)
class Material:
    """A homogeneous solid: elemental mass fractions (summing to 1) and density in g/cm3."""

    mass_fractions: dict[str, float]
    density_g_cm3: float
    name: str = ""
    i_override_eV: float | None = None
    """Measured mean excitation energy (eV) to use instead of Bragg additivity."""

    def __post_init__(self) -> None:
        if not self.mass_fractions:
            raise MaterialError(f"material {self.name!r}: no elements")
        for el, w in self.mass_fractions.items():
            if atomic_number(el) <= 0 or not (w > 0 and math.isfinite(w)):
                raise MaterialError(f"material {self.name!r}: bad element or fraction {el}={w!r}")
        if not (self.density_g_cm3 > 0 and math.isfinite(self.density_g_cm3)):
            raise MaterialError(f"material {self.name!r}: density must be > 0, got {self.density_g_cm3!r}")
        total = sum(self.mass_fractions.values())
        object.__setattr__(self, "mass_fractions", {k: v / total for k, v in self.mass_fractions.items()})

    def __hash__(self) -> int:
        return hash((tuple(sorted(self.mass_fractions.items())), self.density_g_cm3, self.name, self.i_override_eV))

    @cached_property
    def z_over_a(self) -> float:
        """Electrons per gram divided by Avogadro's number, mol/g: sum_i w_i Z_i / A_i."""
        return sum(w * atomic_number(e) / atomic_weight(e) for e, w in self.mass_fractions.items())

    @cached_property
    def mean_z(self) -> float:
        """Electron-weighted mean atomic number, sum_i w_i Z_i^2/A_i / sum_i w_i Z_i/A_i."""
        num = sum(w * atomic_number(e) ** 2 / atomic_weight(e) for e, w in self.mass_fractions.items())
        return num / self.z_over_a

    @cached_property
    def mean_a(self) -> float:
        """Mean atomic weight per atom, g/mol: 1 / sum_i (w_i / A_i)."""
        return 1.0 / sum(w / atomic_weight(e) for e, w in self.mass_fractions.items())

    @cached_property
    def mean_excitation_eV(self) -> float:
        """Mean excitation energy I by Bragg additivity (ICRU 37), or the override if given."""
        if self.i_override_eV is not None:
            return float(self.i_override_eV)
        if len(self.mass_fractions) == 1:
            return element_i_eV(next(iter(self.mass_fractions)))
        log_i = sum(
            w * atomic_number(e) / atomic_weight(e) * math.log(compound_i_eV(e))
            for e, w in self.mass_fractions.items()
        )
        return math.exp(log_i / self.z_over_a)

    def with_density(self, density_g_cm3: float) -> Material:
        """The same composition at another density."""
        return Material(dict(self.mass_fractions), density_g_cm3, self.name, self.i_override_eV)


def atomic_number(symbol: str) -> int:
    """Z of an element symbol (0 if unknown)."""
    try:
        return _PT.GetAtomicNumber(symbol)
    except RuntimeError:
        return 0


def atomic_weight(symbol: str) -> float:
    """Standard atomic weight, g/mol (RDKit periodic table, IUPAC values)."""
    return _PT.GetAtomicWeight(symbol)


def element_i_eV(symbol: str) -> float:
    """ICRU 37 mean excitation energy of the pure element."""
    return _I_ELEMENT_EV[atomic_number(symbol) - 1]


def compound_i_eV(symbol: str) -> float:
    """ICRU 37 value for an element bound in a condensed compound (Table 2.11 / 1.13 rule)."""
    return _I_IN_COMPOUND_EV.get(symbol, 1.13 * element_i_eV(symbol))


# ---- formulas ---------------------------------------------------------------------------------
_TOKEN = re.compile(r"([A-Z][a-z]?|\(|\)|\d+\.?\d*)")


@lru_cache(maxsize=1024)
def parse_formula(formula: str) -> dict[str, float]:
    """Atom counts of a chemical formula with optional parentheses, e.g. 'Ca(OH)2'."""
    text = formula.replace(" ", "")
    tokens = _TOKEN.findall(text)
    if not text or "".join(tokens) != text:
        raise MaterialError(f"cannot parse formula {formula!r}")
    stack: list[dict[str, float]] = [{}]
    last: dict[str, float] | str | None = None
    for tok in tokens:
        if tok == "(":
            stack.append({})
            last = None
        elif tok == ")":
            if len(stack) == 1:
                raise MaterialError(f"unbalanced ')' in formula {formula!r}")
            last = stack.pop()
            _merge(stack[-1], last, 1.0)
        elif tok[0].isdigit():
            if last is None:
                raise MaterialError(f"number without element in formula {formula!r}")
            if isinstance(last, str):
                stack[-1][last] += float(tok) - 1.0
            else:
                _merge(stack[-1], last, float(tok) - 1.0)
            last = None
        else:
            if atomic_number(tok) <= 0:
                raise MaterialError(f"unknown element {tok!r} in formula {formula!r}")
            stack[-1][tok] = stack[-1].get(tok, 0.0) + 1.0
            last = tok
    if len(stack) != 1:
        raise MaterialError(f"unbalanced '(' in formula {formula!r}")
    return stack[0]


def _merge(into: dict[str, float], counts: dict[str, float], factor: float) -> None:
    for el, n in counts.items():
        into[el] = into.get(el, 0.0) + factor * n


def mass_fractions_from_counts(counts: dict[str, float]) -> dict[str, float]:
    """Mass fractions from atom counts."""
    masses = {el: n * atomic_weight(el) for el, n in counts.items() if n > 0}
    total = sum(masses.values())
    return {el: m / total for el, m in masses.items()}


def material_from_formula(formula: str, density_g_cm3: float, name: str = "") -> Material:
    """Material of a chemical formula (e.g. 'SiO2', 'C5H8O2') at the given density."""
    return Material(mass_fractions_from_counts(parse_formula(formula)), density_g_cm3, name or formula)


# ---- structures -------------------------------------------------------------------------------
@dataclass(frozen=True)
class StructureSummary:
    """Atom counts, molar mass and McGowan volume of a molecule or a chain repeat unit."""

    counts: dict[str, float]
    molar_mass: float
    mcgowan_cm3_mol: float


@lru_cache(maxsize=8192)
def summarize_smiles(smiles: str) -> StructureSummary:
    """Counts, mass and McGowan volume; [*] ends are joined into the chain (a polymer repeat unit)."""
    mol = parse_smiles(smiles)
    counts: dict[str, float] = {}
    for atom in mol.GetAtoms():
        if atom.GetAtomicNum() == 0:
            continue
        sym = atom.GetSymbol()
        counts[sym] = counts.get(sym, 0.0) + 1.0
        n_h = atom.GetTotalNumHs()
        if n_h:
            counts["H"] = counts.get("H", 0.0) + n_h
    n_dummy = sum(1 for a in mol.GetAtoms() if a.GetAtomicNum() == 0)
    heavy_bonds = sum(
        1 for b in mol.GetBonds() if b.GetBeginAtom().GetAtomicNum() and b.GetEndAtom().GetAtomicNum()
    )
    n_bonds = heavy_bonds + counts.get("H", 0.0) + n_dummy / 2.0
    missing = sorted(el for el in counts if el not in _MCGOWAN_CM3)
    if missing:
        raise MaterialError(f"no McGowan volume for element(s) {missing} in {smiles!r}")
    volume = sum(_MCGOWAN_CM3[el] * n for el, n in counts.items()) - _MCGOWAN_BOND * n_bonds
    mass = sum(atomic_weight(el) * n for el, n in counts.items())
    return StructureSummary(counts, mass, volume)


def estimate_density(summary: StructureSummary) -> float:
    """Amorphous-solid density M / (PACKING_FACTOR * V_x), g/cm3."""
    return summary.molar_mass / (PACKING_FACTOR * summary.mcgowan_cm3_mol)


def material_from_smiles(smiles: str, density: float | None = None, name: str = "") -> Material:
    """Material of a molecule or repeat unit (SMILES); density estimated from structure if None."""
    summary = summarize_smiles(smiles)
    rho = estimate_density(summary) if density is None else density
    return Material(mass_fractions_from_counts(summary.counts), rho, name or smiles)


def _component_summary(comp: Component) -> StructureSummary:
    """Mole-fraction-weighted counts, mass and volume per mole of (average) unit or molecule."""
    if comp.repeat_units is None:
        return summarize_smiles(comp.smiles)
    counts: dict[str, float] = {}
    mass = volume = 0.0
    for unit in comp.repeat_units:
        s = summarize_smiles(unit.smiles)
        _merge(counts, s.counts, unit.fraction)
        mass += unit.fraction * s.molar_mass
        volume += unit.fraction * s.mcgowan_cm3_mol
    return StructureSummary(counts, mass, volume)


def film_material(formulation: Formulation) -> Material:
    """Dry-film material of a formulation: parts-weighted composition, volume-additive density."""
    fractions: dict[str, float] = {}
    specific_volume = 0.0
    for i, (comp, w) in enumerate(zip(formulation.components, formulation.weight_fractions(), strict=True)):
        try:
            summary = _component_summary(comp)
        except (MaterialError, SmilesError) as exc:
            raise MaterialError(f"components[{i}]: {exc}") from None
        _merge(fractions, mass_fractions_from_counts(summary.counts), w)
        specific_volume += w / estimate_density(summary)
    return Material(fractions, 1.0 / specific_volume, formulation.name)


def substrate_material(name_or_formula: str, density: float | None = None) -> Material:
    """Substrate by name ('Si', 'GaAs', 'quartz', 'Cr'), formula, or 'FORMULA:DENSITY'.

    'Cr-on-quartz' gives the quartz plate; use :func:`substrate_layers` for the chrome layer.
    """
    text = name_or_formula.strip()
    if ":" in text:
        text, _, rho_text = text.partition(":")
        try:
            density = float(rho_text)
        except ValueError:
            raise MaterialError(f"substrate: bad density {rho_text!r} in {name_or_formula!r}") from None
    key = canonical_substrate_name(text)
    if key.lower() == "cr-on-quartz":
        key = "SiO2"
    rho = density if density is not None else _SUBSTRATE_DENSITY.get(key)
    if rho is None:
        raise MaterialError(
            f"substrate: unknown density for {name_or_formula!r}; give it as 'FORMULA:DENSITY', e.g. 'Al2O3:3.95'"
        )
    return material_from_formula(key, rho, name=text)


def canonical_substrate_name(name: str) -> str:
    """A substrate name with its alias resolved ('quartz' -> 'SiO2', 'Gold' -> 'Au'); else stripped."""
    text = name.strip()
    return SUBSTRATE_ALIASES.get(" ".join(text.lower().split()), text)


def substrate_layers(name_or_formula: str) -> list[tuple[Material, float]]:
    """Substrate as (material, thickness_nm) layers from the top; the last is semi-infinite."""
    if canonical_substrate_name(name_or_formula).lower() == "cr-on-quartz":
        chrome = material_from_formula("Cr", _SUBSTRATE_DENSITY["Cr"], name="Cr")
        return [(chrome, CR_ON_QUARTZ_CR_NM), (substrate_material("SiO2"), math.inf)]
    return [(substrate_material(name_or_formula), math.inf)]
