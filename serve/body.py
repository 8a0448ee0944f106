"""Request bodies of the formulation endpoints: bytes -> checked JSON -> validated formulations.

Every problem becomes a ``field: message`` line (answered 422 in the documented error format):
non-UTF-8 bytes, invalid JSON, nesting deeper than :data:`MAX_DEPTH`, integers longer than
:data:`MAX_INT_DIGITS` digits, lone surrogates (``"\\ud800"``) in any string or key, unknown
top-level fields, too many formulations, over-long SMILES, more than ``max_atoms`` heavy atoms
over the request's distinct structures, invalid formulations and duplicate components. Runs on
a worker thread (see :mod:`serve.work`), never on the event loop.
"""

from __future__ import annotations

import json
import re
from typing import Any

from resistml.chem.smiles import canonical_smiles, count_heavy_atoms
from resistml.formulation import Component, Formulation, FormulationError
from serve.work import Deadline

MAX_DEPTH = 32
"""Deepest JSON nesting accepted (a formulation needs 5 levels)."""
MAX_INT_DIGITS = 18
"""Longest integer literal accepted (larger amounts can be written as floats, e.g. 1e20)."""
TOP_LEVEL_FIELDS = ("formulations",)

_SURROGATE = re.compile("[\ud800-\udfff]")


class Invalid(Exception):
    """A request with problems; ``lines`` holds one ``field.path: message`` per problem."""

    def __init__(self, lines: list[str]):
        super().__init__("; ".join(lines))
        self.lines = lines


class _LongInt(str):
    """Placeholder for an integer literal with too many digits (reported with its field path)."""


def _parse_int(text: str) -> int | _LongInt:
    digits = len(text.lstrip("-"))
    return _LongInt(text) if digits > MAX_INT_DIGITS else int(text)


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def parse_json(raw: bytes) -> Any:
    """The JSON document in ``raw``, or Invalid naming the body or the field at fault."""
    if not raw.strip():
        raise Invalid(['body: empty; expected a JSON object {"formulations": [...]}'])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Invalid([f"body: not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})"]) from None
    try:
        doc = json.loads(text.removeprefix("\ufeff"), parse_int=_parse_int)
    except json.JSONDecodeError as exc:
        raise Invalid([f"body: not valid JSON: {exc.msg}: line {exc.lineno} column {exc.colno} (char {exc.pos})"]) from None
    except RecursionError:
        raise Invalid([f"body: JSON nested deeper than {MAX_DEPTH} levels"]) from None
    except ValueError as exc:  # e.g. a float literal the parser refuses
        raise Invalid([f"body: not valid JSON: {str(exc).splitlines()[0][:200]}"]) from None
    check_values(doc)
    return doc


def check_values(doc: Any) -> None:
    """Reject lone surrogates, over-long integers and deep nesting anywhere in ``doc`` (iterative)."""
    errors: list[str] = []
    stack: list[tuple[Any, str, int]] = [(doc, "", 0)]
    while stack and len(errors) < 20:
        value, path, depth = stack.pop()
        where = path or "body"
        if isinstance(value, _LongInt):
            errors.append(f"{where}: integer with {len(value.lstrip('-'))} digits (at most {MAX_INT_DIGITS}; "
                          "write large numbers as floats)")
        elif isinstance(value, str):
            if _SURROGATE.search(value):
                errors.append(f"{where}: text contains a lone UTF-16 surrogate; send valid Unicode")
        elif isinstance(value, dict | list):
            if depth >= MAX_DEPTH:
                errors.append(f"{where}: JSON nested deeper than {MAX_DEPTH} levels")
                continue
            if isinstance(value, dict):
                for key, item in value.items():
                    if _SURROGATE.search(key):
                        errors.append(f"{where}: a key contains a lone UTF-16 surrogate; send valid Unicode")
                        continue
                    stack.append((item, _join(path, key), depth + 1))
            else:
                stack.extend((item, f"{where}[{i}]", depth + 1) for i, item in enumerate(value))
    if errors:
        raise Invalid(sorted(errors))


