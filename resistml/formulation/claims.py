"""Which claims (1-17) of US 6,824,948 B1 a formulation falls under: a technical reading.

The claim table follows the claims as published (``/work/shared/reference/
patent-claims-US6824948B1.txt`` in the project's shared reference folder; see also
``docs/claims.md``). Each entry quotes the claim's own words in short. The structures are
recognised with the classes of :mod:`resistml.formulation.roles` plus a few claim-specific RDKit SMARTS
defined here. This is a **technical reading, not a legal opinion**: claim construction,
equivalents, amounts, the description and the prosecution history are not considered.

An element is present when a component is *declared* in that role *and* its structure is
recognised as that role (so a mislabelled component does not count):

- A  acid generator (onium salt, N-hydroxyimide sulfonate, disulfonyldiazomethane)
- B  resin "insoluble in water and soluble in an alkali aqueous solution" (phenolic or
     carboxylic-acid repeat units); a B' resin is such a resin too, so it also serves as B
- B' alkali-soluble resin whose repeat units carry a polymerizable C=C (vinyl ether, vinyl ester,
     allyl, styrenic, (meth)acrylate). The published claim 9 says "polymerizable by an acid
     and/or an alkali"; we read any of these C=C groups.
- C  acid crosslinker (hydroxy/alkoxy/acyloxymethyl phenol, melamine, guanamine, urea, glycoluril)
- D  a *separate* component with a polymerizable C=C (a B' resin is not its own D)
- E  organic base

=====  ======  =====================================================================
claim  parent  requirement (the claim's words, in short)
=====  ======  =====================================================================
1      -       (A) + (B) + (C) + (D)
2      1       "further contains (E) an organic basic compound"
3      1       (B) has "a repeating unit shown by the following formula (a)"
4      1       (A) "selected from the sulfonate compounds of sulfonium or iodonium"
5      1       (A) "the sulfonic acid ester compound of N-hydroxyimide or a
               disulfonyldiazomethane compound"
6      1       (C) "a hydroxymethylated, alkoxymethylated, or acyloxymethylated phenol"
7      1       (C) "an alkoxymethylated or acyloxymethylated melamine compound or resin, or
               an alkoxymethylated or acyloxymethylated urea compound or resin"
8      1       "electron beam irradiation ... of at least 75 KeV"
9      -       (A) + (B') + (C)
10     9       (B') contains "the repeating unit shown by following formula (a')"
11     9       "further contains (D) a compound having at least one unsaturated bond
               polymerizable by an acid and/or a radical"
12     9       "further contains (E) an organic basic compound"
13-17  9       as 4-8, read on claim 9
=====  ======  =====================================================================

A dependent claim is covered only when its parent is (dependent claims inherit every condition
of the independent claim they refer to; no claim here depends on another dependent claim).

Readings of the words (each one stated, and flagged in the output where it decides a claim):

- formula (a) (claim 3): a phenol ring bonded directly to an aliphatic backbone carbon
  (the hydroxystyrene unit, R2 = H, A = single bond).
- formula (a') (claim 10): a ``-CH2-C(R1')(A1-Ar)-`` unit whose benzene ring carries, on a ring
  oxygen (one of ``OR2'``, ``OR3'``, ``OR4'``), a group with a polymerizable C=C - our reading of
  the patent's groups (b), (c) and (d), whose drawings are not in the published text: an
  O-(meth)acryloyl (phenyl (meth)acrylate), O-vinyl (aryl vinyl ether), O-allyl, O-vinyloxyalkyl
  or O-vinylbenzyl group. A C=C elsewhere (e.g. an allyl methacrylate unit, or a vinyl group on
  the ring itself, which is an alkenyl R5'/R6') is B' but not formula (a').
- claims 7 and 16 name *alkoxymethylated or acyloxymethylated* melamines and ureas only: a
  melamine or urea carrying only N-hydroxymethyl (methylol) groups does not read on them.
- glycoluril (``GLYCOLURIL_AS_UREA``, default yes): a tetrakis(alkoxymethyl)glycoluril is read
  as an alkoxymethylated *urea compound*. Glycoluril is acetylenediurea: its two rings are
  cyclic ureas (N-C(=O)-N), and the alkoxymethyl groups sit on the urea nitrogens. The claims
  do not name glycolurils, so a narrower construction (melamines and open-chain ureas only)
  would exclude it; where this choice decides claim 7 or 16 the output says so, e.g.
  ``claim 7: yes, reading glycoluril (TMGU) as a cyclic urea``.
- guanamines (``GUANAMINE_AS_MELAMINE``, default no): a benzoguanamine lacks one of melamine's
  three amino groups, so it is not read as a "melamine compound"; flagged the same way.
- claims 8 and 17 ("suitable for electron beam irradiation under the accelerated voltage
  condition of at least 75 KeV"): read as the formulation's process being an electron-beam
  exposure at >= 75 keV; 74.9 keV and X-rays do not count.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from resistml.formulation.claim_features import (
    CLAIM_FEATURES,
    claim_features,
    is_formula_a_prime_unit,
)
from resistml.formulation.roles import Role, classify, roles_for_classes
from resistml.formulation.schema import Formulation

__all__ = ["CLAIM_FEATURES", "CLAIMS", "DISCLAIMER", "PATENT", "Claim", "Coverage", "Reading", "claim_features",
           "claim_notes", "claim_text", "claims_covered", "coverage", "is_formula_a_prime_unit", "read"]

PATENT = "US 6,824,948 B1"
"""The patent whose claims are read."""

DISCLAIMER = "technical reading, not a legal opinion"
"""What the claim coverage is (and is not), for every place that shows it."""

MIN_HIGH_ENERGY_KEV = 75.0
"""Beam energy from which the high-acceleration-voltage claims (8, 17) apply (keV)."""

GLYCOLURIL_AS_UREA = True
"""Default reading: an alkoxy/acyloxymethylated glycoluril is a 'urea compound' (claims 7, 16)."""

GUANAMINE_AS_MELAMINE = False
"""Default reading: an alkoxy/acyloxymethylated guanamine is not a 'melamine compound'."""

# ---- the reading of one formulation -------------------------------------------------------
@dataclass(frozen=True)
class Reading:
    """The recognised elements of one formulation: class sets of the components per role.

    The class sets hold the :mod:`resistml.formulation.roles` classes plus the claim features of this
    module (``claim_melamine``, ``claim_urea``, ``claim_glycoluril``, ``claim_guanamine``,
    ``formula_a_prime``). ``labels`` holds the component names in the same order.
    """

    elements: dict[Role, list[frozenset[str]]]
    radiation: str
    beam_energy_keV: float
    labels: dict[Role, list[str]] = field(default_factory=dict)
    glycoluril_as_urea: bool = GLYCOLURIL_AS_UREA
    guanamine_as_melamine: bool = GUANAMINE_AS_MELAMINE

    def members(self, role: Role) -> list[frozenset[str]]:
        """Class sets of the components that are present as this element."""
        return self.elements.get(role, [])

    def any_with(self, role: Role, *classes: str) -> bool:
        """True when some component of the role has any of the classes."""
        return any(set(classes) & m for m in self.members(role))

    def names_with(self, role: Role, *classes: str) -> list[str]:
        """Names of the components of the role that have any of the classes."""
        labels = self.labels.get(role, [])
        return [n for n, m in zip(labels, self.members(role), strict=False) if set(classes) & m]

    @property
    def b_prime(self) -> list[frozenset[str]]:
        """Resins of type B' (alkali-soluble with pendant polymerizable C=C)."""
        return [m for m in self.members(Role.resin) if "polymerizable_resin" in m]


