#!/usr/bin/env python3
"""Benchmark: ingest the full ACL Anthology into a fresh store, and optionally the rdflib baseline.

    python benchmarks/bench_ingest.py [DATA_DIR] [--jobs N] [--with-rdflib] [--load-only] [--keep DIR]

DATA_DIR defaults to ``<repo>/../shared/corpora/acl-anthology-2024-08/data``.  The ingest runs
``bibkg ingest`` in a subprocess; its peak RSS is read with ``resource.getrusage(RUSAGE_CHILDREN)``
(``ru_maxrss`` is the maximum over all waited-for descendants, i.e. the largest single process:
the main process or one worker), and the workers' peak is sampled from /proc while it runs.
With ``--with-rdflib`` the snapshot is dumped to N-Triples and parsed by rdflib's default
in-memory ``Graph`` in a second subprocess (about 2-3 minutes and several GB of RAM).  With
``--load-only`` the N-Quads file the ingest wrote is bulk-loaded again, alone, into a fresh
Oxigraph store (the floor the store engine sets).  The ingest's own phases (mapping, global
graphs, bulk load, compaction) come from its ``--json`` report.  Prints a markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO.parent / "shared" / "corpora" / "acl-anthology-2024-08" / "data"


def bibkg_command() -> list[str]:
    script = Path(sys.executable).parent / "bibkg"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "bibkg"]


def du(path: Path) -> int:
    """Bytes on disk (allocated blocks), like ``du -s``."""
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_blocks * 512
            except FileNotFoundError:
                pass
    return total


class TreeSampler(threading.Thread):
    """Samples the RSS of a process and of its descendants from /proc every 0.2 s."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.main_peak = 0
        self.worker_peak = 0
        self.total_peak = 0
        self.stop = threading.Event()

    @staticmethod
    def _rss(pid: int) -> int:
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1]) * 1024
        except OSError:
            pass
        return 0

    def _children(self, pid: int) -> list[int]:
        out: list[int] = []
        try:
            for tid in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{tid}/children") as f:
                    out.extend(int(c) for c in f.read().split())
        except OSError:
            pass
        return out

    def run(self) -> None:
        while not self.stop.is_set():
            main = self._rss(self.pid)
            workers = [self._rss(c) for c in self._children(self.pid)]
            self.main_peak = max(self.main_peak, main)
            self.worker_peak = max([self.worker_peak, *workers])
            self.total_peak = max(self.total_peak, main + sum(workers))
            self.stop.wait(0.2)


def run_measured(cmd: list[str], **kwargs) -> tuple[subprocess.CompletedProcess, float, TreeSampler]:
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)
    sampler = TreeSampler(proc.pid)
    sampler.start()
    out, err = proc.communicate()
    seconds = time.perf_counter() - started
    sampler.stop.set()
    sampler.join()
    if proc.returncode != 0:
        sys.exit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{err}")
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err), seconds, sampler


RDFLIB_CHILD = """
import resource, sys, time
import rdflib
started = time.perf_counter()
g = rdflib.Graph()
g.parse(sys.argv[1], format="nt")
seconds = time.perf_counter() - started
print(len(g), seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
"""


LOAD_ONLY_CHILD = """
import resource, sys, time
import pyoxigraph as ox
store = ox.Store(sys.argv[2])
started = time.perf_counter()
store.bulk_load(path=sys.argv[1], format=ox.RdfFormat.N_QUADS)
print(time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
"""


