"""The resistml HTTP API (FastAPI) and the formulation GUI at ``/``.

``POST /v1/predict``, ``/v1/simulate`` and ``/v1/check`` take ``{"formulations": [...]}`` in the
file format of :mod:`resistml.formulation`; ``GET /v1/catalog`` and ``/v1/model`` describe the
components and the loaded model; ``/healthz`` (process up) and ``/readyz`` (model loaded) serve
orchestrators. Invalid formulations are 422 with one ``field`` path per problem. Limits, auth and
CORS come from :class:`serve.settings.Settings`.
"""

from __future__ import annotations

import hmac
import logging
import math
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.utils import get_openapi
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field, WithJsonSchema
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import resistml
from resistml.formulation import Formulation, FormulationError, catalog
from serve.limits import BodyLimitMiddleware, smiles_errors
from serve.settings import Settings

log = logging.getLogger("resistml.serve")
STATIC = Path(__file__).parent / "static"

FormulationDoc = Annotated[dict[str, Any], WithJsonSchema({"$ref": "#/components/schemas/Formulation"})]


class FormulationsRequest(BaseModel):
    """Request body: formulations in the documented file format."""

    formulations: list[FormulationDoc] = Field(min_length=1, description="formulation objects (file format)")


# ---- errors ------------------------------------------------------------------------------
_PATH_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _error_entry(line: str) -> dict[str, Any]:
    """``formulations[0].components[1].smiles: msg`` -> FastAPI-style detail with ``field``."""
    path, sep, msg = line.partition(": ")
    if not sep:
        path, msg = "formulations", line
    loc: list[Any] = ["body"]
    for name, index in _PATH_PART.findall(path):
        loc.append(int(index) if index else name)
    return {"loc": loc, "field": path, "msg": msg, "type": "value_error"}


def _unprocessable(lines: list[str]) -> JSONResponse:
    return JSONResponse(status_code=422, content={"detail": [_error_entry(x) for x in lines]})


class _Invalid(Exception):
    def __init__(self, lines: list[str]):
        self.lines = lines


def _field_of(loc: tuple[Any, ...]) -> str:
    parts = [p for p in loc if p != "body"]
    text = ""
    for p in parts:
        text += f"[{p}]" if isinstance(p, int) else (f".{p}" if text else str(p))
    return text or "body"


async def _validation_handler(_: Request, exc: RequestValidationError) -> JSONResponse:
    detail = []
    for e in exc.errors():
        if e["type"] == "json_invalid":  # loc holds the character offset, not a field
            error = (e.get("ctx") or {}).get("error", "invalid JSON")
            detail.append({"loc": ["body"], "field": "body", "msg": f"not valid JSON: {error}", "type": e["type"]})
        else:
            detail.append({"loc": list(e["loc"]), "field": _field_of(tuple(e["loc"])), "msg": e["msg"], "type": e["type"]})
    return JSONResponse(status_code=422, content={"detail": detail})


async def _invalid_handler(_: Request, exc: _Invalid) -> JSONResponse:
    return _unprocessable(exc.lines)


# ---- request helpers ---------------------------------------------------------------------
def _validate(body: FormulationsRequest, limit: int, settings: Settings) -> list[Formulation]:
    """Formulations of a request, or _Invalid with every field problem."""
    docs = body.formulations
    if len(docs) > limit:
        raise _Invalid([f"formulations: at most {limit} formulations per request, got {len(docs)}"])
    errors = smiles_errors(docs, settings.max_smiles_length)
    if errors:
        raise _Invalid(errors)
    forms = []
    for i, doc in enumerate(docs):
        try:
            forms.append(Formulation.from_dict(doc))
        except FormulationError as exc:
            errors += [f"formulations[{i}].{e}" for e in exc.errors]
    if errors:
        raise _Invalid(errors)
    return forms


def _jsonable(value: Any) -> Any:
    """Plain JSON types from dataclasses, pydantic models, NumPy values; NaN and inf -> None."""
    if hasattr(value, "to_dict"):
        return _jsonable(value.to_dict())
    if hasattr(value, "model_dump"):
        return _jsonable(value.model_dump(mode="json"))
    if hasattr(value, "__dataclass_fields__"):
        return {k: _jsonable(getattr(value, k)) for k in value.__dataclass_fields__}
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "tolist"):
        return _jsonable(value.tolist())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


# ---- application -------------------------------------------------------------------------
def _load_predictor(settings: Settings) -> Any:
    from resistml.inference.export import ArtifactError
    from resistml.inference.predictor import Predictor

    if settings.model_dir is None or not settings.model_dir.exists():
        if settings.require_model:
            raise ArtifactError(f"{settings.model_dir}: no model artifact directory here")
        log.warning("no model at %s: /v1/predict answers 503 until one is exported", settings.model_dir)
        return None
    return Predictor.load(settings.model_dir)


