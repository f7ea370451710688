"""The full corpus against the official ``acl-anthology`` 0.5.4 library, author entry by author entry.

The library is the oracle for person resolution; it runs in its own venv (``tests/oracle/persons.py``,
see the ``acl_oracle`` fixture).  Its person index refuses to build on this corpus (three
ambiguous names in 2023 Findings), so the oracle replays the index build itself, name spec by
name spec in the library's own order, catching ``AmbiguousNameError`` per entry.
Expected differences, asserted to be exactly these and printed:

* the 3 ambiguous entries: the library raises; bibkg keeps ``unverified/{slug}`` and warns;
* the ``variant:`` quirk of name_variants.yaml (entry ``bo-li-nus``): the library ignores the key,
  bibkg honours it, so "Troy Lee" would be ``bo-li-nus`` in bibkg and ``troy-lee`` in the
  library.  No author entry of the Aug 2024 corpus prints "Troy Lee", so no entry differs; the
  name only shows up as a declared name of ``bo-li-nus``.

The library also registers the ``<variant script=…>`` names of an author element to that author's
person, so a later paper that prints the Han-script name itself (e.g. 2023.ccl-1.29 "鸿飞 林")
resolves to that person (``hongfei-lin``), not to the slug (``hong-fei-lin``); bibkg does the same
(``register_variants``), checked by its own test below.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pytest
import yaml

from bibkg import iris
from bibkg.anthology.names import Name
from bibkg.ingest import IngestReport
from bibkg.store.local import LocalStore
from bibkg.store.oxigraph import OxigraphStore

pytestmark = pytest.mark.corpus

PAPERS = 97_494
AUTHORSHIPS = 335_781
AMBIGUOUS = {
    ("2023.findings-acl.693", "Zhicheng Guo"),
    ("2023.findings-acl.844", "Catherine Chen"),
    ("2023.findings-emnlp.598", "Yongqi Li"),
}
AMBIGUOUS_MARK = "<ambiguous>"

Key = tuple[str, str, int]  # (item full id, "author" | "editor", 1-based position)


XML_VARIANTS: dict[tuple[str | None, str], str] = {}
"""(first, last) of names the library registered from an XML <variant> -> its person id."""


@pytest.fixture(scope="session")
def oracle(shared_corpus: Path, acl_oracle) -> dict[Key, tuple[str, str]]:
    """(item, role, position) -> (person id or AMBIGUOUS_MARK, printed name) per acl-anthology 0.5.4.

    Built by ``tests/oracle/persons.py`` in the oracle's own venv (it also fills XML_VARIANTS).
    """
    started = time.perf_counter()
    answer = acl_oracle("persons.py", shared_corpus)
    for first, last, pid in answer["xml_variants"]:
        XML_VARIANTS.setdefault((first, last), pid)
    result: dict[Key, tuple[str, str]] = {
        (item, role, position): (pid, printed) for item, role, position, pid, printed in answer["entries"]
    }
    print(
        f"\n[corpus] acl-anthology oracle built in {answer['seconds']:.1f} s "
        f"({time.perf_counter() - started:.1f} s with its process): {len(result):,} entries"
    )
    return result


@pytest.fixture(scope="package")
def ours(corpus_ingest: tuple[LocalStore, IngestReport]) -> dict[Key, str]:
    """(item, role, position) -> person id, read back from the store."""
    store, _ = corpus_ingest
    graph = OxigraphStore.open(store)
    result: dict[Key, str] = {}
    sparql = """PREFIX bibkg: <https://w3id.org/bibkg/ns#>
        SELECT ?node ?person WHERE { ?item bibkg:authorship|bibkg:editorship ?node . ?node bibkg:person ?person }"""
    for row in graph.query(sparql):
        node, person = row["node"].value, row["person"].value
        item_iri, _, fragment = node.partition("#")
        role, _, position = fragment.partition("-")
        item = item_iri.removeprefix(iris.ANTHOLOGY).removeprefix("volumes/").rstrip("/")
        pid = iris.person_id_from_iri(person)
        assert pid is not None, person
        result[(item, role, int(position))] = pid
    return result


def quirk_names(shared_corpus: Path) -> dict[Name, str]:
    """Names that only the `variant:` key of name_variants.yaml registers -> their person id."""
    entries = yaml.load(
        (shared_corpus / "yaml" / "name_variants.yaml").read_text(encoding="utf-8"), Loader=yaml.CSafeLoader
    )
    names = {}
    for entry in entries:
        if "variant" in entry:
            values = entry["variant"] if isinstance(entry["variant"], list) else [entry["variant"]]
            for value in values:
                names[Name(value.get("first"), value["last"])] = entry["id"]
    return names


def test_counts(corpus_ingest: tuple[LocalStore, IngestReport]) -> None:
    store, report = corpus_ingest
    assert report.papers == PAPERS
    assert report.authorships == AUTHORSHIPS
    graph = OxigraphStore.open(store)
    count = """PREFIX bibkg: <https://w3id.org/bibkg/ns#>
        SELECT (COUNT(*) AS ?n) WHERE { %s }"""
    assert int(next(iter(graph.query(count % "?p a bibkg:Paper")))["n"].value) == PAPERS
    assert int(next(iter(graph.query(count % "?p bibkg:authorship ?a")))["n"].value) == AUTHORSHIPS
    assert int(next(iter(graph.query(count % "?p a bibkg:Paper , bibkg:FrontMatter")))["n"].value) == 0


def test_every_entry_resolves_like_acl_anthology(
    oracle: dict[Key, tuple[str, str]],
    ours: dict[Key, str],
    shared_corpus: Path,
    corpus_ingest: tuple[LocalStore, IngestReport],
) -> None:
    _, report = corpus_ingest
    assert set(ours) == set(oracle), (
        f"entries only in bibkg: {sorted(set(ours) - set(oracle))[:10]}; "
        f"only in acl-anthology: {sorted(set(oracle) - set(ours))[:10]}"
    )
    assert sum(1 for k in ours if k[1] == "author") == AUTHORSHIPS
    quirks = quirk_names(shared_corpus)
    ambiguous, quirk, other, xml_variant = [], [], [], []
    for key, (expected, printed) in sorted(oracle.items()):
        got = ours[key]
        if got == expected:
            continue
        if expected == AMBIGUOUS_MARK:
            ambiguous.append((key, printed, got))
        elif quirks.get(_name(printed)) == got:
            quirk.append((key, printed, got, expected))
        elif XML_VARIANTS.get(_parts(printed)) == expected:
            xml_variant.append((key, printed, got, expected))
        else:
            other.append((key, printed, got, expected))
    print(
        f"\n[corpus] {len(oracle):,} author/editor entries compared with acl-anthology 0.5.4; "
        f"{len(ambiguous) + len(quirk)} expected differences:"
    )
    for _key, printed, got in ambiguous:
        print(f"  ambiguous  {key}  {printed!r}: bibkg {got} (+ warning), acl-anthology raises AmbiguousNameError")
    for key, printed, got, expected in quirk:
        print(f"  variant:   {key}  {printed!r}: bibkg {got}, acl-anthology {expected}")
    print(
        f"[corpus] {len(xml_variant)} entries differ because of the XML-variant bug (see "
        "test_names_registered_by_xml_variants_resolve_like_acl_anthology)"
    )
    assert other == [], f"{len(other)} unexpected differences, first ones: {other[:20]}"
    # the ambiguous entries: exactly the three known, unverified/{slug}, each with a warning
    assert {(k[0], printed) for k, printed, _ in ambiguous} == AMBIGUOUS
    for _key, printed, got in ambiguous:
        assert got == "unverified/" + _name(printed).slug
    warned = {w.item for w in report.warnings if w.kind == "ambiguous-name"}
    assert {item for item, _ in AMBIGUOUS} <= warned
    # the variant: quirk: only entries printed "Troy Lee" may differ, as bo-li-nus vs troy-lee.
    # (In the Aug 2024 corpus no author entry prints "Troy Lee", so this list is empty there.)
    assert {(printed, got, expected) for _, printed, got, expected in quirk} <= {("Troy Lee", "bo-li-nus", "troy-lee")}


def test_variant_quirk_name_is_kept(corpus_ingest: tuple[LocalStore, IngestReport]) -> None:
    """bo-li-nus's `variant:` name is a declared name of the person, not dropped."""
    store, _ = corpus_ingest
    person = iris.person_iri("bo-li-nus")
    ask = f"""PREFIX bibkg: <https://w3id.org/bibkg/ns#>
        ASK {{ <{person}> bibkg:personName ?n . ?n bibkg:fullName "Troy Lee" ; bibkg:declared true }}"""
    assert bool(OxigraphStore.open(store).query(ask))


def test_names_registered_by_xml_variants_resolve_like_acl_anthology(
    oracle: dict[Key, tuple[str, str]], ours: dict[Key, str]
) -> None:
    diffs = [
        (key, printed, ours[key], expected)
        for key, (expected, printed) in sorted(oracle.items())
        if ours[key] != expected and XML_VARIANTS.get(_parts(printed)) == expected
    ]
    for key, printed, got, expected in diffs:
        print(f"  xml-variant {key}  {printed!r}: bibkg {got}, acl-anthology {expected}")
    assert diffs == []


def _parts(printed: str) -> tuple[str | None, str]:
    first, _, last = printed.rpartition(" ")
    return (first or None, last)


def _name(printed: str) -> Name:
    first, _, last = printed.rpartition(" ")
    return Name(first or None, last)


def test_warning_kinds(corpus_ingest: tuple[LocalStore, IngestReport]) -> None:
    _, report = corpus_ingest
    kinds = Counter(w.kind for w in report.warnings)
    print(f"\n[corpus] warnings: {dict(kinds)}")
    assert kinds["ambiguous-name"] == len(AMBIGUOUS)
