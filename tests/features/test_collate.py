"""Unique-molecule collate: same features as featurising alone, dedup, determinism, sizes, errors."""

from __future__ import annotations

import math

import pytest
import torch

from resistml.chem.graphs import ATOM_DIM, BOND_DIM, mol_graph
from resistml.chem.smiles import SmilesError, canonical_smiles
from resistml.features.collate import (
    AMOUNT_FEATURES,
    PROCESS_FEATURES,
    ROLE_IDS,
    collate_formulations,
)
from resistml.formulation import Component, Formulation, Role
from tests.model_fixtures import random_formulations


def _graph_of(batch, u: int):
    """Node features and local edges of unique structure ``u`` in the batched graph."""
    g = batch.graphs
    nodes = (g.batch == u).nonzero().flatten()
    edges = (g.batch[g.edge_index[0]] == u).nonzero().flatten()
    return g.x[nodes], g.edge_index[:, edges] - nodes[0], g.edge_attr[edges]


def test_same_per_component_features_as_featurising_alone():
    forms = random_formulations(12, seed=1)
    batch = collate_formulations(forms)
    k = batch.num_slots
    for b, form in enumerate(forms):
        for c, comp in enumerate(form.components):
            picks = (batch.struct_slot == b * k + c).nonzero().flatten()
            weights = (
                dict(
                    zip(
                        (u.smiles for u in comp.repeat_units),
                        (u.fraction for u in comp.repeat_units),
                        strict=True,
                    )
                )
                if comp.repeat_units
                else {comp.smiles: 1.0}
            )
            assert len(picks) == len(weights)
            for m, (smiles, weight) in zip(picks.tolist(), weights.items(), strict=True):
                x, ei, ea = _graph_of(batch, int(batch.struct_index[m]))
                alone = mol_graph(smiles)
                assert torch.equal(x, alone.x) and torch.equal(ei, alone.edge_index)
                assert torch.equal(ea, alone.edge_attr)
                assert batch.struct_weight[m].item() == pytest.approx(weight)
            assert batch.roles[b, c] == ROLE_IDS[comp.role]
        # the alone-collate of one formulation gives the same amount and process rows
        single = collate_formulations([form])
        n = len(form.components)
        assert torch.allclose(single.amounts[0, :n], batch.amounts[b, :n])
        assert torch.equal(single.process[0], batch.process[b])


def test_unique_count_and_no_sharing_mode():
    forms = random_formulations(40, seed=2)
    expected = {canonical_smiles(s) for f in forms for c in f.components for s in c.structures()}
    batch = collate_formulations(forms)
    assert batch.graphs.num_graphs == len(expected) == len(set(batch.smiles))
    assert set(batch.smiles) == expected
    total = sum(len(c.structures()) for f in forms for c in f.components)
    separate = collate_formulations(forms, unique=False)
    assert separate.graphs.num_graphs == total == len(batch.struct_index)
    assert torch.equal(separate.struct_slot, batch.struct_slot)
    # gathering through the indices gives the same node features either way
    for m in range(0, total, 7):
        a = _graph_of(batch, int(batch.struct_index[m]))[0]
        s = _graph_of(separate, int(separate.struct_index[m]))[0]
        assert torch.equal(a, s)


def test_deterministic():
    a = collate_formulations(random_formulations(16, seed=3))
    b = collate_formulations(random_formulations(16, seed=3))
    assert a.smiles == b.smiles
    for name in (
        "struct_index",
        "struct_weight",
        "struct_slot",
        "roles",
        "amounts",
        "mask",
        "process",
    ):
        assert torch.equal(getattr(a, name), getattr(b, name)), name
    assert torch.equal(a.graphs.x, b.graphs.x) and torch.equal(
        a.graphs.edge_index, b.graphs.edge_index
    )


def test_documented_sizes_and_values(example_dict):
    form = Formulation.from_dict(example_dict)
    t = torch.tensor([[1.0, 2.0, 3.0]])
    batch = collate_formulations([form], t, num_slots=6)
    assert batch.graphs.x.shape[1] == ATOM_DIM and batch.graphs.edge_attr.shape[1] == BOND_DIM
    assert batch.roles.shape == (1, 6) and batch.mask.tolist() == [[True] * 3 + [False] * 3]
    assert batch.amounts.shape == (1, 6, len(AMOUNT_FEATURES))
    assert batch.process.shape == (1, len(PROCESS_FEATURES))
    assert torch.equal(batch.targets, t)
    # amounts: parts 5/100/10 -> weight fractions; the resin row carries log10 Mw and PDI
    wf, lp, lmw, pdi = batch.amounts[0, :3].T.tolist()
    assert wf == pytest.approx([5 / 115, 100 / 115, 10 / 115], rel=1e-6)
    assert lp == pytest.approx([math.log1p(5), math.log1p(100), math.log1p(10)], rel=1e-6)
    assert lmw == pytest.approx([0.0, math.log10(8000), 0.0], rel=1e-6)
    assert pdi == pytest.approx([0.0, 1.2, 0.0], rel=1e-6)
    row = dict(zip(PROCESS_FEATURES, batch.process[0].tolist(), strict=True))
    assert row["log10_energy_keV"] == pytest.approx(2.0)
    assert row["is_electron"] == 1 and row["is_xray"] == 0
    assert row["log10_thickness_nm"] == pytest.approx(math.log10(300))
    assert row["tmah_wt_percent"] == pytest.approx(2.38)
    assert batch.roles[0, :3].tolist() == [
        ROLE_IDS[Role.acid_generator],
        ROLE_IDS[Role.resin],
        ROLE_IDS[Role.crosslinker],
    ]


