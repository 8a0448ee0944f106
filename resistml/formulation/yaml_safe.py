"""Hardened reading of formulation files: YAML without alias bombs, duplicate keys or deep nesting.

:func:`load_yaml` reads YAML with :class:`FormulationLoader`, a ``yaml.SafeLoader`` subclass that

- counts the nodes the document would have with every alias expanded and refuses documents past
  :data:`MAX_YAML_NODES` (a 366-byte "billion laughs" file would otherwise expand to gigabytes);
- refuses nesting deeper than :data:`MAX_DEPTH` (instead of a ``RecursionError``);
- refuses duplicate mapping keys, naming the key's field path (PyYAML silently keeps the last);
- reads numbers in standard notation such as ``1e9`` or ``1E-3`` as numbers (YAML 1.1, and
  therefore PyYAML, needs a dot: ``1.0e9``).

:func:`read_text` reads a file as UTF-8 text with one-line errors for unreadable or binary files;
:func:`load_json` parses JSON with the same depth limit, and :func:`parse_json` refuses duplicate keys.
Every problem raises :class:`InputError` (a ``ValueError``) whose message is one line.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

MAX_YAML_NODES = 100_000
"""Most nodes a YAML document may have, counting every alias expansion."""
MAX_DEPTH = 64
"""Deepest nesting of mappings and lists in a formulation file."""
MAX_FILE_BYTES = 256 * 1024 * 1024
"""Largest YAML/JSON/JSONL file read into memory."""

_FLOAT = re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9][0-9_]*)[eE][-+]?[0-9]+$")
"""Standard exponent notation without a dot (``1e9``, ``-2E-3``); the other forms PyYAML already reads."""


class InputError(ValueError):
    """A file that cannot be read as formulations (one-line message, no file name)."""


class FormulationLoader(yaml.SafeLoader):
    """``SafeLoader`` with node, depth and duplicate-key limits (see module docstring)."""

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise InputError(f"nested deeper than {MAX_DEPTH} levels (line {mark.line + 1})")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


FormulationLoader.add_implicit_resolver("tag:yaml.org,2002:float", _FLOAT, list("-+0123456789."))


def _check_tree(root: yaml.Node) -> None:
    """Refuse duplicate keys, recursive aliases and documents whose expanded size exceeds the budget.

    Iterative post-order walk over the distinct nodes (an alias is the same node object as its
    anchor): each node's expanded size is memoised, so a billion-laughs chain costs a few steps.
    """
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, str, bool]] = [(root, "", False)]
    while stack:
        node, path, expanded = stack.pop()
        key = id(node)
        if expanded:
            open_nodes.discard(key)
            size = 1 + sum(sizes[id(child)] for _, child in _children(node, path))
            if size > MAX_YAML_NODES:
                raise InputError(f"document expands to more than {MAX_YAML_NODES:,} nodes "
                                 "(YAML aliases); write the values out")
            sizes[key] = size
            continue
        if key in sizes:
            continue
        if key in open_nodes:
            raise InputError(f"{path or 'document'}: recursive YAML alias")
        open_nodes.add(key)
        if isinstance(node, yaml.MappingNode):
            _check_duplicates(node, path)
        stack.append((node, path, True))
        for sub, child in _children(node, path):
            if id(child) in open_nodes:
                raise InputError(f"{sub or 'document'}: recursive YAML alias")
            if id(child) not in sizes:
                stack.append((child, sub, False))


def _children(node: yaml.Node, path: str) -> list[tuple[str, yaml.Node]]:
    if isinstance(node, yaml.SequenceNode):
        return [(f"{path}[{i}]", child) for i, child in enumerate(node.value)]
    if isinstance(node, yaml.MappingNode):
        out = []
        for k, v in node.value:
            name = k.value if isinstance(k, yaml.ScalarNode) else "?"
            sub = f"{path}.{name}" if path else str(name)
            out += [(sub, k), (sub, v)]
        return out
    return []


def _check_duplicates(node: yaml.MappingNode, path: str) -> None:
    seen: dict[str, int] = {}
    for k, _ in node.value:
        if not isinstance(k, yaml.ScalarNode):
            continue
        line = k.start_mark.line + 1
        if k.value in seen:
            where = f"{path}.{k.value}" if path else k.value
            raise InputError(f"{where}: duplicate key (lines {seen[k.value]} and {line})")
        seen[k.value] = line


def depth_ok(data: Any) -> None:
    """Refuse parsed data nested deeper than :data:`MAX_DEPTH` (iterative, no recursion)."""
    stack = [(data, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > MAX_DEPTH:
                raise InputError(f"nested deeper than {MAX_DEPTH} levels")
            values = item.values() if isinstance(item, dict) else item
            stack.extend((v, depth + 1) for v in values if isinstance(v, dict | list))


def load_yaml(text: str) -> list[Any]:
    """Every document of a YAML stream, with the limits of :class:`FormulationLoader`."""
    loader = FormulationLoader(text)
    try:
        docs = []
        while loader.check_node():
            node = loader.get_node()
            _check_tree(node)
            docs.append(loader.construct_document(node))
        return docs
    except RecursionError:
        raise InputError(f"nested deeper than {MAX_DEPTH} levels") from None
    except (InputError, yaml.YAMLError):
        raise
    except (ValueError, TypeError, OverflowError) as exc:  # a constructor's value check, e.g. a bad date
        raise InputError(f"not valid YAML: {exc}") from None
    finally:
        loader.dispose()


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``object_pairs_hook`` refusing a key given twice in one JSON object (``json`` keeps the last)."""
    data = dict(pairs)
    if len(data) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise InputError(f"{key}: duplicate key")
            seen.add(key)
    return data


def parse_json(text: str) -> Any:
    """``json.loads`` refusing duplicate keys (:class:`InputError`); other errors as ``json`` raises them."""
    return json.loads(text, object_pairs_hook=_unique_keys)


def load_json(text: str) -> Any:
    """One JSON document (depth-limited); errors as :class:`InputError`."""
    try:
        data = parse_json(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from None
    except RecursionError:
        raise InputError(f"nested deeper than {MAX_DEPTH} levels") from None
    depth_ok(data)
    return data


def read_text(path: Path) -> str:
    """The file as UTF-8 text; one-line :class:`InputError` for unreadable, binary or huge files."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError(f"file too large ({size:,} bytes; at most {MAX_FILE_BYTES:,})")
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read ({exc.strerror or exc})") from None
    if b"\x00" in data:
        raise InputError("not a text file (binary data)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})") from None


def yaml_error_line(exc: yaml.YAMLError) -> str:
    """A PyYAML error as one line: the problem and where (PyYAML's own text spans several lines)."""
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    mark = getattr(exc, "problem_mark", None)
    where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
    return f"not valid YAML: {f'{context}: ' if context else ''}{problem}{where}"


def sniff_text(path: Path, size: int = 65536) -> None:
    """Refuse a file whose start is binary or not UTF-8 (for formats streamed line by line)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(size)
    except OSError as exc:
        raise InputError(f"cannot read ({exc.strerror or exc})") from None
    if b"\x00" in head:
        raise InputError("not a text file (binary data)")
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 3:  # not just a character cut at the end of the sample
            raise InputError(f"not UTF-8 text (byte 0x{head[exc.start]:02x} at offset {exc.start})") from None
