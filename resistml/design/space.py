"""The search space: real formulations built from the spec's allowed components, amounts and process.

Each role of the spec is one choice over its pool (catalog entries by name plus the molecules of the
allowed enumerated families of :mod:`resistml.datasets.molecules`, library seed 0, the one the
training data used), suggested as an integer index into the pool: NSGA-II's uniform crossover
copies a parameter from one parent or the other and its mutation redraws it uniformly, so an
index behaves exactly like a categorical there, without Optuna comparing distributions of
hundreds of choices on every trial (ten times faster). Its amount is a log-uniform float (parts per 100 parts resin), an
optional role has a ``use_<role>`` switch, and every process field given as a range is a float
(a list of substrates or developers is categorical). Resins from an enumerated family (no fixed
composition) add ``resin_mw``, ``resin_pdi`` and ``resin_phenolic`` (mole fraction of the phenolic
unit; the other units share the rest equally). When more optional roles are switched on than
``max_components`` allows, the last ones in role order are dropped (a deterministic repair), so
every point of the space is a valid formulation.

Parameters are suggested through an Optuna trial (:meth:`SearchSpace.suggest`), so the model-guided
search and the random baseline (Optuna's ``RandomSampler``) draw from exactly the same space.
Components are validated once per pool entry and copied with their amounts, which keeps building
thousands of candidates per batch cheap.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from resistml.design.spec import CORE_ROLES, DEFAULT_PARTS, DesignSpec, bounds
from resistml.formulation import Component, Formulation, Process, Role
from resistml.formulation.catalog import component as catalog_component
from resistml.formulation.catalog import names as catalog_names

LIBRARY_SEED = 0
"""Seed of the molecule enumerator whose families the space draws from (the training data's)."""
FLOAT_PROCESS = ("beam_energy_keV", "photon_energy_keV", "thickness_nm", "spot_size_nm",
                 "peb_temp_C", "peb_time_s", "develop_time_s")
RESIN_MW = (2000.0, 60000.0)
RESIN_PDI = (1.05, 2.5)
RESIN_PHENOLIC = (0.55, 0.95)


@dataclass(frozen=True)
class Choice:
    """One pool entry: a validated component (parts 1) or an enumerated resin template."""

    key: str
    component: Component | None = None
    units: tuple[str, ...] = ()

    def build(self, role: Role, parts: float, params: dict[str, Any]) -> Component:
        if self.component is not None:
            return self.component.model_copy(update={"parts": parts})
        phenolic = params["resin_phenolic"] if len(self.units) > 1 else 1.0
        rest = (1.0 - phenolic) / max(len(self.units) - 1, 1)
        fractions = [round(phenolic, 4)] + [round(rest, 4)] * (len(self.units) - 1)
        fractions[-1] = round(1.0 - sum(fractions[:-1]), 4)
        return Component.model_validate({
            "name": self.key, "role": role.value, "parts": parts,
            "repeat_units": [{"smiles": s, "fraction": f} for s, f in zip(self.units, fractions, strict=True)],
            "mw": round(params["resin_mw"], -1), "pdi": round(params["resin_pdi"], 3)})


class SearchSpace:
    """Formulations allowed by a spec (see the module docstring)."""

    def __init__(self, spec: DesignSpec):
        self.spec = spec
        self.roles = [r for r in Role if r in spec.components]

    @cached_property
    def pools(self) -> dict[Role, dict[str, Choice]]:
        """Role -> {key: choice}, catalog entries first (sorted by name), then family molecules."""
        from resistml.datasets.molecules import enumerate_library

        out: dict[Role, dict[str, Choice]] = {}
        lib = None
        for role in self.roles:
            cs = self.spec.components[role]
            names = sorted(catalog_names(role.value)) if cs.catalog == "all" else list(cs.catalog)
            pool = {n: Choice(n, catalog_component(n)) for n in names}
            if cs.families:
                lib = lib or enumerate_library(LIBRARY_SEED)
                if role is Role.resin:
                    for t in lib.resins:
                        if t.family in cs.families:
                            pool.setdefault(t.name, Choice(t.name, units=t.units))
                else:
                    for m in lib.by_role(role):
                        if m.family in cs.families:
                            pool.setdefault(m.name, Choice(m.name, Component.model_validate(
                                {"name": m.name, "role": role.value, "smiles": m.smiles, "parts": 1.0})))
            out[role] = pool
        return out

    @cached_property
    def keys(self) -> dict[Role, list[str]]:
        """Pool keys per role, in the order the integer choice parameter indexes them."""
        return {r: list(p) for r, p in self.pools.items()}

    def parts_range(self, role: Role) -> tuple[float, float]:
        cs = self.spec.components[role]
        default = DEFAULT_PARTS[role.value]
        return bounds(cs.parts, 0.0) if cs.parts is not None else default

    def required(self, role: Role) -> bool:
        return role in CORE_ROLES or self.spec.components[role].required

    def size(self) -> dict[str, int]:
        """Pool size per role (for logs and the docs)."""
        return {r.value: len(p) for r, p in self.pools.items()}

    def warmup_formulation(self, i: int) -> Formulation:
        """A formulation holding the i-th entry (cyclically) of every pool: embeds all molecules in one pass."""
        comps = []
        for role in self.roles:
            choice = self.pools[role][self.keys[role][i % len(self.keys[role])]]
            params = {"resin_mw": 10000.0, "resin_pdi": 1.5, "resin_phenolic": 0.8}
            comps.append(choice.build(role, self.parts_range(role)[0], params))
        return Formulation.model_construct(name=f"warmup-{i}", components=comps, process=Process())

    # ---- one point ----------------------------------------------------------------------
    def suggest(self, trial: Any, name: str) -> Formulation:
        """A formulation from the parameters an Optuna trial suggests (the same for any sampler)."""
        comps: list[Component] = []
        n_optional = self.spec.max_components - sum(self.required(r) for r in self.roles)
        for role in self.roles:  # every parameter is suggested every time: a static space for NSGA-II
            pool = self.pools[role]
            keys = self.keys[role]
            key = keys[trial.suggest_int(role.value, 0, len(keys) - 1)]
            lo, hi = self.parts_range(role)
            parts = lo if lo == hi else trial.suggest_float(f"{role.value}_parts", lo, hi, log=True)
            params: dict[str, Any] = {}
            if role is Role.resin and any(c.component is None for c in pool.values()):
                params["resin_mw"] = trial.suggest_float("resin_mw", *RESIN_MW, log=True)
                params["resin_pdi"] = trial.suggest_float("resin_pdi", *RESIN_PDI)
                params["resin_phenolic"] = trial.suggest_float("resin_phenolic", *RESIN_PHENOLIC)
            if not self.required(role):
                use = trial.suggest_categorical(f"use_{role.value}", [False, True])
                if not use or n_optional <= 0:
                    continue
                n_optional -= 1
            comps.append(pool[key].build(role, round(parts, 4), params))
        return Formulation.model_construct(name=name, components=comps, process=self._process(trial))

    def _process(self, trial: Any) -> Process:
        p = self.spec.process
        values: dict[str, Any] = {"radiation": p.radiation}
        defaults = Process()
        for field in FLOAT_PROCESS:
            if field == ("photon_energy_keV" if p.radiation == "electron" else "beam_energy_keV"):
                continue
            lo, hi = bounds(getattr(p, field), getattr(defaults, field))
            log = field in ("beam_energy_keV", "thickness_nm", "spot_size_nm")
            values[field] = lo if lo == hi else round(trial.suggest_float(field, lo, hi, log=log), 3)
        for field in ("substrate", "developer"):
            options = p.options(field)
            values[field] = options[0] if len(options) == 1 else trial.suggest_categorical(field, options)
        return _process(tuple(sorted(values.items())))


_PROCESS_CACHE: dict[tuple, Process] = {}


def _process(items: tuple) -> Process:
    """Validated process, memoised (the search revisits the same settings often)."""
    found = _PROCESS_CACHE.get(items)
    if found is None:
        if len(_PROCESS_CACHE) > 50_000:
            _PROCESS_CACHE.clear()
        found = _PROCESS_CACHE[items] = Process.model_validate(dict(items))
    return found
