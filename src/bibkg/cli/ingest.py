"""Subcommand ``bibkg ingest``: an Anthology data directory and Hugging Face Daily Papers into
the store, with a progress bar and a summary."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

from ..errors import BibkgError, StoreError
from .stores import _store_dir, store_option


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


def register(sub: argparse._SubParsersAction) -> None:
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
