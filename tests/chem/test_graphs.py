"""Molecular graph features: sizes, chemistry, caching, salts, repeat-unit ends, bad SMILES."""

from __future__ import annotations

import pytest
import torch

from resistml.chem import graphs
from resistml.chem.graphs import ATOM_DIM, BOND_DIM, ELEMENTS, mol_graph
from resistml.chem.smiles import SmilesError

TPS_TF = "c1ccc(cc1)[S+](c1ccccc1)c1ccccc1.[O-]S(=O)(=O)C(F)(F)F"
PHS = "[*]CC([*])c1ccc(O)cc1"


def _block(x: torch.Tensor, name: str) -> torch.Tensor:
    start = 0
    for key, size in graphs.ATOM_FEATURE_SIZES.items():
        if key == name:
            return x[:, start : start + size]
        start += size
    raise KeyError(name)


def test_documented_sizes():
    assert ATOM_DIM == 40 and BOND_DIM == 13
    g = mol_graph(TPS_TF)
    assert g.x.shape == (g.num_nodes, ATOM_DIM) and g.x.dtype == torch.float32
    assert g.edge_attr.shape == (g.edge_index.shape[1], BOND_DIM)
    assert isinstance(graphs.FEATURIZER_VERSION, str) and graphs.FEATURIZER_VERSION


def test_salt_is_one_graph_of_disconnected_ions():
    g = mol_graph(TPS_TF)
    # triphenylsulfonium C18H15S+ (19 heavy atoms) + triflate CF3SO3- (8 heavy atoms)
    assert g.num_nodes == 27
    # 3 rings x 6 + 3 C-S bonds = 21 bonds in the cation, 7 in triflate; both directions stored
    assert g.edge_index.shape[1] == 2 * (21 + 7)
    charge = _block(g.x, "formal_charge")
    assert charge[:, 1].sum() == 1 and charge[:, 3].sum() == 1  # one O-, one S+
    element = _block(g.x, "element")
    assert element[:, ELEMENTS.index("F")].sum() == 3
    assert element[:, ELEMENTS.index("S")].sum() == 2


def test_every_row_is_one_hot_per_block():
    g = mol_graph("CC(=O)Oc1ccc(cc1)[I+]c1ccccc1.[Br-].[Si](C)(C)(C)C.[Se]")
    for name in ("degree", "formal_charge", "hybridisation", "total_h"):
        assert torch.all(_block(g.x, name).sum(1) == 1)
    element = _block(g.x, "element")
    assert torch.all(element.sum(1) == 1)
    assert element[:, -1].sum() == 1  # Se is "other"


def test_repeat_unit_ends_and_rings():
    g = mol_graph(PHS)
    end = _block(g.x, "repeat_unit_end")[:, 0]
    assert end.sum() == 2
    assert torch.all(_block(g.x, "element")[end.bool()] == 0)  # a [*] end has no element bit
    assert _block(g.x, "aromatic").sum() == 6 and _block(g.x, "in_ring").sum() == 6
    # bond block: 6 aromatic ring bonds (both directions), all conjugated and in ring
    aromatic = g.edge_attr[:, 3].bool()
    assert aromatic.sum() == 12
    assert torch.all(g.edge_attr[aromatic, 5] == 1) and torch.all(g.edge_attr[aromatic, 6] == 1)


def test_hydrogen_count_and_double_bond_stereo():
    g = mol_graph("C/C=C/C")  # trans-2-butene
    h = _block(g.x, "total_h").argmax(1).tolist()
    assert sorted(h) == [1, 1, 3, 3]
    double = g.edge_attr[:, 1].bool()
    assert double.sum() == 2
    stereo = g.edge_attr[double][:, 7:].argmax(1)
    assert set(stereo.tolist()) <= {3, 5}  # STEREOE or STEREOTRANS


def test_deterministic_and_cached_by_canonical_smiles():
    graphs.clear_cache()
    a = mol_graph("OCC")
    b = mol_graph("CCO")  # same molecule, different spelling
    assert a.smiles == b.smiles == "CCO"
    assert a.x is b.x  # one cache entry
    graphs.clear_cache()
    c = mol_graph("CCO")
    assert torch.equal(a.x, c.x) and torch.equal(a.edge_index, c.edge_index)
    assert torch.equal(a.edge_attr, c.edge_attr)


def test_single_atom_ion_has_no_edges():
    g = mol_graph("[OH-]")
    assert g.num_nodes == 1 and g.edge_index.shape == (2, 0) and g.edge_attr.shape == (0, BOND_DIM)


@pytest.mark.parametrize("bad", ["C1CC", "", "   ", "Xx", "C" * 501, 42, None])
def test_bad_smiles_raise_smiles_error(bad):
    with pytest.raises(SmilesError):
        mol_graph(bad)
