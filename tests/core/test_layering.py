"""Import layering: the pure core imports no shell, the store imports no GraphQL or web code.

* the core — ``bibkg.anthology`` (reading the Anthology), ``bibkg.mapping`` (to RDF),
  ``bibkg.iris``, ``bibkg.vocab``, ``bibkg.safeparse``, ``bibkg.errors`` — imports none of the
  shells (``bibkg.server``, ``bibkg.web``, ``bibkg.graphql``, ``bibkg.cli``, the corrections'
  web pages, the Daily Papers' commands), nor the store, the ingest, the services, the
  corrections, or the paper cards' SQLite file (``bibkg.cards``, ``sqlite3``);
* ``bibkg.store`` imports none of the shells.

Every import counts, those inside functions too (a lazy import hides a dependency, it does not
remove it). Relative imports are resolved against the importing module.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"

CORE = ("bibkg.anthology", "bibkg.mapping", "bibkg.iris", "bibkg.vocab", "bibkg.safeparse", "bibkg.errors")
SHELLS = ("bibkg.server", "bibkg.web", "bibkg.graphql", "bibkg.cli", "bibkg.corrections.web")
RULES = {
    # the pure core: no shell, and neither the store nor what runs on it
    CORE: (
        *SHELLS,
        "bibkg.store",
        "bibkg.ingest",
        "bibkg.services",
        "bibkg.corrections",
        "bibkg.cards",
        "sqlite3",
    ),
    ("bibkg.store",): SHELLS,
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path) -> Iterator[tuple[int, str]]:
    """``(line, module)`` of every import in the file at ``path``, relative ones resolved."""
    name = _module_name(path)
    yield from imports_of(path.read_text("utf-8"), name if path.name == "__init__.py" else name.rpartition(".")[0])


def imports_of(text: str, package: str) -> Iterator[tuple[int, str]]:
    """``(line, module)`` of every import in Python source ``text`` of a module of ``package``."""
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            yield node.lineno, module
            for alias in node.names:  # from bibkg import graphql
                yield node.lineno, f"{module}.{alias.name}"


def _within(module: str, packages: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)


def _files(packages: tuple[str, ...]) -> list[Path]:
    found = []
    for package in packages:
        base = SRC / Path(*package.split("."))
        found += sorted(base.rglob("*.py")) if base.is_dir() else [base.with_suffix(".py")]
    return [f for f in found if f.exists()]


@pytest.mark.parametrize(
    ("layer", "forbidden"), list(RULES.items()), ids=lambda v: "+".join(v) if isinstance(v, tuple) else v
)
def test_layer_imports_no_shell(layer, forbidden):
    files = _files(layer)
    assert files, layer
    found = [
        f"{path.relative_to(SRC)}:{line} imports {module}"
        for path in files
        for line, module in imports(path)
        if _within(module, forbidden)
    ]
    assert found == []


def test_the_check_sees_relative_and_lazy_imports():
    """Lazy relative imports of shells inside a function of ``bibkg.mapping`` are found."""
    text = "def f():\n    from ..graphql import schema\n    from .. import web\n    import bibkg.cli\n"
    found = [m for _line, m in imports_of(text, "bibkg.mapping")]
    assert {"bibkg.graphql", "bibkg.web", "bibkg.cli"} <= set(found)
    assert all(_within(m, RULES[CORE]) for m in ("bibkg.graphql", "bibkg.web.routes", "bibkg.cli"))
