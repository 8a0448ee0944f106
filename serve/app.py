"""The resistml HTTP API (FastAPI) and the formulation GUI at ``/``.

``POST /v1/predict``, ``/v1/simulate`` and ``/v1/check`` take ``{"formulations": [...]}`` in the
file format of :mod:`resistml.formulation`; ``GET /v1/catalog`` and ``/v1/model`` describe the
components and the loaded model; ``/healthz`` (process up) and ``/readyz`` (model loaded) serve
orchestrators. Invalid bodies and formulations are 422 with one ``field`` path per problem
(:mod:`serve.body`); the heavy endpoints run on bounded work queues (:mod:`serve.work`: 503 +
``Retry-After`` when full, 504 past the request timeout); auth and the body limit are enforced
before the body is read (:mod:`serve.limits`). Limits, auth and CORS come from
:class:`serve.settings.Settings`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.utils import get_openapi
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import resistml
from resistml.formulation import Formulation, FormulationError, catalog
from serve import body, schemas
from serve.limits import AuthMiddleware, BodyLimitMiddleware, StartupErrorMiddleware, release_memory
from serve.settings import Settings
from serve.work import Busy, Deadline, Timeout, WorkQueue

log = logging.getLogger("resistml.serve")
STATIC = Path(__file__).parent / "static"

FormulationDoc = Annotated[dict[str, Any], WithJsonSchema({"$ref": "#/components/schemas/Formulation"})]


class FormulationsRequest(BaseModel):
    """Request body: formulations in the documented file format (no other top-level fields)."""

    model_config = ConfigDict(extra="forbid")
    formulations: list[FormulationDoc] = Field(min_length=1, description="formulation objects (file format)")


# ---- errors ------------------------------------------------------------------------------
_PATH_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _error_entry(line: str) -> dict[str, Any]:
    """``formulations[0].components[1].smiles: msg`` -> FastAPI-style detail with ``field``."""
    path, sep, msg = line.partition(": ")
    if not sep:
        path, msg = "formulations", line
    loc: list[Any] = ["body"]
    for name, index in _PATH_PART.findall(path.removeprefix("body")):
        loc.append(int(index) if index else name)
    return {"loc": loc, "field": path, "msg": msg, "type": "value_error"}


def _unprocessable(lines: list[str]) -> JSONResponse:
    return _AsciiJSON(status_code=422, content={"detail": [_error_entry(x) for x in lines]})


class _AsciiJSON(JSONResponse):
    """JSON with non-ASCII escaped: error messages quote user input, which must never break encoding."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=True, allow_nan=False, separators=(",", ":")).encode()


class _Invalid(Exception):
    def __init__(self, lines: list[str]):
        super().__init__("; ".join(lines))
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
    return _AsciiJSON(status_code=422, content={"detail": detail})


async def _invalid_handler(_: Request, exc: _Invalid) -> JSONResponse:
    return _unprocessable(exc.lines)


async def _busy_handler(_: Request, exc: Busy) -> JSONResponse:
    return _AsciiJSON(status_code=503, content={"detail": str(exc)}, headers={"Retry-After": str(exc.retry_after)})


async def _timeout_handler(_: Request, exc: Timeout) -> JSONResponse:
    return _AsciiJSON(status_code=504, content={"detail": str(exc)})


# ---- request helpers ---------------------------------------------------------------------
def _validate(raw: bytes, limit: int, settings: Settings, deadline: Deadline | None = None) -> list[Formulation]:
    """Formulations of a request body, or _Invalid with every field problem (see serve.body)."""
    try:
        return body.validate(raw, max_formulations=limit, max_smiles_length=settings.max_smiles_length,
                             max_atoms=settings.max_request_atoms, deadline=deadline)
    except body.Invalid as exc:
        raise _Invalid(exc.lines) from None


def _cannot(index: int, exc: Exception) -> str:
    if isinstance(exc, ArithmeticError):
        return (f"formulations[{index}]: cannot compute this composition ({type(exc).__name__}: {exc}); "
                "check the parts (amounts near the float limits)")
    return f"formulations[{index}]: {exc or type(exc).__name__}"


def _unpredictable(pred: Any, forms: list[Formulation], deadline: Deadline) -> list[str]:
    """After a batch failed: the formulations that fail on their own (one line each)."""
    errors = []
    for i, form in enumerate(forms):
        deadline.check()
        try:
            pred.predict([form])
        except (ArithmeticError, ValueError) as exc:
            errors.append(_cannot(i, exc))
    return errors or ["formulations: the batch could not be predicted; retry with fewer formulations"]


