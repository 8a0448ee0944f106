"""Training application for ResistNet: LightningModule, DataModule and YAML configs."""

from train.datamodule import CollateFormulations, FormulationDataModule, load_parts
from train.module import ResistNetModule, beta_gaussian_nll, warmup_cosine

__all__ = [
    "CollateFormulations",
    "FormulationDataModule",
    "ResistNetModule",
    "beta_gaussian_nll",
    "load_parts",
    "warmup_cosine",
]
