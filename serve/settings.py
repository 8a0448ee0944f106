"""Server settings, read from ``RESISTML_*`` environment variables (or given directly in tests).

| variable                       | meaning                                           | default            |
|--------------------------------|---------------------------------------------------|--------------------|
| ``RESISTML_MODEL_DIR``         | artifact directory or MLflow models:/, runs:/ URI | data/models/default|
| ``RESISTML_MODEL_FORMAT``      | artifact format served: torchscript or export     | torchscript        |
| ``RESISTML_API_TOKEN``         | bearer token required on ``/v1/*`` (unset: open)  | unset              |
| ``RESISTML_CORS_ORIGINS``      | comma-separated origins allowed by CORS, or ``*`` | none               |
| ``RESISTML_MAX_BODY_BYTES``    | largest request body                              | 1 MiB              |
| ``RESISTML_MAX_FORMULATIONS``  | formulations per ``/v1/predict`` or ``/v1/check`` | 256                |
| ``RESISTML_MAX_SIMULATIONS``   | formulations per ``/v1/simulate``                 | 8                  |
| ``RESISTML_MAX_SMILES_LENGTH`` | longest SMILES in a request (<= schema limit)     | 500                |
| ``RESISTML_MAX_REQUEST_ATOMS`` | heavy atoms over a request's distinct SMILES      | 50000              |
| ``RESISTML_REQUEST_TIMEOUT_S`` | queue wait + work per request (503 / 504 after)   | 30                 |
| ``RESISTML_WORKER_THREADS``    | threads of the predict/check queue                | min(8, 2 x CPUs)   |
| ``RESISTML_SIMULATE_THREADS``  | threads of the simulate queue                     | min(4, CPUs)       |
| ``RESISTML_QUEUE_DEPTH``       | requests waiting per queue before 503             | 64                 |
| ``RESISTML_IDLE_RELEASE_S``    | idle seconds before parse caches are dropped      | 60                 |
| ``RESISTML_TORCH_THREADS``     | torch threads per worker (requests run in threads)| 1                  |
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from resistml.chem.smiles import MAX_SMILES_LENGTH


def _default_model_dir() -> Path | None:
    try:
        from resistml.paths import data_dir

        return data_dir() / "models" / "default"
    except FileNotFoundError:
        return None


def _default_workers() -> int:
    """Model-queue threads: short requests, so two per core (at most 8)."""
    return max(2, min(8, 2 * (os.cpu_count() or 1)))


def _default_simulate_workers() -> int:
    """Simulate-queue threads: long CPU-bound requests, one per core (at most 4)."""
    return max(1, min(4, os.cpu_count() or 1))


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name}: expected a positive integer, got {raw!r}") from None
    if value <= 0:
        raise ValueError(f"{name}: expected a positive integer, got {raw!r}")
    return value


MODEL_FORMATS = ("torchscript", "export")


def _model_dir(value: str) -> Path:
    """``RESISTML_MODEL_DIR``: a directory, or an MLflow ``models:/`` / ``runs:/`` URI (downloaded here)."""
    from resistml.inference.model_uri import ModelURIError, resolve_model

    try:
        return resolve_model(value)
    except ModelURIError as exc:
        raise ValueError(f"RESISTML_MODEL_DIR: {exc}") from None


def _format_env() -> str:
    raw = (os.environ.get("RESISTML_MODEL_FORMAT") or "").strip()
    if not raw:
        return "torchscript"
    if raw not in MODEL_FORMATS:
        raise ValueError(f"RESISTML_MODEL_FORMAT: expected one of {', '.join(MODEL_FORMATS)}, got {raw!r}")
    return raw


@dataclass(frozen=True)
class Settings:
    """Everything the app needs to know about its deployment."""

    model_dir: Path | None = field(default_factory=_default_model_dir)
    model_format: str = "torchscript"
    """Which programs of the artifact serve: ``torchscript`` (fast to load) or ``export`` (torch.export)."""
    require_model: bool = False
    """Fail start-up when the model cannot be loaded (true when a model dir was named explicitly)."""
    api_token: str | None = None
    cors_origins: tuple[str, ...] = ()
    max_body_bytes: int = 1 << 20
    max_formulations: int = 256
    max_simulations: int = 8
    max_smiles_length: int = MAX_SMILES_LENGTH
    max_request_atoms: int = 50_000
    """Heavy atoms over the distinct SMILES of one request (bounds RDKit and encoder work)."""
    request_timeout_s: float = 30.0
    """Deadline of one heavy request: body upload, queue wait and work (408 / 503 / 504 after)."""
    worker_threads: int = field(default_factory=_default_workers)
    """Threads of the model queue (``/v1/predict``, ``/v1/check``)."""
    simulate_threads: int = field(default_factory=_default_simulate_workers)
    """Threads of the ``/v1/simulate`` queue."""
    queue_depth: int = 64
    idle_release_s: float = 60.0
    """After this long without requests the parsed-molecule caches are dropped (memory back to the OS)."""
    torch_threads: int = 1

    def __post_init__(self) -> None:
        if self.model_format not in MODEL_FORMATS:
            raise ValueError(f"model_format: expected one of {', '.join(MODEL_FORMATS)}, got {self.model_format!r}")

    @classmethod
    def from_env(cls) -> Settings:
        """Settings from the ``RESISTML_*`` variables (see module docstring)."""
        model = os.environ.get("RESISTML_MODEL_DIR")
        origins = os.environ.get("RESISTML_CORS_ORIGINS", "")
        smiles_max = _int_env("RESISTML_MAX_SMILES_LENGTH", MAX_SMILES_LENGTH)
        return cls(
            model_dir=_model_dir(model) if model else _default_model_dir(),
            model_format=_format_env(),
            require_model=bool(model),
            api_token=os.environ.get("RESISTML_API_TOKEN") or None,
            cors_origins=tuple(o.strip() for o in origins.split(",") if o.strip()),
            max_body_bytes=_int_env("RESISTML_MAX_BODY_BYTES", 1 << 20),
            max_formulations=_int_env("RESISTML_MAX_FORMULATIONS", 256),
            max_simulations=_int_env("RESISTML_MAX_SIMULATIONS", 8),
            max_smiles_length=min(smiles_max, MAX_SMILES_LENGTH),
            max_request_atoms=_int_env("RESISTML_MAX_REQUEST_ATOMS", 50_000),
            request_timeout_s=float(_int_env("RESISTML_REQUEST_TIMEOUT_S", 30)),
            worker_threads=_int_env("RESISTML_WORKER_THREADS", _default_workers()),
            simulate_threads=_int_env("RESISTML_SIMULATE_THREADS", _default_simulate_workers()),
            queue_depth=_int_env("RESISTML_QUEUE_DEPTH", 64),
            idle_release_s=float(_int_env("RESISTML_IDLE_RELEASE_S", 60)),
            torch_threads=_int_env("RESISTML_TORCH_THREADS", 1),
        )