def _json_response(content: Any, status: int = 200) -> Response:
    """JSON bytes built on the worker thread (the event loop only sends them)."""
    data = json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")
    return Response(data, status_code=status, media_type="application/json")


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
    return Predictor.load(settings.model_dir, settings.model_format)


async def _release_when_idle(app: FastAPI, settings: Settings) -> None:
    """Drop the parse caches once after every ``idle_release_s`` quiet period (see settings)."""
    released = True
    while True:
        await asyncio.sleep(min(5.0, settings.idle_release_s / 2))
        queues: list[WorkQueue] = list(app.state.queues.values())
        idle = min(q.idle_for() for q in queues)
        if idle < settings.idle_release_s:
            released = False
        elif not released:
            released = True
            await asyncio.to_thread(release_memory)
            log.info("idle for %.0f s: parse caches dropped, free memory returned", idle)


def _set_torch_threads(n: int) -> None:
    import torch

    torch.set_num_threads(n)


def _queues(settings: Settings) -> dict[str, WorkQueue]:
    """The model queue (predict, check) and the simulate queue, each with its own threads."""
    threads = {"model": settings.worker_threads, "simulate": settings.simulate_threads}
    return {
        name: WorkQueue(name, n, settings.queue_depth, settings.request_timeout_s,
                        initializer=lambda: _set_torch_threads(settings.torch_threads))
        for name, n in threads.items()
    }


def create_app(settings: Settings | None = None, predictor: Any = None) -> FastAPI:
    """The app; loads the model at start-up unless a ``predictor`` is given (tests)."""
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        import torch

        torch.set_num_threads(settings.torch_threads)
        try:
            app.state.predictor = predictor if predictor is not None else _load_predictor(settings)
        except Exception as exc:
            app.state.startup_error = exc
            raise
        app.state.queues = _queues(settings)
        janitor = asyncio.create_task(_release_when_idle(app, settings))
        try:
            yield
        finally:
            janitor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await janitor
            for queue in app.state.queues.values():
                queue.shutdown()

    app = FastAPI(
        title="resistml",
        version=resistml.__version__,
        description="Property prediction and simulation for negative-tone chemically amplified resists.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.predictor = predictor
    app.state.startup_error = None
    app.state.queues = _queues(settings)  # replaced at each start-up (test clients start an app twice)
    app.add_exception_handler(RequestValidationError, _validation_handler)
    app.add_exception_handler(_Invalid, _invalid_handler)
    app.add_exception_handler(Busy, _busy_handler)
    app.add_exception_handler(Timeout, _timeout_handler)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes, timeout_s=settings.request_timeout_s)
    app.add_middleware(AuthMiddleware, token=settings.api_token)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
        )
    app.add_middleware(TimingMiddleware)
    app.add_middleware(StartupErrorMiddleware, state=app.state)
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


_BODY_DOC = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/FormulationsRequest"}}},
    }
}
_ERRORS_DOC: dict[int | str, dict[str, Any]] = {
    401: {"description": "missing or wrong bearer token (when RESISTML_API_TOKEN is set)"},
    408: {"description": "request body not received within the request timeout"},
    413: {"description": "request body larger than RESISTML_MAX_BODY_BYTES"},
    422: {"description": "invalid body or formulations: one {loc, field, msg, type} per problem"},
    503: {"description": "server busy (queue full or queue wait past the timeout; see Retry-After) or no model"},
    504: {"description": "the work ran past RESISTML_REQUEST_TIMEOUT_S"},
}


