"""Model artifacts: export a ResistNet to TorchScript and ``torch.export``, load and verify them.

An artifact directory holds

- ``model.ts``: ``torch.jit.script`` of the model with its entry points
  ``encode_molecules`` (graphs -> embeddings [U, H]), ``predict_formulations``
  (embeddings + index/role/amount/process tensors -> mean, variance [B, T]) and
  ``predict_outcomes`` (the same plus the outcome logits [B, O]);
- ``encode_molecules.pt2`` and ``predict_formulations.pt2``: the same two entry points as
  ``torch.export`` programs with dynamic sizes (TorchScript is deprecated upstream); for a
  model with an outcome head the predict program returns (mean, variance, logits);
- ``metadata.json``: model name/version, featuriser version and feature sizes, targets with
  units, outcome classes (``outcomes``, absent for models without an outcome head: their
  ``p_prints`` is NaN), ensemble size, normalisation constants, training-data hash, training
  domain (with the embedding-distance thresholds of :mod:`resistml.inference.novelty`) and metrics;
- ``SHA256SUMS``: the SHA-256 of every other file (``sha256sum -c`` format).

:func:`load_artifact` checks the checksums, the artifact format and the featuriser version
and sizes against this installation, and raises :class:`ArtifactError` with one clear line.
Every file of the directory must be listed in ``SHA256SUMS`` (an empty or partial list is
refused) and match it before anything is unpickled; the model bytes loaded are the bytes
hashed. Loading a ``.pt2`` unpickles (``torch.load(weights_only=False)`` inside
``torch.export.load``), so artifacts are trusted input: load only artifacts you made or trust.
"""

from __future__ import annotations

import hashlib
import io
import json
import platform
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn

import resistml
from resistml.chem import graphs
from resistml.features import collate
from resistml.inference.programs import (  # noqa: F401  (re-exported: the artifact's programs)
    EncodeEntry,
    PredictEntry,
    _encode_args,
    _export_programs,
    _pad_formulations,
    _pad_graphs,
    _predict_args,
    example_batch,
    has_outcomes,
)
from resistml.targets import OUTCOME_DESCRIPTIONS, OUTCOMES, definitions, is_target, model_units

ARTIFACT_FORMAT = "resistml-artifact/1"
TORCHSCRIPT_FILE = "model.ts"
EXPORT_FILES = {"encode": "encode_molecules.pt2", "predict": "predict_formulations.pt2"}
METADATA_FILE = "metadata.json"
CHECKSUM_FILE = "SHA256SUMS"
FORMATS = ("torchscript", "export")
REQUIRED_METADATA = ("model_name", "model_version")
PHYSICS_NAME = collate.PHYSICS_FEATURES[0]


class ArtifactError(RuntimeError):
    """A model artifact that cannot be used; the message says which file and why."""


# ---- featuriser description --------------------------------------------------------------
PROCESS_LISTS: tuple[tuple[str, ...], ...] = (
    collate.process_feature_names(False),
    collate.PROCESS_FEATURES + collate.LEGACY_PHYSICS_FEATURES,
    collate.process_feature_names(True),
)
"""Process-feature lists this installation computes: plain, pre-substrate physics, physics."""


def process_names_for(width: int) -> tuple[str, ...]:
    """The process-feature list of a model with ``width`` process columns."""
    for names in PROCESS_LISTS:
        if len(names) == width:
            return names
    raise ArtifactError(f"model: process_dim {width} matches no featuriser width ({', '.join(str(len(n)) for n in PROCESS_LISTS)})")


def featurizer_info(physics: bool | Sequence[str]) -> dict[str, Any]:
    """Version and feature sizes of this installation's featuriser (stored in every artifact).

    ``physics``: the flag, or the exact process-feature list (an older model's).
    """
    if isinstance(physics, bool):
        process = list(collate.PROCESS_FEATURES) + (list(collate.PHYSICS_FEATURES) if physics else [])
    else:
        process = list(physics)
    return {
        "version": graphs.FEATURIZER_VERSION,
        "atom_dim": graphs.ATOM_DIM,
        "bond_dim": graphs.BOND_DIM,
        "num_role_ids": collate.NUM_ROLE_IDS,
        "amount_features": list(collate.AMOUNT_FEATURES),
        "process_features": process,
    }