def create_app(settings: Settings | None = None, predictor: Any = None) -> FastAPI:
    """The app; loads the model at start-up unless a ``predictor`` is given (tests)."""
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        import torch

        torch.set_num_threads(settings.torch_threads)
        app.state.predictor = predictor if predictor is not None else _load_predictor(settings)
        yield

    app = FastAPI(
        title="resistml",
        version=resistml.__version__,
        description="Property prediction and simulation for negative-tone chemically amplified resists.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.predictor = predictor
    app.add_exception_handler(RequestValidationError, _validation_handler)
    app.add_exception_handler(_Invalid, _invalid_handler)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
        )
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(TimingMiddleware)
    _add_routes(app, settings)
    app.openapi = lambda: _openapi(app)
    return app


class TimingMiddleware:
    """Log ``METHOD path status ms`` per request and add a ``Server-Timing`` header (pure ASGI)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def timed_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                ms = (time.perf_counter() - start) * 1000
                message = {**message, "headers": [*message.get("headers", []), (b"server-timing", f"app;dur={ms:.1f}".encode())]}
            await send(message)

        try:
            await self.app(scope, receive, timed_send)
        finally:
            ms = (time.perf_counter() - start) * 1000
            log.info("%s %s %d %.1f ms", scope["method"], scope["path"], status, ms)


def _openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    form = Formulation.model_json_schema(ref_template="#/components/schemas/{model}")
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.update(form.pop("$defs", {}))
    components["Formulation"] = form
    if app.state.settings.api_token:
        components_root = schema["components"]
        components_root["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
    app.openapi_schema = schema
    return schema


def _add_routes(app: FastAPI, settings: Settings) -> None:
    def require_token(request: Request) -> None:
        if settings.api_token is None:
            return
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(token.encode(), settings.api_token.encode()):
            raise HTTPException(401, "missing or wrong bearer token", headers={"WWW-Authenticate": "Bearer"})

    def predictor_or_503(request: Request) -> Any:
        pred = request.app.state.predictor
        if pred is None:
            raise HTTPException(503, "no model loaded: export one to the model directory (`resistml export`)")
        return pred

    auth = [Depends(require_token)]

    @app.get("/healthz", tags=["ops"])
    def healthz() -> dict[str, str]:
        """The process is up."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["ops"])
    def readyz(request: Request) -> JSONResponse:
        """Ready when the model is loaded."""
        pred = request.app.state.predictor
        if pred is None:
            return JSONResponse(status_code=503, content={"ready": False, "reason": "no model loaded"})
        return JSONResponse(content={"ready": True, "model": pred.version})

    @app.post("/v1/predict", tags=["v1"], dependencies=auth)
    def predict(body: FormulationsRequest, request: Request) -> JSONResponse:
        """Predicted properties (value, 1-sigma, unit), p_prints, status and domain flags per formulation."""
        pred = predictor_or_503(request)
        forms = _validate(body, settings.max_formulations, settings)
        results = pred.predict(forms)
        out = []
        for form, result in zip(forms, results, strict=True):
            out.append({**result.to_dict(), "warnings": form.warnings()})
        answer = {"model": pred.version, "predictions": _jsonable(out)}
        if getattr(pred, "outcome_note", None):  # a model without an outcome head: p_prints unknown
            answer["outcome_note"] = pred.outcome_note
        return JSONResponse(answer)

    @app.post("/v1/simulate", tags=["v1"], dependencies=auth)
    def simulate(body: FormulationsRequest) -> dict[str, Any]:
        """Run the built-in physics simulator (slow; for comparison with predictions)."""
        try:
            from resistml.physics.simulator import simulate as run
        except ImportError:
            raise HTTPException(503, "the physics simulator is not available in this installation") from None
        forms = _validate(body, settings.max_simulations, settings)
        results = []
        for i, form in enumerate(forms):
            try:
                results.append({"name": form.name, **_jsonable(run(form))})
            except (ValueError, FormulationError) as exc:
                raise _Invalid([f"formulations[{i}]: {exc}"]) from None
        return {"simulations": results}

    @app.post("/v1/check", tags=["v1"], dependencies=auth)
    def check(body: FormulationsRequest) -> dict[str, Any]:
        """Structure classes per component, warnings and claim coverage (technical reading)."""
        from resistml.formulation.claims import DISCLAIMER, PATENT, claim_text
        from resistml.formulation.report import report

        forms = _validate(body, settings.max_formulations, settings)
        out = []
        for form in forms:
            result = report(form)
            result["claim_texts"] = [claim_text(n) for n in result["claims"]]
            result["claims_of"] = f"{PATENT} ({DISCLAIMER})"
            out.append(result)
        return {"results": out}

    @app.get("/v1/catalog", tags=["v1"], dependencies=auth)
    def get_catalog(role: str | None = None) -> dict[str, Any]:
        """Catalog components (optionally of one role)."""
        entries = [e for e in catalog.entries() if role is None or e["role"] == role]
        return {"components": entries}

    @app.get("/v1/model", tags=["v1"], dependencies=auth)
    def model_info(request: Request) -> dict[str, Any]:
        """Metadata of the loaded model artifact."""
        return predictor_or_503(request).metadata

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
