"""Which store a command reads or writes: ``--store DIR``, else ``$BIBKG_STORE``, else the
default one (or, for reading, the bundled sample when the default store is empty)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .. import config
from ..errors import StoreError


def _store_origin(args: argparse.Namespace, path: Path) -> str | None:
    """How the user named the store at ``path`` (``--store DIR``, ``BIBKG_STORE=DIR``), for
    messages; ``None`` when nobody did (the default store)."""
    if args.store:
        return f"--store {path}"
    if os.environ.get("BIBKG_STORE"):
        return f"BIBKG_STORE={path}"
    return None


def _store_dir(args: argparse.Namespace) -> Path:
    """The store directory: ``--store``, else ``$BIBKG_STORE``, else the default one.

    A store is a directory; a path that exists and is something else is refused here, once for
    every command, rather than failing deep inside ``mkdir`` or the snapshot code.
    """
    path = Path(args.store) if args.store else config.default_store_dir()
    if path.exists() and not path.is_dir():
        origin = _store_origin(args, path) or f"default store {path}"
        raise StoreError(f"{origin}: not a directory (a store is a directory, e.g. --store ./store)")
    return path


def _reading_store(args: argparse.Namespace):  # noqa: ANN202 - LocalStore
    """The store to read: the one named, the default one, or else the bundled sample.

    Only an unnamed, empty default store falls back to the sample: a store named by ``--store``
    or ``BIBKG_STORE`` that holds no graph is an error (a typo must not silently answer from the
    sample).
    """
    from ..sample import sample_store
    from ..store.local import LocalStore

    store = LocalStore(_store_dir(args))
    if store.exists():
        return store
    origin = _store_origin(args, store.root)
    if origin is not None:
        raise StoreError(f"{origin}: no graph in this store (run 'bibkg ingest DATA_DIR --store {store.root}' first)")
    print(
        f"bibkg: no graph in {store.root}; using the bundled sample (run 'bibkg ingest DATA_DIR' to build your own)",
        file=sys.stderr,
    )
    return sample_store()


def store_option(parser: argparse.ArgumentParser) -> None:
    """The ``--store DIR`` option shared by the subcommands that read or write a store."""
    parser.add_argument(
        "--store",
        metavar="DIR",
        help="store directory (default: $BIBKG_STORE or ~/.local/share/bibkg/store)",
    )
