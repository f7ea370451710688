"""The README is a contract (issue 11 #7): the figures it states about the code and the bundled
sample are checked here against the code and a real ingest of the sample, so a change that makes
one false fails a test instead of going unnoticed."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bibkg.export.formats import FORMATS
from bibkg.sparql.catalog import default_catalog
from bibkg.web.dumps import HTTP_FORMATS

from .helpers import rows, run_cli

REPO = Path(__file__).resolve().parents[2]
README = (REPO / "README.md").read_text(encoding="utf-8")
SPARQL_DOC = (REPO / "docs" / "sparql.md").read_text(encoding="utf-8")
FORMAT_NAMES = {"Turtle": "turtle", "N-Triples": "ntriples", "N-Quads": "nquads", "TriG": "trig",
                "JSON-LD": "jsonld", "RDF/XML": "rdfxml"}  # fmt: skip


def flat(text: str) -> str:
    """Text with its line breaks and indentation folded into single spaces."""
    return re.sub(r"\s+", " ", text)


def test_named_query_counts() -> None:
    catalog = default_catalog()
    public = len(catalog.public())
    internal = sum(1 for q in catalog if q.internal)
    m = re.search(r"and (\d+) named queries for everyday questions, listed at `/queries`", flat(README))
    assert m, "README no longer states how many named queries are listed"
    assert int(m.group(1)) == public
    m = re.search(
        r"the (\d+) queries GraphQL, the pages, BibTeX and the preprint linker run live in the package, "
        r"`src/bibkg/read/queries/`",
        flat(README),
    )
    assert m and int(m.group(1)) == internal


def test_dump_formats() -> None:
    m = re.search(r"`bibkg export` writes ([^;]+); `/dumps` serves the first (\w+),", flat(README))
    assert m, "README no longer says which formats bibkg export and /dumps offer"
    named = [FORMAT_NAMES[n.strip()] for n in re.split(r",| and ", m.group(1).replace("and ", ",")) if n.strip()]
    assert named == list(FORMATS)  # every format bibkg export has, in its order
    words = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
    assert named[: words[m.group(2)]] == HTTP_FORMATS


@pytest.fixture(scope="module")
def sample_summary(tmp_path_factory: pytest.TempPathFactory, sample_datadir: Path) -> tuple[Path, dict]:
    tmp = tmp_path_factory.mktemp("readme")
    proc = run_cli(tmp, "ingest", str(sample_datadir), "--store", str(tmp / "store"), "--json", "--quiet")
    assert proc.returncode == 0, proc.stderr
    return tmp / "store", json.loads(proc.stdout)


def test_ingest_example(sample_summary: tuple[Path, dict]) -> None:
    _, summary = sample_summary
    block = README.split("$ bibkg ingest data/anthology --store ./store", 1)[1].split("```", 1)[0]
    for key in ("collections", "papers", "persons", "authorships", "editorships", "quads"):
        m = re.search(rf"^\s+{key}\s+([\d,]+)", block, re.M)
        assert m, f"README's ingest example has no {key}"
        assert int(m.group(1).replace(",", "")) == summary[key], key


def test_stats_example(sample_summary: tuple[Path, dict]) -> None:
    store, summary = sample_summary
    block = README.split("$ bibkg stats\n", 1)[1].split("\n\n", 1)[0]
    assert int(re.search(r"^triples\s+([\d,]+)", block, re.M).group(1).replace(",", "")) == summary["quads"]
    proc = run_cli(store.parent, "stats", "--store", str(store), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    classes = json.loads(proc.stdout)["classes"]
    for name, count in re.findall(r"^  (bibkg:\w+)\s+([\d,]+)$", block, re.M):
        assert classes[name] == int(count.replace(",", "")), name


def test_void_triples_in_docs(sample_summary: tuple[Path, dict]) -> None:
    from bibkg.store.local import LocalStore

    store, _ = sample_summary
    [row] = rows(
        LocalStore(store),
        "PREFIX void: <http://rdfs.org/ns/void#> SELECT ?n WHERE { ?d a void:Dataset ; void:triples ?n } LIMIT 1",
    )
    m = re.search(r"void:triples (\d+) ;", SPARQL_DOC)
    assert m and int(m.group(1)) == int(row["n"])


def test_script_variant_tag() -> None:
    """The README shows the script variant's tag as the store gives it (Oxigraph keeps language
    tags in lower case)."""
    import pyoxigraph as ox

    stored = ox.Literal("耀东 杨", language="zh-Hani").language
    assert f'"耀东 杨"@{stored}' in README
