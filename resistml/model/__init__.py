"""ResistNet: per-molecule GNN encoder, Set Transformer over components, Gaussian heads."""

from resistml.model.encoder import GINELayer, MoleculeEncoder
from resistml.model.resistnet import TARGETS, ResistNet, batch_inputs, predict_batch
from resistml.model.set_transformer import MAB, DeepSets, SetTransformer

__all__ = [
    "MAB",
    "TARGETS",
    "DeepSets",
    "GINELayer",
    "MoleculeEncoder",
    "ResistNet",
    "SetTransformer",
    "batch_inputs",
    "predict_batch",
]
