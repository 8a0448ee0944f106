"""A batch of formulations as arrays: molecule concentrations and properties the physics needs.

Descriptors come from :mod:`resistml.chem.descriptors` (cached per SMILES); here they are mixed
by the weight fractions into number densities (molecules per nm^3) of a dry film whose density
comes from :func:`resistml.chem.material.film_material`. Several components of one role are
merged so that the junction sums of bake.py stay exact for equal conversions:
f_eff - 1 = sum n f (f-1) / sum n f, with group-weighted rates.

The film Tg is the Fox equation 1/Tg = sum w_i / Tg_i over resin and additives
(Fox, Bull. Am. Phys. Soc. 1, 123 (1956)).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from functools import lru_cache

import numpy as np

from resistml.chem import descriptors as dsc
from resistml.chem.material import (
    Material,
    atomic_number,
    atomic_weight,
    compound_i_eV,
    estimate_density,
    mass_fractions_from_counts,
    summarize_smiles,
)
from resistml.formulation import Formulation, Role

AVOGADRO_PER_NM3 = 602.214
"""(g/cm^3) / (g/mol) to molecules per nm^3."""

_ARRAY_FIELDS = (
    "density", "n_gen", "capture_eff", "w_gen", "acids_per_gen", "acid_pka", "acid_volume",
    "n_units", "unit_mass", "mw", "pdi", "oh_per_unit", "aromatic_fraction", "pendant_cc",
    "n_xl", "f_xl", "xl_rate", "n_dacid", "f_dacid", "dacid_rate", "n_drad", "f_drad",
    "drad_nu", "n_base", "base_pka", "tg_K", "xl_sites", "g_crosslink", "g_scission", "w_resin", "beam_keV", "photon_keV", "thickness_nm",
    "spot_nm", "peb_K", "peb_s", "dev_s", "tmah", "is_xray", "z_over_a", "mean_excitation_eV",
)


@dataclass
class FilmBatch:
    """Per-formulation arrays (shape [N]); ``mass_fractions`` and ``substrates`` are lists."""

    density: np.ndarray
    n_gen: np.ndarray
    capture_eff: np.ndarray
    w_gen: np.ndarray
    acids_per_gen: np.ndarray
    acid_pka: np.ndarray
    acid_volume: np.ndarray
    n_units: np.ndarray
    unit_mass: np.ndarray
    mw: np.ndarray
    pdi: np.ndarray
    oh_per_unit: np.ndarray
    aromatic_fraction: np.ndarray
    pendant_cc: np.ndarray
    n_xl: np.ndarray
    f_xl: np.ndarray
    xl_rate: np.ndarray
    n_dacid: np.ndarray
    f_dacid: np.ndarray
    dacid_rate: np.ndarray
    n_drad: np.ndarray
    f_drad: np.ndarray
    drad_nu: np.ndarray
    n_base: np.ndarray
    base_pka: np.ndarray
    tg_K: np.ndarray
    xl_sites: np.ndarray
    """Aminoplast crosslink sites per resin unit (resin_descriptors.XL_SITE_WEIGHTS)."""
    g_crosslink: np.ndarray
    """Radiation G(X) of the resin, crosslinks per 100 eV absorbed by it."""
    g_scission: np.ndarray
    """Radiation G(S) of the resin, main-chain scissions per 100 eV absorbed by it."""
    w_resin: np.ndarray
    """Weight fraction of the (main) resin in the film."""
    beam_keV: np.ndarray
    photon_keV: np.ndarray
    thickness_nm: np.ndarray
    spot_nm: np.ndarray
    peb_K: np.ndarray
    peb_s: np.ndarray
    dev_s: np.ndarray
    tmah: np.ndarray
    is_xray: np.ndarray
    z_over_a: np.ndarray
    mean_excitation_eV: np.ndarray
    mass_fractions: list[dict[str, float]]
    substrates: list[str]

    def __len__(self) -> int:
        return len(self.density)

    @property
    def u_n(self) -> np.ndarray:
        """Number-average degree of polymerization Mn / M_unit."""
        return self.mw / self.pdi / self.unit_mass

    @property
    def u_w(self) -> np.ndarray:
        """Weight-average degree of polymerization Mw / M_unit."""
        return self.mw / self.unit_mass

    def material(self, i: int) -> Material:
        """The film of formulation ``i`` as a Material (composition and density)."""
        return Material(dict(self.mass_fractions[i]), float(self.density[i]))

    def row(self, i: int) -> dict[str, float]:
        """Scalar values of formulation ``i``."""
        return {f.name: float(getattr(self, f.name)[i]) for f in fields(self) if f.name in _ARRAY_FIELDS}


def _merge(items: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    """Merge (n, f, rate) of several molecules into (n, f_eff, group-weighted rate)."""
    n = sum(i[0] for i in items if i[1] > 0)
    groups = sum(i[0] * i[1] for i in items)
    if groups <= 0:
        return 0.0, 0.0, 0.0
    f_eff = 1.0 + sum(i[0] * i[1] * (i[1] - 1.0) for i in items) / groups
    rate = sum(i[0] * i[1] * i[2] for i in items) / groups
    return n, f_eff, rate


@lru_cache(maxsize=65536)
def _structure_chem(structures: tuple[tuple[str, float], ...]) -> tuple[dict[str, float], float, float]:
    """Mass fractions, specific volume (cm^3/g) and molar mass of a molecule or (co)polymer unit.

    Same composition and McGowan density as :func:`resistml.chem.material.film_material`.
    """
    counts: dict[str, float] = {}
    mass = volume = 0.0
    for smiles, x in structures:
        s = summarize_smiles(smiles)
        for el, n in s.counts.items():
            counts[el] = counts.get(el, 0.0) + x * n
        mass += x * s.molar_mass
        volume += x * s.mcgowan_cm3_mol
    summary = type(s)(counts, mass, volume)
    return mass_fractions_from_counts(counts), 1.0 / estimate_density(summary), mass


@lru_cache(maxsize=256)
def _element_terms(element: str) -> tuple[float, float]:
    """(Z/A, ln I in compounds) of an element (ICRU 37 values, as resistml.chem.material)."""
    return atomic_number(element) / atomic_weight(element), math.log(compound_i_eV(element))


def _film_composition(form: Formulation, weights: list[float]) -> dict[str, float]:
    """Film mass fractions, density, Z/A and Bragg-additivity I (as Material does)."""
    fractions: dict[str, float] = {}
    specific_volume = 0.0
    for comp, w in zip(form.components, weights, strict=True):
        if comp.repeat_units is not None:
            key = tuple((u.smiles, u.fraction) for u in comp.repeat_units)
        else:
            key = ((comp.smiles, 1.0),)
        mf, sv, _ = _structure_chem(key)
        for el, x in mf.items():
            fractions[el] = fractions.get(el, 0.0) + w * x
        specific_volume += w * sv
    z_a = sum(w * _element_terms(el)[0] for el, w in fractions.items())
    log_i = sum(w * _element_terms(el)[0] * _element_terms(el)[1] for el, w in fractions.items())
    return {"density": 1.0 / specific_volume, "z_over_a": z_a, "mean_excitation_eV": math.exp(log_i / z_a),
            "_fractions": fractions}


def _row(form: Formulation) -> dict[str, float]:
    weights = form.weight_fractions()
    composition = _film_composition(form, weights)
    rho = composition["density"]
    acc: dict[str, list] = {"gen": [], "xl": [], "dacid": [], "drad": [], "base": [], "tg": []}
    resin = None
    for comp, w in zip(form.components, weights, strict=True):
        if comp.role is Role.resin:
            units = tuple((u.smiles, u.fraction) for u in comp.repeat_units)
            rd = dsc.resin_descriptors(units, comp.mw, comp.resin_pdi)
            acc["tg"].append((w, rd.tg_K))
            if resin is None or w > resin[0]:
                resin = (w, rd, comp.mw, comp.resin_pdi)
            continue
        mass = summarize_smiles(comp.smiles).molar_mass
        n = rho * w / mass * AVOGADRO_PER_NM3
        acc["tg"].append((w, dsc.tg_estimate_K(comp.smiles)))
        if comp.role is Role.acid_generator:
            acc["gen"].append((n, w, dsc.generator_descriptors(comp.smiles)))
        elif comp.role in (Role.crosslinker, Role.polymerizable):
            xd = dsc.crosslink_descriptors(comp.smiles)
            acc["xl"].append((n, float(xd.n_crosslink_groups), xd.crosslink_rate))
            acc["dacid"].append((n, float(xd.n_acid_groups), xd.acid_group_rate))
            acc["drad"].append((n, float(xd.n_radical_groups), xd.radical_chain_length))
        elif comp.role is Role.base:
            bd = dsc.base_descriptors(comp.smiles)
            acc["base"].append((n * bd.n_basic_sites, bd.pka_conjugate_acid))
    row = _generator_terms(acc["gen"])
    row.update(_resin_terms(resin, rho))
    for key in ("xl", "dacid", "drad"):
        n, f, rate = _merge(acc[key])
        row[f"n_{key}"], row[f"f_{key}"] = n, f
        row[{"xl": "xl_rate", "dacid": "dacid_rate", "drad": "drad_nu"}[key]] = rate
    n_base = sum(b[0] for b in acc["base"])
    row["n_base"] = n_base
    row["base_pka"] = sum(b[0] * b[1] for b in acc["base"]) / n_base if n_base > 0 else math.nan
    row["tg_K"] = 1.0 / sum(w / tg for w, tg in acc["tg"])
    row.update(_process_terms(form))
    row.update(composition)
    return row | {"_substrate": form.process.substrate}


def _generator_terms(gens: list) -> dict[str, float]:
    n = sum(g[0] for g in gens)
    acids = sum(g[0] * g[2].acids_per_molecule for g in gens)
    if acids <= 0:
        return dict(n_gen=0.0, capture_eff=0.0, w_gen=sum(g[1] for g in gens), acids_per_gen=0.0,
                    acid_pka=math.nan, acid_volume=math.nan)
    by_acid = [(g[0] * g[2].acids_per_molecule, g[2]) for g in gens if g[2].acids_per_molecule > 0]
    return dict(
        n_gen=n,
        capture_eff=sum(g[0] * g[2].capture_efficiency for g in gens) / n,
        w_gen=sum(g[1] for g in gens),
        acids_per_gen=acids / n,
        acid_pka=sum(a * d.acid_pka for a, d in by_acid) / acids,
        acid_volume=sum(a * d.acid_volume_cm3_mol for a, d in by_acid) / acids,
    )


def _resin_terms(resin, rho: float) -> dict[str, float]:
    if resin is None:
        return dict(n_units=0.0, unit_mass=100.0, mw=math.nan, pdi=1.5, oh_per_unit=0.0,
                    aromatic_fraction=0.0, pendant_cc=0.0, xl_sites=0.0, g_crosslink=0.0,
                    g_scission=0.0, w_resin=0.0)
    w, rd, mw, pdi = resin
    return dict(
        n_units=rho * w / rd.unit_mass * AVOGADRO_PER_NM3, unit_mass=rd.unit_mass, mw=mw, pdi=pdi,
        oh_per_unit=rd.phenolic_oh_per_unit, aromatic_fraction=rd.aromatic_fraction,
        pendant_cc=rd.pendant_cc_per_unit, xl_sites=rd.crosslink_sites_per_unit,
        g_crosslink=rd.g_crosslink, g_scission=rd.g_scission, w_resin=w,
    )


def _process_terms(form: Formulation) -> dict[str, float]:
    p = form.process
    return dict(
        beam_keV=p.beam_energy_keV, photon_keV=p.photon_energy_keV, thickness_nm=p.thickness_nm,
        spot_nm=p.spot_size_nm, peb_K=p.peb_temp_C + 273.15, peb_s=p.peb_time_s,
        dev_s=p.develop_time_s, tmah=p.tmah_wt_percent, is_xray=float(p.radiation == "xray"),
    )


def film_row(form: Formulation) -> dict:
    """Everything :class:`FilmBatch` holds for one formulation (raises on unusable input)."""
    return _row(form)


def build_batch(formulations: list[Formulation], rows: list[dict] | None = None) -> FilmBatch:
    """Arrays of every formulation (molecule descriptors are cached per SMILES)."""
    rows = rows if rows is not None else [_row(f) for f in formulations]
    arrays = {k: np.array([r[k] for r in rows], dtype=float) for k in _ARRAY_FIELDS}
    return FilmBatch(**arrays, mass_fractions=[r["_fractions"] for r in rows],
                     substrates=[r["_substrate"] for r in rows])


def take(obj, index: int):
    """Copy of a batch dataclass (FilmBatch, Exposure, ResistResponse) holding row ``index`` only."""
    import dataclasses

    changes = {}
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if isinstance(value, np.ndarray):
            changes[f.name] = value[index:index + 1]
        elif isinstance(value, list):
            changes[f.name] = value[index:index + 1]
        elif dataclasses.is_dataclass(value):
            changes[f.name] = take(value, index)
    return dataclasses.replace(obj, **changes)
