"""Hostile and careless source data (issue 10: XXE, #11 orphaned workers, #12 errors without a place).

The data comes from a public repository that takes contributions, so an ingest must treat every
file as hostile: no entity resolved, no DTD loaded, no network touched, no file larger than the
limit read, and every refusal a one-line error naming the file and line, with the store keeping
the graph it had.  Each fixture is the bundled sample copied into ``tmp_path`` and then corrupted.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from bibkg.errors import SourceError
from bibkg.ingest import run_ingest
from bibkg.store.local import LocalStore
from tests.core.helpers import bibkg_command, cli_env, run_cli, sorted_nquads

SECRET = "bibkg-secret-7f3a9c"
"""Content of a local file a hostile collection tries to pull into the graph."""


@pytest.fixture
def datadir(tmp_path: Path, sample_datadir: Path) -> Path:
    """A writable copy of the bundled sample."""
    return Path(shutil.copytree(sample_datadir, tmp_path / "data"))


@pytest.fixture
def store(tmp_path: Path, sample_copy) -> LocalStore:
    """A store holding the sample's graph: every failed ingest below must leave it as it is."""
    return sample_copy(tmp_path / "store")


def _with_prolog(path: Path, declaration: str, title_prefix: str = "") -> None:
    """Put ``declaration`` on line 2 of a collection file (after the XML declaration) and
    ``title_prefix`` at the start of its first title."""
    text = path.read_text(encoding="utf-8")
    first, rest = text.split("\n", 1)
    rest = rest.replace("<title>", f"<title>{title_prefix}", 1)
    path.write_text(f"{first}\n{declaration}\n{rest}", encoding="utf-8")


def _refused(store: LocalStore, datadir: Path, jobs: int = 1) -> SourceError:
    """Ingest ``datadir`` into ``store`` expecting a SourceError; check that nothing was published."""
    before = store.current_snapshot()
    quads = sorted_nquads(before)
    with pytest.raises(SourceError) as caught:
        run_ingest(datadir, store, jobs=jobs)
    assert store.current_snapshot() == before
    assert sorted_nquads(store.current_snapshot()) == quads
    return caught.value


def _store_text(store: LocalStore) -> bytes:
    """Every byte the store holds (snapshots, dumps, cards)."""
    return b"".join(p.read_bytes() for p in store.root.rglob("*") if p.is_file() and not p.is_symlink())


# --- XXE and friends: no DOCTYPE ---------------------------------------------------------------


def test_xxe_is_refused_by_the_cli_with_one_line_naming_file_and_line(
    tmp_path: Path, datadir: Path, store: LocalStore
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    target = datadir / "xml" / "2025.acl.xml"
    _with_prolog(target, f'<!DOCTYPE c [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>', "&xxe;")
    before = store.current_snapshot()

    done = run_cli(tmp_path, "ingest", str(datadir), "--store", str(store.root), "--quiet")

    assert done.returncode == 1, done.stdout
    lines = done.stderr.splitlines()
    assert lines == [f"bibkg: error: {target}:2: DOCTYPE/entity declarations are not allowed"], done.stderr
    assert "Traceback" not in done.stderr and SECRET not in done.stderr + done.stdout
    assert store.current_snapshot() == before
    assert SECRET.encode() not in _store_text(store)


@pytest.fixture
def listener():
    """A TCP port on 127.0.0.1 that records every connection made to it."""
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.2)
    hits: list[bytes] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            hits.append(conn.recv(200))
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], hits
    stop.set()
    thread.join()
    server.close()


@pytest.mark.parametrize(
    ("declaration", "title"),
    [
        pytest.param('<!DOCTYPE c [<!ENTITY % pe SYSTEM "FILE"> %pe;]>', "&leak;", id="external-parameter-entity"),
        pytest.param('<!DOCTYPE collection SYSTEM "http://127.0.0.1:PORT/x.dtd">', "", id="external-dtd-over-network"),
        pytest.param(
            '<!DOCTYPE c [<!ENTITY net SYSTEM "http://127.0.0.1:PORT/e">]>', "&net;", id="external-entity-over-network"
        ),
        pytest.param(
            '<!DOCTYPE c [<!ENTITY a "'
            + "a" * 40
            + '">'
            + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(6))
            + "]>",
            "&g;",
            id="billion-laughs",
        ),
        pytest.param("<!DOCTYPE collection>", "", id="bare-doctype"),
        pytest.param("<!-- a comment first -->\n<!DOCTYPE collection>", "", id="doctype-after-comment"),
    ],
)
def test_every_doctype_is_refused_and_nothing_is_fetched(
    tmp_path: Path, datadir: Path, store: LocalStore, listener, declaration: str, title: str
) -> None:
    port, hits = listener
    leak = tmp_path / "leak.dtd"
    leak.write_text(f'<!ENTITY leak "{SECRET}">')
    declaration = declaration.replace("FILE", leak.as_uri()).replace("PORT", str(port))
    target = datadir / "xml" / "2025.naacl.xml"
    _with_prolog(target, declaration, title)
    error = _refused(store, datadir)
    line = 3 if declaration.startswith("<!--") else 2
    assert str(error) == f"{target}:{line}: DOCTYPE/entity declarations are not allowed"
    time.sleep(0.3)  # a connection attempt would have been accepted by now
    assert hits == []
    assert SECRET.encode() not in _store_text(store)


