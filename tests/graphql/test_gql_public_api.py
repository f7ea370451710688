"""bibkg reaches strawberry through its public API only.

A private name of strawberry (an attribute, method or keyword argument beginning with ``_``, or
a module or name it does not export) can change or vanish in any release: a server that used
them started only as long as strawberry kept its internals (``lean.py`` did, up to 0.320).
The checks read the source of ``src/``; the private names are the ones strawberry's own source
defines, less those the file checked defines itself (``self._cache``).
"""

from __future__ import annotations

import ast
import importlib
import re
from collections.abc import Iterator
from pathlib import Path

import strawberry

SRC = Path(__file__).resolve().parents[2] / "src"
_DEFINED = re.compile(
    r"(?:def|class)\s+(_[A-Za-z]\w*)|\.(_[A-Za-z]\w*)\s*[:=]|^\s*(_[A-Za-z]\w*)\s*[:=]"
    r"|[(,]\s*(_[A-Za-z]\w*)\s*[:=]",
    re.M,
)


def _defined(text: str) -> set[str]:
    """Names beginning with one ``_`` (not dunders) that Python source ``text`` defines."""
    return {n for match in _DEFINED.finditer(text) for n in match.groups() if n and not n.startswith("__")}


def _own(text: str) -> set[str]:
    """Private names Python source ``text`` itself defines: functions, classes, parameters and
    assignment targets (``self._cache = …``)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                for part in ast.walk(target):
                    if isinstance(part, ast.Name):
                        names.add(part.id)
                    elif isinstance(part, ast.Attribute):
                        names.add(part.attr)
    return {n for n in names if n.startswith("_") and not n.startswith("__")}


def strawberry_private() -> set[str]:
    return set().union(*(_defined(p.read_text("utf-8")) for p in Path(strawberry.__file__).parent.rglob("*.py")))


def private_uses(text: str, private: set[str]) -> Iterator[str]:
    """Where ``text`` (Python source) reaches a private strawberry name: an attribute, a keyword
    argument, or an import of a module or name strawberry keeps private or does not export."""
    private = private - _own(text)
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Attribute) and node.attr in private:
            yield f"line {node.lineno}: attribute {node.attr}"
        elif isinstance(node, ast.keyword) and node.arg in private:
            yield f"line {node.lineno}: keyword argument {node.arg}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "strawberry" and any(p.startswith("_") for p in alias.name.split(".")):
                    yield f"line {node.lineno}: import {alias.name}"
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "strawberry":
            module = node.module or ""
            if any(part.startswith("_") for part in module.split(".")):
                yield f"line {node.lineno}: import from {module}"
                continue
            exported = getattr(importlib.import_module(module), "__all__", None)
            for alias in node.names:
                if alias.name.startswith("_") or (exported is not None and alias.name not in exported):
                    yield f"line {node.lineno}: {module}.{alias.name} is not exported"


def test_src_uses_no_private_strawberry_name():
    private = strawberry_private()
    found = {
        str(path.relative_to(SRC)): uses
        for path in sorted(SRC.rglob("*.py"))
        if (uses := list(private_uses(path.read_text("utf-8"), private)))
    }
    assert found == {}


def test_the_check_finds_what_lean_used():
    """The internals the deleted ``graphql/lean.py`` relied on are all found."""
    lean = """
from strawberry.types.execution import PreExecutionError
from strawberry.types.field import _private_helper
def install(schema, field, info, info_class):
    schema.schema_converter._get_field_exception_handlers(field)
    schema._schema.type_map
    info_class(_raw_info=info, _field=field)
"""
    uses = list(private_uses(lean, strawberry_private()))
    assert any("PreExecutionError is not exported" in u for u in uses), uses
    assert any("_private_helper" in u for u in uses), uses
    for name in ("_get_field_exception_handlers", "_schema", "_raw_info", "_field"):
        assert any(u.endswith(" " + name) for u in uses), (name, uses)
