"""Quality and speed of the Daily Papers linker on the full Anthology.

Prints precision and recall of paper links and author links on the hand-checked gold set
(tests/data/hf-gold.json), and the time to read and map every Daily Papers file and link all
their preprints against the Anthology in STORE (read-only: nothing is written).

    python benchmarks/bench_hf_linking.py --store /work/stores/full \
        [--hf ../shared/corpora/hf-daily-papers] [--gold tests/data/hf-gold.json] [--errors]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from bibkg.hf.anthology import AnthologySource  # noqa: E402
from bibkg.hf.evaluate import load_gold, score_authors, score_papers  # noqa: E402
from bibkg.hf.link import METHOD, TitleIndex, link, year_range  # noqa: E402
from bibkg.hf.mapping import map_listing  # noqa: E402
from bibkg.hf.reader import read_listings  # noqa: E402
from bibkg.store.local import LocalStore  # noqa: E402
from bibkg.store.oxigraph import OxigraphStore  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", required=True, type=Path, help="a store holding the full Anthology (read only)")
    parser.add_argument("--hf", type=Path, default=ROOT.parent / "shared" / "corpora" / "hf-daily-papers")
    parser.add_argument("--gold", type=Path, default=ROOT / "tests" / "data" / "hf-gold.json")
    parser.add_argument("--errors", action="store_true", help="list every wrong or missing link")
    args = parser.parse_args()

    store = OxigraphStore.open(LocalStore(args.store))
    started = time.perf_counter()
    listings = read_listings([args.hf])
    quads = sum(map_listing(listing).quads for listing in listings)
    read = time.perf_counter()
    preprints = [entry.preprint for listing in listings for entry in listing.entries]
    source = AnthologySource(store)
    papers = source.papers(year_range(preprints))
    index = TitleIndex(papers)
    indexed = time.perf_counter()
    links = link(preprints, index, source.person_names)
    done = time.perf_counter()

    gold = load_gold(args.gold)
    paper_score, author_score = score_papers(links, gold), score_authors(links, gold)
    published = sum(1 for entry in gold if entry["publishedAs"])
    print(f"method {METHOD}; store {store.snapshot}")
    print(
        f"gold set: {len(gold)} preprints ({published} published in the Anthology, "
        f"{sum(len(e.get('notPublishedAs', [])) for e in gold)} hard negative pairs, "
        f"{sum(1 for e in gold for p in e.get('authors', []) if p)} author links)"
    )
    print(f"paper links   {paper_score.line()}   (target precision >= 0.98, recall >= 0.95)")
    print(f"author links  {author_score.line()}")
    print(
        f"all {len(preprints):,} preprints of {len(listings)} days: {len(links.papers)} paper links, "
        f"{len(links.persons)} author links"
    )
    print(
        f"seconds: read+map {read - started:.2f} ({quads:,} quads), Anthology papers {len(papers):,} "
        f"read+indexed {indexed - read:.2f}, linking {done - indexed:.2f}, total {done - started:.2f}"
    )
    if args.errors:
        for line in paper_score.errors + author_score.errors:
            print("  ", line)


if __name__ == "__main__":
    main()