def check_featurizer(stored: dict[str, Any]) -> None:
    """Raise ArtifactError when an artifact's featuriser differs from this installation's.

    Process-feature lists of older versions (``PROCESS_LISTS``, e.g. the physics columns without
    the substrate's backscatter) are accepted: the Predictor computes exactly those columns.
    """
    process = tuple(stored.get("process_features", []))
    if process not in PROCESS_LISTS:
        raise ArtifactError(
            f"{METADATA_FILE}: featurizer.process_features {list(process)!r} is none of the lists this resistml "
            f"{resistml.__version__} computes ({' | '.join(str(len(n)) + ' columns' for n in PROCESS_LISTS)}); "
            "re-export the model with this version"
        )
    current = featurizer_info(process)
    for key, value in current.items():
        if stored.get(key) != value:
            raise ArtifactError(
                f"{METADATA_FILE}: featurizer.{key} is {stored.get(key)!r} but this resistml "
                f"{resistml.__version__} has {value!r}; re-export the model with this version"
            )


# ---- writing -----------------------------------------------------------------------------
def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _complete_metadata(model: nn.Module, metadata: dict[str, Any], physics: Sequence[str]) -> dict[str, Any]:
    missing = [k for k in REQUIRED_METADATA if k not in metadata]
    if missing:
        raise ValueError(f"metadata: missing {', '.join(missing)}")
    out = dict(metadata)
    if "targets" not in out:
        from resistml.model import TARGETS

        out["targets"] = list(TARGETS[: getattr(model, "num_targets", len(TARGETS))])
    known = [t for t in out["targets"] if is_target(t)]
    out["target_units"] = {t: "unknown" for t in out["targets"]} | model_units(known)
    out["target_definitions"] = definitions(known)
    out["format"] = ARTIFACT_FORMAT
    out["featurizer"] = featurizer_info(physics)
    out["model_config"] = {k: v for k, v in getattr(model, "config", {}).items() if _jsonable(v)}
    if has_outcomes(model):
        out["outcomes"] = list(OUTCOMES[: int(model.num_outcomes)])
        out["outcome_definitions"] = {o: OUTCOME_DESCRIPTIONS[o] for o in out["outcomes"]}
    else:
        out.pop("outcomes", None)
    out["ensemble_members"] = int(getattr(model, "num_members", 1))
    out.setdefault("normalisation", _normalisation(model))
    out["exported_with"] = {
        "resistml": resistml.__version__,
        "torch": torch.__version__,
        "python": platform.python_version(),
        "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    return out


def _jsonable(value: Any) -> bool:
    try:
        json.dumps(value)
    except TypeError:
        return False
    return True


def _normalisation(model: nn.Module) -> dict[str, list[float]]:
    mean, std = getattr(model, "target_mean", None), getattr(model, "target_std", None)
    if mean is None or std is None:
        return {}
    return {"target_mean": mean.tolist(), "target_std": std.tolist()}


def _process_names(model: nn.Module) -> tuple[str, ...]:
    """The process-feature list the model reads (by its width); refuse widths the featuriser lacks."""
    return process_names_for(int(getattr(model, "config", {}).get("process_dim", len(collate.PROCESS_FEATURES))))


def _embedding_domain(model: nn.Module, meta: dict[str, Any]) -> None:
    """Add the embedding-distance thresholds to ``meta["domain"]`` when it lists training molecules."""
    domain = meta.get("domain")
    if not isinstance(domain, dict) or not domain.get("molecules"):
        return
    from resistml.inference.novelty import embedding_summary, encoder_embed

    meta["domain"] = {**domain, "embedding": embedding_summary(encoder_embed(model.encode_molecules), domain["molecules"])}


def export_model(
    model: nn.Module,
    metadata: dict[str, Any],
    out_dir: str | Path,
    *,
    formats: tuple[str, ...] = FORMATS,
) -> Path:
    """Write an artifact (see module docstring) for an eager ResistNet; return its directory.

    ``metadata`` needs at least ``model_name``, ``model_version`` and ``targets`` (names in
    output order); training adds ``data_hash``, ``domain`` (see :func:`training_domain`) and
    ``metrics``. Featuriser, normalisation and version fields are filled in here.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    model = model.eval()
    physics = _process_names(model)
    meta = _complete_metadata(model, metadata, physics)
    _embedding_domain(model, meta)
    fb = example_batch(physics)
    with torch.no_grad():
        if "torchscript" in formats:
            torch.jit.save(torch.jit.script(model), str(out / TORCHSCRIPT_FILE))
        if "export" in formats:
            for key, program in _export_programs(model, fb).items():
                torch.export.save(program, str(out / EXPORT_FILES[key]))
    (out / METADATA_FILE).write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")
    names = [p.name for p in sorted(out.iterdir()) if p.is_file() and p.name != CHECKSUM_FILE]
    (out / CHECKSUM_FILE).write_text("".join(f"{_sha256(out / n)}  {n}\n" for n in names))
    return out


# ---- loading -----------------------------------------------------------------------------
_SUM_LINE = re.compile(r"([0-9a-fA-F]{64}) [ *](.+)")


def _listed_digests(root: Path) -> dict[str, str]:
    """File name -> SHA-256 from SHA256SUMS; every file of the artifact must be listed and match.

    Refuses an empty or malformed checksum file, names that are not plain files of the
    directory, files present but not listed, listed files that are missing and digests that do
    not match, all before any model file is unpickled.
    """
    sums = root / CHECKSUM_FILE
    if not sums.is_file():
        raise ArtifactError(f"{sums}: checksum file missing; not a complete resistml artifact")
    try:
        lines = sums.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ArtifactError(f"{sums}: unreadable ({exc})") from None
    listed: dict[str, str] = {}
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        match = _SUM_LINE.fullmatch(line.rstrip("\r"))
        name = match.group(2) if match else ""
        if not match or name in (".", "..", CHECKSUM_FILE) or "/" in name or "\\" in name or name in listed:
            raise ArtifactError(f"{sums}: line {number} is not '<sha256>  <file name>' for a file of the artifact")
        listed[name] = match.group(1).lower()
    if not listed:
        raise ArtifactError(f"{sums}: lists no files; every artifact file must have a checksum")
    present = {p.name for p in root.iterdir() if p.is_file() and p.name != CHECKSUM_FILE}
    unlisted = sorted(present - set(listed))
    if unlisted:
        raise ArtifactError(f"{root / unlisted[0]}: not listed in {CHECKSUM_FILE} (every artifact file must be)")
    for name in (METADATA_FILE,):
        if name not in listed:
            raise ArtifactError(f"{root / name}: not listed in {CHECKSUM_FILE}")
    for name, digest in listed.items():
        file = root / name
        if not file.is_file():
            raise ArtifactError(f"{file}: listed in {CHECKSUM_FILE} but missing")
        if _sha256(file) != digest:
            raise ArtifactError(f"{file}: checksum mismatch (file corrupted or modified)")
    return listed


def _verified_bytes(root: Path, name: str, listed: dict[str, str]) -> io.BytesIO:
    """A model file's bytes, checked against its listed digest (what is hashed is what is loaded)."""
    file = root / name
    if name not in listed:
        raise ArtifactError(f"{file}: missing (or not listed in {CHECKSUM_FILE})")
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise ArtifactError(f"{file}: unreadable ({exc})") from None
    if hashlib.sha256(data).hexdigest() != listed[name]:
        raise ArtifactError(f"{file}: checksum mismatch (file corrupted or modified)")
    return io.BytesIO(data)


def verify_artifact(path: str | Path) -> dict[str, Any]:
    """Check checksums, format and featuriser of an artifact directory; return its metadata."""
    return _verify(Path(path))[0]


def _verify(root: Path) -> tuple[dict[str, Any], dict[str, str]]:
    if not root.is_dir():
        raise ArtifactError(f"{root}: no model artifact directory here (run `resistml export` first)")
    listed = _listed_digests(root)
    try:
        meta = json.loads((root / METADATA_FILE).read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise ArtifactError(f"{root / METADATA_FILE}: unreadable ({exc})") from None
    if meta.get("format") != ARTIFACT_FORMAT:
        raise ArtifactError(
            f"{root / METADATA_FILE}: artifact format {meta.get('format')!r} is not the supported {ARTIFACT_FORMAT!r}"
        )
    check_featurizer(meta.get("featurizer", {}))
    return meta, listed


def _described(meta: dict[str, Any]) -> dict[str, Any]:
    """Metadata with the units of every known target from :mod:`resistml.targets`.

    Artifacts exported before the target registry stored "unknown" for some units; the registry
    is the source of truth, so loaded metadata always shows them (the file itself is untouched).
    """
    known = [t for t in meta.get("targets", []) if is_target(t)]
    return {**meta, "target_units": {**meta.get("target_units", {}), **model_units(known)},
            "target_definitions": definitions(known)}


@dataclass
class Artifact:
    """A loaded, verified artifact: the two entry points plus the metadata."""

    metadata: dict[str, Any]
    encode: Callable[[Tensor, Tensor, Tensor, Tensor, int], Tensor]
    predict: Callable[..., tuple[Tensor, Tensor]]
    format: str
    outcomes: Callable[..., tuple[Tensor, Tensor, Tensor]] | None = None
    """(mean, variance, outcome logits) for models with an outcome head; None for older artifacts."""

    @property
    def version(self) -> str:
        return f"{self.metadata['model_name']}:{self.metadata['model_version']}"


def load_artifact(path: str | Path, format: str = "torchscript") -> Artifact:
    """Verify and load an artifact in ``format`` ('torchscript' or 'export')."""
    if format not in FORMATS:
        raise ArtifactError(f"format: expected one of {', '.join(FORMATS)}, got {format!r}")
    root = Path(path)
    meta, listed = _verify(root)
    meta = _described(meta)
    try:
        if format == "torchscript":
            module = torch.jit.load(_verified_bytes(root, TORCHSCRIPT_FILE, listed), map_location="cpu").eval()
            outcomes = module.predict_outcomes if meta.get("outcomes") else None
            return Artifact(meta, module.encode_molecules, module.predict_formulations, format, outcomes)
        # torch.export.load unpickles (weights_only=False): artifacts are trusted input, and only
        # bytes whose SHA-256 matches SHA256SUMS reach it
        encode = torch.export.load(_verified_bytes(root, EXPORT_FILES["encode"], listed)).module()
        predict = torch.export.load(_verified_bytes(root, EXPORT_FILES["predict"], listed)).module()
    except ArtifactError:
        raise
    except Exception as exc:  # any failure to load a checked file is one clear line
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
        raise ArtifactError(f"{root}: cannot load the {format} model ({type(exc).__name__}: {first})") from None

    def encode_fn(x: Tensor, edge_index: Tensor, edge_attr: Tensor, batch: Tensor, num_graphs: int) -> Tensor:
        return encode(*_pad_graphs(x, edge_index, edge_attr, batch, num_graphs))[:num_graphs]

    def outcomes_fn(*args: Tensor) -> tuple[Tensor, ...]:
        batch_size = int(args[4].shape[0])
        return tuple(t[:batch_size] for t in predict(*_pad_formulations(*args)))

    def predict_fn(*args: Tensor) -> tuple[Tensor, Tensor]:
        mean, var = outcomes_fn(*args)[:2]
        return mean, var

    return Artifact(meta, encode_fn, predict_fn, format, outcomes_fn if meta.get("outcomes") else None)


def check_parity(
    model: nn.Module,
    path: str | Path,
    tol: float = 1e-5,
    sizes: tuple[int, ...] = (1, 5),
    formats: tuple[str, ...] = FORMATS,
) -> list[str]:
    """Compare the exported formats with the eager model on batches of each size in ``sizes``.

    The sizes differ from the export example (3 formulations), so dynamic shapes are exercised.
    Returns one line per disagreement larger than ``tol`` (empty when every format agrees).
    """
    meta = verify_artifact(path)
    physics = tuple(meta["featurizer"]["process_features"])
    present = [f for f in formats if f == "torchscript" or (Path(path) / EXPORT_FILES["encode"]).is_file()]
    artifacts = [load_artifact(path, fmt) for fmt in present]
    errors = []
    with torch.no_grad():
        for n in sizes:
            fb = example_batch(physics, n=n)
            g = fb.graphs
            graph_args = (g.x, g.edge_index, g.edge_attr, g.batch, int(g.num_graphs))
            outcomes = has_outcomes(model)
            entry = model.eval().predict_outcomes if outcomes else model.predict_formulations
            ref = entry(*_predict_args(fb, model.encode_molecules(*graph_args)))
            for art in artifacts:
                program = art.outcomes if outcomes and art.outcomes is not None else art.predict
                out = program(*_predict_args(fb, art.encode(*graph_args)))
                if len(out) != len(ref):
                    errors.append(f"{path}: {art.format} returns {len(out)} outputs, the eager model {len(ref)}")
                    continue
                for what, a, b in zip(("mean", "variance", "outcome logits"), out, ref, strict=False):
                    diff = float((a - b).abs().max())
                    if not diff <= tol:
                        errors.append(f"{path}: {art.format} {what} differs from the eager model by {diff:.3g} "
                                      f"(> {tol:g}) on {n} formulations")
    return errors
