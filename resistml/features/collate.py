"""Collate formulations into model tensors: one graph batch of the *unique* molecules plus indices.

Training sets and candidate libraries reuse a few hundred molecules across many formulations, so
the molecule encoder runs once per unique structure (small molecule, salt or resin repeat unit)
in the batch and the result is gathered back into component slots through flat
``(struct_index, struct_weight, struct_slot)`` triples::

    component_embedding[slot] = sum_m struct_weight[m] * molecule_embedding[struct_index[m]]
                                over m with struct_slot[m] == slot,   slot = b * K + k

A small molecule contributes weight 1; a resin contributes its repeat units weighted by mole
fraction (the mole-fraction-weighted mean of the unit embeddings, as in polymer property models
such as Aldeghi & Coley, Chem. Sci. 13, 10486 (2022)); Mw and PDI enter as amount features.

This is the one formulation -> tensors path of the project: training, evaluation, batch prediction
and the HTTP endpoint all call it. :func:`index_batch` builds the index, role, amount and process
tensors (filled as NumPy arrays once per batch); :func:`collate_formulations` adds the PyG graph
batch of the unique structures. A server with an embedding cache calls :func:`index_batch` and
builds graphs (:func:`graph_batch`) only for the structures its cache lacks.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from functools import lru_cache

import numpy as np
import torch
from torch_geometric.data import Batch

from resistml.chem.graphs import mol_graph
from resistml.chem.material import film_material
from resistml.chem.smiles import canonical_smiles
from resistml.formulation import Formulation, Process, Role
from resistml.physics.electron import collision_stopping_power

ROLES: tuple[Role, ...] = tuple(Role)
"""Role ids are 1 + the index in this tuple; id 0 marks a padding slot."""
NUM_ROLE_IDS = len(ROLES) + 1
ROLE_IDS: dict[Role, int] = {role: i + 1 for i, role in enumerate(ROLES)}

AMOUNT_FEATURES: tuple[str, ...] = ("weight_fraction", "log1p_parts", "log10_mw", "pdi")
"""Per-component amount features; ``log10_mw`` and ``pdi`` are zero for non-resins."""
PROCESS_FEATURES: tuple[str, ...] = (
    "log10_energy_keV",  # beam energy (electron) or photon energy (X-ray)
    "is_electron",
    "is_xray",
    "log10_thickness_nm",
    "peb_temp_scaled",  # (T - 110 C) / 20 C
    "log1p_peb_time_s",  # natural log of (1 + t / s)
    "log1p_develop_time_s",
    "tmah_wt_percent",
    "log10_spot_size_nm",
)
"""Per-formulation process features, in column order."""
PHYSICS_FEATURES: tuple[str, ...] = (
    "log10_stopping_power_MeV_cm2_g",  # mass collision stopping power of the film
    "log10_linear_stopping_power_eV_nm",  # energy deposited per nm of primary path
    "psf_eta",  # backscattered / forward deposited energy of the film-substrate pair (PSF grid)
    "log10_psf_beta_um",  # backscatter range of the film-substrate pair (um: O(1) values)
    "backscatter_coefficient",  # fraction of primaries backscattered by the substrate
)
"""Optional physics columns appended after PROCESS_FEATURES when ``physics=True``."""
LEGACY_PHYSICS_FEATURES: tuple[str, ...] = PHYSICS_FEATURES[:2]
"""The physics columns of models exported before issue 15 (no substrate); still computable."""


def process_feature_names(physics: bool = False) -> tuple[str, ...]:
    """Column names of ``FormulationBatch.process`` for the given ``physics`` flag."""
    return PROCESS_FEATURES + (PHYSICS_FEATURES if physics else ())


def column_selection(names: Sequence[str]) -> list[int] | None:
    """Indices into the full physics feature row that give the columns ``names`` (None: all).

    Artifacts record their process columns; older ones (``LEGACY_PHYSICS_FEATURES``) get theirs
    picked from the current row, so they keep working. Raises ValueError for unknown names.
    """
    full = process_feature_names(True)
    if tuple(names) == full:
        return None
    unknown = [n for n in names if n not in full]
    if unknown:
        raise ValueError(f"process features {unknown} are not computed by this featuriser")
    return [full.index(n) for n in names]


@dataclass
class FormulationBatch:
    """Model inputs for B formulations padded to K component slots over U unique structures.

    ``graphs``: PyG ``Batch`` of the U unique structures (``graphs.smiles`` = canonical SMILES).
    ``struct_index/struct_weight/struct_slot`` [M]: which structure, with which weight, feeds
    which flat slot ``b*K + k``. ``roles`` [B,K] (0 = padding), ``amounts`` [B,K,A]
    (``AMOUNT_FEATURES``), ``mask`` [B,K] (True = real component), ``process`` [B,P]
    (``PROCESS_FEATURES`` [+ ``PHYSICS_FEATURES``]), ``targets`` [B,T] or None (NaN = not
    defined for that row), ``outcome`` [B] (index in ``resistml.targets.OUTCOMES``, -1 unknown)
    or None, ``censor`` [B,T] (0 observed, +1 / -1 the target is above / below the stored bound)
    or None.
    """

    graphs: Batch
    struct_index: torch.Tensor
    struct_weight: torch.Tensor
    struct_slot: torch.Tensor
    roles: torch.Tensor
    amounts: torch.Tensor
    mask: torch.Tensor
    process: torch.Tensor
    targets: torch.Tensor | None = None
    names: tuple[str, ...] = ()
    outcome: torch.Tensor | None = None
    censor: torch.Tensor | None = None

    @property
    def num_formulations(self) -> int:
        return int(self.roles.shape[0])

    @property
    def num_slots(self) -> int:
        return int(self.roles.shape[1])

    @property
    def smiles(self) -> list[str]:
        """Canonical SMILES of the unique structures, in embedding order."""
        return list(self.graphs.smiles)

    def to(self, device: torch.device | str) -> FormulationBatch:
        """A copy with every tensor on ``device``."""
        moved = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, torch.Tensor | Batch):
                moved[f.name] = value.to(device)
        return replace(self, **moved)


def process_features(process: Process) -> list[float]:
    """The ``PROCESS_FEATURES`` of one process (log scales for quantities spanning decades)."""
    return [
        math.log10(process.energy_keV),
        float(process.radiation == "electron"),
        float(process.radiation == "xray"),
        math.log10(process.thickness_nm),
        (process.peb_temp_C - 110.0) / 20.0,
        math.log1p(process.peb_time_s),
        math.log1p(process.develop_time_s),
        process.tmah_wt_percent,
        math.log10(process.spot_size_nm),
    ]


def physics_features(formulation: Formulation) -> list[float]:
    """The ``PHYSICS_FEATURES``: stopping power of the dry film at the beam energy.

    ICRU 37 relativistic Bethe collision stopping power S/rho (``resistml.physics.electron``) of
    the film's elemental make-up and density (``resistml.chem.material.film_material``), and the
    linear stopping power S = (S/rho) rho in eV/nm, which sets the energy deposited per unit
    volume per incident electron. Both are zero for X-ray exposures, where photoabsorption
    rather than primary-electron stopping sets the deposited energy.
    """
    if formulation.process.radiation != "electron":
        return [0.0] * len(PHYSICS_FEATURES)
    p = formulation.process
    film = film_material(formulation)
    mass_sp = float(collision_stopping_power(p.beam_energy_keV, film))
    linear_ev_nm = mass_sp * film.density_g_cm3 * 0.1  # MeV/cm -> eV/nm
    psf = _psf_of(p.beam_energy_keV, p.thickness_nm, p.substrate, round(film.density_g_cm3, 3))
    return [math.log10(mass_sp), math.log10(linear_ev_nm), *psf]


@lru_cache(maxsize=65536)
def _psf_of(energy_keV: float, thickness_nm: float, substrate: str, density: float) -> tuple[float, ...]:
    """eta, log10 beta and backscatter coefficient of the film-substrate pair (shipped PSF grid).

    The same look-up as the simulator's exposure stage (``resistml.physics.psf.lookup_psf``):
    the substrate's grid, or for a substrate without one the grid nearest in mean Z.
    """
    from resistml.physics.psf import lookup_psf

    try:
        psf = lookup_psf(energy_keV, thickness_nm, substrate, density)
    except (ValueError, KeyError):  # unknown substrate material: no backscatter information
        return (0.0, 0.0, 0.0)
    return (float(psf["eta"]), math.log10(float(psf["beta_nm"]) / 1000.0), float(psf["backscatter_coefficient"]))


def amount_features(formulation: Formulation) -> list[list[float]]:
    """Per component: the ``AMOUNT_FEATURES`` row (shared by the training and serving collates)."""
    rows = []
    for comp, wf in zip(formulation.components, formulation.weight_fractions(), strict=True):
        is_resin = comp.role is Role.resin
        rows.append(
            [
                wf,
                math.log1p(comp.parts),
                math.log10(comp.mw) if is_resin else 0.0,
                comp.resin_pdi if is_resin else 0.0,
            ]
        )
    return rows


def structure_weights(formulation: Formulation) -> list[list[tuple[str, float]]]:
    """Per component: (SMILES, weight) of its structures (mole fractions for resins)."""
    out = []
    for comp in formulation.components:
        if comp.repeat_units is not None:
            out.append([(u.smiles, u.fraction) for u in comp.repeat_units])
        else:
            out.append([(comp.smiles, 1.0)])
    return out


@dataclass
class IndexBatch:
    """Everything but the molecule graphs: what a model needs besides the embeddings.

    ``smiles``: canonical SMILES of the U structures in embedding order (unique unless built
    with ``unique=False``); the other fields as in :class:`FormulationBatch`.
    """

    smiles: list[str]
    struct_index: torch.Tensor
    struct_weight: torch.Tensor
    struct_slot: torch.Tensor
    roles: torch.Tensor
    amounts: torch.Tensor
    mask: torch.Tensor
    process: torch.Tensor

    def tensors(self, embeddings: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """Positional arguments of ``predict_formulations``."""
        return (embeddings, self.struct_index, self.struct_weight, self.struct_slot, self.roles,
                self.amounts, self.mask, self.process)


_PHYSICS_CACHE: dict[tuple, tuple[tuple, list[float]]] = {}
PHYSICS_CACHE_LIMIT = 10_000
"""Most memoised physics-feature rows before the memo is cleared."""


def _memo_physics(form: Formulation) -> list[float]:
    """:func:`physics_features`, memoised on what it reads: components, beam, film thickness, substrate.

    Table rows validated by :class:`resistml.formulation.table.RowValidator` share one object per
    distinct component, so a library pays for a few hundred film compositions, not one per row.
    The entry keeps the components alive, so their ids cannot be reused while it exists.
    """
    comps = form.components
    p = form.process
    key = (p.radiation, p.beam_energy_keV, p.thickness_nm, p.substrate, tuple(map(id, comps)))
    hit = _PHYSICS_CACHE.get(key)
    if hit is not None and all(a is b for a, b in zip(hit[0], comps, strict=True)):
        return hit[1]
    if len(_PHYSICS_CACHE) >= PHYSICS_CACHE_LIMIT:
        _PHYSICS_CACHE.clear()
    value = physics_features(form)
    _PHYSICS_CACHE[key] = (tuple(comps), value)
    return value


def index_batch(
    formulations: Sequence[Formulation],
    *,
    num_slots: int | None = None,
    unique: bool = True,
    physics: bool = False,
    select: Sequence[int] | None = None,
) -> IndexBatch:
    """Index, role, amount and process tensors of ``formulations`` (see the module docstring).

    ``num_slots`` pads to at least K slots (default: the largest component count).
    ``unique=False`` lists every component structure separately (no sharing; a baseline for
    throughput measurements). ``physics=True`` appends ``PHYSICS_FEATURES``; ``select`` keeps
    only those columns of the full row (``column_selection``: models with older feature lists).
    Raises ``SmilesError`` for bad SMILES and ``ValueError`` for bad arguments.
    """
    if len(formulations) == 0:
        raise ValueError("formulations: need at least one formulation")
    b = len(formulations)
    k = max(len(f.components) for f in formulations)
    if num_slots is not None:
        if num_slots < k:
            raise ValueError(f"num_slots: {num_slots} is fewer than the {k} components of a formulation")
        k = num_slots
    index_of: dict[str, int] = {}
    smiles_list: list[str] = []
    s_index: list[int] = []
    s_weight: list[float] = []
    s_slot: list[int] = []
    roles = np.zeros((b, k), dtype=np.int64)
    amounts = np.zeros((b, k, len(AMOUNT_FEATURES)), dtype=np.float32)
    process = []
    for i, form in enumerate(formulations):
        for c, (comp, structs) in enumerate(zip(form.components, structure_weights(form), strict=True)):
            roles[i, c] = ROLE_IDS[comp.role]
            for smiles, weight in structs:
                canonical = canonical_smiles(smiles)
                key = canonical if unique else str(len(smiles_list))
                if key not in index_of:
                    index_of[key] = len(smiles_list)
                    smiles_list.append(canonical)
                s_index.append(index_of[key])
                s_weight.append(weight)
                s_slot.append(i * k + c)
        amounts[i, : len(form.components)] = amount_features(form)
        row = process_features(form.process) + (_memo_physics(form) if physics else [])
        process.append(row if select is None else [row[j] for j in select])
    roles_t = torch.from_numpy(roles)
    return IndexBatch(
        smiles=smiles_list,
        struct_index=torch.tensor(s_index, dtype=torch.long),
        struct_weight=torch.tensor(s_weight, dtype=torch.float32),
        struct_slot=torch.tensor(s_slot, dtype=torch.long),
        roles=roles_t,
        amounts=torch.from_numpy(amounts),
        mask=roles_t > 0,
        process=torch.tensor(process, dtype=torch.float32),
    )


def graph_batch(smiles: Sequence[str]) -> Batch:
    """PyG batch of the given SMILES (``graphs.smiles`` canonical), e.g. those a cache lacks."""
    return Batch.from_data_list([mol_graph(s) for s in smiles])


def _check_targets(targets: torch.Tensor | None, batch_size: int) -> torch.Tensor | None:
    if targets is None:
        return None
    targets = torch.as_tensor(targets, dtype=torch.float32)
    if targets.dim() != 2 or targets.shape[0] != batch_size:
        raise ValueError(f"targets: expected shape [{batch_size}, T], got {list(targets.shape)}")
    return targets


def collate_formulations(
    formulations: Sequence[Formulation],
    targets: torch.Tensor | None = None,
    *,
    num_slots: int | None = None,
    unique: bool = True,
    physics: bool = False,
    outcome: torch.Tensor | None = None,
    censor: torch.Tensor | None = None,
) -> FormulationBatch:
    """A :class:`FormulationBatch`: :func:`index_batch` plus the graphs of its structures.

    Arguments as for :func:`index_batch`; ``targets`` [B, T] are checked and attached, as are
    the optional ``outcome`` [B] classes and ``censor`` [B, T] codes.
    """
    idx = index_batch(formulations, num_slots=num_slots, unique=unique, physics=physics)
    return FormulationBatch(
        graphs=graph_batch(idx.smiles),
        struct_index=idx.struct_index,
        struct_weight=idx.struct_weight,
        struct_slot=idx.struct_slot,
        roles=idx.roles,
        amounts=idx.amounts,
        mask=idx.mask,
        process=idx.process,
        targets=_check_targets(targets, len(formulations)),
        names=tuple(f.name for f in formulations),
        outcome=None if outcome is None else torch.as_tensor(outcome, dtype=torch.long),
        censor=None if censor is None else torch.as_tensor(censor, dtype=torch.long),
    )
