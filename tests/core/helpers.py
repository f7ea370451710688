"""Helpers of the core tests: SPARQL over a store, the CLI in a subprocess, N-Quads snapshots."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox

from bibkg.sparql.formats import term_text
from bibkg.store.local import LocalStore
from bibkg.store.oxigraph import OxigraphStore
from bibkg.vocab import PREFIXES

PROLOGUE = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())


def rows(store: LocalStore, sparql: str) -> list[dict[str, str]]:
    """SELECT solutions as dicts of plain strings (IRIs and literal values)."""
    result = OxigraphStore.open(store).query(PROLOGUE + sparql)
    names = [v.value for v in result.variables]
    return [{n: term_text(s[n]) for n in names if s[n] is not None} for s in result]


def values(store: LocalStore, sparql: str) -> list[str]:
    """The single variable of each solution."""
    return [next(iter(r.values())) if r else "" for r in rows(store, sparql)]


def ask(store: LocalStore, sparql: str) -> bool:
    return bool(OxigraphStore.open(store).query(PROLOGUE + sparql))


def sorted_nquads(snapshot: Path) -> list[bytes]:
    """Every quad of a snapshot as sorted N-Quads lines (for exact comparisons)."""
    data = ox.Store.read_only(str(snapshot)).dump(format=ox.RdfFormat.N_QUADS)
    return sorted(line for line in data.splitlines() if line.strip())


def assert_same_files(a: Path, b: Path) -> None:
    """The files of two snapshots' directories are the same, byte for byte; the paper cards by
    content (an update changes the previous file in place: the same rows, another page layout)."""
    from bibkg.cards import CARDS_FILE, content

    assert sorted(p.name for p in a.iterdir()) == sorted(p.name for p in b.iterdir())
    for path in a.iterdir():
        if path.name == CARDS_FILE:
            assert content(path) == content(b / path.name)
            continue
        with path.open("rb") as one, (b / path.name).open("rb") as other:
            while chunk := one.read(1 << 24):
                assert chunk == other.read(1 << 24), f"{path.name} differs"
            assert not other.read(1), f"{path.name} differs"


def bibkg_command() -> list[str]:
    """The ``bibkg`` console script of this interpreter's environment (or ``python -m bibkg``)."""
    script = Path(sys.executable).parent / "bibkg"
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    found = shutil.which("bibkg")
    return [found] if found else [sys.executable, "-m", "bibkg"]


def cli_env(tmp: Path) -> dict[str, str]:
    """An environment that never touches the user's default store or cache."""
    env = dict(os.environ)
    env["BIBKG_STORE"] = str(tmp / "default-store")
    env["BIBKG_CACHE"] = str(tmp / "cache")
    env.pop("PYTHONSTARTUP", None)
    return env


def run_cli(tmp: Path, *args: str, timeout: float = 120, **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*bibkg_command(), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=cli_env(tmp),
        **kwargs,
    )
