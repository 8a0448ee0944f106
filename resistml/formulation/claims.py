"""Which claims (1-17) of the seed patent a formulation falls under: a technical reading.

This is a technical reading of the claim language as summarised in the project brief (issue 2),
made with the structure classes of :mod:`resistml.formulation.roles`. It is **not legal advice** and
no substitute for a patent attorney's opinion: claim construction, equivalents, amounts and the
description are not considered. The numbering of the dependent claims is our reconstruction.

An element is present when a component is *declared* in that role *and* its structure is
recognised as that role (so a mislabelled component does not count). Elements:

- A  acid generator (onium salt, N-hydroxyimide sulfonate, disulfonyldiazomethane)
- B  alkali-soluble resin (phenolic or carboxylic-acid repeat units)
- B' alkali-soluble resin whose repeat units carry a polymerizable C=C (vinyl, allyl, (meth)acrylate)
- C  acid crosslinker (hydroxy/alkoxy/acyloxymethyl phenol, melamine, urea or glycoluril)
- D  compound with a polymerizable C=C (acid: vinyl ether, styrenic, epoxide; radical: (meth)acrylate, allyl)
- E  organic base

=====  ======  ================================================================
claim  parent  requirement
=====  ======  ================================================================
1      -       A + B + C + D
2      1       ... further comprising E
3      1       B has hydroxystyrene units of formula (a)
4      1       A is an onium sulfonate (sulfonium or iodonium sulfonate)
5      1       A is an N-hydroxyimide sulfonate or a disulfonyldiazomethane
6      1       C is a hydroxymethyl/alkoxymethyl/acyloxymethyl phenol
7      1       C is an alkoxymethyl/acyloxymethyl melamine, urea or glycoluril
8      1       exposed with an electron beam of >= 75 keV
9      -       A + B' + C
10-16  9       as 2-8, read on claim 9 (11: B' has formula (a) units)
17     9       ... further comprising D
=====  ======  ================================================================
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from resistml.formulation.roles import Role, classify, roles_for_classes
from resistml.formulation.schema import Formulation

MIN_HIGH_ENERGY_KEV = 75.0
"""Beam energy from which the high-acceleration-voltage claims apply (keV)."""


@dataclass(frozen=True)
class Reading:
    """The recognised elements of one formulation: class sets of the components per role."""

    elements: dict[Role, list[frozenset[str]]]
    radiation: str
    beam_energy_keV: float

    def members(self, role: Role) -> list[frozenset[str]]:
        """Class sets of the components that are present as this element."""
        return self.elements.get(role, [])

    def any_with(self, role: Role, *classes: str) -> bool:
        """True when some component of the role has any of the classes."""
        return any(set(classes) & m for m in self.members(role))

    @property
    def b_prime(self) -> list[frozenset[str]]:
        """Resins of type B' (alkali-soluble with pendant polymerizable C=C)."""
        return [m for m in self.members(Role.resin) if "polymerizable_resin" in m]


def read(formulation: Formulation) -> Reading:
    """Collect the recognised elements of a formulation."""
    elements: dict[Role, list[frozenset[str]]] = {}
    for comp in formulation.components:
        classes = frozenset(classify(comp))
        if comp.role in roles_for_classes(classes):
            elements.setdefault(comp.role, []).append(classes)
    process = formulation.process
    return Reading(elements, process.radiation, process.beam_energy_keV)


def _has(role: Role) -> Callable[[Reading], bool]:
    return lambda r: bool(r.members(role))


def _onium_sulfonate(r: Reading) -> bool:
    return r.any_with(Role.acid_generator, "onium_sulfonate")


def _nonionic_generator(r: Reading) -> bool:
    return r.any_with(Role.acid_generator, "n_hydroxyimide_sulfonate", "disulfonyldiazomethane")


def _phenolic_crosslinker(r: Reading) -> bool:
    return r.any_with(Role.crosslinker, "methylol_phenol")


def _amino_crosslinker(r: Reading) -> bool:
    return r.any_with(Role.crosslinker, "alkoxymethyl_melamine", "alkoxymethyl_urea",
                      "alkoxymethyl_glycoluril")


def _high_energy_beam(r: Reading) -> bool:
    return r.radiation == "electron" and r.beam_energy_keV >= MIN_HIGH_ENERGY_KEV


def _claim1(r: Reading) -> bool:
    return all(r.members(e) for e in (Role.acid_generator, Role.resin, Role.crosslinker,
                                      Role.polymerizable))


def _claim9(r: Reading) -> bool:
    return bool(r.members(Role.acid_generator) and r.b_prime and r.members(Role.crosslinker))


@dataclass(frozen=True)
class Claim:
    """One claim: its number, the claim it depends on, the requirement in words and as a test."""

    number: int
    parent: int | None
    requirement: str
    test: Callable[[Reading], bool]


CLAIMS: tuple[Claim, ...] = (
    Claim(1, None, "A + B + C + D", _claim1),
    Claim(2, 1, "further comprising E (organic base)", _has(Role.base)),
    Claim(3, 1, "B has hydroxystyrene units of formula (a)",
          lambda r: r.any_with(Role.resin, "hydroxystyrene_resin")),
    Claim(4, 1, "A is an onium sulfonate", _onium_sulfonate),
    Claim(5, 1, "A is an N-hydroxyimide sulfonate or a disulfonyldiazomethane", _nonionic_generator),
    Claim(6, 1, "C is a hydroxymethyl/alkoxymethyl/acyloxymethyl phenol", _phenolic_crosslinker),
    Claim(7, 1, "C is an alkoxymethyl/acyloxymethyl melamine, urea or glycoluril",
          _amino_crosslinker),
    Claim(8, 1, f"electron beam of >= {MIN_HIGH_ENERGY_KEV:g} keV", _high_energy_beam),
    Claim(9, None, "A + B' + C", _claim9),
    Claim(10, 9, "further comprising E (organic base)", _has(Role.base)),
    Claim(11, 9, "B' has hydroxystyrene units of formula (a)",
          lambda r: any("hydroxystyrene_resin" in m for m in r.b_prime)),
    Claim(12, 9, "A is an onium sulfonate", _onium_sulfonate),
    Claim(13, 9, "A is an N-hydroxyimide sulfonate or a disulfonyldiazomethane",
          _nonionic_generator),
    Claim(14, 9, "C is a hydroxymethyl/alkoxymethyl/acyloxymethyl phenol", _phenolic_crosslinker),
    Claim(15, 9, "C is an alkoxymethyl/acyloxymethyl melamine, urea or glycoluril",
          _amino_crosslinker),
    Claim(16, 9, f"electron beam of >= {MIN_HIGH_ENERGY_KEV:g} keV", _high_energy_beam),
    Claim(17, 9, "further comprising D (compound with a polymerizable C=C)",
          _has(Role.polymerizable)),
)
"""The claim table, in order; a dependent claim is covered only when its parent is."""

_BY_NUMBER = {c.number: c for c in CLAIMS}


def claims_covered(formulation: Formulation) -> list[int]:
    """Numbers of the claims whose requirements (and whose parents') the formulation meets."""
    reading = read(formulation)
    covered: list[int] = []
    for claim in CLAIMS:  # parents come before their dependents
        if (claim.parent is None or claim.parent in covered) and claim.test(reading):
            covered.append(claim.number)
    return covered


def claim_text(number: int) -> str:
    """The requirement of one claim in words, with its parent, e.g. 'claim 2 (of 1): ...'."""
    claim = _BY_NUMBER[number]
    parent = f" (of {claim.parent})" if claim.parent else ""
    return f"claim {number}{parent}: {claim.requirement}"
