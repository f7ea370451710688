"""The sizes behind the ingest's source-file limit (``BIBKG_INGEST_MAX_FILE_MB``), measured on a corpus.

    python benchmarks/bench_source_files.py [DATA_DIR]

DATA_DIR defaults to the shared full corpus (``../shared/corpora/acl-anthology-2024-08/data``).
Prints, per kind of source file (collection XML, YAML, JSON), how many there are, the largest and
its size, the limit in force and the headroom it leaves; then the time to read the largest
collection file through the safe reader (:func:`bibkg.anthology.xmlreader.read_collection`).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from bibkg.anthology.xmlreader import read_collection
from bibkg.safeparse import MAX_FILE_MB_ENV, max_file_bytes

DEFAULT = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora" / "acl-anthology-2024-08" / "data"


def main() -> int:
    datadir = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    if not (datadir / "xml").is_dir():
        print(f"no Anthology data directory at {datadir}", file=sys.stderr)
        return 2
    limit = max_file_bytes()
    print(f"data directory {datadir}")
    print(f"limit {limit / 2**20:g} MiB per source file ({MAX_FILE_MB_ENV})")
    for kind, pattern in (("xml", "xml/*.xml"), ("yaml", "yaml/**/*.yaml"), ("json", "json/**/*.json")):
        files = sorted(datadir.glob(pattern), key=lambda p: p.stat().st_size)
        if not files:
            print(f"{kind:5} none")
            continue
        largest = files[-1]
        size = largest.stat().st_size
        print(
            f"{kind:5} {len(files):5} files, largest {largest.relative_to(datadir)} "
            f"{size / 2**20:.2f} MiB (limit = {limit / size:.0f}x)"
        )
    largest_xml = max((datadir / "xml").glob("*.xml"), key=lambda p: p.stat().st_size)
    started = time.perf_counter()
    collection = read_collection(largest_xml)
    seconds = time.perf_counter() - started
    papers = sum(len(v.papers) for v in collection.volumes)
    print(f"read {largest_xml.name}: {papers:,} papers in {seconds * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
