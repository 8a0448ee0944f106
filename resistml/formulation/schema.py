"""Resist formulations: the documented file format (pydantic v2) and its validation.

A formulation is a set of components (role, structure, parts by weight of solids) plus a
process. Every validation error names its field path and the offending value, e.g.
``components[2].smiles: RDKit cannot parse 'C1CC'``; see :class:`FormulationError`.
"""

from __future__ import annotations

import math
import re
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from resistml.chem.smiles import SmilesError, attachment_points, parse_smiles
from resistml.chem.substrate import SubstrateError, known_substrate
from resistml.formulation.catalog_data import find as find_catalog
from resistml.formulation.catalog_data import suggest as suggest_catalog
from resistml.formulation.composition import (
    MAX_PARTS,
    MIN_PARTS,
    composition_errors,
    composition_warnings,
    weight_fractions,
)
from resistml.formulation.errors import format_errors
from resistml.formulation.roles import Role, role_warnings

MAX_COMPONENTS = 12
"""Most components one formulation may list."""
MAX_REPEAT_UNITS = 8
"""Most repeat units one resin may list."""
FRACTION_TOLERANCE = 1e-3
"""Allowed deviation of a resin's repeat-unit mole fractions from a sum of 1."""


_NEGATIVE_CAR_ROLES = (Role.acid_generator, Role.resin, Role.crosslinker)
"""Roles every negative chemically amplified resist needs (A, B, C)."""


