"""Formulation files: load and save YAML, JSON, JSONL and the flat table form (CSV/TSV/Parquet)."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from resistml.formulation.schema import Formulation, FormulationError
from resistml.formulation.table import read_table_formulations


def load_formulations(path: str | Path, *, allow_incomplete: bool = False) -> list[Formulation]:
    """Load one or more formulations from YAML, JSON, JSONL, CSV or Parquet (table form)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in {".csv", ".parquet", ".tsv"}:
        return read_table_formulations(path)
    try:
        text = path.read_text()
    except OSError as exc:
        raise FormulationError([f"{path}: cannot read ({exc.strerror})"]) from None
    try:
        if suffix == ".jsonl":
            docs = [json.loads(line) for line in text.splitlines() if line.strip()]
        elif suffix == ".json":
            docs = json.loads(text)
        else:
            docs = list(yaml.safe_load_all(text))
            docs = docs[0] if len(docs) == 1 else docs
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise FormulationError([f"{path}: not valid {suffix.lstrip('.') or 'YAML'}: {exc}"]) from None
    if isinstance(docs, dict) and "formulations" in docs:
        docs = docs["formulations"]
    docs = docs if isinstance(docs, list) else [docs]
    out, errors = [], []
    for i, doc in enumerate(docs):
        try:
            out.append(Formulation.from_dict(doc, allow_incomplete=allow_incomplete))
        except FormulationError as exc:
            prefix = f"[{i}] " if len(docs) > 1 else ""
            errors += [prefix + e for e in exc.errors]
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