def read(formulation: Formulation, *, glycoluril_as_urea: bool = GLYCOLURIL_AS_UREA,
         guanamine_as_melamine: bool = GUANAMINE_AS_MELAMINE) -> Reading:
    """Collect the recognised elements of a formulation."""
    elements: dict[Role, list[frozenset[str]]] = {}
    labels: dict[Role, list[str]] = {}
    for comp in formulation.components:
        classes = frozenset(classify(comp))
        if comp.role in roles_for_classes(classes):
            elements.setdefault(comp.role, []).append(classes | claim_features(comp))
            labels.setdefault(comp.role, []).append(comp.label)
    process = formulation.process
    return Reading(elements, process.radiation, process.beam_energy_keV, labels,
                   glycoluril_as_urea, guanamine_as_melamine)


def _has(role: Role) -> Callable[[Reading], bool]:
    return lambda r: bool(r.members(role))


def _onium_sulfonate(r: Reading) -> bool:
    return r.any_with(Role.acid_generator, "onium_sulfonate")


def _nonionic_generator(r: Reading) -> bool:
    return r.any_with(Role.acid_generator, "n_hydroxyimide_sulfonate", "disulfonyldiazomethane")


def _phenolic_crosslinker(r: Reading) -> bool:
    return r.any_with(Role.crosslinker, "methylol_phenol")


