"""The ``bibkg`` command line: each subcommand parses its arguments and calls one function."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from .. import __version__, config
from ..errors import BibkgError, StoreError, UnknownEntityError

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


class _ProgressBar:
    """A one-line progress bar on stderr, drawn only on a terminal."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self.started = time.perf_counter()

    def __call__(self, done: int, total: int, current: str) -> None:
        if not self.enabled:
            return
        width = 30
        filled = int(width * done / total)
        elapsed = time.perf_counter() - self.started
        sys.stderr.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} files {elapsed:5.1f}s {current[:30]:<30}"
        )
        if done == total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    def stage(self, what: str) -> None:
        if self.enabled:
            sys.stderr.write(f"{what} ({time.perf_counter() - self.started:.1f}s)\n")
            sys.stderr.flush()


def _split_ingest_paths(paths: list[str]) -> tuple[Path | None, list[Path]]:
    """The Anthology data directory among ``paths`` (the one holding ``xml/``; at most one) and
    the others (Hugging Face Daily Papers files or directories)."""
    from ..errors import SourceError

    anthology = [Path(p) for p in paths if (Path(p) / "xml").is_dir()]
    if len(anthology) > 1:
        raise BibkgError(f"one Anthology data directory at a time, got {', '.join(map(str, anthology))}")
    others = [Path(p) for p in paths if not (Path(p) / "xml").is_dir()]
    for path in others:
        if not (path.is_file() or (path.is_dir() and any(path.rglob("*.json")))):
            raise SourceError(
                path,
                None,
                "not an Anthology data directory (no xml/*.xml files) nor Daily Papers "
                "JSON files" + ("" if path.exists() else ": no such file or directory"),
            )
    return (anthology[0] if anthology else None), others


def cmd_ingest(args: argparse.Namespace) -> int:
    from ..hf import ingest as hf
    from ..hf.reader import read_listings
    from ..ingest import run_ingest
    from ..store.local import LocalStore

    store = LocalStore(_store_dir(args))
    datadir, hf_paths = _split_ingest_paths(args.paths)
    listings = read_listings(hf_paths) if hf_paths else None  # every file checked before the store is written
    if datadir is None:
        if not store.exists():
            raise StoreError(
                f"{store.root} has no graph to add Daily Papers to: ingest an Anthology data directory first"
            )
        return _print_hf(args, store, hf.ingest_hf(store, listings=listings, command="bibkg ingest"))
    carried = hf.day_graphs(store)  # a cold ingest rebuilds from the Anthology alone: keep the days
    bar = _ProgressBar(not args.quiet)
    report = run_ingest(datadir, store, jobs=args.jobs, progress=bar, stage=bar.stage, full=args.full)
    hf_report = None
    if report.mode == "cold" and carried:
        new_days = {listing.day for listing in listings or ()}
        hf_report = hf.restore_days(
            store, [g for g in carried if g.iri.rsplit("/", 1)[-1] not in new_days], command="bibkg ingest"
        )
    if listings is not None:
        hf_report = hf.ingest_hf(store, listings=listings, command="bibkg ingest")
    elif hf_report is None and hf.has_links(store):
        hf_report = hf.relink(store, command="bibkg ingest")  # the Anthology changed: links follow
    _print_anthology(args, store, report, datadir, hf_report)
    return 0


def _hf_summary(report) -> dict:  # noqa: ANN001 - bibkg.hf.ingest.HfIngestReport
    return {
        "days": report.days,
        "entries": report.entries,
        "preprints": report.preprints,
        "paper_links": report.paper_links,
        "person_links": report.person_links,
        "quads": report.quads,
        "warnings": [str(w) for w in report.warnings],
        "seconds": round(report.seconds, 2),
    }


def _print_hf(args: argparse.Namespace, store, report) -> int:  # noqa: ANN001
    if args.json:
        print(json.dumps({"store": str(store.root), "daily_papers": _hf_summary(report)}, indent=2))
    else:
        _print_hf_lines(store, report)
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return 0