def cpu_of_children() -> float:
    """User + system CPU seconds of every waited-for descendant so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def mib(n: float) -> str:
    return f"{n / 2**20:,.0f} MiB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("datadir", nargs="?", default=str(DEFAULT_DATA), help="Anthology data directory")
    parser.add_argument("--jobs", type=int, help="worker processes for bibkg ingest (default: its own)")
    parser.add_argument("--with-rdflib", action="store_true", help="also time rdflib parsing an N-Triples dump")
    parser.add_argument("--keep", metavar="DIR", help="build the store in DIR and keep it (default: a temp dir)")
    parser.add_argument(
        "--load-only",
        action="store_true",
        help="also time Oxigraph's bulk load alone of the ingest's N-Quads into a fresh store",
    )
    args = parser.parse_args()
    datadir = Path(args.datadir)
    if not (datadir / "xml").is_dir():
        sys.exit(f"no Anthology data directory at {datadir}")

    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bibkg-bench-"))
    store = work / "store"
    if store.exists():
        sys.exit(f"{store} exists; give a fresh --keep directory")
    try:
        cmd = [*bibkg_command(), "ingest", str(datadir), "--store", str(store), "--json", "--quiet"]
        if args.jobs:
            cmd += ["--jobs", str(args.jobs)]
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        cpu_before = cpu_of_children()
        proc, seconds, sampler = run_measured(cmd)
        cpu = cpu_of_children() - cpu_before
        cores = os.cpu_count() or 1
        maxrss_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
        summary = json.loads(proc.stdout)
        snapshot = (store / "current").resolve()
        size = du(snapshot)
        quads = summary["quads"]
        rows = [
            ("wall time", f"{seconds:,.1f} s"),
            *((f"… {name}", f"{value:,.1f} s") for name, value in summary.get("phases", {}).items()),
            ("CPU time, all processes (user + system)", f"{cpu:,.1f} s"),
            (
                f"… that CPU time spread evenly over the {cores} cores (no schedule does better)",
                f"{cpu / cores:,.1f} s",
            ),
            ("quads", f"{quads:,}"),
            ("quads / s", f"{quads / seconds:,.0f}"),
            ("papers / authorships", f"{summary['papers']:,} / {summary['authorships']:,}"),
            ("peak RSS, main process (sampled)", mib(sampler.main_peak)),
            ("peak RSS, one worker (sampled)", mib(sampler.worker_peak)),
            ("peak RSS, main + workers (sampled)", mib(sampler.total_peak)),
            ("peak RSS, largest process (getrusage)", mib(maxrss_children) + ("" if before == 0 else " (*)")),
            ("store size on disk (snapshot)", mib(size)),
            (
                "files published with it (N-Quads, Turtle, TriG dumps; paper cards)",
                mib(du(store / "dumps" / snapshot.name)),
            ),
        ]
        if args.load_only:
            nquads = store / "dumps" / snapshot.name / "bibkg.nq"
            cpu_before = cpu_of_children()
            child, wall, _sampler = run_measured(
                [sys.executable, "-c", LOAD_ONLY_CHILD, str(nquads), str(work / "load-only")]
            )
            load_seconds, rss = child.stdout.split()
            rows.append(
                (
                    "Oxigraph bulk load alone of the same N-Quads",
                    f"{float(load_seconds):,.1f} s, CPU {cpu_of_children() - cpu_before:,.1f} s, peak RSS {mib(int(rss))}",
                )
            )
            shutil.rmtree(work / "load-only", ignore_errors=True)
        baseline = []
        if args.with_rdflib:
            nt = work / "dump.nt"
            started = time.perf_counter()
            _dump_union(snapshot, nt)
            dump_seconds = time.perf_counter() - started
            child, wall, _sampler2 = run_measured([sys.executable, "-c", RDFLIB_CHILD, str(nt)])
            triples, parse_seconds, rss = child.stdout.split()
            baseline = [
                ("N-Triples dump (pyoxigraph)", f"{nt.stat().st_size / 2**20:,.0f} MiB in {dump_seconds:,.1f} s"),
                ("rdflib Graph().parse(nt): wall", f"{float(parse_seconds):,.1f} s ({wall:,.1f} s with start-up)"),
                ("rdflib triples", f"{int(triples):,}"),
                ("rdflib triples / s", f"{int(triples) / float(parse_seconds):,.0f}"),
                ("rdflib peak RSS", mib(int(rss))),
            ]
        print(f"\n## bibkg ingest of {datadir}\n")
        print(f"machine: {os.cpu_count()} cores; command: `{' '.join(cmd)}`\n")
        if baseline:
            print("| measure | bibkg (Oxigraph, on disk) | | baseline | rdflib (in memory) |")
            print("|---|---|---|---|---|")
            for i in range(max(len(rows), len(baseline))):
                a = rows[i] if i < len(rows) else ("", "")
                b = baseline[i] if i < len(baseline) else ("", "")
                print(f"| {a[0]} | {a[1]} | | {b[0]} | {b[1]} |")
        else:
            print("| measure | bibkg |")
            print("|---|---|")
            for name, value in rows:
                print(f"| {name} | {value} |")
        if before:
            print("\n(*) getrusage(RUSAGE_CHILDREN) also covers earlier children of this process")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def _dump_union(snapshot: Path, target: Path) -> None:
    """All quads of the snapshot as N-Triples (graph names dropped: the union graph)."""
    import pyoxigraph as ox

    store = ox.Store.read_only(str(snapshot))
    with target.open("wb") as out:
        batch = []
        for quad in store:
            batch.append(ox.Triple(quad.subject, quad.predicate, quad.object))
            if len(batch) >= 200_000:
                out.write(ox.serialize(batch, format=ox.RdfFormat.N_TRIPLES))
                batch = []
        if batch:
            out.write(ox.serialize(batch, format=ox.RdfFormat.N_TRIPLES))


if __name__ == "__main__":
    main()