class FormulationError(ValueError):
    """Invalid formulation input; ``errors`` holds one ``field.path: message`` line per problem."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("; ".join(errors))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _finite_positive(value: float, what: str = "value") -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{what} must be a number, got {value!r}")
    if math.isnan(value) or math.isinf(value):
        raise ValueError(f"{what} must be finite, got {value!r}")
    if value <= 0:
        raise ValueError(f"{what} must be > 0, got {value!r}")
    return float(value)


def _valid_smiles(value: Any) -> str:
    try:
        parse_smiles(value)
    except SmilesError as exc:
        raise ValueError(str(exc)) from None
    return value.strip()


class RepeatUnit(_Strict):
    """One repeat unit of a resin: SMILES with exactly two ``[*]`` ends, and its mole fraction."""

    smiles: str
    fraction: float = 1.0

    @field_validator("smiles", mode="before")
    @classmethod
    def _smiles(cls, value: Any) -> str:
        text = _valid_smiles(value)
        ends = attachment_points(text)
        if ends != 2:
            raise ValueError(f"repeat unit {text!r} needs exactly two [*] ends, found {ends}")
        return text

    @field_validator("fraction", mode="before")
    @classmethod
    def _fraction(cls, value: Any) -> float:
        value = _finite_positive(value, "mole fraction")
        if value > 1.0:
            raise ValueError(f"mole fraction must be <= 1, got {value!r}")
        return value


class Component(_Strict):
    """One component: a small molecule (``smiles``) or a resin (``repeat_units``, ``mw``, ``pdi``)."""

    name: str | None = None
    role: Role
    parts: float = Field(description="parts by weight of solids")
    smiles: str | None = None
    repeat_units: list[RepeatUnit] | None = None
    mw: float | None = Field(default=None, description="weight-average molecular weight, g/mol")
    pdi: float | None = Field(default=None, description="polydispersity Mw/Mn")
    catalog: str | None = Field(default=None, description="catalog entry this component came from")
    source: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _resolve_catalog(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("catalog") is not None:
            entry = find_catalog(data["catalog"])
            if entry is not None:  # unknown names are reported by the `catalog` field validator
                data = {**entry, **data, "catalog": entry["catalog"]}
        return data

    @field_validator("catalog", mode="before")
    @classmethod
    def _known_catalog(cls, value: Any) -> Any:
        if value is None:
            return None
        if not isinstance(value, str) or find_catalog(value) is None:
            hint = suggest_catalog(value) if isinstance(value, str) else ""
            raise ValueError(f"unknown catalog name {value!r}{hint}")
        return value

    @field_validator("role", mode="before")
    @classmethod
    def _role(cls, value: Any) -> Any:
        if isinstance(value, str) and value not in Role.__members__:
            raise ValueError(f"unknown role {value!r}; expected one of {', '.join(Role.__members__)}")
        return value

    @field_validator("smiles", mode="before")
    @classmethod
    def _smiles(cls, value: Any) -> Any:
        return None if value is None else _valid_smiles(value)

    @field_validator("parts", mode="before")
    @classmethod
    def _parts(cls, value: Any) -> float:
        value = _finite_positive(value, "amount (parts)")
        if not MIN_PARTS <= value <= MAX_PARTS:
            raise ValueError(f"amount (parts) must be between {MIN_PARTS:g} and {MAX_PARTS:.0f}, got {value!r}")
        return value

    @field_validator("mw", "pdi", mode="before")
    @classmethod
    def _positive(cls, value: Any, info: ValidationInfo) -> Any:
        return None if value is None else _finite_positive(value, info.field_name)

    @field_validator("repeat_units")
    @classmethod
    def _units(cls, units: list[RepeatUnit] | None) -> list[RepeatUnit] | None:
        if units is None:
            return None
        if not units:
            raise ValueError("a resin needs at least one repeat unit")
        if len(units) > MAX_REPEAT_UNITS:
            raise ValueError(f"at most {MAX_REPEAT_UNITS} repeat units, got {len(units)}")
        total = sum(u.fraction for u in units)
        if abs(total - 1.0) > FRACTION_TOLERANCE:
            raise ValueError(f"mole fractions sum to {total:.4g}, not 1")
        return units

    @model_validator(mode="after")
    def _structure_matches_role(self) -> Component:
        if self.role is Role.resin:
            if self.repeat_units is None:
                raise ValueError("a resin needs repeat_units (SMILES with two [*] ends)")
            if self.smiles is not None:
                raise ValueError("a resin takes repeat_units, not smiles")
            if self.mw is None:
                raise ValueError("a resin needs mw (weight-average molecular weight)")
            if not 500 <= self.mw <= 1e6:
                raise ValueError(f"resin mw must be within 500-1e6 g/mol, got {self.mw:g}")
            if not 1.0 <= (self.pdi or 1.5) <= 10.0:
                raise ValueError(f"resin pdi must be within 1-10, got {self.pdi:g}")
        else:
            if self.smiles is None:
                raise ValueError(f"a {self.role.value} needs smiles")
            if self.repeat_units is not None or self.mw is not None or self.pdi is not None:
                raise ValueError(f"repeat_units/mw/pdi are for resins, not a {self.role.value}")
        return self

    @property
    def label(self) -> str:
        """Human-readable name: the given name, else the catalog name, else the SMILES."""
        return self.name or self.catalog or self.smiles or self.repeat_units[0].smiles

    @property
    def resin_pdi(self) -> float:
        """Polydispersity with the documented default of 1.5 when not given."""
        return self.pdi if self.pdi is not None else 1.5

    def structures(self) -> list[str]:
        """SMILES of every molecule or repeat unit in this component."""
        if self.repeat_units is not None:
            return [u.smiles for u in self.repeat_units]
        return [self.smiles]


_DEVELOPER = re.compile(r"^\s*TMAH\s*([0-9]*\.?[0-9]+)\s*%\s*$", re.IGNORECASE)

# (error if outside, warning if outside): physical limits and the usual domain.
PROCESS_LIMITS: dict[str, tuple[tuple[float, float], tuple[float, float]]] = {
    "beam_energy_keV": ((0.5, 300.0), (5.0, 100.0)),
    "photon_energy_keV": ((0.05, 100.0), (0.5, 3.0)),
    "thickness_nm": ((5.0, 20000.0), (30.0, 1000.0)),
    "spot_size_nm": ((0.1, 1000.0), (1.0, 50.0)),
    "peb_temp_C": ((20.0, 250.0), (80.0, 140.0)),
    "peb_time_s": ((0.0, 3600.0), (30.0, 180.0)),
    "develop_time_s": ((1.0, 3600.0), (10.0, 300.0)),
}


class Process(_Strict):
    """Exposure, bake and development conditions (all optional, with sensible defaults)."""

    radiation: Literal["electron", "xray"] = "electron"
    beam_energy_keV: float = 50.0
    photon_energy_keV: float = 1.0
    thickness_nm: float = 300.0
    substrate: str = "Si"
    spot_size_nm: float = 5.0
    peb_temp_C: float = 110.0
    peb_time_s: float = 60.0
    develop_time_s: float = 60.0
    developer: str = "TMAH 2.38%"

    @field_validator(*PROCESS_LIMITS, mode="before")
    @classmethod
    def _in_physical_limits(cls, value: Any, info: ValidationInfo) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise ValueError(f"must be a finite number, got {value!r}")
        (lo, hi), _ = PROCESS_LIMITS[info.field_name]
        if not lo <= value <= hi:
            raise ValueError(f"{value!r} is outside the physical limits {lo:g}-{hi:g}")
        return float(value)

    @field_validator("developer")
    @classmethod
    def _developer(cls, value: str) -> str:
        match = _DEVELOPER.match(value)
        if not match or not 0.1 <= float(match.group(1)) <= 10.0:
            raise ValueError(f"unknown developer {value!r}; expected e.g. 'TMAH 2.38%' (0.1-10 %)")
        return value

    @field_validator("substrate")
    @classmethod
    def _substrate(cls, value: str) -> str:
        if not value.strip() or len(value) > 64:
            raise ValueError(f"substrate must be a short name or formula, got {value!r}")
        try:  # the one substrate rule of check, simulate, predict and the API
            known_substrate(value)
        except SubstrateError as exc:
            raise ValueError(exc.reason) from None
        return value.strip()

    @property
    def tmah_wt_percent(self) -> float:
        """Developer TMAH concentration in weight percent."""
        return float(_DEVELOPER.match(self.developer).group(1))

    @property
    def energy_keV(self) -> float:
        """Beam energy for electrons, photon energy for X-rays."""
        return self.beam_energy_keV if self.radiation == "electron" else self.photon_energy_keV

    def warnings(self) -> list[str]:
        """Values that are physical but outside the usual domain of the simulator and model."""
        notes = []
        inactive = "beam_energy_keV" if self.radiation == "xray" else "photon_energy_keV"
        if inactive in self.model_fields_set:
            active = "photon_energy_keV" if self.radiation == "xray" else "beam_energy_keV"
            notes.append(f"process.{inactive}: ignored for radiation {self.radiation} (its energy is {active})")
        active = {"beam_energy_keV"} if self.radiation == "electron" else {"photon_energy_keV"}
        for field, (_, (lo, hi)) in PROCESS_LIMITS.items():
            if field in {"beam_energy_keV", "photon_energy_keV"} - active:
                continue
            value = getattr(self, field)
            if not lo <= value <= hi:
                notes.append(f"process.{field}: {value:g} is outside the usual range {lo:g}-{hi:g}")
        return notes


def _memo(memo: dict[int, tuple[Any, list[str]]] | None, obj: Any, notes: Any) -> list[str]:
    if memo is None:
        return notes()
    hit = memo.get(id(obj))
    if hit is None or hit[0] is not obj:  # the object is kept alive with its notes: ids stay unique
        hit = memo[id(obj)] = (obj, notes())
    return hit[1]


class Formulation(_Strict):
    """A resist formulation: named components with amounts plus the process."""

    name: str = "unnamed"
    components: list[Component]
    process: Process = Process()

    @field_validator("components")
    @classmethod
    def _count(cls, components: list[Component]) -> list[Component]:
        if not components:
            raise ValueError("a formulation needs components")
        if len(components) > MAX_COMPONENTS:
            raise ValueError(f"at most {MAX_COMPONENTS} components, got {len(components)}")
        return components

    @model_validator(mode="after")
    def _negative_car(self, info: ValidationInfo) -> Formulation:
        if (info.context or {}).get("allow_incomplete"):
            return self
        present = {c.role for c in self.components}
        missing = [r.value for r in _NEGATIVE_CAR_ROLES if r not in present]
        if missing:
            raise ValueError(
                f"not a negative chemically amplified resist: no {' / '.join(missing)} component"
            )
        return self

    @model_validator(mode="after")
    def _composition(self, info: ValidationInfo) -> Formulation:
        if (info.context or {}).get("allow_incomplete"):
            return self  # physics studies: composition errors are warnings (see composition.py)
        errors = composition_errors([c.role.value for c in self.components], [c.parts for c in self.components])
        if errors:
            raise ValueError("\n".join(errors))  # one field-path line each (see format_errors)
        return self

    def by_role(self, role: Role | str) -> list[Component]:
        """Components with the given role, in file order."""
        role = Role(role)
        return [c for c in self.components if c.role is role]

    @property
    def total_parts(self) -> float:
        return sum(c.parts for c in self.components)

    def weight_fractions(self) -> list[float]:
        """Weight fraction of each component in the dry film (computed without overflow)."""
        return weight_fractions([c.parts for c in self.components])

    def warnings(self, memo: dict[int, tuple[Any, list[str]]] | None = None) -> list[str]:
        """Non-fatal notes: process values outside the usual domain, composition, roles the structure contradicts.

        ``memo`` (optional, owned by the caller) keeps the notes of process and component objects
        shared between formulations, as the table validator's cached objects are.
        """
        notes = list(_memo(memo, self.process, self.process.warnings))
        notes += composition_warnings([c.role.value for c in self.components], [c.parts for c in self.components])
        for i, comp in enumerate(self.components):
            notes += [f"components[{i}].role: {w}" for w in _memo(memo, comp, lambda c=comp: role_warnings(c))]
        return notes

    # ---- construction and I/O -------------------------------------------------------------
    @classmethod
    def from_dict(cls, data: Any, *, allow_incomplete: bool = False) -> Formulation:
        """Validate a plain mapping; raise FormulationError with field-path messages."""
        if not isinstance(data, dict):
            raise FormulationError([f"formulation: expected a mapping, got {type(data).__name__}"])
        try:
            return cls.model_validate(data, context={"allow_incomplete": allow_incomplete})
        except ValidationError as exc:
            raise FormulationError(format_errors(exc)) from None

    def to_dict(self) -> dict[str, Any]:
        """Plain mapping in the file format (defaults and empty fields omitted)."""
        return self.model_dump(mode="json", exclude_none=True)
