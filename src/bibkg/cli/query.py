"""Subcommands ``bibkg query`` (SPARQL text, a file or a named query, against the store) and
``bibkg queries`` (the named queries)."""

from __future__ import annotations

import argparse
import os
import sys

from ..errors import BibkgError
from .files import read_text_file, write_all
from .params import param_values, require_known_entities
from .stores import _reading_store, store_option


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


def cmd_queries(args: argparse.Namespace) -> int:
    from ..sparql.catalog import QueryCatalog

    for q in QueryCatalog.load().public():
        params = " ".join(f"{p.name}={p.example or '…'}" for p in q.params)
        print(f"{q.name:<32} {q.summary}")
        if params:
            print(f"{'':<32} --param {params}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
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
