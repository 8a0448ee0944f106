"""Training domain of a model and the applicability-domain check of a formulation against it.

A model trained on a range of beam energies, amounts and elements answers outside that range
by extrapolation; such answers are flagged, not silently returned (a range-based applicability
domain, as in OECD QSAR validation principle 3). :func:`training_domain` summarises training
formulations for the artifact metadata; :func:`domain_notes` lists every way a formulation
leaves it:

- radiation, energy and process values outside the training ranges;
- weight fractions per role outside the training ranges, roles never trained on;
- elements the training molecules never contained;
- a required role without a *recognised* component (``resistml.formulation.roles``): no acid
  generator class (ethanol declared as the generator), no crosslinking chemistry (crosslinker or
  polymerizable), no resin; the simulator says such formulations never gel;
- substrates that are not a known material, or that the training data never used (artifacts
  from before the substrate was recorded trained on Si only);
- molecules far from the training molecules in the model's embedding space
  (:mod:`resistml.inference.novelty`, checked by the Predictor).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from resistml.chem.smiles import canonical_smiles, parse_smiles
from resistml.formulation import Formulation, Process, Role
from resistml.formulation.roles import recognised_roles

PROCESS_RANGES = ("thickness_nm", "peb_temp_C", "peb_time_s", "develop_time_s", "spot_size_nm")
ENERGY_FIELD = {"electron": "beam_energy_keV", "xray": "photon_energy_keV"}
RANGE_SLACK = 1e-6
"""Relative tolerance on range ends (float round-off of stored values)."""
REQUIRED_ROLES: tuple[tuple[str, frozenset[Role]], ...] = (
    ("acid generator", frozenset({Role.acid_generator})),
    ("crosslinking chemistry (crosslinker or polymerizable compound)", frozenset({Role.crosslinker, Role.polymerizable})),
    ("resin", frozenset({Role.resin})),
)
"""Roles a negative chemically amplified resist needs, each met by a component whose structure
is recognised (declared role and recognised role agree) for one of the listed roles."""
LEGACY_SUBSTRATES = ("Si",)
"""Substrates of training data recorded without a substrate list (the sampler's only one)."""
MAX_DOMAIN_MOLECULES = 2000
"""Most training molecules per role stored in the domain (for the embedding-distance check)."""


@lru_cache(maxsize=65536)
def structure_elements(smiles: str) -> frozenset[str]:
    """Element symbols in one SMILES (``[*]`` ends excluded, hydrogens included if present)."""
    mol = parse_smiles(smiles)
    found = {a.GetSymbol() for a in mol.GetAtoms() if a.GetAtomicNum() > 0}
    if any(a.GetTotalNumHs() for a in mol.GetAtoms()):
        found.add("H")
    return frozenset(found)


def formulation_elements(formulation: Formulation) -> set[str]:
    """Every element present in any component of a formulation."""
    out: set[str] = set()
    for comp in formulation.components:
        for smiles in comp.structures():
            out |= structure_elements(smiles)
    return out


def _widen(ranges: dict[str, list[float]], key: str, value: float) -> None:
    lo, hi = ranges.get(key, [value, value])
    ranges[key] = [min(lo, value), max(hi, value)]


def training_domain(formulations: Iterable[Formulation]) -> dict[str, Any]:
    """Ranges (energy per radiation, process, weight fraction per role) and elements seen."""
    energy: dict[str, list[float]] = {}
    process: dict[str, list[float]] = {}
    fractions: dict[str, list[float]] = {}
    elements: set[str] = set()
    substrates: set[str] = set()
    molecules: dict[str, set[str]] = {}
    count = 0
    for form in formulations:
        count += 1
        p = form.process
        substrates.add(_substrate(p.substrate))
        for comp in form.components:
            molecules.setdefault(comp.role.value, set()).update(canonical_smiles(s) for s in comp.structures())
        _widen(energy, p.radiation, p.energy_keV)
        for key in PROCESS_RANGES:
            _widen(process, key, float(getattr(p, key)))
        _widen(process, "tmah_wt_percent", p.tmah_wt_percent)
        totals: dict[str, float] = {}
        for comp, wf in zip(form.components, form.weight_fractions(), strict=True):
            totals[comp.role.value] = totals.get(comp.role.value, 0.0) + wf
        for role, wf in totals.items():
            _widen(fractions, role, wf)
        elements |= formulation_elements(form)
    return {
        "count": count,
        "energy_keV": energy,
        "process": process,
        "weight_fraction": fractions,
        "elements": sorted(elements),
        "substrates": sorted(substrates),
        "molecules": {role: sorted(m)[:MAX_DOMAIN_MOLECULES] for role, m in sorted(molecules.items())},
    }


def _substrate(name: str) -> str:
    from resistml.chem.substrate import known_substrate

    return known_substrate(name)


def _outside(value: float, bounds: list[float]) -> bool:
    lo, hi = bounds
    return value < lo * (1 - RANGE_SLACK) or value > hi * (1 + RANGE_SLACK)


def process_notes(process: Process, domain: dict[str, Any]) -> list[str]:
    """Radiation, energy and process settings outside the training ranges."""
    notes = []
    p = process
    energy = domain.get("energy_keV", {})
    if energy and p.radiation not in energy:
        notes.append(f"radiation {p.radiation!r} not in the training data")
    elif p.radiation in energy and _outside(p.energy_keV, energy[p.radiation]):
        lo, hi = energy[p.radiation]
        notes.append(f"energy: {ENERGY_FIELD[p.radiation]} {p.energy_keV:g} outside the training range {lo:g}-{hi:g} keV")
    values = {key: float(getattr(p, key)) for key in PROCESS_RANGES} | {"tmah_wt_percent": p.tmah_wt_percent}
    for key, bounds in domain.get("process", {}).items():
        if key in values and _outside(values[key], bounds):
            notes.append(f"process: {key} {values[key]:g} outside the training range {bounds[0]:g}-{bounds[1]:g}")
    return notes


def amount_notes(formulation: Formulation, domain: dict[str, Any]) -> list[str]:
    """Roles absent from the training data and weight fractions per role outside its ranges."""
    notes = []
    totals: dict[str, float] = {}
    for comp, wf in zip(formulation.components, formulation.weight_fractions(), strict=True):
        totals[comp.role.value] = totals.get(comp.role.value, 0.0) + wf
    for role, wf in totals.items():
        bounds = domain.get("weight_fraction", {}).get(role)
        if bounds is None:
            notes.append(f"amounts: no {role} component in the training data")
        elif _outside(wf, bounds):
            notes.append(f"amounts: {role} weight fraction {wf:.3g} outside the training range {bounds[0]:.3g}-{bounds[1]:.3g}")
    return notes


def element_notes(elements: set[str] | frozenset[str], domain: dict[str, Any]) -> list[str]:
    """Elements the training molecules never contained."""
    known = set(domain.get("elements", []))
    unseen = sorted(set(elements) - known) if known else []
    return [f"unseen element: {', '.join(unseen)} not in the training molecules"] if unseen else []


def role_notes(formulation: Formulation) -> list[str]:
    """Required roles (``REQUIRED_ROLES``) that no component fills with a recognised structure."""
    notes = []
    recognised = [(comp, recognised_roles(comp)) for comp in formulation.components]
    for what, roles in REQUIRED_ROLES:
        if any(comp.role in roles and comp.role in rec for comp, rec in recognised):
            continue
        declared = [comp.label for comp, _ in recognised if comp.role in roles]
        why = (f"{', '.join(map(str, declared))} declared but not recognised as such from structure"
               if declared else "none declared")
        notes.append(f"roles: no recognised {what} ({why}); the simulator says such a resist does not gel")
    return notes


def substrate_notes(process: Process, domain: dict[str, Any]) -> list[str]:
    """A substrate that is no known material, or one the training data never used."""
    from resistml.chem.material import MaterialError, substrate_layers

    try:
        substrate_layers(process.substrate)
    except (MaterialError, ValueError) as exc:
        return [f"substrate: unknown substrate {process.substrate!r} ({exc}); backscatter is not known"]
    # models exported before "substrates" was recorded saw only the default Si (generate keeps it)
    trained = domain.get("substrates") or list(LEGACY_SUBSTRATES)
    if _substrate(process.substrate).lower() not in {_substrate(s).lower() for s in trained}:
        return [f"substrate: {process.substrate!r} not in the training data (trained on {', '.join(trained)})"]
    return []


def domain_notes(formulation: Formulation, domain: dict[str, Any]) -> list[str]:
    """Reasons a formulation lies outside a training domain (empty when inside).

    The role rules hold for any model; the others need a recorded ``domain``.
    """
    notes = role_notes(formulation)
    if not domain:
        return notes
    return (notes + process_notes(formulation.process, domain) + substrate_notes(formulation.process, domain)
            + amount_notes(formulation, domain) + element_notes(formulation_elements(formulation), domain))


class DomainChecker:
    """:func:`domain_notes` against one domain, with the process and element parts memoised.

    Large batches reuse a few process settings and molecules, so only the amounts are checked
    per formulation.
    """

    CACHE_LIMIT = 100_000

    def __init__(self, domain: dict[str, Any]):
        self.domain = domain
        self._process: dict[Process, list[str]] = {}
        self._elements: dict[tuple, list[str]] = {}
        self._roles: dict[tuple, list[str]] = {}

    def notes(self, formulation: Formulation) -> list[str]:
        """Same list as ``domain_notes(formulation, self.domain)``."""
        key = tuple((c.role.value, tuple(c.structures())) for c in formulation.components)
        by_roles = self._roles.get(key)
        if by_roles is None:
            by_roles = self._remember(self._roles, key, role_notes(formulation))
        if not self.domain:
            return list(by_roles)
        p = formulation.process
        by_process = self._process.get(p)
        if by_process is None:
            by_process = self._remember(self._process, p, process_notes(p, self.domain) + substrate_notes(p, self.domain))
        by_elements = self._elements.get(key)
        if by_elements is None:
            by_elements = self._remember(self._elements, key, element_notes(formulation_elements(formulation), self.domain))
        return by_roles + by_process + amount_notes(formulation, self.domain) + by_elements

    def _remember(self, cache: dict, key: Any, notes: list[str]) -> list[str]:
        if len(cache) >= self.CACHE_LIMIT:
            cache.clear()
        cache[key] = notes
        return notes
