"""Where things are: store directory, bundled sample, named queries.

Nothing here runs at import time; every function reads the environment when called.

* ``BIBKG_STORE`` — the store directory used when ``--store`` is not given
  (default ``$XDG_DATA_HOME/bibkg/store``, i.e. ``~/.local/share/bibkg/store``).
* ``BIBKG_CACHE`` — where the bundled sample is ingested for ``bibkg serve`` and friends when no
  store is named (default ``$XDG_CACHE_HOME/bibkg``, i.e. ``~/.cache/bibkg``).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent
_REPO_DIR = _PACKAGE_DIR.parent.parent


def _first_existing(*candidates: Path) -> Path:
    for path in candidates:
        if path.exists():
            return path
    return candidates[-1]


def sample_datadir() -> Path:
    """The bundled sample (``data/anthology`` of the source tree, or its copy in a wheel)."""
    return _first_existing(_PACKAGE_DIR / "_data" / "anthology", _REPO_DIR / "data" / "anthology")


def sample_hf_dir() -> Path | None:
    """The bundled Daily Papers entries of the seed author's preprints (``data/hf-daily-papers``),
    ingested with the sample; ``None`` in an installation without them."""
    for path in (_PACKAGE_DIR / "_data" / "hf-daily-papers", _REPO_DIR / "data" / "hf-daily-papers"):
        if path.is_dir():
            return path
    return None


def queries_dir() -> Path:
    """The public catalog of named SPARQL queries (``queries/*.rq``), the everyday questions."""
    return _first_existing(_PACKAGE_DIR / "_queries", _REPO_DIR / "queries")


def internal_queries_dir() -> Path:
    """The read layer's queries, run by bibkg's own code only (``src/bibkg/read/queries/*.rq``:
    package data, at the same place in a wheel)."""
    return _PACKAGE_DIR / "read" / "queries"


def ontology_dir() -> Path:
    return _first_existing(_PACKAGE_DIR / "_ontology", _REPO_DIR / "ontology")


def default_store_dir() -> Path:
    if env := os.environ.get("BIBKG_STORE"):
        return Path(env)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "bibkg" / "store"


def cache_dir() -> Path:
    if env := os.environ.get("BIBKG_CACHE"):
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "bibkg"


def sample_fingerprint(datadir: Path | None = None) -> str:
    """A hash of the sample's files and of the code that ingests them (mapping, resolution, the
    files published with a snapshot): a change to either re-ingests it."""
    datadir = datadir or sample_datadir()
    digest = hashlib.sha256()
    for path in sorted(p for p in datadir.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(datadir)).encode())
        digest.update(path.read_bytes())
    hf_dir = sample_hf_dir()
    for path in sorted(p for p in hf_dir.rglob("*.json") if p.is_file()) if hf_dir is not None else ():
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    code = sorted((_PACKAGE_DIR / "mapping").glob("*.py")) + sorted((_PACKAGE_DIR / "anthology").glob("*.py"))
    code += sorted((_PACKAGE_DIR / "hf").glob("*.py"))
    code += sorted((_PACKAGE_DIR / "ingest").glob("*.py"))
    code += [_PACKAGE_DIR / "cards.py", _PACKAGE_DIR / "safeparse.py", _PACKAGE_DIR / "store" / "snapshot_dumps.py"]
    code += [_PACKAGE_DIR / "read" / "records.py"]
    for path in code:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