def _print_hf_lines(store, report) -> None:  # noqa: ANN001
    if report.entries:
        print(f"added {report.days:,} Daily Papers days ({report.entries:,} entries) into {store.root}")
    elif report.days:
        print(f"carried {report.days:,} Daily Papers days over the rebuild of {store.root}")
    else:
        print(f"recomputed the Daily Papers links of {store.root}")
    print(f"  preprints    {report.preprints:>10,}  (in the store)")
    print(f"  paper links  {report.paper_links:>10,}")
    print(f"  author links {report.person_links:>10,}")
    print(f"  quads        {report.quads:>10,}")
    print(f"  warnings     {len(report.warnings):>10,}")
    print(f"  seconds      {report.seconds:>10.1f}")


def _print_anthology(args: argparse.Namespace, store, report, datadir: Path, hf_report) -> None:  # noqa: ANN001
    kinds = Counter(w.kind for w in report.warnings)
    if args.json:
        print(
            json.dumps(
                {
                    "store": str(store.root),
                    "people_format": report.people_format,
                    "collections": report.collections,
                    "papers": report.papers,
                    "frontmatter": report.frontmatter,
                    "persons": report.persons,
                    "authorships": report.authorships,
                    "editorships": report.editorships,
                    "quads": report.quads,
                    "warnings": dict(kinds),
                    "seconds": round(report.seconds, 2),
                    "phases": {k: round(v, 2) for k, v in report.phases.items()},
                    "mode": report.mode,
                    "changed": report.changed,
                    **({"daily_papers": _hf_summary(hf_report)} if hf_report is not None else {}),
                },
                indent=2,
            )
        )
    else:
        print(f"ingested {datadir} into {store.root} ({report.people_format} people metadata)")
        print(f"  collections  {report.collections:>10,}")
        print(f"  papers       {report.papers:>10,}  (+{report.frontmatter:,} front matter)")
        print(f"  persons      {report.persons:>10,}")
        print(f"  authorships  {report.authorships:>10,}")
        print(f"  editorships  {report.editorships:>10,}")
        print(f"  quads        {report.quads:>10,}")
        print(f"  warnings     {len(report.warnings):>10,}  {dict(kinds) if kinds else ''}")
        print(f"  seconds      {report.seconds:>10.1f}")
        if report.mode == "incremental":
            changed = ", ".join(f"{n} {k}" for k, n in report.changed.items())
            print(f"  incremental  {changed} collection files (--full for a cold ingest)")
        if hf_report is not None:
            _print_hf_lines(store, hf_report)
    if args.warnings:
        for warning in [*report.warnings, *(hf_report.warnings if hf_report is not None else ())]:
            print(f"warning: {warning}", file=sys.stderr)
    elif report.warnings:
        print("  (--warnings lists them)", file=sys.stderr)


def cmd_stats(args: argparse.Namespace) -> int:
    from ..stats import graph_statistics

    stats = graph_statistics(_reading_store(args))
    if args.format == "json":
        print(json.dumps(stats, indent=2))
        return 0
    print(f"store      {stats['store']}")
    print(f"triples    {stats['triples']:,}")
    print(f"graphs     {len(stats['graphs']):,} named graphs")
    if stats.get("default_graph_triples"):
        print(f"           {stats['default_graph_triples']:,} triples in the default graph")
    print("classes")
    for cls, count in stats["classes"].items():
        print(f"  {cls:<24} {count:>10,}")
    if args.graphs:
        print("named graphs")
        for graph, count in stats["graphs"].items():
            print(f"  {graph:<60} {count:>10,}")
    return 0