def test_doctype_in_another_encoding_is_refused_by_the_parser_check(datadir: Path, store: LocalStore) -> None:
    """The prolog scan reads bytes as UTF-8; a UTF-16 file hides its DOCTYPE from it, and the
    parser's own report of the DOCTYPE refuses it (still before any entity is used)."""
    target = datadir / "xml" / "2025.naacl.xml"
    text = target.read_text(encoding="utf-8").replace("encoding='UTF-8'", "encoding='UTF-16'")
    first, rest = text.split("\n", 1)
    target.write_bytes(f"{first}\n<!DOCTYPE collection>\n{rest}".encode("utf-16"))
    error = _refused(store, datadir)
    assert error.path == target and "DOCTYPE/entity declarations are not allowed" in error.message


# --- size limits -------------------------------------------------------------------------------


def test_collection_file_larger_than_the_limit_is_refused_before_reading(
    datadir: Path, store: LocalStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = datadir / "xml" / "2025.findings.xml"  # 5,244 bytes; the others are smaller
    monkeypatch.setenv("BIBKG_INGEST_MAX_FILE_MB", str(5000 / 2**20))
    error = _refused(store, datadir)
    assert error.path == big and error.line is None
    assert "larger than the limit" in error.message and "BIBKG_INGEST_MAX_FILE_MB" in error.message


def test_people_yaml_larger_than_the_limit_is_refused(
    datadir: Path, store: LocalStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    people = datadir / "yaml" / "people.yaml"
    people.write_text(people.read_text(encoding="utf-8") + "# padding\n" * 1000, encoding="utf-8")
    monkeypatch.setenv("BIBKG_INGEST_MAX_FILE_MB", str(6000 / 2**20))  # above every XML file
    error = _refused(store, datadir)
    assert error.path == people and "larger than the limit" in error.message


def test_a_bad_limit_setting_is_a_clear_error(
    datadir: Path, store: LocalStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bibkg.errors import BibkgError

    monkeypatch.setenv("BIBKG_INGEST_MAX_FILE_MB", "lots")
    with pytest.raises(BibkgError, match="BIBKG_INGEST_MAX_FILE_MB must be a positive number"):
        run_ingest(datadir, store, jobs=1)


# --- YAML: no aliases (billion laughs), UTF-8 with a line ---------------------------------------


def test_yaml_alias_in_people_is_refused_with_its_line(datadir: Path, store: LocalStore) -> None:
    people = datadir / "yaml" / "people.yaml"
    text = people.read_text(encoding="utf-8")
    # a second person sharing the first one's names by reference
    lines = text.splitlines()
    names_line = next(i for i, line in enumerate(lines) if line.strip() == "names:")
    lines[names_line] = lines[names_line] + " &shared"
    lines.append("alias-person:\n  names: *shared")
    people.write_text("\n".join(lines) + "\n", encoding="utf-8")
    error = _refused(store, datadir)
    assert error.path == people and error.line is not None
    assert "anchors and aliases" in error.message


def test_yaml_billion_laughs_is_refused_at_once() -> None:
    import yaml

    from bibkg.safeparse import parse_yaml

    laughs = "a: &a [" + ", ".join(["lol"] * 9) + "]\n"
    laughs += "".join(f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(9))
    started = time.perf_counter()
    with pytest.raises(yaml.YAMLError, match="anchors and aliases"):
        parse_yaml(laughs)
    assert time.perf_counter() - started < 1
    assert parse_yaml("a: [1, 2]\nb: {c: d}\n") == {"a": [1, 2], "b": {"c": "d"}}


def test_invalid_utf8_in_people_yaml_names_file_and_line(datadir: Path, store: LocalStore) -> None:
    people = datadir / "yaml" / "people.yaml"
    lines = people.read_bytes().split(b"\n")
    lines[3] += b" \xff\xfe"
    people.write_bytes(b"\n".join(lines))
    error = _refused(store, datadir)
    assert error.path == people and error.line == 4
    assert "not valid UTF-8: byte 0xff" in error.message


def test_invalid_utf8_in_a_venue_yaml_names_file_and_line(datadir: Path, store: LocalStore) -> None:
    venue = sorted((datadir / "yaml" / "venues").glob("*.yaml"))[0]
    venue.write_bytes(b"name: Caf\xe9\n")
    error = _refused(store, datadir)
    assert (error.path, error.line) == (venue, 1)


# --- ids: duplicates are errors, not crashes or silent merges -------------------------------------


@pytest.mark.parametrize("jobs", [1, 2])
def test_duplicate_paper_id_in_a_volume_names_both_lines(datadir: Path, store: LocalStore, jobs: int) -> None:
    target = datadir / "xml" / "2025.findings.xml"
    text = target.read_text(encoding="utf-8")
    first, second = re.findall(r'<paper id="(\d+)">', text)[:2]
    text = text.replace(f'<paper id="{second}">', f'<paper id="{first}">', 1)
    target.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    first_line, second_line = (i + 1 for i, line in enumerate(lines) if f'<paper id="{first}">' in line)
    error = _refused(store, datadir, jobs=jobs)
    assert (error.path, error.line) == (target, second_line)
    assert f"occurs twice in the collection (first at line {first_line})" in error.message


def test_same_collection_id_in_two_files_names_both(datadir: Path, store: LocalStore) -> None:
    original = datadir / "xml" / "2025.naacl.xml"
    copy = datadir / "xml" / "2025.naacl2.xml"
    shutil.copyfile(original, copy)  # still says <collection id="2025.naacl">
    error = _refused(store, datadir)
    assert (error.path, error.line) == (copy, 2)
    assert f"declares collection id '2025.naacl', the collection of {original}" in error.message


def test_collection_id_not_matching_its_file_name_is_refused(datadir: Path, store: LocalStore) -> None:
    original = datadir / "xml" / "2025.naacl.xml"
    renamed = original.with_name("2025.other.xml")
    original.rename(renamed)
    error = _refused(store, datadir)
    assert (error.path, error.line) == (renamed, 2)
    assert "declares collection id '2025.naacl' but is named for '2025.other'" in error.message


# --- #11: the workers of a killed ingest die with it ----------------------------------------------


def _synthetic_datadir(sample: Path, dest: Path, copies: int, repeat: int) -> Path:
    """The sample with each collection copied ``copies`` times under new ids, each paper repeated
    ``repeat`` times under new ids: enough mapping work to kill an ingest in the middle of it."""
    shutil.copytree(sample, dest)
    paper = re.compile(r'(<paper id=")(\d+)(">.*?</paper>\n)', re.S)
    for path in sorted((dest / "xml").glob("*.xml")):
        text = re.sub(r"\s*<event\b.*?</event>", "", path.read_text(encoding="utf-8"), flags=re.S)
        text = paper.sub(lambda m: "".join(f"{m[1]}{int(m[2]) * 1000 + k}{m[3]}" for k in range(repeat)), text)
        for i in range(copies):
            cid = f"{path.stem}x{i}"
            copy = text.replace(f'<collection id="{path.stem}">', f'<collection id="{cid}">')
            (dest / "xml" / f"{cid}.xml").write_text(copy, encoding="utf-8")
    return dest


def _children(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    """Running (a zombie waiting for its reaper holds no file and no lock)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_of_a_killed_ingest_die_with_it(tmp_path: Path, sample_datadir: Path, store: LocalStore) -> None:
    # 15 files of 1,200-2,400 papers: each worker takes one chunk of 8 files (ingest.py maps in
    # chunks of 8), many seconds of work, as a chunk of the full corpus does
    data = _synthetic_datadir(sample_datadir, tmp_path / "big", copies=4, repeat=600)
    log = (tmp_path / "ingest.log").open("w")
    ingest = subprocess.Popen(
        # --full: the store holds the sample, and an incremental ingest maps these 15 changed
        # files in its own process (bibkg.ingest.incremental.IN_PROCESS), with no worker to kill
        [*bibkg_command(), "ingest", str(data), "--store", str(store.root), "--jobs", "2", "--quiet", "--full"],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=cli_env(tmp_path),
    )
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 60
        while len(workers) < 2 and ingest.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
            workers = _children(ingest.pid)
        assert len(workers) >= 2, "the ingest never started its mapping workers"
        time.sleep(1.0)  # well inside the mapping (several seconds of work per worker)
        assert ingest.poll() is None, "the ingest finished before it could be killed"
        os.kill(ingest.pid, signal.SIGKILL)
        ingest.wait(10)

        deadline = time.monotonic() + 5
        while any(_alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        survivors = [w for w in workers if _alive(w)]
        assert survivors == [], "mapping workers outlived the killed ingest"

        started = time.monotonic()
        again = run_cli(tmp_path, "ingest", str(sample_datadir), "--store", str(store.root), "--quiet", "--jobs", "1")
        assert again.returncode == 0, again.stderr
        assert time.monotonic() - started < 60
    finally:
        log.close()
        if ingest.poll() is None:
            ingest.kill()
            ingest.wait()
        for pid in workers:  # only the workers this test's ingest started
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
