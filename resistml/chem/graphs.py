"""RDKit molecules -> PyTorch Geometric graphs with chemically meaningful atom and bond features.

Feature choice follows the common open featurisers (Chemprop v2 ``MultiHotAtomFeaturizer``;
Hu et al., "Strategies for Pre-training Graph Neural Networks", ICLR 2020), restricted to what
distinguishes resist components: the elements of onium salts, sulfonates, melamines and resins
(S, I, F, P, B, Si, halogens), formal charge (onium cation / sulfonate anion), and a flag for the
``[*]`` ends of resin repeat units. A salt stays one graph of disconnected ions. Featurisation is
cached by RDKit canonical SMILES, so equivalent spellings share one entry.

Atom features (``ATOM_DIM`` columns, one-hot unless noted):
  element (``ELEMENTS`` + "other"; a ``[*]`` end has no element bit), degree 0-5 / 6+,
  formal charge -2..+2 (clipped), hybridisation (``HYBRIDISATIONS`` + other), aromatic (bit),
  total H count 0-4 (4 = 4+), in ring (bit), repeat-unit end ``[*]`` (bit).
Bond features (``BOND_DIM`` columns): type (single, double, triple, aromatic, other),
  conjugated (bit), in ring (bit), stereo (``STEREOS``).
"""

from __future__ import annotations

import torch
from rdkit import Chem
from torch_geometric.data import Data

from resistml.chem.smiles import bounded_cache, canonical_smiles, check_smiles_text, parse_smiles

FEATURIZER_VERSION = "graphs-v1"
"""Changes whenever a feature, its order or its encoding changes (stored in model artifacts)."""

ELEMENTS: tuple[str, ...] = ("H", "B", "C", "N", "O", "F", "Si", "P", "S", "Cl", "Br", "I")
"""Elements with their own one-hot bit; every other element falls into the "other" bit."""
MAX_DEGREE = 6
"""Degree one-hot covers 0..MAX_DEGREE-1 plus a last bit for MAX_DEGREE or more."""
CHARGES: tuple[int, ...] = (-2, -1, 0, 1, 2)
"""Formal charges with their own bit (values beyond are clipped to the ends)."""
HYBRIDISATIONS: tuple[Chem.HybridizationType, ...] = (
    Chem.HybridizationType.S,
    Chem.HybridizationType.SP,
    Chem.HybridizationType.SP2,
    Chem.HybridizationType.SP3,
    Chem.HybridizationType.SP3D,
    Chem.HybridizationType.SP3D2,
)
MAX_HS = 4
"""Total hydrogen count one-hot covers 0..MAX_HS (the last bit meaning MAX_HS or more)."""
BOND_TYPES: tuple[Chem.BondType, ...] = (
    Chem.BondType.SINGLE,
    Chem.BondType.DOUBLE,
    Chem.BondType.TRIPLE,
    Chem.BondType.AROMATIC,
)
STEREOS: tuple[Chem.BondStereo, ...] = (
    Chem.BondStereo.STEREONONE,
    Chem.BondStereo.STEREOANY,
    Chem.BondStereo.STEREOZ,
    Chem.BondStereo.STEREOE,
    Chem.BondStereo.STEREOCIS,
    Chem.BondStereo.STEREOTRANS,
)

ATOM_FEATURE_SIZES: dict[str, int] = {
    "element": len(ELEMENTS) + 1,
    "degree": MAX_DEGREE + 1,
    "formal_charge": len(CHARGES),
    "hybridisation": len(HYBRIDISATIONS) + 1,
    "aromatic": 1,
    "total_h": MAX_HS + 1,
    "in_ring": 1,
    "repeat_unit_end": 1,
}
BOND_FEATURE_SIZES: dict[str, int] = {
    "type": len(BOND_TYPES) + 1,
    "conjugated": 1,
    "in_ring": 1,
    "stereo": len(STEREOS),
}
ATOM_DIM = sum(ATOM_FEATURE_SIZES.values())
"""Atom feature width (40)."""
BOND_DIM = sum(BOND_FEATURE_SIZES.values())
"""Bond feature width (13)."""

