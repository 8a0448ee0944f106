"""ResistNet: invariances, determinism, scripting/export equivalence, gradients, GINE correctness."""

from __future__ import annotations

import pytest
import torch
from torch_geometric.nn import GINEConv

from resistml.chem import graphs
from resistml.features import collate
from resistml.features.collate import collate_formulations
from resistml.formulation import Formulation
from resistml.model import TARGETS, GINELayer, ResistNet, batch_inputs, predict_batch
from tests.model_fixtures import random_formulations

pytestmark = pytest.mark.usefixtures("one_thread")


SMALL = {"hidden": 32, "gnn_layers": 3, "heads": 4, "set_blocks": 2, "dropout": 0.0}


def _model(seed: int = 0, **kw) -> ResistNet:
    torch.manual_seed(seed)
    return ResistNet(**{**SMALL, **kw}).eval()


def _permuted(form: Formulation, order: list[int]) -> Formulation:
    data = form.to_dict()
    data["components"] = [data["components"][i] for i in order]
    return Formulation.from_dict(data)


@pytest.fixture(scope="module")
def forms() -> list[Formulation]:
    return random_formulations(10, seed=7)


def test_default_sizes_match_the_featurizer():
    model = ResistNet()
    assert model.encoder.atom_in.in_features == graphs.ATOM_DIM
    assert model.encoder.blocks[0].conv.edge.in_features == graphs.BOND_DIM
    assert model.component_in[0].in_features == model.hidden + len(collate.AMOUNT_FEATURES)
    assert model.process_in[0].in_features == len(collate.PROCESS_FEATURES)
    assert model.role_embedding.num_embeddings == collate.NUM_ROLE_IDS
    assert model.num_targets == len(TARGETS)


def test_gine_layer_equals_pyg_gineconv():
    torch.manual_seed(0)
    layer = GINELayer(16, graphs.BOND_DIM)
    with torch.no_grad():
        layer.eps.fill_(0.3)
    conv = GINEConv(layer.mlp, train_eps=True, edge_dim=graphs.BOND_DIM)
    conv.lin.load_state_dict(layer.edge.state_dict())
    with torch.no_grad():
        conv.eps.fill_(0.3)
    g = graphs.mol_graph("c1ccc(cc1)[S+](c1ccccc1)c1ccccc1.[O-]S(=O)(=O)C(F)(F)F")
    h = torch.randn(g.num_nodes, 16)
    expected = conv(h, g.edge_index, g.edge_attr)
    assert torch.allclose(layer(h, g.edge_index, g.edge_attr), expected, atol=1e-5)


@pytest.mark.parametrize("pooling", ["attention", "mean", "sum"])
def test_permutation_invariance(forms, pooling):
    model = _model(pooling=pooling)
    mean, var = predict_batch(model, collate_formulations(forms))
    g = torch.Generator().manual_seed(1)
    shuffled = [
        _permuted(f, torch.randperm(len(f.components), generator=g).tolist()) for f in forms
    ]
    mean2, var2 = predict_batch(model, collate_formulations(shuffled))
    assert torch.allclose(mean, mean2, atol=1e-5) and torch.allclose(var, var2, rtol=1e-4)


@pytest.mark.parametrize("pooling", ["attention", "mean", "sum"])
def test_padding_invariance(forms, pooling):
    model = _model(pooling=pooling)
    mean, var = predict_batch(model, collate_formulations(forms))
    padded = collate_formulations(forms, num_slots=collate_formulations(forms).num_slots + 3)
    assert padded.mask[:, -3:].sum() == 0
    mean2, var2 = predict_batch(model, padded)
    assert torch.allclose(mean, mean2, atol=1e-5) and torch.allclose(var, var2, rtol=1e-4)
    # a formulation alone gives the same answer as inside a batch of others
    alone, _ = predict_batch(model, collate_formulations(forms[3:4]))
    assert torch.allclose(alone[0], mean[3], atol=1e-5)


def test_unique_and_separate_encoding_agree(forms):
    model = _model()
    shared = predict_batch(model, collate_formulations(forms))
    separate = predict_batch(model, collate_formulations(forms, unique=False))
    assert torch.allclose(shared[0], separate[0], atol=1e-5)


def test_deterministic_with_a_seed(forms):
    batch = collate_formulations(forms)
    a, b = predict_batch(_model(3), batch), predict_batch(_model(3), batch)
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])
    c = predict_batch(_model(4), batch)
    assert not torch.allclose(a[0], c[0])


def test_outputs_are_finite_and_variances_positive(forms):
    model = _model()
    model.set_target_scaling(
        torch.tensor([1.0, 0.8, 1.5, 3.0, 0.5]), torch.tensor([0.5, 0.4, 0.3, 2.0, 0.2])
    )
    mean, var = predict_batch(model, collate_formulations(forms))
    assert mean.shape == var.shape == (len(forms), len(TARGETS))
    assert torch.isfinite(mean).all() and (var > 0).all()


