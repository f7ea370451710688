"""Oracle for tests/graphql/test_gql_corpus.py, run in .venv-oracle: coauthor counts per acl-anthology 0.5.4.

Usage: ``coauthors.py DATADIR EVENT…``.  Prints ``{event: {person id: {coauthor id: shared
papers}}}`` as JSON; papers with an unresolvable (ambiguous) author are excluded along with
every author of them.
"""

from __future__ import annotations

import json
import logging
import sys
from collections import Counter, defaultdict

from _stdout import json_stdout
from acl_anthology import Anthology


def main(datadir: str, *events: str) -> None:
    out = json_stdout()
    anthology = Anthology(datadir=str(datadir))
    people = anthology.people
    quiet = logging.getLogger("acl_anthology")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)
    try:  # 0.5.4 raises after the build when names are ambiguous, and would rebuild on every lookup
        people.load()
    except Exception:  # noqa: BLE001, S110 - what was built is kept (below)
        pass
    finally:
        quiet.setLevel(level)
    people.is_data_loaded = True  # keep what was built; resolve the rest on demand below
    result: dict[str, dict[str, Counter]] = {}
    for event_id in events:
        event = anthology.get_event(event_id)
        coauthors: dict[str, Counter] = defaultdict(Counter)
        tainted: set[str] = set()
        for volume in event.volumes():
            for paper in volume.papers():
                if paper.is_frontmatter:
                    continue
                ids, broken = [], False
                for spec in paper.authors:
                    try:
                        ids.append(people.get_or_create_person(spec, create=True).id)
                    except Exception:  # noqa: BLE001 - the ambiguous names 0.5.4 raises on
                        broken = True
                if broken:
                    tainted.update(ids)
                    continue
                unique = set(ids)
                for a in unique:
                    coauthors[a].update(unique - {a})
        for person in tainted:
            coauthors.pop(person, None)
        result[event_id] = dict(coauthors)
    json.dump(result, out, ensure_ascii=False)
    out.flush()


if __name__ == "__main__":
    main(*sys.argv[1:])
