"""Trained weights -> an eager ResistNet: Lightning checkpoints and plain state-dict files."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn

from resistml.features import collate
from resistml.inference.export import ArtifactError


def load_checkpoint(path: str | Path, config: dict[str, Any] | None = None) -> tuple[nn.Module, dict[str, Any]]:
    """An eager ResistNet and its metadata from a Lightning checkpoint or a plain state-dict file.

    Looks for the model configuration in ``config``, else the checkpoint's ``model_config`` or
    ``hyper_parameters`` (``model_config``/``model``); metadata in ``metadata`` or
    ``hyper_parameters.metadata``. A ``model.`` prefix (LightningModule attribute) is stripped.
    """
    from resistml.model import build_model

    try:
        obj = torch.load(str(path), map_location="cpu", weights_only=True)
    except (OSError, RuntimeError, ValueError, EOFError, pickle.UnpicklingError) as exc:
        raise ArtifactError(f"{path}: cannot read checkpoint ({str(exc).splitlines()[0]})") from None
    if not isinstance(obj, dict):
        raise ArtifactError(f"{path}: expected a checkpoint dictionary, got {type(obj).__name__}")
    hparams = obj.get("hyper_parameters") or {}
    state = obj.get("state_dict", obj)
    state = {k.removeprefix("model."): v for k, v in state.items() if isinstance(v, Tensor)}
    cfg = config or obj.get("model_config") or hparams.get("model_config") or _config_from_hparams(hparams, state)
    if not isinstance(cfg, dict):
        raise ArtifactError(f"{path}: no model configuration inside; pass --config FILE (ResistNet keyword arguments)")
    cfg = {k: tuple(v) if isinstance(v, list) else v for k, v in cfg.items()}
    try:
        model = build_model(cfg)  # a ResistNet, or a deep ensemble when cfg has members > 1
        model.load_state_dict(state)
    except (TypeError, RuntimeError, ValueError) as exc:
        raise ArtifactError(f"{path}: weights do not fit the model configuration ({str(exc).splitlines()[0]})") from None
    meta = dict(obj.get("metadata") or hparams.get("metadata") or {})
    if "targets" in hparams and "targets" not in meta:
        meta["targets"] = list(hparams["targets"])
    return model.eval(), meta


_HPARAM_KEYS = ("hidden", "gnn_layers", "heads", "set_blocks", "pooling", "dropout", "use_physics")


def _config_from_hparams(hparams: dict[str, Any], state: dict[str, Tensor]) -> dict[str, Any] | None:
    """ResistNet arguments from a LightningModule's hyper-parameters plus the weight shapes.

    Widths that the module derives (process columns, number of targets) are read from the
    weights themselves, so the checkpoint alone describes the model.
    """
    if "hidden" not in hparams or "process_in.0.weight" not in state:
        return None
    cfg = {k: hparams[k] for k in _HPARAM_KEYS if k in hparams}
    process_dim = int(state["process_in.0.weight"].shape[1])
    cfg["process_dim"] = process_dim
    cfg["physics_columns"] = tuple(range(len(collate.PROCESS_FEATURES), process_dim))
    cfg["num_targets"] = int(state["target_mean"].shape[0])
    return cfg
