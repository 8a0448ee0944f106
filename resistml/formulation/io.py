"""Formulation files: load and save YAML, JSON, JSONL and the flat table form (CSV/TSV/Parquet)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from resistml.formulation.schema import Formulation, FormulationError
from resistml.formulation.table import read_table_formulations
from resistml.formulation.yaml_safe import (
    MAX_DEPTH,
    InputError,
    depth_ok,
    load_json,
    load_yaml,
    parse_json,
    read_text,
    sniff_text,
    yaml_error_line,
)


def _one_line(path: Path, message: object) -> FormulationError:
    return FormulationError([f"{path}: {message}"])


def iter_jsonl(path: Path) -> Iterator[tuple[int, Any]]:
    """(line number, parsed document) per non-blank line; a bad line yields an :class:`InputError`.

    Streams the file (memory flat in its length); a line that is not UTF-8 or not JSON becomes
    ``InputError("line N: invalid JSON (...)")`` for that line only.
    """
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            try:
                line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
                data = parse_json(line)
                depth_ok(data)
            except UnicodeDecodeError:
                yield number, InputError(f"line {number}: not UTF-8 text")
            except json.JSONDecodeError as exc:
                yield number, InputError(f"line {number}: invalid JSON ({exc.msg} at column {exc.colno})")
            except RecursionError:
                yield number, InputError(f"line {number}: nested deeper than {MAX_DEPTH} levels")
            except InputError as exc:
                yield number, InputError(f"line {number}: {exc}")
            else:
                yield number, data


def read_documents(path: str | Path) -> list[Any]:
    """The formulation documents of a YAML or JSON file (``{formulations: [...]}`` unwrapped).

    Raises FormulationError with one ``<file>: <message>`` line for unreadable, binary, empty,
    malformed, alias-bomb, too deep or duplicate-key input.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    try:
        text = read_text(path)
        if not text.strip():
            raise InputError("no formulations (empty file)")
        docs = load_json(text) if suffix == ".json" else load_yaml(text)
    except InputError as exc:
        raise _one_line(path, exc) from None
    except yaml.YAMLError as exc:
        raise _one_line(path, yaml_error_line(exc)) from None
    if suffix != ".json":
        docs = [d for d in docs if d is not None]
        docs = docs[0] if len(docs) == 1 else docs
    if isinstance(docs, dict) and "formulations" in docs:
        docs = docs["formulations"]
    docs = docs if isinstance(docs, list) else [docs]
    if not docs or docs == [None]:
        raise _one_line(path, "no formulations (empty file)")
    return docs


def _document_error(doc: Any) -> str | None:
    if isinstance(doc, InputError):
        return str(doc)
    if not isinstance(doc, dict):
        return f"formulation: expected a mapping, got {type(doc).__name__}"
    return None


def load_formulations(path: str | Path, *, allow_incomplete: bool = False) -> list[Formulation]:
    """Load one or more formulations from YAML, JSON, JSONL, CSV or Parquet (table form)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in {".csv", ".parquet", ".tsv"}:
        return read_table_formulations(path)
    if suffix == ".jsonl":
        try:
            sniff_text(path)
        except InputError as exc:
            raise _one_line(path, exc) from None
        lines = list(iter_jsonl(path))
        if not lines:
            raise _one_line(path, "no formulations (empty file)")
        labels, docs = [f"line {n}: " for n, _ in lines], [d for _, d in lines]
    else:
        docs = read_documents(path)
        labels = [f"[{i}] " for i in range(len(docs))] if len(docs) > 1 else [""]
    out, errors = [], []
    for label, doc in zip(labels, docs, strict=True):
        problem = _document_error(doc)
        if problem is not None:
            errors.append(problem if isinstance(doc, InputError) else label + problem)
            continue
        try:
            out.append(Formulation.from_dict(doc, allow_incomplete=allow_incomplete))
        except FormulationError as exc:
            errors += [label + e for e in exc.errors]
    if errors:
        raise FormulationError(errors)
    return out


def load_formulation(path: str | Path, *, allow_incomplete: bool = False) -> Formulation:
    """Load exactly one formulation from a file."""
    forms = load_formulations(path, allow_incomplete=allow_incomplete)
    if len(forms) != 1:
        raise FormulationError([f"{path}: expected one formulation, found {len(forms)}"])
    return forms[0]


def save_formulation(formulation: Formulation, path: str | Path) -> None:
    """Write a formulation as YAML or JSON (by suffix)."""
    path = Path(path)
    data = formulation.to_dict()
    if path.suffix.lower() == ".json":
        path.write_text(json.dumps(data, indent=2) + "\n")
    else:
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
