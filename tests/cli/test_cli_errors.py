"""Ordinary mistakes on the command line: one clear line on stderr and a non-zero exit.

Each case runs the real ``bibkg`` console script (a subprocess) on the bundled sample and asserts
the exit code, a single ``bibkg: error: …`` line naming the offending value, and no traceback;
and, for the "silent empties", that an unknown id or graph is an error rather than an empty
answer (issue 11, item 5).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path

import pytest

from bibkg.store.local import LocalStore
from tests.core.helpers import bibkg_command, cli_env, run_cli

SERVE_PORT = 18620
"""In this suite's port range; a server that did start anyway would listen here."""


def assert_one_error(proc: subprocess.CompletedProcess[str], *needles: str) -> str:
    """Non-zero exit, stderr exactly one ``bibkg: error:`` line mentioning every needle."""
    err = proc.stderr.strip()
    assert proc.returncode != 0, (proc.args, proc.stdout[-500:], err[-2000:])
    assert "Traceback" not in err, err[-2000:]
    assert len(err.splitlines()) == 1, err[-2000:]
    assert err.startswith("bibkg: error: "), err
    for needle in needles:
        assert needle in err, (needle, err)
    return err


def run_serve(tmp: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``bibkg serve …`` that must refuse to start; if it serves anyway, it is stopped (with its
    worker processes) after a few seconds and the test fails."""
    proc = subprocess.Popen(
        [*bibkg_command(), "serve", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env or cli_env(tmp),
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
        pytest.fail(f"bibkg serve {' '.join(args)} started serving instead of refusing: {out} {err[-1000:]}")
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


@pytest.fixture(scope="module")
def store(sample_store: LocalStore) -> str:
    return str(sample_store.root)


def test_bibtex_person_given_as_a_name(store: str, tmp_path: Path) -> None:
    assert_one_error(run_cli(tmp_path, "bibtex", "--store", store, "--person", "Yi Liu"), "--person", "Yi Liu")


def test_bibtex_unknown_person_and_volume(store: str, tmp_path: Path) -> None:
    assert_one_error(run_cli(tmp_path, "bibtex", "--store", store, "--person", "no-such-person"), "no-such-person")
    assert_one_error(run_cli(tmp_path, "bibtex", "--store", store, "--volume", "2099.nope"), "2099.nope")
    ok = run_cli(tmp_path, "bibtex", "--store", store, "--person", "yaodong-yang")
    assert ok.returncode == 0 and ok.stdout.count("@inproceedings") == 7, ok.stderr


def test_query_file_missing(store: str, tmp_path: Path) -> None:
    missing = str(tmp_path / "nonexistent.rq")
    assert_one_error(run_cli(tmp_path, "query", "--store", store, "--file", missing), missing)


def test_export_into_a_missing_directory(store: str, tmp_path: Path) -> None:
    target = str(tmp_path / "no" / "such" / "dir" / "x.ttl")
    assert_one_error(run_cli(tmp_path, "export", "--store", store, "-o", target), target)
    assert not (tmp_path / "no").exists()


def test_ingest_into_a_file(sample_datadir: Path, tmp_path: Path) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("not a store\n")
    assert_one_error(run_cli(tmp_path, "ingest", str(sample_datadir), "--store", str(a_file), "--quiet"), str(a_file))
    assert a_file.read_text() == "not a store\n"


def test_serve_a_store_without_a_graph(tmp_path: Path) -> None:
    missing = str(tmp_path / "nonexistent")
    proc = run_serve(tmp_path, "--store", missing, "--port", str(SERVE_PORT))
    assert_one_error(proc, missing)
    assert "serving" not in proc.stdout


def test_serve_a_port_that_is_no_tcp_port(store: str, tmp_path: Path) -> None:
    wraps = str(SERVE_PORT + 65536)  # the socket layer would listen on SERVE_PORT
    proc = run_serve(tmp_path, "--store", store, "--port", wraps)
    assert_one_error(proc, wraps)
    assert "serving" not in proc.stdout


def test_stats_into_a_closed_pipe(store: str, tmp_path: Path) -> None:
    """``bibkg stats | head -3``: the reader is gone before the first write; no traceback."""
    proc = subprocess.Popen(
        [*bibkg_command(), "stats", "--store", store],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=cli_env(tmp_path),
    )
    proc.stdout.close()  # type: ignore[union-attr]
    _, err = proc.communicate(timeout=120)
    assert proc.returncode != 0
    assert err.decode() == "", err.decode()[-2000:]


def test_query_into_a_closed_pipe_is_not_a_success(store: str, tmp_path: Path) -> None:
    """A result larger than the pipe's buffer, read 10 bytes of: the rest could not be written,
    so the exit is not 0 (a short write used to be dropped silently), and no traceback."""
    proc = subprocess.Popen(
        [*bibkg_command(), "query", "--store", store, "--format", "csv", "SELECT * WHERE { ?s ?p ?o }"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=cli_env(tmp_path),
    )
    assert len(proc.stdout.read(10)) == 10  # type: ignore[union-attr]
    proc.stdout.close()  # type: ignore[union-attr]
    _, err = proc.communicate(timeout=120)
    assert proc.returncode != 0
    assert err.decode() == "", err.decode()[-2000:]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
def test_output_to_a_full_disk(store: str, tmp_path: Path) -> None:
    with open("/dev/full", "wb") as full:
        proc = subprocess.run(
            [*bibkg_command(), "query", "--store", store, "SELECT * WHERE { ?s ?p ?o }"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            env=cli_env(tmp_path),
            timeout=120,
        )
    assert_one_error(proc, "No space left on device")


@pytest.mark.parametrize(
    ("params", "needles"),
    [
        (("person=no-such-person", "event=acl-2025"), ("'person'", "no-such-person")),
        (("person=yaodong-yang", "event=acl-2052"), ("'event'", "acl-2052")),
    ],
)
def test_named_query_with_an_unknown_id(
    store: str, tmp_path: Path, params: tuple[str, ...], needles: tuple[str, ...]
) -> None:
    args = ["query", "--store", store, "--name", "coauthors-at-event"]
    for p in params:
        args += ["--param", p]
    assert_one_error(run_cli(tmp_path, *args), *needles)


def test_named_query_with_known_ids_still_answers(store: str, tmp_path: Path) -> None:
    proc = run_cli(
        tmp_path,
        "query",
        "--store",
        store,
        "--name",
        "coauthors-at-event",
        "--param",
        "person=yaodong-yang",
        "--param",
        "event=acl-2025",
        "--format",
        "json",
    )
    assert proc.returncode == 0, proc.stderr
    assert len(json.loads(proc.stdout)["results"]["bindings"]) > 0


def test_export_of_an_unknown_graph(store: str, tmp_path: Path) -> None:
    proc = run_cli(tmp_path, "export", "--store", store, "--graph", "https://nope/")
    assert_one_error(proc, "https://nope/")
    assert proc.stdout == ""


def test_store_named_by_bibkg_store_must_exist(tmp_path: Path) -> None:
    """A typo in BIBKG_STORE is an error, not the bundled sample answering instead."""
    typo = str(tmp_path / "typo")
    env = {**cli_env(tmp_path), "BIBKG_STORE": typo}
    proc = subprocess.run([*bibkg_command(), "stats"], capture_output=True, text=True, env=env, timeout=120)
    assert_one_error(proc, typo)
    assert proc.stdout == ""
    assert_one_error(run_serve(tmp_path, "--port", str(SERVE_PORT), env=env), typo)


def test_stats_after_the_readme_export_load_round_trip(store: str, tmp_path: Path) -> None:
    """README: ``bibkg export --format turtle --gzip -o bibkg.ttl.gz`` then ``bibkg load`` into
    another store; its stats count the loaded triples (they sit in the default graph)."""
    dump = str(tmp_path / "bibkg.ttl.gz")
    other = str(tmp_path / "other-store")
    assert run_cli(tmp_path, "export", "--store", store, "--format", "turtle", "--gzip", "-o", dump).returncode == 0
    loaded = run_cli(tmp_path, "load", dump, "--store", other)
    assert loaded.returncode == 0, loaded.stderr
    before = json.loads(run_cli(tmp_path, "stats", "--store", store, "--format", "json").stdout)
    after = json.loads(run_cli(tmp_path, "stats", "--store", other, "--format", "json").stdout)
    assert before["triples"] > 1000
    assert after["triples"] == before["triples"]
    assert after["classes"] == before["classes"]
