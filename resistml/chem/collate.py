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
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace

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
)
"""Optional physics columns appended after PROCESS_FEATURES when ``physics=True``."""


def process_feature_names(physics: bool = False) -> tuple[str, ...]:
    """Column names of ``FormulationBatch.process`` for the given ``physics`` flag."""
    return PROCESS_FEATURES + (PHYSICS_FEATURES if physics else ())


@dataclass
class FormulationBatch:
    """Model inputs for B formulations padded to K component slots over U unique structures.

    ``graphs``: PyG ``Batch`` of the U unique structures (``graphs.smiles`` = canonical SMILES).
    ``struct_index/struct_weight/struct_slot`` [M]: which structure, with which weight, feeds
    which flat slot ``b*K + k``. ``roles`` [B,K] (0 = padding), ``amounts`` [B,K,A]
    (``AMOUNT_FEATURES``), ``mask`` [B,K] (True = real component), ``process`` [B,P]
    (``PROCESS_FEATURES`` [+ ``PHYSICS_FEATURES``]), ``targets`` [B,T] or None.
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
    film = film_material(formulation)
    mass_sp = float(collision_stopping_power(formulation.process.beam_energy_keV, film))
    linear_ev_nm = mass_sp * film.density_g_cm3 * 0.1  # MeV/cm -> eV/nm
    return [math.log10(mass_sp), math.log10(linear_ev_nm)]


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


def _index_structures(
    formulations: Sequence[Formulation], k: int, unique: bool
) -> tuple[list[str], list[int], list[float], list[int]]:
    """Structures to featurise and the (index, weight, flat slot) triple of every use of one."""
    index_of: dict[str, int] = {}
    structures: list[str] = []
    s_index, s_weight, s_slot = [], [], []
    for b, form in enumerate(formulations):
        for c, structs in enumerate(structure_weights(form)):
            for smiles, weight in structs:
                key = canonical_smiles(smiles) if unique else str(len(structures))
                if key not in index_of:
                    index_of[key] = len(structures)
                    structures.append(smiles)
                s_index.append(index_of[key])
                s_weight.append(weight)
                s_slot.append(b * k + c)
    return structures, s_index, s_weight, s_slot


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
) -> FormulationBatch:
    """Build a :class:`FormulationBatch` (see module docstring).

    ``num_slots`` pads to at least K slots (default: the largest component count in the batch).
    ``unique=False`` featurises every component structure separately (no sharing; a baseline
    for throughput measurements). ``physics=True`` appends ``PHYSICS_FEATURES``.
    Raises ``SmilesError`` for bad SMILES and ``ValueError`` for bad arguments.
    """
    if len(formulations) == 0:
        raise ValueError("formulations: need at least one formulation")
    batch_size = len(formulations)
    k = max(len(f.components) for f in formulations)
    if num_slots is not None:
        if num_slots < k:
            raise ValueError(
                f"num_slots: {num_slots} is fewer than the {k} components of a formulation"
            )
        k = num_slots
    roles = torch.zeros(batch_size, k, dtype=torch.long)
    amounts = torch.zeros(batch_size, k, len(AMOUNT_FEATURES))
    for b, form in enumerate(formulations):
        roles[b, : len(form.components)] = torch.tensor([ROLE_IDS[c.role] for c in form.components])
        amounts[b, : len(form.components)] = torch.tensor(amount_features(form))
    process = [
        process_features(f.process) + (physics_features(f) if physics else []) for f in formulations
    ]
    unique_smiles, s_index, s_weight, s_slot = _index_structures(formulations, k, unique)
    return FormulationBatch(
        graphs=Batch.from_data_list([mol_graph(s) for s in unique_smiles]),
        struct_index=torch.tensor(s_index, dtype=torch.long),
        struct_weight=torch.tensor(s_weight, dtype=torch.float32),
        struct_slot=torch.tensor(s_slot, dtype=torch.long),
        roles=roles,
        amounts=amounts,
        mask=roles > 0,
        process=torch.tensor(process, dtype=torch.float32),
        targets=_check_targets(targets, batch_size),
        names=tuple(f.name for f in formulations),
    )
