"""The package's import graph has no cycles and points down the layer order (see docs/architecture.md).

Parses every module with ``ast`` and collects its imports of ``resistml`` modules, including
imports inside functions (lazy imports); imports under ``if TYPE_CHECKING:`` are not executed and
are left out. A module's import of its own parent packages is implicit in Python and left out too.
"""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "resistml"

LAYERS: tuple[tuple[str, ...], ...] = (
    ("resistml", "resistml.targets", "resistml.paths"),
    ("resistml.chem",),
    ("resistml.formulation",),
    ("resistml.physics",),
    ("resistml.lab",),
    ("resistml.features",),
    ("resistml.datasets",),
    ("resistml.model",),
    ("resistml.inference",),
    ("resistml.design",),
    ("resistml.evaluation",),
    ("resistml.cli", "resistml.__main__"),
)
"""Bottom to top: a unit may import units of its own or a lower layer, never a higher one."""
APPLICATIONS = ("train", "serve")
"""Top-level applications: they use the library; the library never imports them, except the
``resistml`` command line (:mod:`resistml.cli`), which sits beside them and starts them."""


def _modules() -> dict[str, Path]:
    out = {}
    for path in (ROOT / PACKAGE).rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip |= {id(n) for stmt in node.body for n in ast.walk(stmt)}
    return skip


def _targets(module: str, is_package: bool, node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:
        base = module.split(".") if is_package else module.split(".")[:-1]
        base = base[: len(base) - (node.level - 1)]
        stem = ".".join(base + ([node.module] if node.module else []))
    else:
        stem = node.module or ""
    return [stem] + [f"{stem}.{alias.name}" for alias in node.names]


def import_graph() -> dict[str, set[str]]:
    """module -> the package modules it imports (lazy imports included)."""
    modules = _modules()
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for module, path in modules.items():
        tree = ast.parse(path.read_text(), str(path))
        skip = _type_checking_nodes(tree)
        ancestors = {".".join(module.split(".")[:i]) for i in range(1, module.count(".") + 1)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom) and id(node) not in skip:
                names = _targets(module, path.name == "__init__.py", node)
                graph[module] |= {n for n in names if n in modules and n != module and n not in ancestors}
    return graph


def unit_of(module: str) -> str:
    """The subpackage (or top-level module) a module belongs to."""
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 else parts[0]


def layer_of(unit: str) -> int:
    for i, layer in enumerate(LAYERS):
        if unit in layer:
            return i
    raise AssertionError(f"{unit} is in no layer: add it to LAYERS and docs/architecture.md")


def test_no_module_cycles():
    graphlib.TopologicalSorter(import_graph()).prepare()  # raises CycleError naming the cycle


def test_no_subpackage_cycles():
    units: dict[str, set[str]] = {}
    for module, deps in import_graph().items():
        units.setdefault(unit_of(module), set()).update(unit_of(d) for d in deps if unit_of(d) != unit_of(module))
    graphlib.TopologicalSorter(units).prepare()


def test_imports_point_down_the_layers():
    upward = sorted(
        f"{m} -> {d}"
        for m, deps in import_graph().items()
        for d in deps
        if layer_of(unit_of(d)) > layer_of(unit_of(m))
    )
    assert not upward, "upward imports:\n" + "\n".join(upward)


def test_library_never_imports_the_applications():
    bad = []
    for path in (ROOT / PACKAGE).rglob("*.py"):
        if path.relative_to(ROOT / PACKAGE).parts[0] == "cli":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import | ast.ImportFrom) and not getattr(node, "level", 0):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                bad += [f"{path.relative_to(ROOT)}: {n}" for n in names if n.split(".")[0] in APPLICATIONS]
    assert not bad, bad


def test_checker_sees_a_cycle_and_an_upward_edge():
    graph = {"resistml.chem.a": {"resistml.physics.b"}, "resistml.physics.b": {"resistml.chem.a"}}
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError:
        pass
    else:  # pragma: no cover
        raise AssertionError("cycle not detected")
    assert layer_of(unit_of("resistml.chem.a")) < layer_of(unit_of("resistml.physics.b"))
