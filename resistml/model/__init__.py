"""ResistNet: per-molecule GNN encoder, Set Transformer over components, Gaussian heads.

Owns the network (torch and PyG layers only): it sees tensors (a
:class:`resistml.features.collate.FormulationBatch` or its fields), never RDKit or files.

May import: :mod:`resistml.targets`. Feature types only for type checking. Nothing above.
"""

from resistml.model.encoder import GINELayer, MoleculeEncoder
from resistml.model.ensemble import ResistEnsemble, build_model
from resistml.model.resistnet import (
    TARGETS,
    ResistNet,
    batch_inputs,
    members_batch,
    predict_batch,
    predict_batch_outcomes,
)
from resistml.model.set_transformer import MAB, DeepSets, SetTransformer

__all__ = [
    "MAB",
    "TARGETS",
    "DeepSets",
    "GINELayer",
    "MoleculeEncoder",
    "ResistEnsemble",
    "ResistNet",
    "SetTransformer",
    "batch_inputs",
    "build_model",
    "members_batch",
    "predict_batch",
    "predict_batch_outcomes",
]
