"""Oracle for tests/corpus/test_corpus_oracle.py, run in .venv-oracle: person ids per acl-anthology 0.5.4.

Usage: ``persons.py DATADIR``.  Prints one JSON object:

* ``entries``: ``[item full id, "author" | "editor", 1-based position, person id or
  "<ambiguous>", printed name]`` for every author/editor entry;
* ``xml_variants``: ``[first or null, last, person id]`` for every name the library registered
  from an XML ``<variant>`` (first registration wins);
* ``seconds``: how long the build took.

The library's person index refuses to build on the full corpus (three ambiguous names in 2023
Findings), so this replays the index build itself, name spec by name spec in the library's own
order (the same calls as ``PersonIndex.build()``), catching ``AmbiguousNameError`` per entry.
"""

from __future__ import annotations

import json
import sys
import time
import warnings

from _stdout import json_stdout
from acl_anthology import Anthology
from acl_anthology.exceptions import AmbiguousNameError

AMBIGUOUS_MARK = "<ambiguous>"


def main(datadir: str) -> None:
    out = json_stdout()
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SchemaMismatchWarning: the corpus ships its own schema.rnc
        anthology = Anthology(datadir=datadir, verbose=False)
    index = anthology.people
    index.reset()
    index._load_variant_list()  # what PersonIndex.build() does first

    xml_variants: dict[tuple[str | None, str], str] = {}

    def person(spec) -> str:
        new = [v for v in spec.variants if v not in index.name_to_ids]
        try:
            pid = index.get_or_create_person(spec).id
        except AmbiguousNameError:
            return AMBIGUOUS_MARK
        for v in new:
            xml_variants.setdefault((v.first or None, v.last), pid)
        return pid

    entries: list[list] = []
    # the same order and the same calls as PersonIndex.build(), recording what the test compares
    for collection in anthology.collections.values():
        for volume in collection.volumes():
            for position, spec in enumerate(volume.editors, start=1):
                entries.append([volume.full_id, "editor", position, person(spec), spec.name.as_first_last()])
            for paper in volume.papers():
                if paper.is_frontmatter:
                    for spec in paper.get_editors():
                        person(spec)
                    continue
                for position, spec in enumerate(paper.authors, start=1):
                    entries.append([paper.full_id, "author", position, person(spec), spec.name.as_first_last()])
                for position, spec in enumerate(paper.editors, start=1):
                    entries.append([paper.full_id, "editor", position, person(spec), spec.name.as_first_last()])
    json.dump(
        {
            "entries": entries,
            "xml_variants": [[first, last, pid] for (first, last), pid in xml_variants.items()],
            "seconds": round(time.perf_counter() - started, 1),
        },
        out,
        ensure_ascii=False,
    )
    out.flush()


if __name__ == "__main__":
    main(*sys.argv[1:])