_ELEMENT_INDEX = {symbol: i for i, symbol in enumerate(ELEMENTS)}


def _one_hot(index: int, size: int) -> list[float]:
    row = [0.0] * size
    row[index] = 1.0
    return row


def atom_features(atom: Chem.Atom) -> list[float]:
    """The ``ATOM_DIM`` features of one atom (see module docstring for the layout)."""
    is_end = atom.GetAtomicNum() == 0
    element = [0.0] * ATOM_FEATURE_SIZES["element"]
    if not is_end:
        element[_ELEMENT_INDEX.get(atom.GetSymbol(), len(ELEMENTS))] = 1.0
    charge = min(max(atom.GetFormalCharge(), CHARGES[0]), CHARGES[-1]) - CHARGES[0]
    hyb = atom.GetHybridization()
    hyb_index = HYBRIDISATIONS.index(hyb) if hyb in HYBRIDISATIONS else len(HYBRIDISATIONS)
    return (
        element
        + _one_hot(min(atom.GetDegree(), MAX_DEGREE), MAX_DEGREE + 1)
        + _one_hot(charge, len(CHARGES))
        + _one_hot(hyb_index, len(HYBRIDISATIONS) + 1)
        + [float(atom.GetIsAromatic())]
        + _one_hot(min(atom.GetTotalNumHs(), MAX_HS), MAX_HS + 1)
        + [float(atom.IsInRing())]
        + [float(is_end)]
    )


def bond_features(bond: Chem.Bond) -> list[float]:
    """The ``BOND_DIM`` features of one bond (see module docstring for the layout)."""
    btype = bond.GetBondType()
    type_index = BOND_TYPES.index(btype) if btype in BOND_TYPES else len(BOND_TYPES)
    stereo = bond.GetStereo()
    stereo_index = STEREOS.index(stereo) if stereo in STEREOS else 0
    return (
        _one_hot(type_index, len(BOND_TYPES) + 1)
        + [float(bond.GetIsConjugated()), float(bond.IsInRing())]
        + _one_hot(stereo_index, len(STEREOS))
    )


@bounded_cache(maxsize=65536, max_cost=256 << 20, cost=lambda _, ts: sum(t.nelement() * t.element_size() for t in ts))
def _graph_tensors(canonical: str) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    mol = parse_smiles(canonical)
    x = torch.tensor([atom_features(a) for a in mol.GetAtoms()], dtype=torch.float32)
    src, dst, feats = [], [], []
    for bond in mol.GetBonds():
        i, j, f = bond.GetBeginAtomIdx(), bond.GetEndAtomIdx(), bond_features(bond)
        src += [i, j]
        dst += [j, i]
        feats += [f, f]
    edge_index = torch.tensor([src, dst], dtype=torch.long).reshape(2, -1)
    edge_attr = torch.tensor(feats, dtype=torch.float32).reshape(-1, BOND_DIM)
    for t in (x, edge_index, edge_attr):
        t.requires_grad_(False)
    return x, edge_index, edge_attr


def mol_graph(smiles: str) -> Data:
    """Featurise one SMILES (molecule, salt or ``[*]``-ended repeat unit) as a PyG ``Data``.

    Raises :class:`resistml.chem.smiles.SmilesError` for invalid SMILES (checked before
    featurising). The result carries ``x [N, ATOM_DIM]``, ``edge_index [2, 2E]`` (both
    directions), ``edge_attr [2E, BOND_DIM]`` and ``smiles`` (canonical). Tensors are shared
    with the cache: treat them as read-only.
    """
    canonical = canonical_smiles(check_smiles_text(smiles))
    x, edge_index, edge_attr = _graph_tensors(canonical)
    return Data(
        x=x, edge_index=edge_index, edge_attr=edge_attr, smiles=canonical, num_nodes=x.shape[0]
    )


def clear_cache() -> None:
    """Drop cached graphs (e.g. in tests that measure featurisation time)."""
    _graph_tensors.cache_clear()
