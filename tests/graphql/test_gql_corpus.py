"""Coauthor counts on the real corpus equal those of the official ``acl-anthology`` library.

Self-contained and cheap: the importer and the oracle read the same temporary data directory of
symlinks to the XML files of the three events (their own collection plus every collection holding
a colocated volume) and to the YAML directory — not the whole corpus.
"""

from __future__ import annotations

import asyncio
import random
import re
from collections import Counter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "corpora" / "acl-anthology-2024-08" / "data"
EVENTS = {"acl-2024": "2024.acl", "naacl-2024": "2024.naacl", "emnlp-2023": "2023.emnlp"}
PER_EVENT = 8
IGNORED = {"bo-li-nus", "troy-lee"}
"""The ``variant:`` quirk entry (Troy Lee → bo-li-nus) that bibkg honours and 0.5.4 ignores."""

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not CORPUS.is_dir(), reason=f"full Anthology corpus not present at {CORPUS}"),
]


def _subset(tmp: Path) -> Path:
    xml = CORPUS / "xml"
    files = set()
    for collection in EVENTS.values():
        files.add(f"{collection}.xml")
        text = (xml / f"{collection}.xml").read_text(encoding="utf-8")
        for volume in re.findall(r"<volume-id>([^<]+)</volume-id>", text):
            prefix, _, _ = volume.partition("-")
            files.add(f"{prefix}.xml")
    root = tmp / "data"
    (root / "xml").mkdir(parents=True)
    files.update(p.name for p in xml.iterdir() if not p.name.endswith(".xml"))  # schema.rnc …
    for name in sorted(files):
        if (xml / name).exists():
            (root / "xml" / name).symlink_to(xml / name)
    (root / "yaml").symlink_to(CORPUS / "yaml")
    return root


def _oracle(acl_oracle, datadir: Path) -> dict[str, dict[str, Counter]]:
    """event → person id → Counter(coauthor id → shared papers), papers with an unresolvable
    (ambiguous) author excluded along with every author of them; computed by acl-anthology 0.5.4
    in its own venv (``tests/oracle/coauthors.py``)."""
    answer = acl_oracle("coauthors.py", datadir, *EVENTS)
    return {event: {person: Counter(counts) for person, counts in people.items()} for event, people in answer.items()}


QUERY = """query($p: ID!, $e: ID!, $after: String) { person(id: $p) {
  coauthors(event: $e, first: 100, after: $after) { totalCount edges { count node { id } }
  pageInfo { hasNextPage endCursor } } } }"""


async def _ours(schema, services, settings, person: str, event: str) -> Counter:
    from bibkg.graphql.types import GQLContext

    counts: Counter = Counter()
    after = None
    while True:
        result = await schema.execute(
            QUERY,
            variable_values={"p": person, "e": event, "after": after},
            context_value=GQLContext(services, settings),
        )
        assert result.errors is None, result.errors
        connection = result.data["person"]["coauthors"]
        counts.update({e["node"]["id"]: e["count"] for e in connection["edges"]})
        if not connection["pageInfo"]["hasNextPage"]:
            return counts
        after = connection["pageInfo"]["endCursor"]


def test_coauthor_counts_match_acl_anthology(tmp_path, acl_oracle):
    from bibkg.graphql.schema import build_schema
    from bibkg.graphql.settings import GraphQLSettings
    from bibkg.ingest import run_ingest
    from bibkg.read.runner import QueryRunner
    from bibkg.services import Services
    from bibkg.sparql.catalog import QueryCatalog
    from bibkg.store.local import LocalStore
    from bibkg.store.oxigraph import OxigraphStore

    datadir = _subset(tmp_path)
    local = LocalStore(tmp_path / "store")
    run_ingest(datadir, local, jobs=1)
    store = OxigraphStore.open(local)
    catalog = QueryCatalog.load(REPO / "queries")
    services = Services(store, catalog, QueryRunner(store, catalog))
    settings = GraphQLSettings()
    schema = build_schema(settings)
    oracle = _oracle(acl_oracle, datadir)

    rng = random.Random(2024)
    checked = 0
    for event, people in oracle.items():
        ranked = sorted(people, key=lambda p: (-sum(people[p].values()), p))
        sample = ranked[:3] + rng.sample(ranked[3:], PER_EVENT - 3)
        for person in sample:
            if person in IGNORED:
                continue
            expected = Counter({k: v for k, v in people[person].items() if k not in IGNORED})
            ours = asyncio.run(_ours(schema, services, settings, person, event))
            ours = Counter({k: v for k, v in ours.items() if k not in IGNORED})
            assert ours == expected, (event, person, ours - expected, expected - ours)
            checked += 1
    assert checked >= 3 * PER_EVENT - 2
