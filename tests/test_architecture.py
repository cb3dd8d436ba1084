"""The house plan holds: lower layers never import higher ones, and no module of grader/ grows past 400 lines."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

GRADER = Path(__file__).resolve().parents[1] / "grader"

# Lowest first. A module may import its own layer and the layers below, never one above.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("core",),
    ("math", "text", "io", "analysis"),
    ("checks",),
    ("plugins", "homework"),
    ("grading",),
    ("runtime", "render", "authoring"),
    ("api",),
    ("batch",),
    ("service",),
    ("cli",),
)
RANK = {name: rank for rank, names in enumerate(LAYERS) for name in names}
MAX_LINES = 400


def _part(module: str) -> str:
    """The top-level part of grader a dotted module name belongs to (`grader.core.models` → `core`)."""
    return module.split(".")[1]


def _modules() -> list[tuple[str, Path]]:
    found = []
    for path in sorted(GRADER.rglob("*.py")):
        relative = path.relative_to(GRADER.parent).with_suffix("")
        parts = list(relative.parts)
        if parts[-1] == "__init__":
            parts.pop()
        found.append((".".join(parts), path))
    return found


def _imports(module: str, path: Path) -> list[tuple[str, int]]:
    """Every grader module `module` imports (top level, in functions, not under TYPE_CHECKING), with its line."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    checking_only = {id(node) for stmt in ast.walk(tree) if isinstance(stmt, ast.If)
                     and "TYPE_CHECKING" in ast.unparse(stmt.test) for node in ast.walk(stmt)}
    found = []
    for node in ast.walk(tree):
        if id(node) in checking_only:
            continue
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names if alias.name.startswith("grader.")]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            if base == "grader":
                found += [(f"grader.{alias.name}", node.lineno) for alias in node.names if alias.name != "__version__"]
            elif base.startswith("grader."):
                found.append((base, node.lineno))
    return found


MODULES = [(module, path) for module, path in _modules() if module != "grader"]


@pytest.mark.parametrize("module, path", MODULES, ids=[m for m, _ in MODULES])
def test_no_module_imports_a_higher_layer(module, path):
    """Each import of a grader module goes to the module's own layer or a lower one (the table above)."""
    own = _part(module)
    assert own in RANK, f"{module}: grader.{own} has no place in LAYERS; add it where it belongs"
    upward = [f"line {line}: {target}" for target, line in _imports(module, path)
              if RANK.get(_part(target), -1) > RANK[own]]
    assert not upward, f"{module} (layer {own}) imports higher layers: {upward}"


@pytest.mark.parametrize("module, path", MODULES, ids=[m for m, _ in MODULES])
def test_modules_stay_small(module, path):
    """No module of grader/ is over 400 lines: a bigger one has more than one job."""
    lines = path.read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{module} has {lines} lines"
