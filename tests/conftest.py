"""Shared fixtures for the whole test suite; kept small and generic on purpose.

* ``repo_root``        the source tree (the directory holding ``pyproject.toml``)
* ``sample_datadir``   the bundled sample, ``data/anthology`` (current people format)
* ``legacy_datadir``   the fabricated legacy-layout fixture, ``tests/data/legacy``
* ``broken_datadir``   the fabricated fixture with a malformed XML file, ``tests/data/broken``
* ``sample_store``     a :class:`bibkg.store.local.LocalStore` holding the sample, shared by the
                       whole session (treat it as read-only: serve it, query it, export from it)
* ``sample_copy``      ``sample_copy(directory)``: a new :class:`~bibkg.store.local.LocalStore` at
                       ``directory`` holding the sample, the test's own to write to (ingest, apply
                       deltas or corrections, publish, prune); session-scoped, so module- and
                       session-scoped fixtures can use it too

The sample is ingested once per session, into a template store no test sees; ``sample_store`` and
every ``sample_copy`` are copies of that directory (``current`` is a relative symlink, the rest
plain files: a copy is a valid store, as a fresh ingest of ``data/anthology`` left it, and costs a
fraction of an ingest).  Tests of ingest itself still ingest inline (into a copy, or from other
data: a modified copy of the sample, the legacy and broken fixtures, the full corpus).
* ``shared_corpus``    the full ACL Anthology snapshot in ``<repo>/../shared/corpora/…/data``;
                       skips the test when it is absent (a fresh clone has no ``../shared``)
* ``acl_oracle``       runs a script of ``tests/oracle/`` in the oracle's own venv (acl-anthology
                       0.5.4, ``scripts/oracle-env.sh``) and returns its JSON; skips without it
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_CORPUS = REPO_ROOT.parent / "shared" / "corpora" / "acl-anthology-2024-08" / "data"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def sample_datadir(repo_root: Path) -> Path:
    return repo_root / "data" / "anthology"


@pytest.fixture(scope="session")
def legacy_datadir(repo_root: Path) -> Path:
    return repo_root / "tests" / "data" / "legacy"


@pytest.fixture(scope="session")
def broken_datadir(repo_root: Path) -> Path:
    return repo_root / "tests" / "data" / "broken"


@pytest.fixture(scope="session")
def sample_copy(tmp_path_factory: pytest.TempPathFactory, sample_datadir: Path) -> Callable[[Path], Any]:
    """``sample_copy(directory)``: a store at ``directory`` (absent or empty) holding the sample,
    a copy of a template store ingested once per session that no test reads or writes."""
    from bibkg.ingest import run_ingest
    from bibkg.store.local import LocalStore

    template = LocalStore(tmp_path_factory.mktemp("sample-template"))
    run_ingest(sample_datadir, template, jobs=1)

    def copy(directory: Path) -> LocalStore:
        shutil.copytree(template.root, directory, symlinks=True, dirs_exist_ok=True)
        return LocalStore(Path(directory))

    return copy


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory: pytest.TempPathFactory, sample_copy: Callable[[Path], Any]):
    """The sample in a store shared by the whole session (do not write to it: ``sample_copy``)."""
    return sample_copy(tmp_path_factory.mktemp("sample-store"))


@pytest.fixture(scope="session")
def shared_corpus() -> Path:
    """The full Anthology corpus (Aug 2024), or skip when this checkout has none beside it."""
    if not (SHARED_CORPUS / "xml").is_dir():
        pytest.skip(f"full ACL Anthology corpus not found at {SHARED_CORPUS} (only on the shared dev machine)")
    return SHARED_CORPUS


@pytest.fixture(scope="session")
def acl_oracle(repo_root: Path) -> Callable[..., Any]:
    """``run(script, *args)``: the JSON that ``tests/oracle/<script>`` prints in the oracle's venv.

    The official ``acl-anthology`` library is the oracle for person resolution and BibTeX, but it
    pins ``anyio<4`` and cannot share bibkg's venv (FastAPI needs ``anyio>=4``), so it lives in
    ``.venv-oracle`` (``scripts/oracle-env.sh``; ``BIBKG_ORACLE_PYTHON`` names another
    interpreter) and runs as a subprocess.  Skips, saying why, when that environment is missing.
    """
    python = os.environ.get("BIBKG_ORACLE_PYTHON") or str(repo_root / ".venv-oracle" / "bin" / "python")
    hint = "run scripts/oracle-env.sh (scripts/test.sh does) or set BIBKG_ORACLE_PYTHON"
    if not Path(python).is_file():
        pytest.skip(f"acl-anthology oracle environment not found: no {python}; {hint}")
    probe = subprocess.run([python, "-c", "import acl_anthology"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip(
            f"{python} cannot import acl_anthology ({(probe.stderr.strip().splitlines() or ['no output'])[-1]}); {hint}"
        )

    def run(script: str, *args: object) -> Any:
        proc = subprocess.run(
            [python, str(repo_root / "tests" / "oracle" / script), *map(str, args)],
            capture_output=True,
            text=True,
            encoding="utf-8",
        )
        if proc.returncode != 0:
            pytest.fail(f"oracle {script} exited {proc.returncode}: {proc.stderr[-3000:]}")
        return json.loads(proc.stdout)

    return run


@pytest.fixture(scope="session")
def corpus_store(shared_corpus: Path, tmp_path_factory: pytest.TempPathFactory):
    """The full corpus as a :class:`bibkg.store.local.LocalStore`, once per session (treat it as
    read-only): ``BIBKG_TEST_CORPUS_STORE`` names an existing full-corpus store to read instead of
    ingesting the shared corpus into a temporary directory (about a minute, 2 GB of RAM)."""
    from bibkg.store.local import LocalStore

    prebuilt = os.environ.get("BIBKG_TEST_CORPUS_STORE")
    if prebuilt:
        local = LocalStore(Path(prebuilt))
        if not local.exists():
            pytest.fail(f"BIBKG_TEST_CORPUS_STORE={prebuilt} is not a bibkg store with a graph")
        return local
    from bibkg.ingest import run_ingest

    local = LocalStore(tmp_path_factory.mktemp("corpus-store-shared"))
    run_ingest(shared_corpus, local)
    return local