def cmd_query(args: argparse.Namespace) -> int:
    from ..sparql.catalog import QueryCatalog
    from ..sparql.formats import serialize
    from ..store.oxigraph import OxigraphStore
    from ..vocab import PREFIXES

    bindings = {}
    if args.name:
        if args.sparql or args.file:
            raise BibkgError("give either SPARQL text, --file or --name, not several")
        named = QueryCatalog.load().public_query(args.name)  # internal queries are not run by name
        values = param_values(args.param)
        text = named.text
        bindings = named.bind(values)
    elif args.file:
        text = read_text_file("--file", args.file)
    elif args.sparql == "-" or (args.sparql is None and not sys.stdin.isatty()):
        text = sys.stdin.read()
    elif args.sparql:
        text = args.sparql
    else:
        raise BibkgError("no query: give SPARQL text, --file FILE or --name NAME (see --help)")
    store = OxigraphStore.open(_reading_store(args))
    if args.name:
        require_known_entities(store, named, bindings)
    # SERVICE is refused unless the operator listed the endpoint, as for the server
    allow = os.environ.get("BIBKG_FEDERATION_ALLOW", "").split()
    result = store.query(text, bindings=bindings, prefixes=PREFIXES, federation_allow=allow)
    try:
        data = serialize(result, args.format)
    except ValueError as exc:
        raise BibkgError(str(exc)) from None
    write_all(sys.stdout.buffer, data)
    return 0


def write_all(out, data: bytes) -> None:  # noqa: ANN001 - a binary stream
    """Write all of ``data``: a buffered write that fails part-way (the reader of a pipe went
    away, a full disk) returns a short count instead of raising, and the rest would be dropped
    silently; the next write raises the error."""
    view = memoryview(data)
    while view:
        written = out.write(view)
        if not written:
            raise OSError(f"could not write to {getattr(out, 'name', 'the output')}")
        view = view[written:]


def cmd_queries(args: argparse.Namespace) -> int:
    from ..sparql.catalog import QueryCatalog

    for q in QueryCatalog.load().public():
        params = " ".join(f"{p.name}={p.example or '…'}" for p in q.params)
        print(f"{q.name:<32} {q.summary}")
        if params:
            print(f"{'':<32} --param {params}")
    return 0


def store_option(parser: argparse.ArgumentParser) -> None:
    """The ``--store DIR`` option shared by the subcommands that read or write a store."""
    parser.add_argument(
        "--store",
        metavar="DIR",
        help="store directory (default: $BIBKG_STORE or ~/.local/share/bibkg/store)",
    )