def _melamine_or_urea_classes(r: Reading) -> tuple[str, ...]:
    classes = ["claim_melamine", "claim_urea"]
    if r.glycoluril_as_urea:
        classes.append("claim_glycoluril")
    if r.guanamine_as_melamine:
        classes.append("claim_guanamine")
    return tuple(classes)


def _melamine_or_urea_crosslinker(r: Reading) -> bool:
    return r.any_with(Role.crosslinker, *_melamine_or_urea_classes(r))


def _high_energy_beam(r: Reading) -> bool:
    return r.radiation == "electron" and r.beam_energy_keV >= MIN_HIGH_ENERGY_KEV


def _formula_a_prime(r: Reading) -> bool:
    return any("formula_a_prime" in m for m in r.b_prime)


def _claim1(r: Reading) -> bool:
    return all(r.members(e) for e in (Role.acid_generator, Role.resin, Role.crosslinker,
                                      Role.polymerizable))


def _claim9(r: Reading) -> bool:
    return bool(r.members(Role.acid_generator) and r.b_prime and r.members(Role.crosslinker))


@dataclass(frozen=True)
class Claim:
    """One claim: its number, the claim it depends on, its words in short and its test."""

    number: int
    parent: int | None
    requirement: str
    test: Callable[[Reading], bool]


_E = '"further contains (E) an organic basic compound"'
_ONIUM = '(A) "selected from the sulfonate compounds of sulfonium or iodonium"'
_NONIONIC = ('(A) "the sulfonic acid ester compound of N-hydroxyimide or a '
             'disulfonyldiazomethane compound"')
_PHENOL = '(C) "a hydroxymethylated, alkoxymethylated, or acyloxymethylated phenol compound"'
_AMINO = ('(C) "an alkoxymethylated or acyloxymethylated melamine compound or resin, or an '
          'alkoxymethylated or acyloxymethylated urea compound or resin"')
_KEV = (f'"suitable for electron beam irradiation under the accelerated voltage condition of at '
        f'least 75 KeV" (read: electron beam of >= {MIN_HIGH_ENERGY_KEV:g} keV)')

CLAIMS: tuple[Claim, ...] = (
    Claim(1, None, '(A) "a compound generating an acid and/or radical species", (B) "a resin which '
          'is insoluble in water and soluble in an alkali aqueous solution", (C) "a crosslinking '
          'agent", (D) "a compound having at least one unsaturated bond capable of being '
          'polymerized by an acid and/or a radical"', _claim1),
    Claim(2, 1, _E, _has(Role.base)),
    Claim(3, 1, '(B) is "the resin having a repeating unit shown by the following formula (a)" '
          '(hydroxystyrene unit)', lambda r: r.any_with(Role.resin, "hydroxystyrene_resin")),
    Claim(4, 1, _ONIUM, _onium_sulfonate),
    Claim(5, 1, _NONIONIC, _nonionic_generator),
    Claim(6, 1, _PHENOL, _phenolic_crosslinker),
    Claim(7, 1, _AMINO, _melamine_or_urea_crosslinker),
    Claim(8, 1, _KEV, _high_energy_beam),
    Claim(9, None, '(A) "a compound generating an acid and/or radical species", (B\') "a resin '
          'having at least one unsaturated bond polymerizable by an acid and/or an alkali, which is '
          'insoluble in water but soluble in an alkali aqueous solution", (C) "a crosslinking '
          'agent"', _claim9),
    Claim(10, 9, '(B\') is "a resin containing the repeating unit shown by following formula '
          '(a\')" (hydroxystyrene-type unit with a polymerizable C=C group (b), (c) or (d) on a '
          'ring oxygen)', _formula_a_prime),
    Claim(11, 9, '"further contains (D) a compound having at least one unsaturated bond '
          'polymerizable by an acid and/or a radical"', _has(Role.polymerizable)),
    Claim(12, 9, _E, _has(Role.base)),
    Claim(13, 9, _ONIUM, _onium_sulfonate),
    Claim(14, 9, _NONIONIC, _nonionic_generator),
    Claim(15, 9, _PHENOL, _phenolic_crosslinker),
    Claim(16, 9, _AMINO, _melamine_or_urea_crosslinker),
    Claim(17, 9, _KEV, _high_energy_beam),
)
"""The claim table of US 6,824,948 B1, in order; a dependent claim is covered only when its
parent is."""