def test_scripted_entry_points_match_eager_on_new_batch_sizes(forms):
    model = _model()
    scripted = torch.jit.script(model)
    for n in (1, 3, 17):
        batch = collate_formulations(random_formulations(n, seed=n))
        g = batch.graphs
        args = (g.x, g.edge_index, g.edge_attr, g.batch, int(g.num_graphs))
        emb, emb_s = model.encode_molecules(*args), scripted.encode_molecules(*args)
        assert torch.allclose(emb, emb_s, atol=1e-6)
        rest = (batch.struct_index, batch.struct_weight, batch.struct_slot, batch.roles,
                batch.amounts, batch.mask, batch.process)  # fmt: skip
        eager = model.predict_formulations(emb, *rest)
        script = scripted.predict_formulations(emb_s, *rest)
        assert torch.allclose(eager[0], script[0], atol=1e-5)
        assert torch.allclose(eager[1], script[1], rtol=1e-4)
        assert torch.allclose(scripted(*batch_inputs(batch))[0], eager[0], atol=1e-5)


def test_cached_embeddings_reproduce_the_full_forward(forms):
    """Serving path: embed each molecule once, look embeddings up by SMILES, then predict."""
    model = _model()
    batch = collate_formulations(forms)
    full = predict_batch(model, batch)
    cache = {}
    for smiles in batch.smiles:
        g = graphs.mol_graph(smiles)
        cache[smiles] = model.encode_molecules(
            g.x, g.edge_index, g.edge_attr, torch.zeros(g.num_nodes, dtype=torch.long), 1
        )[0]
    emb = torch.stack([cache[s] for s in batch.smiles])
    cached = model.predict_formulations(
        emb, batch.struct_index, batch.struct_weight, batch.struct_slot,
        batch.roles, batch.amounts, batch.mask, batch.process,
    )  # fmt: skip
    assert torch.allclose(full[0], cached[0], atol=1e-5)


def test_physics_flag_zeroes_the_physics_columns(forms):
    batch = collate_formulations(forms)
    extra = torch.cat([batch.process, torch.randn(len(forms), 1)], dim=1)
    dim = extra.shape[1]
    kw = {"process_dim": dim, "physics_columns": (dim - 1,)}
    without = _model(use_physics=False, **kw)
    changed = extra.clone()
    changed[:, -1] += 5.0
    a = predict_batch(without, batch.__class__(**{**batch.__dict__, "process": extra}))
    b = predict_batch(without, batch.__class__(**{**batch.__dict__, "process": changed}))
    assert torch.equal(a[0], b[0])
    with_physics = _model(use_physics=True, **kw)
    c = predict_batch(with_physics, batch.__class__(**{**batch.__dict__, "process": extra}))
    d = predict_batch(with_physics, batch.__class__(**{**batch.__dict__, "process": changed}))
    assert not torch.allclose(c[0], d[0])


def test_gradient_reaches_every_parameter(forms):
    model = _model().train()
    batch = collate_formulations(forms)
    mean, var = predict_batch(model, batch)
    target = torch.randn_like(mean)
    loss = torch.nn.functional.gaussian_nll_loss(mean, target, var)
    loss.backward()
    for name, p in model.named_parameters():
        assert p.grad is not None and torch.isfinite(p.grad).all(), name
    assert model.encoder.atom_in.weight.grad.abs().sum() > 0
    assert model.film.weight.grad.abs().sum() > 0


def test_bad_constructor_arguments_name_the_field():
    with pytest.raises(ValueError, match="pooling"):
        ResistNet(pooling="max")
    with pytest.raises(ValueError, match="heads"):
        ResistNet(hidden=30, heads=4)
    with pytest.raises(ValueError, match="layers"):
        ResistNet(gnn_layers=0)


@pytest.mark.slow
def test_predict_formulations_exports_with_dynamic_shapes():
    """torch.export of the formulation entry point, re-run on other batch and set sizes."""
    from torch.export import Dim, export

    model = _model()

    class Predict(torch.nn.Module):
        def __init__(self, net: ResistNet):
            super().__init__()
            self.net = net

        def forward(self, emb, s_index, s_weight, s_slot, roles, amounts, mask, process):
            return self.net.predict_formulations(
                emb, s_index, s_weight, s_slot, roles, amounts, mask, process
            )

    def inputs(batch):
        g = batch.graphs
        emb = model.encode_molecules(g.x, g.edge_index, g.edge_attr, g.batch, int(g.num_graphs))
        return (emb, batch.struct_index, batch.struct_weight, batch.struct_slot,
                batch.roles, batch.amounts, batch.mask, batch.process)  # fmt: skip

    b, k, u, m = Dim("B"), Dim("K"), Dim("U"), Dim("M")
    shapes = ({0: u}, {0: m}, {0: m}, {0: m}, {0: b, 1: k}, {0: b, 1: k}, {0: b, 1: k}, {0: b})
    program = export(
        Predict(model), inputs(collate_formulations(random_formulations(8))), dynamic_shapes=shapes
    )
    other = inputs(collate_formulations(random_formulations(13, seed=5), num_slots=7))
    assert torch.allclose(
        program.module()(*other)[0], model.predict_formulations(*other)[0], atol=1e-5
    )


def test_runs_under_bfloat16_autocast(forms):
    """The gpu.yaml config trains with bf16 mixed precision; the forward must accept it."""
    model = _model()
    batch = collate_formulations(forms)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        mean, var = predict_batch(model, batch)
    reference = predict_batch(model, batch)[0]
    assert torch.isfinite(mean).all() and (var > 0).all()
    assert torch.allclose(mean.float(), reference, atol=0.1)
