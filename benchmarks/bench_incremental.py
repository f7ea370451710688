#!/usr/bin/env python3
"""Benchmark: updates of a full-corpus store (issue 13), side by side with a cold ingest.

    python benchmarks/bench_incremental.py [DATA_DIR] [--base STORE] [--updates N] [--work DIR] [--no-cold]

Measured, each once, printed as one markdown table:

* **cold ingest**: ``bibkg ingest COPY --full`` (a copy of DATA_DIR in the work directory) in a subprocess into a fresh store: wall
  seconds and the peak RSS of the process tree (sampled from /proc, as ``bench_ingest.py``);
  skipped with ``--no-cold``, then ``--base`` is required;
* **one changed collection file → published**: ``bibkg ingest COPY`` (a copy of DATA_DIR in the
  work directory) after one collection file of the copy changed, in a subprocess: seconds from
  its start (process start-up included) until ``STORE/current`` swung to its snapshot, until
  the process ended (the dumps are written after publishing), and the ingest's own phases; two kinds of change: a title (no
  corpus-wide graph changes) and one more author on a paper (people and statistics change);
* **one-quad delta → published**: ``apply_delta`` adding one quad, in this process (what a server
  or the corrections service calls), seconds until ``STORE/current`` points to the new snapshot;
* **disk after N updates**: the store directory's size on disk (allocated blocks, each hard-linked
  file counted once) after N incremental ingests, each changing one collection file, and how many
  snapshots were kept (``BIBKG_KEEP_SNAPSHOTS``, default 2).

``--base STORE`` starts from a clone of an existing full-corpus store with update state (a
checkpoint plus hard links: :meth:`bibkg.store.local.LocalStore.clone`) instead of the cold
ingest's store.  Figures are noisy on a shared machine: run it when the machine is quiet.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))
from bench_ingest import DEFAULT_DATA, bibkg_command, mib, run_measured  # noqa: E402

CHANGED = "2023.acl"


def disk_usage(path: Path) -> int:
    """Bytes allocated under ``path``, each inode once (hard links share their blocks)."""
    seen: set[tuple[int, int]] = set()
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            try:
                st = os.lstat(os.path.join(root, name))
            except FileNotFoundError:
                continue
            if (st.st_dev, st.st_ino) not in seen:
                seen.add((st.st_dev, st.st_ino))
                total += st.st_blocks * 512
    return total


def change_title(data: Path, i: int) -> None:
    path = data / "xml" / f"{CHANGED}.xml"
    text = path.read_text(encoding="utf-8")
    marker = "<title>Bench "
    if marker in text:
        start = text.index(marker) + len(marker)
        end = text.index(":", start)
        text = text[:start] + str(i) + text[end:]
    else:
        text = text.replace("<title>", f"{marker}{i}: ", 1)
    path.write_text(text, encoding="utf-8")


def add_author(data: Path, i: int) -> None:
    path = data / "xml" / f"{CHANGED}.xml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("</author>", f"</author><author><first>Bench</first><last>Author{i}</last></author>", 1)
    path.write_text(text, encoding="utf-8")


def ingest(data: Path, store: Path) -> tuple[float, float, dict]:
    """``bibkg ingest DATA`` in a subprocess: seconds until its snapshot was published (``current``
    swung, watched every 5 ms: what a server then serves), until the process ended (its dumps
    written after publishing, old snapshots pruned), and its JSON report."""
    cmd = [*bibkg_command(), "ingest", str(data), "--store", str(store), "--json", "--quiet"]
    link = store / "current"
    before = os.readlink(link) if link.is_symlink() else None
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    published = None
    while proc.poll() is None:
        if published is None and link.is_symlink() and os.readlink(link) != before:
            published = time.perf_counter() - started
        time.sleep(0.005)
    out, err = proc.communicate()
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit(f"ingest failed: {err}")
    return published if published is not None else seconds, seconds, json.loads(out)


def one_quad_delta(store_root: Path, i: int) -> tuple[float, float]:
    """Seconds until the new snapshot was published (``current`` swung: what a server then
    serves), and until the writer was done (its dumps written, old snapshots pruned)."""
    import pyoxigraph as ox

    from bibkg.store.delta import Delta, apply_delta
    from bibkg.store.local import LocalStore

    store = LocalStore(store_root)
    before = store.current_snapshot()
    quad = ox.Quad(ox.NamedNode("https://aclanthology.org/2023.acl-long.1/"), ox.NamedNode("https://w3id.org/bibkg/ns#note"),
                   ox.Literal(f"benchmark note {i}"), ox.NamedNode(f"https://w3id.org/bibkg/graph/collection/{CHANGED}"))  # fmt: skip
    started = time.perf_counter()
    report = apply_delta(store, Delta(note="bench_incremental").add_quads([quad]), command="bench_incremental")
    seconds = time.perf_counter() - started
    assert store.current_snapshot() != before
    return report.visible, seconds


def phases(summary: dict) -> str:
    top = sorted(summary.get("phases", {}).items(), key=lambda kv: -kv[1])[:4]
    return ", ".join(f"{name} {value:.2f}" for name, value in top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("datadir", nargs="?", default=str(DEFAULT_DATA))
    parser.add_argument(
        "--base", metavar="STORE", help="clone this full-corpus store instead of using the cold ingest's"
    )
    parser.add_argument("--updates", type=int, default=20, help="incremental updates before measuring the disk (20)")
    parser.add_argument("--work", metavar="DIR", help="work directory (default: a temp dir, deleted afterwards)")
    parser.add_argument("--no-cold", action="store_true", help="skip the cold ingest (needs --base)")
    args = parser.parse_args()
    datadir = Path(args.datadir)
    if args.no_cold and not args.base:
        sys.exit("--no-cold needs --base STORE")
    work = (
        Path(args.work)
        if args.work
        else Path(
            tempfile.mkdtemp(prefix="bibkg-bench-inc-", dir="/work/stores" if Path("/work/stores").is_dir() else None)
        )
    )
    work.mkdir(parents=True, exist_ok=True)
    from bibkg.store.leases import keep_snapshots
    from bibkg.store.local import LocalStore

    rows: list[tuple[str, str, str]] = []
    try:
        store = work / "store"
        data = work / "data"  # a checkout of its own, changed below
        shutil.copytree(datadir, data)
        if not args.no_cold:
            cold = work / "cold"
            cmd = [*bibkg_command(), "ingest", str(data), "--store", str(cold), "--json", "--quiet", "--full"]
            proc, seconds, sampler = run_measured(cmd)
            summary = json.loads(proc.stdout)
            rows.append(
                (
                    "cold ingest (`bibkg ingest --full`)",
                    f"{seconds:.1f} s, peak {mib(sampler.total_peak)} (main + workers)",
                    phases(summary),
                )
            )
            if not args.base:
                cold.rename(store)
        if args.base:
            LocalStore(Path(args.base)).clone(store)
            # not timed: the copy becomes the store's source (its path is in the graph; the facts
            # kept of each collection still name the base's files until each is re-mapped once)
            ingest(data, store)

        change_title(data, 0)
        published, seconds, summary = ingest(data, store)
        rows.append(
            (
                "one changed collection (a title) → published",
                f"{published:.2f} s (process done {seconds:.2f} s)",
                phases(summary),
            )
        )
        add_author(data, 0)
        published, seconds, summary = ingest(data, store)
        rows.append(
            (
                "one changed collection (one more author) → published",
                f"{published:.2f} s (process done {seconds:.2f} s)",
                phases(summary),
            )
        )
        deltas = [one_quad_delta(store, i) for i in range(3)]
        rows.append(
            (
                "one-quad delta (`apply_delta`) → published",
                f"{min(v for v, _ in deltas):.2f} s (best of 3; "
                f"{', '.join(f'{v:.2f}' for v, _ in deltas)}); writer done {min(d for _, d in deltas):.2f} s",
                "",
            )
        )

        single = disk_usage(store / "snapshots" / os.readlink(store / "current").split("/")[-1])
        times = []
        for i in range(1, args.updates + 1):
            (change_title if i % 2 else add_author)(data, i)
            published, _, _ = ingest(data, store)
            times.append(published)
        kept = len(list((store / "snapshots").iterdir()))
        rows.append(
            (
                f"{args.updates} incremental updates (alternating kinds) → published",
                f"median {sorted(times)[len(times) // 2]:.2f} s, max {max(times):.2f} s",
                "",
            )
        )
        rows.append((f"store on disk after them ({kept} snapshots kept, keep={keep_snapshots()})",
                     f"{mib(disk_usage(store))} (one snapshot's database alone: {mib(single)})", "hard links counted once"))  # fmt: skip

        print(f"\n## updates of a full-corpus store ({datadir})\n")
        print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end\n")
        print("| measure | result | largest phases (s) |")
        print("|---|---|---|")
        for name, value, detail in rows:
            print(f"| {name} | {value} | {detail} |")
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