_BY_NUMBER = {c.number: c for c in CLAIMS}


def _covered(reading: Reading) -> list[int]:
    covered: list[int] = []
    for claim in CLAIMS:  # parents come before their dependents
        if (claim.parent is None or claim.parent in covered) and claim.test(reading):
            covered.append(claim.number)
    return covered


# ---- flagged readings ---------------------------------------------------------------------
@dataclass(frozen=True)
class _Choice:
    attribute: str  # the Reading field
    feature: str  # the claim feature of the components it concerns
    yes: str  # note when the choice makes a claim covered; {n} claim, {names} components
    no: str  # note when it leaves a claim out


_CHOICES = (
    _Choice("glycoluril_as_urea", "claim_glycoluril",
            "claim {n}: yes, reading glycoluril ({names}) as a cyclic urea (acetylenediurea)",
            "claim {n}: no, glycoluril ({names}) not read as a urea compound "
            "(yes if read as a cyclic urea)"),
    _Choice("guanamine_as_melamine", "claim_guanamine",
            "claim {n}: yes, reading the guanamine ({names}) as a melamine compound",
            "claim {n}: no, the guanamine ({names}) is not read as a melamine compound "
            "(yes if guanamines are read as melamines)"),
)


@dataclass(frozen=True)
class Coverage:
    """The claims a formulation falls under, with notes on the readings that decided them."""

    claims: list[int]
    notes: list[str]


def _notes(reading: Reading, covered: list[int]) -> list[str]:
    notes: list[str] = []
    for choice in _CHOICES:
        flipped = _covered(replace(reading, **{choice.attribute: not getattr(reading, choice.attribute)}))
        names = ", ".join(reading.names_with(Role.crosslinker, choice.feature)) or "-"
        for claim in CLAIMS:
            here, there = claim.number in covered, claim.number in flipped
            if here != there:
                template = choice.yes if here else choice.no
                notes.append(template.format(n=claim.number, names=names))
    return sorted(notes, key=lambda s: int(s.split(":")[0].split()[1]))


def coverage(formulation: Formulation, *, glycoluril_as_urea: bool = GLYCOLURIL_AS_UREA,
             guanamine_as_melamine: bool = GUANAMINE_AS_MELAMINE) -> Coverage:
    """The claims covered and the notes on each reading choice that decides one of them."""
    reading = read(formulation, glycoluril_as_urea=glycoluril_as_urea,
                   guanamine_as_melamine=guanamine_as_melamine)
    covered = _covered(reading)
    return Coverage(covered, _notes(reading, covered))


def claims_covered(formulation: Formulation, *, glycoluril_as_urea: bool = GLYCOLURIL_AS_UREA,
                   guanamine_as_melamine: bool = GUANAMINE_AS_MELAMINE) -> list[int]:
    """Numbers of the claims whose requirements (and whose parents') the formulation meets."""
    return _covered(read(formulation, glycoluril_as_urea=glycoluril_as_urea,
                         guanamine_as_melamine=guanamine_as_melamine))


def claim_notes(formulation: Formulation, *, glycoluril_as_urea: bool = GLYCOLURIL_AS_UREA,
                guanamine_as_melamine: bool = GUANAMINE_AS_MELAMINE) -> list[str]:
    """Flags such as 'claim 7: yes, reading glycoluril (TMGU) as a cyclic urea (acetylenediurea)'."""
    return coverage(formulation, glycoluril_as_urea=glycoluril_as_urea,
                    guanamine_as_melamine=guanamine_as_melamine).notes


def claim_text(number: int) -> str:
    """The requirement of one claim in short, with its parent, e.g. 'claim 2 (of 1): ...'."""
    claim = _BY_NUMBER[number]
    parent = f" (of {claim.parent})" if claim.parent else ""
    return f"claim {number}{parent}: {claim.requirement}"
