"""Subcommand ``bibkg stats``: what the graph holds."""

from __future__ import annotations

import argparse
import json

from .stores import _reading_store, store_option


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


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "stats",
        help="what the graph holds: triples, entities per class, named graphs",
        description="Count triples, entities per class and named graphs of the store.",
    )
    store_option(p)
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument("--graphs", action="store_true", help="also list every named graph with its size")
    p.set_defaults(func=cmd_stats)
