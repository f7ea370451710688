"""No SPARQL query text in Python: queries live in ``.rq`` files (``queries/``, the public catalog;
``src/bibkg/read/queries/``, the internal ones) and code finds them by name in the catalog.

Every string literal of ``src/bibkg/**/*.py`` (f-strings with their replacement fields blanked;
docstrings skipped) that looks like a SPARQL query — a query form followed by a group
(``SELECT … {``, ``ASK {``) or ``WHERE {`` — fails the test with its file and line, unless the
allowlist below names it with a reason.  SQL is not SPARQL: the paper cards' SQLite queries
(``SELECT … FROM card WHERE …``) have no ``{``.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"
PACKAGE = SRC / "bibkg"

SPARQL = re.compile(r"\b(?:SELECT|CONSTRUCT|ASK|DESCRIBE)\b.*\{|(?i:\bWHERE\s*\{)", re.DOTALL)
"""A query form (in capitals, as bibkg writes them) with a group after it, or a ``WHERE`` group
(in any case): prose that says "select" before a format field (``{name}``) is no query."""

ALLOWED: dict[tuple[str, str], str] = {
    # (module, how the literal begins): why it is not a query to move into a .rq file
    ("bibkg.cli", "examples:"): "help text: `bibkg --help` shows example commands, one a query",
    ("bibkg.cli.query", "examples:"): "help text: `bibkg query --help` shows example queries",
    ("bibkg.store.remote", "?SELECT * WHERE {"): (
        "the paging wrapper around a user's own query text (composed, not a query of bibkg's)"
    ),
    ("bibkg.store.remote", "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"): (
        "reads back a scratch store a remote graph answer was parsed into (no bibkg data)"
    ),
}


def looks_like_sparql(text: str) -> bool:
    return SPARQL.search(text) is not None


def _module(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _docstrings(tree: ast.Module) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                found.add(id(first.value))
    return found


def literals(text: str) -> Iterator[tuple[int, str]]:
    """``(line, text)`` of every string literal of Python source ``text`` but its docstrings; an
    f-string is one literal, each replacement field written ``?``."""
    tree = ast.parse(text)
    skip = _docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            skip.update(id(part) for part in node.values)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            found.append((node.lineno, "".join(p.value if isinstance(p, ast.Constant) else "?" for p in node.values)))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            found.append((node.lineno, node.value))
    yield from sorted(found)


def _allowed(module: str, text: str) -> bool:
    return any(module == m and text.lstrip().startswith(begins) for m, begins in ALLOWED)


def test_no_sparql_query_in_python_source() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = _module(path)
        for line, text in literals(path.read_text("utf-8")):
            if looks_like_sparql(text) and not _allowed(module, text):
                first = " ".join(text.split())[:80]
                found.append(f"{path.relative_to(SRC.parent)}:{line}: {first}")
    assert not found, "SPARQL written in Python; put it in a .rq file (src/bibkg/read/queries/):\n" + "\n".join(found)


def test_every_allowlisted_literal_still_exists() -> None:
    """An allowlist entry whose literal is gone is removed, not kept to excuse a future one."""
    seen = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        module = _module(path)
        for _line, text in literals(path.read_text("utf-8")):
            if looks_like_sparql(text):
                seen.update((m, b) for m, b in ALLOWED if m == module and text.lstrip().startswith(b))
    assert seen == set(ALLOWED)


def test_the_detector() -> None:
    assert looks_like_sparql("SELECT ?k (COUNT(*) AS ?n) WHERE { ?s ?k ?o } GROUP BY ?k")
    assert looks_like_sparql("ASK { { ?entity ?p ?o } UNION { ?s ?q ?entity } }")
    assert looks_like_sparql("\nCONSTRUCT { ?s ?p ?o }\nWHERE {\n  ?s ?p ?o\n}")
    assert looks_like_sparql("select distinct ?g where { graph ?g { } }")
    # f-strings: the replacement fields are blanked, the literal braces of {{ }} kept
    ((_, text),) = literals('q = f"SELECT ?x WHERE {{ GRAPH <{graph}> {{ ?x ?p ?o }} }}"')
    assert text == "SELECT ?x WHERE { GRAPH <?> { ?x ?p ?o } }" and looks_like_sparql(text)
    assert list(literals('def f():\n    """Run SELECT * WHERE { ?s ?p ?o }."""\n')) == []  # a docstring
    # SQL is not SPARQL: the paper cards' queries (bibkg.cards) have no group
    assert not looks_like_sparql("SELECT paper, card FROM card WHERE author = ? ORDER BY paper")
    assert not looks_like_sparql("select a query from the list: {name}")  # prose in a format template
    cards = [text for _line, text in literals((PACKAGE / "cards.py").read_text("utf-8"))]
    assert any(re.search(r"\bSELECT\b.*\bFROM\b", t, re.S) for t in cards), "bibkg.cards has SQL queries"
    assert not any(looks_like_sparql(t) for t in cards)


def test_moved_queries_name_the_iris_of_the_code() -> None:
    """The queries moved out of Python write the IRIs they used to compose in."""
    from bibkg import iris
    from bibkg.mapping.stats import DATASET_IRI
    from bibkg.sparql.catalog import default_catalog
    from bibkg.sparql.schema import RDF_TYPE

    catalog = default_catalog()
    for name in ("void-description", "void-dataset-literals"):
        assert f"GRAPH <{iris.STATS_GRAPH}>" in catalog[name].text and f"<{DATASET_IRI}>" in catalog[name].text
    assert f'"{DATASET_IRI}#"' in catalog["void-description"].text
    assert f"<{RDF_TYPE}>" in catalog["schema-classes"].text
