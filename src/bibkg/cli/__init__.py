"""The ``bibkg`` command line: the entry point and the list of subcommands.

Each subcommand is defined beside what it runs (``ingest``, ``stats``, ``query``, ``serve``,
``export``, ``corrections``, ``hf``): it registers its parser and parses its arguments, then
calls one function."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from .. import __version__
from ..errors import BibkgError
from .corrections import register as corrections
from .export import register as export
from .hf import register as hf
from .ingest import register as ingest
from .query import register as query
from .serve import register as serve
from .stats import register as stats

EPILOG = """\
examples:
  bibkg ingest ../acl-anthology/data            build the graph from an Anthology checkout
  bibkg ingest daily-papers/2024-06-11.json      add (or replace) a day of Hugging Face Daily Papers
  bibkg stats                                    what the graph holds
  bibkg query 'SELECT * WHERE { ?s ?p ?o } LIMIT 5'
  bibkg query --name coauthors-at-event --param person=yaodong-yang --param event=acl-2025
  bibkg serve                                    SPARQL + GraphQL on http://127.0.0.1:8000

The store is a directory: --store DIR, else $BIBKG_STORE, else ~/.local/share/bibkg/store.
Commands that read a store and are given none fall back to the bundled sample when the default
store is empty, so everything works on a fresh machine.
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bibkg",
        description="A knowledge graph of the ACL Anthology: ingest it into RDF, query it with "
        "SPARQL or GraphQL, export it.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"bibkg {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for register in (ingest, stats, query, serve, export, corrections, hf):
        register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    return run(args.func, args)


def run(func, args: argparse.Namespace) -> int:  # noqa: ANN001
    """Run a subcommand; every ordinary mistake ends here as one line on stderr and an exit code.

    * :class:`BibkgError` (bad input, unknown ids, missing stores): ``bibkg: error: <message>``,
      exit 1 (argparse's own usage errors exit 2 before this);
    * :class:`OSError` (a file or directory that cannot be read or written): the same line,
      naming the path, exit 1;
    * a closed stdout (``bibkg stats | head -3``): no message, exit 141 like any program killed
      by SIGPIPE;
    * Ctrl-C: exit 130.
    Anything else is a bug and keeps its traceback.
    """
    try:
        code = int(func(args) or 0)
        sys.stdout.flush()  # a closed pipe shows up here, not at interpreter exit
        return code
    except BrokenPipeError:
        _discard_stdout()
        return 141
    except BibkgError as exc:
        _error(str(exc))
        return 1
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        _error(f"{where}{exc.strerror or exc}")
        return 1
    except KeyboardInterrupt:
        print("bibkg: interrupted; the store keeps its previous graph", file=sys.stderr)
        return 130


def _error(message: str) -> None:
    """``bibkg: error: <message>`` on one line of stderr."""
    print(f"bibkg: error: {' '.join(line.strip() for line in message.splitlines())}", file=sys.stderr)


def _discard_stdout() -> None:
    """After EPIPE, point stdout at /dev/null so the interpreter's final flush is silent too."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is not a real file (e.g. captured in a test)
        pass
