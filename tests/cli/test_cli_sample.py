"""End to end on the bundled sample through the ``bibkg`` command line (subprocesses)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from bibkg import iris
from tests.core.helpers import run_cli

CORE_COMMANDS = {
    "ingest": ["PATH", "--store", "--jobs", "--quiet", "--json", "--warnings"],
    "stats": ["--store", "--format", "--graphs"],
    "query": ["SPARQL", "--file", "--name", "--param", "--format", "--store"],
    "queries": [],
}


@pytest.fixture(scope="module")
def cli_store(tmp_path_factory: pytest.TempPathFactory, sample_datadir: Path) -> tuple[Path, dict]:
    tmp = tmp_path_factory.mktemp("cli")
    store = tmp / "store"
    proc = run_cli(tmp, "ingest", str(sample_datadir), "--store", str(store), "--json", "--quiet", "--warnings")
    assert proc.returncode == 0, proc.stderr
    assert "Yi Liu" in proc.stderr and "2025.naacl-demo.23" in proc.stderr  # --warnings lists them
    return store, json.loads(proc.stdout)


def query(store: Path, tmp: Path, *args: str) -> str:
    """``bibkg query`` in a subprocess."""
    proc = run_cli(tmp, "query", "--store", str(store), *args)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def main(capsysbinary: pytest.CaptureFixture[bytes], *argv: str) -> tuple[int, str, str]:
    """``bibkg`` in this process (much faster than a subprocess): exit code, stdout, stderr."""
    from bibkg import cli

    try:
        code = cli.main(list(argv))
    except SystemExit as exc:  # argparse: --help, --version, usage errors
        code = int(exc.code or 0)
    out, err = capsysbinary.readouterr()
    return code, out.decode(), err.decode()


def iquery(capsysbinary: pytest.CaptureFixture[bytes], store: Path, *args: str) -> str:
    code, out, err = main(capsysbinary, "query", "--store", str(store), *args)
    assert code == 0, err
    return out


def test_ingest_summary(cli_store) -> None:
    _, summary = cli_store
    assert summary["people_format"] == "current"
    assert (summary["collections"], summary["papers"], summary["frontmatter"]) == (3, 7, 3)
    assert summary["authorships"] == 100 and summary["editorships"] == 8
    assert summary["persons"] == 78
    assert summary["warnings"] == {"ambiguous-name": 1}
    assert summary["quads"] > 1000


def test_ingest_table_output(tmp_path: Path, sample_datadir: Path) -> None:
    proc = run_cli(tmp_path, "ingest", str(sample_datadir), "--store", str(tmp_path / "s"), "--quiet")
    assert proc.returncode == 0, proc.stderr
    for word in ("collections", "papers", "persons", "authorships", "quads", "current people metadata"):
        assert word in proc.stdout
    assert "--warnings lists them" in proc.stderr


def test_stats(cli_store, tmp_path: Path) -> None:
    store, summary = cli_store
    proc = run_cli(tmp_path, "stats", "--store", str(store), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    stats = json.loads(proc.stdout)
    assert stats["classes"]["bibkg:Paper"] == 7
    assert stats["classes"]["bibkg:FrontMatter"] == 3
    assert stats["classes"]["bibkg:Person"] == summary["persons"]
    assert stats["triples"] >= summary["quads"] - 1  # stats graph may add a few
    assert iris.collection_graph("2025.acl") in stats["graphs"]
    table = run_cli(tmp_path, "stats", "--store", str(store), "--graphs")
    assert table.returncode == 0 and "bibkg:Paper" in table.stdout and iris.PEOPLE_GRAPH in table.stdout


def _seed(store: Path, tmp: Path, *params: str) -> list[dict]:
    out = query(store, tmp, *params, "--format", "json")
    return json.loads(out)["results"]["bindings"]


def test_seed_question_event_reading(cli_store, tmp_path: Path, repo_root: Path) -> None:
    store, _ = cli_store
    expected = json.loads((repo_root / "data/expected/coauthors-yaodong-yang.json").read_text())["event:acl-2025"]
    expected_ids = json.loads((repo_root / "data/expected/coauthors-yaodong-yang.ids.json").read_text())[
        "event:acl-2025"
    ]
    rows = _seed(
        store, tmp_path, "--name", "coauthors-at-event", "--param", "person=yaodong-yang", "--param", "event=acl-2025"
    )
    assert {r["name"]["value"]: int(r["papers"]["value"]) for r in rows} == expected
    assert {iris.person_id_from_iri(r["coauthor"]["value"]): int(r["papers"]["value"]) for r in rows} == expected_ids
    assert len(rows) == 37 and sum(int(r["papers"]["value"]) for r in rows) == 59
    counts = [int(r["papers"]["value"]) for r in rows]
    assert counts == sorted(counts, reverse=True)


def test_seed_question_venue_year_reading(cli_store, tmp_path: Path, repo_root: Path) -> None:
    store, _ = cli_store
    expected = json.loads((repo_root / "data/expected/coauthors-yaodong-yang.json").read_text())["venue:acl:2025"]
    expected_ids = json.loads((repo_root / "data/expected/coauthors-yaodong-yang.ids.json").read_text())[
        "venue:acl:2025"
    ]
    rows = _seed(
        store,
        tmp_path,
        "--name",
        "coauthors-at-venue-year",
        "--param",
        "person=yaodong-yang",
        "--param",
        "venue=acl",
        "--param",
        "year=2025",
    )
    assert {r["name"]["value"]: int(r["papers"]["value"]) for r in rows} == expected
    assert {iris.person_id_from_iri(r["coauthor"]["value"]): int(r["papers"]["value"]) for r in rows} == expected_ids
    assert len(rows) == 15 and sum(int(r["papers"]["value"]) for r in rows) == 21


def test_query_formats(cli_store, tmp_path: Path, capsysbinary) -> None:
    store, _ = cli_store
    sparql = (
        "PREFIX bibkg: <https://w3id.org/bibkg/ns#> "
        "SELECT ?id WHERE { ?p a bibkg:Paper ; bibkg:anthologyId ?id } ORDER BY ?id"
    )
    ids = sorted(
        [
            "2025.acl-long.1141",
            "2025.acl-long.1544",
            "2025.findings-acl.388",
            "2025.findings-acl.721",
            "2025.findings-acl.820",
            "2025.findings-acl.1028",
            "2025.naacl-demo.23",
        ]
    )
    out = query(store, tmp_path, sparql, "--format", "csv")
    assert [r["id"] for r in csv.DictReader(io.StringIO(out))] == ids
    out = iquery(capsysbinary, store, sparql, "--format", "tsv")
    assert out.splitlines()[0] == "?id" and len(out.splitlines()) == 8
    out = iquery(capsysbinary, store, sparql, "--format", "json")
    assert [b["id"]["value"] for b in json.loads(out)["results"]["bindings"]] == ids
    out = iquery(capsysbinary, store, sparql)  # default: table
    assert "2025.acl-long.1141" in out and "(7 rows)" in out
    out = iquery(capsysbinary, store, sparql, "--format", "xml")
    assert "<sparql" in out and "2025.naacl-demo.23" in out
    # ASK
    assert iquery(capsysbinary, store, "ASK { ?s ?p ?o }").strip() == "true"


def test_construct_as_turtle(cli_store, tmp_path: Path, capsysbinary) -> None:
    import rdflib

    store, _ = cli_store
    person = iris.person_iri("yaodong-yang")
    out = query(store, tmp_path, f"CONSTRUCT {{ <{person}> ?p ?o }} WHERE {{ <{person}> ?p ?o }}", "--format", "turtle")
    graph = rdflib.Graph().parse(data=out, format="turtle")
    assert (rdflib.URIRef(person), rdflib.RDFS.label, rdflib.Literal("Yaodong Yang")) in graph
    assert (
        rdflib.URIRef(person),
        rdflib.URIRef("https://w3id.org/bibkg/ns#scriptVariant"),
        rdflib.Literal("耀东 杨", lang="zh-Hani"),
    ) in graph
    out = iquery(
        capsysbinary, store, f"CONSTRUCT {{ <{person}> ?p ?o }} WHERE {{ <{person}> ?p ?o }}", "--format", "ntriples"
    )
    assert len(rdflib.Graph().parse(data=out, format="nt")) == len(graph)


def test_query_from_file_and_stdin(cli_store, tmp_path: Path, capsysbinary) -> None:
    store, _ = cli_store
    rq = tmp_path / "q.rq"
    rq.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/bibkg/ns#Paper> }")
    assert iquery(capsysbinary, store, "--file", str(rq), "--format", "csv").splitlines()[1].strip() == "7"
    proc = run_cli(tmp_path, "query", "--store", str(store), "--format", "csv", "-", input=rq.read_text())
    assert proc.returncode == 0 and proc.stdout.splitlines()[1].strip() == "7"


def test_documented_query_example_runs(cli_store, capsysbinary) -> None:
    store, _ = cli_store
    code, out, err = main(
        capsysbinary,
        "query",
        "--store",
        str(store),
        "--format",
        "csv",
        "SELECT (COUNT(*) AS ?n) WHERE { ?p a bibkg:Paper }",
    )
    assert code == 0, err
    assert out.splitlines()[1].strip() == "7"


def test_help_exits_0_and_mentions_options(tmp_path: Path, capsysbinary) -> None:
    proc = run_cli(tmp_path, "--help")  # once through the real console script
    assert proc.returncode == 0
    for command in CORE_COMMANDS:
        assert command in proc.stdout
    for command, options in CORE_COMMANDS.items():
        code, out, err = main(capsysbinary, command, "--help")
        assert code == 0, (command, err)
        for option in options:
            assert option in out, (command, option)


def test_version(capsysbinary) -> None:
    import bibkg

    code, out, _ = main(capsysbinary, "--version")
    assert code == 0 and bibkg.__version__ in out


def test_no_command_prints_help(capsysbinary) -> None:
    code, out, _ = main(capsysbinary)
    assert code == 2 and "usage: bibkg" in out


def test_every_registered_subcommand_has_help(capsysbinary) -> None:
    """Subcommands added by other modules (serve, export, …) answer --help too."""
    from bibkg import cli

    parser = cli.build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert set(CORE_COMMANDS) <= set(sub.choices)
    for name in sub.choices:
        code, out, err = main(capsysbinary, name, "--help")
        assert code == 0, (name, err)
        assert "usage: bibkg " + name in out


def test_bad_input_exit_1_with_a_clear_message(cli_store, tmp_path: Path, broken_datadir: Path, capsysbinary) -> None:
    """Through the console script for bad data directories; in-process for the rest."""
    store, _ = cli_store
    proc = run_cli(tmp_path, "ingest", str(tmp_path / "does-not-exist"), "--store", str(tmp_path / "s"))
    assert proc.returncode == 1
    assert "does-not-exist" in proc.stderr and "not an Anthology data directory" in proc.stderr
    proc = run_cli(tmp_path, "ingest", str(broken_datadir), "--store", str(tmp_path / "s"), "--jobs", "1", "--quiet")
    assert proc.returncode == 1
    assert "2022.badconf.xml:19" in proc.stderr and "malformed XML" in proc.stderr
    cases = [
        (("query", "--store", str(store), "SELEC nonsense"), "error at"),
        (("query", "--store", str(store), "--name", "no-such-query"), "no-such-query"),
        (("query", "--store", str(store), "--name", "coauthors-at-event", "--param", "person=yaodong-yang"), "event"),
        (("query", "--store", str(store), "--name", "coauthors-at-event", "--param", "bogus"), "NAME=VALUE"),
        (("query", "--store", str(store), "ASK { ?s ?p ?o }", "--format", "turtle"), "table"),
        (
            (
                "query",
                "--store",
                str(store),
                "--name",
                "coauthors-at-event",
                "--param",
                "person=a b",
                "--param",
                "event=x",
            ),
            "person",
        ),
        (("stats", "--store", str(tmp_path / "empty-store")), "bibkg ingest"),
    ]
    for argv, needle in cases:
        code, _, err = main(capsysbinary, *argv)
        assert code == 1, argv
        assert err.startswith("bibkg: error:") and needle in err, (argv, err)
        assert "Traceback" not in err
