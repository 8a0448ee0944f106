"""Formulation sampler: realistic negative-CAR recipes and processes drawn from the molecule library.

Amounts are parts by weight per 100 parts resin, in the ranges of the seed patent's examples and of
commercial negative CARs (e.g. SAL-601, NEB-22 style: generator 1-20, crosslinker 5-40, optional
component D up to 40 and base quencher up to 2 parts). Processes cover e-beam writers (5-100 keV,
with a share at the standard 100 keV column energy) and soft X-rays (0.5-3 keV), film 50-1000 nm,
post-exposure bake 80-140 C for 30-180 s. One shard of formulations is a pure function of
``(seed, shard index)``, so any shard can be regenerated alone, in any process, in any order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from resistml.datasets.molecules import MoleculeLibrary, ResinTemplate, enumerate_library
from resistml.formulation import Formulation, Role

TOOL_ENERGIES_KEV: tuple[float, ...] = (5.0, 10.0, 20.0, 25.0, 30.0, 50.0, 75.0)
"""Common e-beam column energies below 100 keV (drawn as discrete values)."""
EXTRAPOLATION_ENERGY_KEV = 100.0
"""Beam energy drawn exactly with probability ``p_100keV``: the test share of the energy split."""


@dataclass(frozen=True)
class SamplerConfig:
    """Ranges and probabilities of the sampler (amounts in parts per 100 parts resin)."""

    generator_parts: tuple[float, float] = (1.0, 20.0)  # log-uniform
    p_two_generators: float = 0.15
    crosslinker_parts: tuple[float, float] = (5.0, 40.0)  # uniform
    p_polymerizable: float = 0.65
    polymerizable_parts: tuple[float, float] = (1.0, 40.0)  # uniform
    p_base: float = 0.7
    base_parts: tuple[float, float] = (0.05, 2.0)  # log-uniform
    p_b_prime: float = 0.25
    mw: tuple[float, float] = (2000.0, 60000.0)  # log-uniform
    pdi: tuple[float, float] = (1.05, 2.5)  # uniform
    phenolic_fraction: tuple[float, float] = (0.55, 0.95)
    p_xray: float = 0.15
    photon_energy_keV: tuple[float, float] = (0.5, 3.0)
    p_100keV: float = 0.12  # of electron exposures, exactly 100 keV
    p_tool_energy: float = 0.38  # of electron exposures, one of TOOL_ENERGIES_KEV
    beam_energy_keV: tuple[float, float] = (5.0, 100.0)  # the rest: log-uniform
    thickness_nm: tuple[float, float] = (50.0, 1000.0)  # log-uniform
    spot_size_nm: tuple[float, float] = (2.0, 20.0)  # log-uniform
    peb_temp_C: tuple[float, float] = (80.0, 140.0)
    peb_time_s: tuple[float, float] = (30.0, 180.0)
    develop_time_s: tuple[float, float] = (30.0, 120.0)
    developers: tuple[str, ...] = ("TMAH 2.38%", "TMAH 2.38%", "TMAH 2.38%", "TMAH 1.19%")


DEFAULT_CONFIG = SamplerConfig()


def _uniform(rng: np.random.Generator, lo_hi: tuple[float, float]) -> float:
    return float(rng.uniform(*lo_hi))


def _log_uniform(rng: np.random.Generator, lo_hi: tuple[float, float]) -> float:
    lo, hi = np.log(lo_hi)
    return float(np.exp(rng.uniform(lo, hi)))


def _small(rng: np.random.Generator, lib: MoleculeLibrary, role: Role, parts: float) -> dict[str, Any]:
    pool = lib.by_role(role)
    mol = pool[int(rng.integers(len(pool)))]
    return {"name": mol.name, "role": role.value, "smiles": mol.smiles, "parts": round(parts, 3)}


MIN_UNIT_FRACTION = 0.01
"""Smallest mole fraction given to a comonomer (a unit below 1 % is not worth listing)."""


def fractions_for(rng: np.random.Generator, n_units: int, cfg: SamplerConfig = DEFAULT_CONFIG) -> list[float]:
    """Mole fractions: the phenolic unit first, the rest Dirichlet-split (each >= 1 %), sum exactly 1."""
    if n_units == 1:
        return [1.0]
    first = round(_uniform(rng, cfg.phenolic_fraction), 4)
    floor = MIN_UNIT_FRACTION * (n_units - 1)
    rest = MIN_UNIT_FRACTION + (1.0 - first - floor) * rng.dirichlet(np.full(n_units - 1, 2.0))
    fractions = [first] + [round(float(x), 4) for x in rest[:-1]]
    return fractions + [round(1.0 - sum(fractions), 4)]


def _resin(rng: np.random.Generator, lib: MoleculeLibrary, cfg: SamplerConfig) -> dict[str, Any]:
    want_b_prime = rng.random() < cfg.p_b_prime
    pool = [t for t in lib.resins if (t.family == "b_prime") == want_b_prime]
    tpl: ResinTemplate = pool[int(rng.integers(len(pool)))]
    fractions = tpl.fractions or fractions_for(rng, len(tpl.units), cfg)
    mw = tpl.mw or round(_log_uniform(rng, cfg.mw), -1)
    pdi = tpl.pdi or round(_uniform(rng, cfg.pdi), 3)
    units = [{"smiles": s, "fraction": f} for s, f in zip(tpl.units, fractions, strict=True)]
    return {"name": tpl.name, "role": "resin", "repeat_units": units, "mw": mw, "pdi": pdi, "parts": 100.0}


def _beam_energy(rng: np.random.Generator, cfg: SamplerConfig) -> float:
    u = rng.random()
    if u < cfg.p_100keV:
        return EXTRAPOLATION_ENERGY_KEV
    if u < cfg.p_100keV + cfg.p_tool_energy:
        return TOOL_ENERGIES_KEV[int(rng.integers(len(TOOL_ENERGIES_KEV)))]
    return round(_log_uniform(rng, cfg.beam_energy_keV), 2)


def sample_process(rng: np.random.Generator, cfg: SamplerConfig = DEFAULT_CONFIG) -> dict[str, Any]:
    """One process: radiation and energy, film, beam spot, bake and development."""
    xray = rng.random() < cfg.p_xray
    process: dict[str, Any] = {"radiation": "xray" if xray else "electron"}
    if xray:
        process["photon_energy_keV"] = round(_uniform(rng, cfg.photon_energy_keV), 3)
    else:
        process["beam_energy_keV"] = _beam_energy(rng, cfg)
    process.update(
        thickness_nm=round(_log_uniform(rng, cfg.thickness_nm), 1),
        spot_size_nm=round(_log_uniform(rng, cfg.spot_size_nm), 2),
        peb_temp_C=round(_uniform(rng, cfg.peb_temp_C), 1),
        peb_time_s=float(round(_uniform(rng, cfg.peb_time_s))),
        develop_time_s=float(round(_uniform(rng, cfg.develop_time_s))),
        developer=cfg.developers[int(rng.integers(len(cfg.developers)))],
    )
    return process


def sample_formulation_dict(rng: np.random.Generator, lib: MoleculeLibrary, name: str,
                            cfg: SamplerConfig = DEFAULT_CONFIG) -> dict[str, Any]:
    """One formulation as a plain mapping (generator(s), resin, crosslinker, [D], [base])."""
    n_gen = 2 if rng.random() < cfg.p_two_generators else 1
    comps = [_small(rng, lib, Role.acid_generator, _log_uniform(rng, cfg.generator_parts)) for _ in range(n_gen)]
    comps.append(_resin(rng, lib, cfg))
    comps.append(_small(rng, lib, Role.crosslinker, _uniform(rng, cfg.crosslinker_parts)))
    if rng.random() < cfg.p_polymerizable:
        comps.append(_small(rng, lib, Role.polymerizable, _uniform(rng, cfg.polymerizable_parts)))
    if rng.random() < cfg.p_base:
        comps.append(_small(rng, lib, Role.base, _log_uniform(rng, cfg.base_parts)))
    return {"name": name, "components": comps, "process": sample_process(rng, cfg)}


def shard_rng(seed: int, shard: int) -> np.random.Generator:
    """The generator of one shard: independent streams for each (seed, shard) pair."""
    return np.random.default_rng(np.random.SeedSequence([seed, shard]))


def row_name(seed: int, row_id: int) -> str:
    return f"s{seed}-{row_id:08d}"


def sample_shard(seed: int, shard: int, start: int, count: int, *, lib: MoleculeLibrary | None = None,
                 cfg: SamplerConfig = DEFAULT_CONFIG) -> list[Formulation]:
    """Validated formulations with row ids ``start .. start+count-1`` of shard ``shard``."""
    lib = lib or enumerate_library(seed)
    rng = shard_rng(seed, shard)
    return [Formulation.from_dict(sample_formulation_dict(rng, lib, row_name(seed, start + i), cfg))
            for i in range(count)]


def sample_formulations(n: int, seed: int = 0, *, cfg: SamplerConfig = DEFAULT_CONFIG) -> list[Formulation]:
    """``n`` validated formulations from one seeded stream (shard 0)."""
    if n < 0:
        raise ValueError(f"n: must be >= 0, got {n}")
    return sample_shard(seed, 0, 0, n, cfg=cfg)
