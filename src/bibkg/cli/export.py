"""Subcommands ``bibkg export``, ``bibkg load`` and ``bibkg bibtex``."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from ..errors import BibkgError, UnknownEntityError
from ..export.formats import FORMATS, get_format, guess_format
from .files import write_all
from .params import entity_term, param_values, require_known_entities
from .stores import _reading_store, _store_dir, store_option

HTTP_FORMATS = ["turtle", "ntriples", "nquads", "trig", "jsonld"]


def cmd_export(args: argparse.Namespace) -> int:
    import pyoxigraph as ox

    from ..export.dump import cached_dump

    if args.output not in (None, "-"):
        _check_output(Path(args.output))
    local = _reading_store(args)
    snapshot = local.current_snapshot()
    if snapshot is None:
        raise BibkgError(f"no graph in store {local.root}")
    if args.format:
        fmt = get_format(args.format)
        gz = args.gzip or (args.output not in (None, "-") and args.output.endswith(".gz"))
    elif args.output not in (None, "-"):
        fmt, gz = guess_format(args.output)
        gz = gz or args.gzip
    else:
        fmt, gz = FORMATS["turtle"], args.gzip
    for g in args.graph:
        if g not in ("", "default"):
            try:
                ox.NamedNode(g)
            except ValueError as exc:
                raise BibkgError(f"--graph {g!r}: not an IRI ({exc})") from None
    started = time.perf_counter()
    if args.warm_cache:
        return _warm_cache(local, snapshot, [fmt] if args.format else [FORMATS[n] for n in HTTP_FORMATS], args.quiet)
    # the dump kept with this snapshot (written by the ingest or by an earlier export): a copy
    source = None if args.graph or args.no_cache else cached_dump(local.root, snapshot.name, fmt, gz)
    store = ox.Store.read_only(str(snapshot))  # one snapshot: consistent even during an ingest
    for g in args.graph:  # an unknown graph would dump nothing: say so instead
        if g not in ("", "default") and not store.contains_named_graph(ox.NamedNode(g)):
            raise UnknownEntityError(
                f"--graph {g}: no such named graph in the store ('bibkg stats --graphs' lists them)"
            )
    if args.output in (None, "-"):
        out = sys.stdout.buffer  # a reader that stops early (| head) ends in bibkg.cli.run
        _write(out, source, store, fmt, gz, args.graph)
        out.flush()
    else:
        path = Path(args.output)
        tmp = path.with_name(f".{path.name}.partial")
        try:
            with tmp.open("wb", buffering=1 << 20) as out:
                _write(out, source, store, fmt, gz, args.graph)
            tmp.replace(path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        if not args.quiet:
            print(
                f"wrote {path} ({fmt.name}{', gzip' if gz else ''}, {path.stat().st_size:,} bytes, "
                f"snapshot {snapshot.name}, {time.perf_counter() - started:.1f}s)",
                file=sys.stderr,
            )
    return 0


def _check_output(path: Path) -> None:
    """Refuse an output path that cannot be written before any work (the dump is written to a
    temporary file beside it, whose name would otherwise appear in the error)."""
    if path.is_dir():
        raise BibkgError(f"-o {path}: is a directory")
    if not path.parent.is_dir():
        raise BibkgError(f"-o {path}: no such directory {path.parent}")
    if not os.access(path.parent, os.W_OK):
        raise BibkgError(f"-o {path}: directory {path.parent} is not writable")


def _write(out, source, store, fmt, gz: bool, graphs: list[str]) -> None:  # noqa: ANN001
    from ..export.dump import write_dump_maybe_gzip

    if source is not None:
        for chunk in source:
            write_all(out, chunk)
    else:
        write_dump_maybe_gzip(store, out, fmt, gz=gz, graphs=graphs or None)


def _warm_cache(local, snapshot: Path, formats: list, quiet: bool) -> int:  # noqa: ANN001
    """Build the gzipped dumps of ``snapshot`` that ``/dumps`` serves (plain ones are served by
    decompressing them)."""
    import pyoxigraph as ox

    from ..export.dump import cache_file, cached_dump

    store = ox.Store.read_only(str(snapshot))
    for fmt in formats:
        target = cache_file(local.root, snapshot.name, fmt, True)
        if target.is_file():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.partial")
        started = time.perf_counter()
        try:
            with tmp.open("wb", buffering=1 << 20) as out:
                _write(out, cached_dump(local.root, snapshot.name, fmt, True), store, fmt, True, [])
            tmp.replace(target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        if not quiet:
            print(
                f"built {target} ({target.stat().st_size:,} bytes, {time.perf_counter() - started:.1f}s)",
                file=sys.stderr,
            )
    return 0


def cmd_load(args: argparse.Namespace) -> int:
    from ..export.load import load_files
    from ..store.local import LocalStore

    local = LocalStore(_store_dir(args))
    started = time.perf_counter()
    report = load_files(
        local,
        args.files,
        fmt=args.format,
        graph=args.graph,
        append=args.append,
        gz=True if args.gzip else None,
    )
    print(
        f"loaded {len(report.files)} file(s) into {local.root} (snapshot {report.snapshot}): "
        f"{report.quads:,} quads, {time.perf_counter() - started:.1f}s"
    )
    return 0


def cmd_bibtex(args: argparse.Namespace) -> int:
    from .. import iris
    from ..export.bibtex import bibtex_document, csl_document
    from ..read.citations import fetch_records, papers_in_result, person_papers, volume_papers
    from ..sparql.catalog import default_catalog
    from ..store.oxigraph import OxigraphStore

    store = OxigraphStore.open(_reading_store(args))
    targets: list[str] = []
    for item in args.papers:
        targets.append(item if item.startswith(("http://", "https://")) else iris.paper_iri(item))
    for person in args.person:
        targets += person_papers(store, entity_term(store, "--person", "person", person).value)
    for volume in args.volume:
        targets += volume_papers(store, entity_term(store, "--volume", "volume", volume).value)
    if args.query:
        named = default_catalog().public_query(args.query)  # internal queries are not run by name
        bindings = named.bind(param_values(args.param))
        require_known_entities(store, named, bindings)
        targets += papers_in_result(store.query(named.text, bindings=bindings))
    if not targets:
        raise BibkgError("nothing to cite: give paper ids, --person, --volume or --query (see --help)")
    records = fetch_records(lambda q: store.query(q), targets)
    if not records:
        raise BibkgError("none of the given ids is a paper in the graph")
    if args.format == "csl":
        text = csl_document(records)
    else:
        text = bibtex_document(records, with_abstract=args.abstract)
    sys.stdout.write(text)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "export",
        help="dump the graph as RDF (Turtle, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML)",
        description="Write the store's current snapshot as RDF. Streams with constant memory; the "
        "same snapshot always gives the same bytes. nquads, trig and jsonld keep the named graphs; "
        "turtle, ntriples and rdfxml write their union. The format defaults to the output file's "
        "extension (.ttl .nt .nq .trig .jsonld .rdf, optionally .gz), else turtle.",
        epilog="examples:\n"
        "  bibkg export -o bibkg.nq.gz\n"
        "  bibkg export --format turtle --graph https://w3id.org/bibkg/graph/people > people.ttl",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--format", choices=list(FORMATS), help="RDF format (default: from -o, else turtle)")
    p.add_argument(
        "--graph",
        action="append",
        default=[],
        metavar="IRI",
        help="only this named graph (repeatable; 'default' = the default graph)",
    )
    p.add_argument("--gzip", action="store_true", help="gzip the output (implied by -o FILE.gz)")
    p.add_argument("-o", "--output", metavar="FILE", help="output file ('-' or absent: stdout)")
    p.add_argument("--quiet", action="store_true")
    p.add_argument(
        "--no-cache",
        action="store_true",
        help="always dump from the store, even if this snapshot's dump was built before",
    )
    p.add_argument(
        "--warm-cache",
        action="store_true",
        help="build the gzipped dumps /dumps serves for the current snapshot (all formats, or --format); run it after an ingest",
    )
    store_option(p)
    p.set_defaults(func=cmd_export)

    p = sub.add_parser(
        "load",
        help="load RDF dumps into a new snapshot of a store",
        description="Bulk-load RDF files (any export format, gzipped or not) into a NEW snapshot, "
        "published atomically when all files have loaded; on any error the store keeps its graph.",
        epilog="example: bibkg load bibkg.nq.gz --store ./copy",
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="RDF files ('-' reads stdin, needs --format)")
    p.add_argument("--format", choices=list(FORMATS), help="format of every file (default: from the extension)")
    p.add_argument("--gzip", action="store_true", help="the files are gzipped (default: detected)")
    p.add_argument(
        "--graph", metavar="IRI", help="named graph for triples of triple formats (default: the default graph)"
    )
    p.add_argument("--append", action="store_true", help="add to a copy of the current graph instead of replacing it")
    store_option(p)
    p.set_defaults(func=cmd_load)

    p = sub.add_parser(
        "bibtex",
        help="BibTeX (or CSL-JSON) for papers, a person, a volume or a named query",
        description="Print BibTeX entries in the ACL Anthology's conventions.",
        epilog="examples:\n"
        "  bibkg bibtex 2025.acl-long.1141\n"
        "  bibkg bibtex --person yaodong-yang\n"
        "  bibkg bibtex --volume 2025.acl-long --format csl\n"
        "  bibkg bibtex --query coauthors-at-event --param person=yaodong-yang --param event=acl-2025",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("papers", nargs="*", metavar="PAPER", help="Anthology paper ids or IRIs")
    p.add_argument("--person", action="append", default=[], metavar="ID", help="all papers of a person")
    p.add_argument("--volume", action="append", default=[], metavar="ID", help="all papers of a volume")
    p.add_argument("--query", metavar="NAME", help="the papers a named query returns (?paper column)")
    p.add_argument("--param", action="append", default=[], metavar="NAME=VALUE")
    p.add_argument("--format", choices=("bibtex", "csl"), default="bibtex")
    p.add_argument("--abstract", action="store_true", help="include abstracts")
    store_option(p)
    p.set_defaults(func=cmd_bibtex)