def read_text_file(option: str, path: str) -> str:
    """The UTF-8 text of ``path``, given by ``option``; a missing or unreadable file is a
    :class:`BibkgError` naming both."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise BibkgError(f"{option} {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise BibkgError(f"{option} {path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None


ENTITY_TYPES = frozenset({"person", "paper", "volume", "venue", "event", "sig"})
"""Parameter types of named queries whose values name an entity of the graph."""

_KNOWN = "ASK { { ?entity ?p ?o } UNION { ?s ?q ?entity } }"


def is_known(store, term) -> bool:  # noqa: ANN001 - OxigraphStore, NamedNode
    """Whether the graph has any triple with ``term`` as subject or object."""
    return bool(store.query(_KNOWN, bindings={"entity": term}))


def require_known_entities(store, named, bindings: dict) -> None:  # noqa: ANN001 - OxigraphStore, NamedQuery
    """Refuse a named query whose entity-typed parameter (person, event, …) names an IRI the
    graph knows nothing about.

    Such a query can only answer nothing, and "0 rows" reads as "no coauthors" when the truth
    is "no such person" (a typo, or an id of another snapshot).  One ASK per entity parameter,
    answered from the indexes.
    """
    for param in named.params:
        term = bindings.get(param.name)
        if param.type in ENTITY_TYPES and term is not None and not is_known(store, term):
            raise UnknownEntityError(
                f"parameter '{param.name}': no {param.type} {term.value} in the graph (query '{named.name}')"
            )


def entity_term(store, option: str, kind: str, value: str):  # noqa: ANN001, ANN201 - NamedNode
    """The IRI of the ``kind`` (person, volume, …) given by ``option`` as an id or IRI, checked
    to be well-formed and known to the graph."""
    from ..sparql.catalog import Parameter

    term = Parameter(option, kind).to_term(value)
    if not is_known(store, term):
        raise UnknownEntityError(f"{option} {value}: no {kind} {term.value} in the graph")
    return term


def param_values(items: Sequence[str]) -> dict[str, str]:
    """``--param NAME=VALUE`` options as a mapping (values stay strings; the catalog types them)."""
    values = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            raise BibkgError(f"--param takes NAME=VALUE, got '{item}'")
        values[key] = value
    return values


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

    p = sub.add_parser(
        "ingest",
        help="build the graph from an Anthology data directory, add Hugging Face Daily Papers",
        description="Read an ACL Anthology data directory (xml/*.xml plus people metadata in the "
        "legacy yaml/name_variants.yaml or the current yaml/people.yaml / json/people.json "
        "format, venues and SIGs) and replace the store's graph with it. The new graph is "
        "published atomically: if anything fails (a malformed file, Ctrl-C, kill -9) the store "
        "keeps the graph it had. Other PATHs are Hugging Face Daily Papers files "
        "(/api/daily_papers?date=... bodies, one day per file, or directories of them): each day "
        "replaces its own named graph and the links of every preprint to the Anthology are "
        "recomputed, as one more atomic update (every file is checked before anything is written).",
        epilog="examples:\n  bibkg ingest ~/acl-anthology/data --store ./store\n"
        "  bibkg ingest ~/acl-anthology/data ~/hf-daily-papers --store ./store\n"
        "  bibkg ingest ~/hf-daily-papers/2024-06-11.json --store ./store",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="the Anthology data directory (the one holding xml/), and/or Daily Papers JSON files or directories",
    )
    store_option(p)
    p.add_argument("--jobs", type=int, metavar="N", help="worker processes (default: one per core)")
    p.add_argument(
        "--full",
        action="store_true",
        help="cold ingest: map every file and load an empty snapshot (default: when the current "
        "snapshot was ingested by this version, map only the changed collection files and update it)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.add_argument("--warnings", action="store_true", help="list every warning on stderr")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser(
        "stats",
        help="what the graph holds: triples, entities per class, named graphs",
        description="Count triples, entities per class and named graphs of the store.",
    )
    store_option(p)
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument("--graphs", action="store_true", help="also list every named graph with its size")
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser(
        "query",
        help="run a SPARQL query (text, file or named query) against the local store",
        description="Run a SPARQL 1.1 query against the store. The default graph is the union "
        "of all named graphs; the prefixes bibkg, rdf, rdfs, xsd, owl, dcterms, foaf, schema, "
        "bibo, fabio and prov are declared. SELECT/ASK results print as a table, csv, tsv, json or xml; "
        "CONSTRUCT/DESCRIBE results as turtle, ntriples, jsonld or rdfxml.",
        epilog="examples:\n"
        "  bibkg query 'SELECT (COUNT(*) AS ?n) WHERE { ?p a bibkg:Paper }'\n"
        "  bibkg query --file my.rq --format csv\n"
        "  bibkg query --name coauthors-at-event --param person=yaodong-yang --param event=acl-2025\n"
        "  bibkg queries      # lists the named queries",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("sparql", nargs="?", metavar="SPARQL", help="query text ('-' reads stdin)")
    p.add_argument("--file", metavar="FILE", help="read the query from FILE")
    p.add_argument("--name", metavar="NAME", help="run the named query NAME from queries/")
    p.add_argument(
        "--param", action="append", default=[], metavar="NAME=VALUE", help="a parameter of the named query (repeatable)"
    )
    p.add_argument(
        "--format",
        default="table",
        choices=("table", "csv", "tsv", "json", "xml", "turtle", "ntriples", "jsonld", "rdfxml"),
    )
    store_option(p)
    p.set_defaults(func=cmd_query)

    p = sub.add_parser("queries", help="list the named queries and their parameters")
    p.set_defaults(func=cmd_queries)

    # the subcommands of the other packages, each defined beside what it runs (imported here,
    # not at the top: their modules use this one's helpers)
    from .corrections import register as corrections
    from .export import register as export
    from .hf import register as hf
    from .serve import register as serve

    for register in (serve, export, corrections, hf):
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