def _openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    form = Formulation.model_json_schema(ref_template="#/components/schemas/{model}")
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.update(form.pop("$defs", {}))
    components["Formulation"] = form
    components["FormulationsRequest"] = {
        "title": "FormulationsRequest",
        "description": FormulationsRequest.__doc__,
        "type": "object",
        "properties": {"formulations": {"type": "array", "minItems": 1, "items": {"$ref": "#/components/schemas/Formulation"},
                                        "description": "formulation objects (file format)"}},
        "required": ["formulations"],
        "additionalProperties": False,
    }
    if app.state.settings.api_token:
        schema["components"]["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
        for path, ops in schema.get("paths", {}).items():
            if path.startswith("/v1/"):
                for op in ops.values():
                    op["security"] = [{"bearer": []}]
    app.openapi_schema = schema
    return schema


PROCESS_HELP: dict[str, str] = {
    "radiation": "Exposure: electron beam (doses in uC/cm2, energy = beam energy) or X-ray (doses in mJ/cm2, "
                 "energy = photon energy).",
    "beam_energy_keV": "Electron beam energy at the resist surface (keV); used when radiation is electron.",
    "photon_energy_keV": "X-ray photon energy (keV); used when radiation is X-ray.",
    "thickness_nm": "Resist film thickness after soft bake (nm).",
    "spot_size_nm": "Beam spot size, FWHM (nm); widens the forward-scattering point-spread function.",
    "peb_temp_C": "Post-exposure bake temperature (deg C): drives acid diffusion and crosslinking.",
    "peb_time_s": "Post-exposure bake time (s).",
    "develop_time_s": "Development time in the aqueous TMAH developer (s).",
    "developer": "Developer as 'TMAH <wt>%' (0.1-10 %), e.g. 'TMAH 2.38%'.",
    "substrate": "Substrate under the film (backscattering), e.g. Si.",
}
"""Help texts of the process fields (the GUI's hover texts; served by ``/v1/targets``)."""
TABLE_FILE_ROWS = 1000
"""Most rows ``/v1/table-file`` answers (the GUI's documented screening limit)."""


def _add_routes(app: FastAPI, settings: Settings) -> None:
    def predictor_or_503(request: Request) -> Any:
        pred = request.app.state.predictor
        if pred is None:
            raise HTTPException(503, "no model loaded: export one to the model directory (`resistml export`)")
        return pred

    def queue(request: Request, name: str) -> WorkQueue:
        return request.app.state.queues[name]

    @app.get("/healthz", tags=["ops"], response_model=schemas.Health)
    async def healthz() -> dict[str, str]:
        """The process is up (answered on the event loop, never queued behind work)."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["ops"], response_model=schemas.Ready,
             responses={503: {"model": schemas.Ready, "description": "no model loaded"}})
    async def readyz(request: Request) -> JSONResponse:
        """Ready when the model is loaded."""
        pred = request.app.state.predictor
        if pred is None:
            return JSONResponse(status_code=503, content={"ready": False, "reason": "no model loaded"})
        return JSONResponse(content={"ready": True, "model": pred.version})

    def predict_work(deadline: Deadline, raw: bytes, pred: Any) -> Response:
        forms = _validate(raw, settings.max_formulations, settings, deadline)
        deadline.check()
        try:
            results = pred.predict(forms)
        except (ArithmeticError, ValueError):  # a formulation the physics features cannot handle
            raise _Invalid(_unpredictable(pred, forms, deadline)) from None
        out = [{**result.to_dict(), "warnings": form.warnings()} for form, result in zip(forms, results, strict=True)]
        answer = {"model": pred.version, "predictions": _jsonable(out)}
        if getattr(pred, "outcome_note", None):  # a model without an outcome head: p_prints unknown
            answer["outcome_note"] = pred.outcome_note
        return _json_response(answer)

    @app.post("/v1/predict", tags=["v1"], openapi_extra=_BODY_DOC, responses=_ERRORS_DOC,
              response_model=schemas.PredictResponse)
    async def predict(request: Request) -> Response:
        """Predicted properties (value, 1-sigma, unit), p_prints, status and domain flags per formulation."""
        pred = predictor_or_503(request)
        return await queue(request, "model").run(predict_work, await request.body(), pred)

    def simulate_work(deadline: Deadline, raw: bytes) -> Response:
        try:
            from resistml.physics.simulator import simulate as run
        except ImportError:
            raise HTTPException(503, "the physics simulator is not available in this installation") from None
        forms = _validate(raw, settings.max_simulations, settings, deadline)
        results = []
        for i, form in enumerate(forms):
            deadline.check()
            try:
                sim = _jsonable(run(form))
                curve = {"dose": sim.get("contrast_dose", []), "thickness": sim.get("contrast_thickness", [])}
                results.append({"name": form.name, **sim, "contrast_curve": curve})
            except (ValueError, ArithmeticError, FormulationError) as exc:
                raise _Invalid([_cannot(i, exc)]) from None
        return _json_response({"simulations": results})

    @app.post("/v1/simulate", tags=["v1"], openapi_extra=_BODY_DOC, responses=_ERRORS_DOC,
              response_model=schemas.SimulateResponse)
    async def simulate(request: Request) -> Response:
        """Run the built-in physics simulator (slow; for comparison with predictions)."""
        return await queue(request, "simulate").run(simulate_work, await request.body())

    def check_work(deadline: Deadline, raw: bytes) -> Response:
        from resistml.formulation.claims import DISCLAIMER, PATENT, claim_text
        from resistml.formulation.report import report

        forms = _validate(raw, settings.max_formulations, settings, deadline)
        out = []
        for i, form in enumerate(forms):
            deadline.check()
            try:
                result = report(form)
            except (ArithmeticError, ValueError) as exc:
                raise _Invalid([_cannot(i, exc)]) from None
            result["claim_texts"] = [claim_text(n) for n in result["claims"]]
            result["claims_of"] = f"{PATENT} ({DISCLAIMER})"
            out.append(result)
        return _json_response({"results": _jsonable(out)})

    @app.post("/v1/check", tags=["v1"], openapi_extra=_BODY_DOC, responses=_ERRORS_DOC,
              response_model=schemas.CheckResponse)
    async def check(request: Request) -> Response:
        """Structure classes per component, warnings and claim coverage (technical reading)."""
        return await queue(request, "model").run(check_work, await request.body())

    @app.get("/v1/catalog", tags=["v1"], response_model=schemas.CatalogResponse)
    async def get_catalog(role: str | None = None) -> dict[str, Any]:
        """Catalog components (optionally of one role)."""
        entries = [e for e in catalog.entries() if role is None or e["role"] == role]
        return {"components": entries}

    @app.get("/v1/model", tags=["v1"], response_model=schemas.ModelInfo)
    async def model_info(request: Request) -> dict[str, Any]:
        """Metadata of the loaded model artifact."""
        return predictor_or_503(request).metadata

    @app.get("/v1/targets", tags=["v1"])
    async def get_targets() -> dict[str, Any]:
        """What each property and process field means (the target registry; the GUI's help texts)."""
        from resistml.formulation.schema import PROCESS_LIMITS
        from resistml.targets import TARGETS, unit_text

        targets = {t.column: {"description": t.description, "unit": unit_text(t.unit), "direction": t.direction}
                   for t in TARGETS}
        process = {name: {"description": PROCESS_HELP.get(name, ""), "physical_limits": list(lims[0]),
                          "usual_range": list(lims[1])} for name, lims in PROCESS_LIMITS.items()}
        for name in ("radiation", "developer", "substrate"):
            process[name] = {"description": PROCESS_HELP[name]}
        return {"targets": targets, "process": process}

    @app.post("/v1/formulation-file", tags=["v1"])
    async def formulation_file(request: Request) -> JSONResponse:
        """Parse a YAML or JSON formulation file (text body) into JSON documents (nothing is validated here)."""
        import yaml

        from resistml.formulation.yaml_safe import InputError, load_yaml, yaml_error_line

        raw = await request.body()
        try:
            docs = load_yaml(raw.decode("utf-8"))
        except (InputError, UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
            msg = yaml_error_line(exc) if isinstance(exc, yaml.YAMLError) else str(exc)
            return _AsciiJSON(status_code=422, content={"detail": [{"loc": ["body"], "field": "body",
                                                                     "msg": msg, "type": "value_error"}]})
        return JSONResponse({"documents": _jsonable(docs)})

    @app.post("/v1/table-file", tags=["v1"])
    async def table_file(request: Request) -> JSONResponse:
        """A Parquet library (body: the file's bytes) as text cells: ``{"columns", "rows", "total"}``,
        the first ``TABLE_FILE_ROWS`` rows (the GUI's screening reads CSV itself)."""
        import io

        import pandas as pd

        raw = await request.body()
        try:
            frame = await asyncio.to_thread(pd.read_parquet, io.BytesIO(raw))
        except Exception as exc:  # pyarrow raises many types for a file that is not Parquet
            return _AsciiJSON(status_code=422, content={"detail": [{"loc": ["body"], "field": "body",
                                                                     "msg": f"not a Parquet file: {exc}", "type": "value_error"}]})
        head = frame.head(TABLE_FILE_ROWS)
        rows = [["" if pd.isna(v) else str(v) for v in row] for row in head.itertuples(index=False)]
        return JSONResponse({"columns": [str(c) for c in frame.columns], "rows": rows, "total": len(frame)})

    @app.get("/", include_in_schema=False)
    async def index() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
