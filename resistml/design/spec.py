"""The design spec (YAML): process ranges, objectives, constraints, allowed components, budget.

Every problem is reported as one ``field.path: message`` line (:class:`SpecError`), including
constraints that can never hold, e.g. ``constraints[1]: p_prints >= 1.2 can never hold (p_prints
is a probability, 0-1)`` or ``constraints[0], constraints[2]: sensitivity >= 30 and sensitivity
<= 20 cannot both hold``. See ``data/design/example.yaml`` and docs/design.md.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from resistml.formulation import format_errors
from resistml.formulation.roles import Role
from resistml.formulation.schema import PROCESS_LIMITS
from resistml.targets import COLUMNS

P_PRINTS = "p_prints"
"""Probability that a formulation prints (the simulator's ``status == 'ok'``)."""
QUANTITIES = (*COLUMNS, P_PRINTS)
"""What constraints may name."""
CORE_ROLES = (Role.acid_generator, Role.resin, Role.crosslinker)
"""Roles every negative CAR needs: always required."""
DEFAULT_PARTS: dict[str, tuple[float, float]] = {
    "acid_generator": (1.0, 20.0), "resin": (100.0, 100.0), "crosslinker": (5.0, 40.0),
    "polymerizable": (1.0, 40.0), "base": (0.05, 2.0),
}
"""Parts per 100 parts resin searched when a role gives no ``parts`` (the dataset sampler's ranges)."""
DEFAULT_REFERENCE: dict[str, float] = {
    "sensitivity": 1000.0, "gel_dose": 1000.0, "resolution_nm": 200.0, "contrast": 0.5, "ler_nm": 30.0,
}
"""Hypervolume reference (the worst value still counted) when the spec gives none or no constraint bounds it."""
_CONSTRAINT = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(<=|>=|<|>)\s*([-+0-9.eE]+)\s*$")
_DIRECTIONS = {"minimise": "min", "minimize": "min", "min": "min",
               "maximise": "max", "maximize": "max", "max": "max"}

Range = float | tuple[float, float]


class SpecError(ValueError):
    """Invalid design spec; ``errors`` holds one ``field.path: message`` line per problem."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("; ".join(errors))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def bounds(value: Range | None, default: float) -> tuple[float, float]:
    """``(lo, hi)`` of a fixed value or a range (``default`` when None)."""
    if value is None:
        return (default, default)
    if isinstance(value, tuple):
        return (float(value[0]), float(value[1]))
    return (float(value), float(value))


class ProcessSpec(_Strict):
    """Process values the search may vary: a number (fixed) or ``[lo, hi]``; names or lists of names."""

    radiation: Literal["electron", "xray"] = "electron"
    beam_energy_keV: Range | None = None
    photon_energy_keV: Range | None = None
    thickness_nm: Range | None = None
    substrate: str | list[str] = "Si"
    spot_size_nm: Range | None = None
    peb_temp_C: Range | None = None
    peb_time_s: Range | None = None
    develop_time_s: Range | None = None
    developer: str | list[str] = "TMAH 2.38%"

    def options(self, field: str) -> list[str]:
        value = getattr(self, field)
        return [value] if isinstance(value, str) else list(value)


class ComponentSpec(_Strict):
    """Which components a role may take: catalog entries and/or enumerated families, and the amounts."""

    required: bool = False
    catalog: Literal["all"] | list[str] = "all"
    families: list[str] = Field(default_factory=list)
    parts: Range | None = None

    @field_validator("catalog", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return [] if value is None else value


class Constraint(_Strict):
    """``quantity op bound`` (``op`` one of <=, >=, <, >)."""

    quantity: str
    op: Literal["<=", ">=", "<", ">"]
    bound: float

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        return _parse_constraint(value)

    @property
    def upper(self) -> bool:
        return self.op in ("<=", "<")

    def holds(self, value: float) -> bool:
        if value is None or not math.isfinite(value):
            return False
        return value <= self.bound if self.upper else value >= self.bound

    def __str__(self) -> str:
        return f"{self.quantity} {self.op} {self.bound:g}"


def _parse_constraint(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    match = _CONSTRAINT.match(text)
    if not match:
        raise ValueError(f"expected 'quantity <= number' or 'quantity >= number', got {text!r}")
    return {"quantity": match.group(1), "op": match.group(2), "bound": float(match.group(3))}


class DesignSpec(_Strict):
    """A design problem (see the module docstring and docs/design.md)."""

    name: str = "design"
    process: ProcessSpec = ProcessSpec()
    objectives: dict[str, str]
    reference: dict[str, float] = Field(default_factory=dict)
    constraints: list[Constraint] = Field(default_factory=list)
    components: dict[Role, ComponentSpec] = Field(
        default_factory=lambda: {r: ComponentSpec(required=r in CORE_ROLES) for r in Role})
    max_components: int = 5
    budget: int = 100
    batch: int = 10
    seed: int = 0

    @field_validator("objectives", mode="before")
    @classmethod
    def _objectives(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: _DIRECTIONS.get(str(v).lower(), v) for k, v in value.items()}
        return value

    # ---- derived -----------------------------------------------------------------------
    @property
    def objective_names(self) -> list[str]:
        return list(self.objectives)

    def sign(self, target: str) -> float:
        """+1 for minimised, -1 for maximised objectives (minimisation form is ``sign * log10``)."""
        return 1.0 if self.objectives[target] == "min" else -1.0

    def reference_point(self) -> dict[str, float]:
        """Worst counted value per objective: ``reference``, else the constraint bound, else the default."""
        out = {}
        for t in self.objective_names:
            bound = [c.bound for c in self.constraints if c.quantity == t and c.upper == (self.sign(t) > 0)]
            out[t] = self.reference.get(t, bound[0] if bound else DEFAULT_REFERENCE[t])
        return out

    def with_run(self, budget: int | None = None, batch: int | None = None, seed: int | None = None) -> DesignSpec:
        """The spec with command-line overrides (validated again)."""
        data = self.model_dump(mode="json", exclude_unset=True)
        data.update({k: v for k, v in (("budget", budget), ("batch", batch), ("seed", seed)) if v is not None})
        return parse_spec(data)


# ---- semantic checks -------------------------------------------------------------------
def _process_problems(p: ProcessSpec) -> list[str]:
    from resistml.chem.substrate import SubstrateError, known_substrate
    from resistml.formulation import Process

    out = []
    other = "photon_energy_keV" if p.radiation == "electron" else "beam_energy_keV"
    if getattr(p, other) is not None:
        out.append(f"process.{other}: does not apply to radiation {p.radiation}")
    for field, ((lo_lim, hi_lim), _) in PROCESS_LIMITS.items():
        value = getattr(p, field)
        if value is None or field == other:
            continue
        lo, hi = bounds(value, 0.0)
        if not all(math.isfinite(v) for v in (lo, hi)):
            out.append(f"process.{field}: must be finite, got {value!r}")
        elif lo > hi:
            out.append(f"process.{field}: range [{lo:g}, {hi:g}] is empty (low > high)")
        elif lo < lo_lim or hi > hi_lim:
            out.append(f"process.{field}: [{lo:g}, {hi:g}] leaves the physical limits {lo_lim:g}-{hi_lim:g}")
    for i, name in enumerate(p.options("substrate")):
        try:
            known_substrate(name)
        except SubstrateError as exc:
            out.append(f"process.substrate[{i}]: {exc.reason}")
    for i, dev in enumerate(p.options("developer")):
        try:
            Process(developer=dev)
        except ValidationError as exc:
            out += [f"process.developer[{i}]: {line.split(': ', 1)[-1]}" for line in format_errors(exc)]
    if not p.options("substrate") or not p.options("developer"):
        out.append("process: substrate and developer need at least one value")
    return out


def _component_problems(spec: DesignSpec) -> list[str]:
    from resistml.datasets.molecules import FAMILIES, _families
    from resistml.formulation.catalog_data import find, suggest

    resin_families = ("hydroxystyrene", "b_prime")
    out = []
    for role in CORE_ROLES:
        if role not in spec.components:
            out.append(f"components.{role.value}: missing (a negative CAR needs an {role.value}, resin and crosslinker)")
    for role, comp in spec.components.items():
        where = f"components.{role.value}"
        names = comp.catalog if isinstance(comp.catalog, list) else []
        for i, name in enumerate(names):
            entry = find(name)
            if entry is None:
                out.append(f"{where}.catalog[{i}]: unknown catalog name {name!r}{suggest(name)}")
            elif entry["role"] != role.value:
                out.append(f"{where}.catalog[{i}]: {name!r} is a {entry['role']}, not a {role.value}")
        for i, fam in enumerate(comp.families):
            if role is Role.resin:
                if fam not in resin_families:
                    out.append(f"{where}.families[{i}]: unknown resin family {fam!r}; expected one of {', '.join(resin_families)}")
            elif fam not in FAMILIES:
                out.append(f"{where}.families[{i}]: unknown family {fam!r}; expected one of {', '.join(FAMILIES)}")
            elif _families()[fam][0] is not role:
                out.append(f"{where}.families[{i}]: {fam!r} holds {_families()[fam][0].value} molecules, not {role.value}")
        if comp.catalog == [] and not comp.families:
            out.append(f"{where}: no catalog entry or family allowed (the role has nothing to choose from)")
        lo, hi = bounds(comp.parts, 1.0)
        if comp.parts is not None and not (math.isfinite(lo) and math.isfinite(hi) and 0 < lo <= hi <= 1000):
            out.append(f"{where}.parts: expected 0 < low <= high <= 1000, got {comp.parts!r}")
        if role in CORE_ROLES and comp.required is False and "required" in comp.model_fields_set:
            out.append(f"{where}.required: a negative CAR always needs its {role.value}")
    required = sorted({r.value for r in CORE_ROLES} | {r.value for r, c in spec.components.items() if c.required})
    if spec.max_components < len(required):
        out.append(f"max_components: {spec.max_components} is fewer than the {len(required)} required roles ({', '.join(required)})")
    return out


def _constraint_problems(spec: DesignSpec) -> list[str]:
    out = []
    for i, c in enumerate(spec.constraints):
        where = f"constraints[{i}]"
        if c.quantity not in QUANTITIES:
            out.append(f"{where}: unknown quantity {c.quantity!r}; expected one of {', '.join(QUANTITIES)}")
        elif c.quantity == P_PRINTS and ((c.upper and c.bound < 0) or (not c.upper and c.bound > 1)
                                         or (c.op == ">" and c.bound >= 1) or (c.op == "<" and c.bound <= 0)):
            out.append(f"{where}: {c} can never hold (p_prints is a probability, 0-1)")
        elif c.quantity != P_PRINTS and c.upper and c.bound <= 0:
            out.append(f"{where}: {c} can never hold ({c.quantity} is positive)")
    for i, a in enumerate(spec.constraints):
        for j, b in enumerate(spec.constraints):
            if j <= i or a.quantity != b.quantity or a.upper == b.upper:
                continue
            lo, hi = (b, a) if a.upper else (a, b)
            strict = lo.op == ">" or hi.op == "<"
            if lo.bound > hi.bound or (strict and lo.bound >= hi.bound):
                out.append(f"constraints[{i}], constraints[{j}]: {a} and {b} cannot both hold")
    return out


def _objective_problems(spec: DesignSpec) -> list[str]:
    out = []
    if not 1 <= len(spec.objectives) <= 4:
        out.append(f"objectives: expected 1-4 objectives, got {len(spec.objectives)}")
    for name, direction in spec.objectives.items():
        if name not in COLUMNS:
            out.append(f"objectives.{name}: unknown target; expected one of {', '.join(COLUMNS)}")
        if direction not in ("min", "max"):
            out.append(f"objectives.{name}: expected minimise or maximise, got {direction!r}")
    for name, value in spec.reference.items():
        if name not in spec.objectives:
            out.append(f"reference.{name}: not an objective")
        elif not (math.isfinite(value) and value > 0):
            out.append(f"reference.{name}: must be a positive number, got {value!r}")
    return out


def problems(spec: DesignSpec) -> list[str]:
    """Every semantic problem of a structurally valid spec, one ``field: message`` line each."""
    out = _process_problems(spec.process) + _objective_problems(spec) + _constraint_problems(spec)
    out += _component_problems(spec)
    if spec.budget < 1:
        out.append(f"budget: must be >= 1, got {spec.budget}")
    if not 1 <= spec.batch <= max(spec.budget, 1):
        out.append(f"batch: must be within 1-budget ({spec.budget}), got {spec.batch}")
    return out


def parse_spec(data: Any) -> DesignSpec:
    """Validate a mapping; raise :class:`SpecError` with every field-named problem."""
    if not isinstance(data, dict):
        raise SpecError([f"spec: expected a mapping, got {type(data).__name__}"])
    try:
        spec = DesignSpec.model_validate(data)
    except ValidationError as exc:
        raise SpecError(format_errors(exc)) from None
    found = problems(spec)
    if found:
        raise SpecError(found)
    return spec


def load_spec(path: str | Path) -> DesignSpec:
    """Read and validate a YAML/JSON spec file."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text())
    except OSError as exc:
        raise SpecError([f"{path}: cannot read ({exc.strerror})"]) from None
    except yaml.YAMLError as exc:
        raise SpecError([f"{path}: not valid YAML ({exc})"]) from None
    return parse_spec(data)