def check_request(doc: Any, max_formulations: int) -> list[Any]:
    """The ``formulations`` list of a request object; refuse unknown top-level fields."""
    if not isinstance(doc, dict):
        raise Invalid([f'body: expected a JSON object {{"formulations": [...]}}, got {_json_type(doc)}'])
    errors = [f"{key}: unknown field (a request has only {', '.join(TOP_LEVEL_FIELDS)})"
              for key in doc if key not in TOP_LEVEL_FIELDS]
    docs = doc.get("formulations")
    if "formulations" not in doc:
        errors.insert(0, "formulations: field required")
    elif not isinstance(docs, list):
        errors.insert(0, f"formulations: expected a list of formulation objects, got {_json_type(docs)}")
    elif not docs:
        errors.insert(0, "formulations: at least 1 formulation is required")
    elif len(docs) > max_formulations:
        errors.insert(0, f"formulations: at most {max_formulations} formulations per request, got {len(docs)}")
    else:
        errors[:0] = [f"formulations[{i}]: expected a formulation object, got {_json_type(d)}"
                      for i, d in enumerate(docs) if not isinstance(d, dict)]
    if errors:
        raise Invalid(errors)
    return docs


def _json_type(value: Any) -> str:
    return {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null",
            int: "number", float: "number"}.get(type(value), type(value).__name__)


def _structures(docs: list[Any]) -> list[tuple[str, Any]]:
    """(field path, SMILES value) of every ``smiles`` a request names."""
    out = []
    for i, doc in enumerate(docs):
        comps = doc.get("components") if isinstance(doc, dict) else None
        if not isinstance(comps, list):
            continue
        for j, comp in enumerate(comps):
            if not isinstance(comp, dict):
                continue
            out.append((f"formulations[{i}].components[{j}].smiles", comp.get("smiles")))
            units = comp.get("repeat_units")
            if isinstance(units, list):
                out += [(f"formulations[{i}].components[{j}].repeat_units[{k}].smiles", u.get("smiles"))
                        for k, u in enumerate(units) if isinstance(u, dict)]
    return out


def smiles_errors(docs: list[Any], max_length: int) -> list[str]:
    """``formulations[i].components[j](.repeat_units[k]).smiles: ...`` for every over-long SMILES."""
    return [f"{path}: SMILES longer than {max_length} characters ({len(text)})"
            for path, text in _structures(docs) if isinstance(text, str) and len(text) > max_length]


def atom_count(docs: list[Any]) -> int:
    """Heavy atoms written over the request's distinct SMILES strings (counted without RDKit)."""
    distinct = {text.strip() for _, text in _structures(docs) if isinstance(text, str)}
    return sum(count_heavy_atoms(t) for t in distinct)


def _identity(comp: Component) -> tuple[Any, ...]:
    if comp.repeat_units:
        units = tuple(sorted((canonical_smiles(u.smiles), round(u.fraction, 9)) for u in comp.repeat_units))
        return (comp.role, units, comp.mw, comp.resin_pdi)
    return (comp.role, canonical_smiles(comp.smiles or ""), None, None)


def duplicate_errors(index: int, form: Formulation) -> list[str]:
    """Components listed twice (same role and structure, and for resins same mw and pdi): refused."""
    seen: dict[tuple[Any, ...], int] = {}
    errors = []
    for j, comp in enumerate(form.components):
        key = _identity(comp)
        if key in seen:
            errors.append(f"formulations[{index}].components[{j}]: same role and structure as components[{seen[key]}]; "
                          "list each component once (add up the parts)")
        else:
            seen[key] = j
    return errors


def validate(raw: bytes, *, max_formulations: int, max_smiles_length: int, max_atoms: int,
             deadline: Deadline | None = None) -> list[Formulation]:
    """Formulations of a request body, or Invalid with every problem (see module docstring)."""
    docs = check_request(parse_json(raw), max_formulations)
    errors = smiles_errors(docs, max_smiles_length)
    if errors:
        raise Invalid(errors)
    atoms = atom_count(docs)
    if atoms > max_atoms:
        raise Invalid([f"formulations: {atoms} heavy atoms over the distinct structures of this request; "
                       f"at most {max_atoms} per request (split it)"])
    forms = []
    for i, doc in enumerate(docs):
        if deadline is not None:
            deadline.check()
        try:
            form = Formulation.from_dict(doc)
        except FormulationError as exc:
            errors += [f"formulations[{i}].{e}" for e in exc.errors]
            continue
        errors += duplicate_errors(i, form)
        forms.append(form)
    if errors:
        raise Invalid(errors)
    return forms
