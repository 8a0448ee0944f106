"""Typed response bodies of the API (pydantic), so the OpenAPI document describes every answer.

The heavy endpoints build their JSON bytes on a worker thread (``serve.app._json_response``) and
return them as a ``Response``; FastAPI then uses these models for the OpenAPI document only, the
bytes are what :class:`resistml.inference.predictor.Prediction` and friends produce. The light
endpoints (``/healthz``, ``/v1/catalog``, ``/v1/model``) are serialised through them. Open-ended
mappings (catalog entries, model metadata, simulator intermediates) allow further keys.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Health(BaseModel):
    status: str = Field(description="'ok' while the process is up")


class Ready(BaseModel):
    ready: bool
    model: str | None = Field(None, description="'<name>:<version>' of the loaded model (when ready)")
    reason: str | None = Field(None, description="why not ready")


class TargetValue(BaseModel):
    value: float | None = Field(description="predicted value in its unit (the median for log-trained targets)")
    std: float | None = Field(description="1-sigma uncertainty in the same unit")
    low: float | None = Field(description="lower end of the 1-sigma band")
    high: float | None = Field(description="upper end of the 1-sigma band")
    unit: str


class PredictionOut(BaseModel):
    name: str
    targets: dict[str, TargetValue] = Field(description="per target (sensitivity, gel_dose, resolution_nm, ...)")
    dose_unit: str = Field(description="uC/cm2 (electron) or mJ/cm2 (X-ray)")
    in_domain: bool = Field(description="false when the formulation lies outside the training data or is very uncertain")
    domain_notes: list[str]
    warnings: list[str] = Field(description="the formulation's warnings, as `resistml check` prints them")


class PredictResponse(BaseModel):
    model: str = Field(description="'<name>:<version>' of the model that answered")
    predictions: list[PredictionOut]


class SimulationOut(BaseModel):
    model_config = ConfigDict(extra="allow")

    name: str
    properties: dict[str, Any] = Field(description="simulated properties and status (null where undefined)")
    film: dict[str, Any] = Field(description="film intermediates")
    psf: dict[str, Any] = Field(description="point-spread-function parameters")
    contrast_dose: list[float | None]
    contrast_thickness: list[float | None]
    cd_dose: list[float | None]
    cd_nm: list[float | None]
    cd_half_pitch_nm: float | None
    pitch_table: dict[str, list[float | None]] = {}


class SimulateResponse(BaseModel):
    simulations: list[SimulationOut]


class ComponentCheck(BaseModel):
    name: str
    role: str
    parts: float
    classes: list[str] = Field(description="recognised structure classes")


class CheckResult(BaseModel):
    valid: bool
    name: str | None = None
    errors: list[str]
    warnings: list[str]
    components: list[ComponentCheck]
    claims: list[int] = Field(description="numbers of the claims whose requirements the formulation meets")
    claim_notes: list[str]
    claim_texts: list[str]
    claims_of: str


class CheckResponse(BaseModel):
    results: list[CheckResult]


class CatalogEntry(BaseModel):
    model_config = ConfigDict(extra="allow")

    name: str
    role: str


class CatalogResponse(BaseModel):
    components: list[CatalogEntry]


class ModelInfo(BaseModel):
    """The loaded artifact's metadata (``metadata.json``; further keys as exported)."""

    model_config = ConfigDict(extra="allow", protected_namespaces=())

    model_name: str
    model_version: str
    targets: list[str]
    target_units: dict[str, str] = {}
    format: str | None = None