def test_xray_uses_photon_energy(example_dict):
    example_dict["process"] = {"radiation": "xray", "photon_energy_keV": 1.0}
    batch = collate_formulations([Formulation.from_dict(example_dict)])
    row = dict(zip(PROCESS_FEATURES, batch.process[0].tolist(), strict=True))
    assert row["log10_energy_keV"] == pytest.approx(0.0) and row["is_xray"] == 1


def test_to_device_keeps_everything():
    batch = collate_formulations(random_formulations(3), torch.zeros(3, 2)).to("cpu")
    assert batch.graphs.num_graphs > 0 and batch.targets.shape == (3, 2)


def test_errors_name_the_argument(example_dict):
    form = Formulation.from_dict(example_dict)
    with pytest.raises(ValueError, match="formulations"):
        collate_formulations([])
    with pytest.raises(ValueError, match="targets"):
        collate_formulations([form], torch.zeros(2, 3))
    with pytest.raises(ValueError, match="num_slots"):
        collate_formulations([form], num_slots=2)


def test_bad_smiles_raises_smiles_error(example_dict):
    good = Formulation.from_dict(example_dict)
    bad = Component.model_construct(
        name="x",
        role=Role.crosslinker,
        smiles="C1CC",
        parts=1.0,
        repeat_units=None,
        mw=None,
        pdi=None,
        catalog=None,
    )
    broken = Formulation.model_construct(
        name="bad", components=[*good.components, bad], process=good.process
    )
    with pytest.raises(SmilesError, match="C1CC"):
        collate_formulations([good, broken])


def test_physics_features_follow_bethe_stopping_power(example_dict):
    """Film stopping power at 100 keV is close to ESTAR's PMMA value and falls with energy."""
    from resistml.features.collate import PHYSICS_FEATURES, process_feature_names

    rows = []
    for energy in (25.0, 50.0, 100.0):
        example_dict["process"] = {"radiation": "electron", "beam_energy_keV": energy}
        batch = collate_formulations([Formulation.from_dict(example_dict)], physics=True)
        assert batch.process.shape[1] == len(process_feature_names(True))
        rows.append(dict(zip(process_feature_names(True), batch.process[0].tolist(), strict=True)))
    mass_sp = [10 ** r[PHYSICS_FEATURES[0]] for r in rows]
    # ESTAR collision stopping power of PMMA: 4.006 MeV cm2/g at 100 keV; a PHS/onium film is similar
    assert 3.7 < mass_sp[2] < 4.4
    # Bethe: S roughly ~ E^-0.8 between 25 and 100 keV (ESTAR PMMA 50->100 keV: 6.429/4.006 = 1.60)
    assert 1.5 < mass_sp[1] / mass_sp[2] < 1.7 and mass_sp[0] > mass_sp[1]
    for r in rows:  # linear = mass stopping power x density (1.0-1.4 g/cm3 for organics), in eV/nm
        density = 10 ** (r[PHYSICS_FEATURES[1]] - r[PHYSICS_FEATURES[0]]) * 10
        assert 1.0 < density < 1.4
    example_dict["process"] = {"radiation": "xray", "photon_energy_keV": 1.0}
    xray = collate_formulations([Formulation.from_dict(example_dict)], physics=True)
    assert xray.process[0, -len(PHYSICS_FEATURES) :].abs().sum() == 0


def test_index_batch_matches_per_formulation_features():
    """Batched index tensors equal the per-formulation feature functions, formulation by formulation."""
    from resistml.chem.smiles import canonical_smiles
    from resistml.features.collate import (
        ROLE_IDS,
        amount_features,
        index_batch,
        physics_features,
        process_features,
        structure_weights,
    )
    from resistml.formulation.table import iter_frame
    from resistml.inference.candidates import candidate_frame

    forms = random_formulations(30, seed=6) + [row for _, row in iter_frame(candidate_frame(10, seed=5))]
    for physics in (False, True):
        got = index_batch(forms, physics=physics)
        k = got.roles.shape[1]
        for b, form in enumerate(forms):
            n = len(form.components)
            assert got.roles[b, :n].tolist() == [ROLE_IDS[c.role] for c in form.components]
            assert not got.mask[b, n:].any()
            assert torch.allclose(got.amounts[b, :n], torch.tensor(amount_features(form)))
            expect = process_features(form.process) + (physics_features(form) if physics else [])
            assert torch.allclose(got.process[b], torch.tensor(expect))
            for c, structs in enumerate(structure_weights(form)):
                uses = (got.struct_slot == b * k + c).nonzero().flatten().tolist()
                assert [got.smiles[got.struct_index[m]] for m in uses] == [canonical_smiles(s) for s, _ in structs]
                assert torch.allclose(got.struct_weight[uses], torch.tensor([w for _, w in structs]))
        assert len(set(got.smiles)) == len(got.smiles)  # unique structures
