"""Several corrections in a row, in both people-metadata formats: each applied live, kept by a cold
re-ingest, and the exported patch, ingested without any log, gives the same graph."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from bibkg.corrections.export import export
from bibkg.corrections.model import Role
from bibkg.corrections.service import Actor, CorrectionService
from bibkg.ingest import run_ingest
from bibkg.store.local import LocalStore

from .test_apply_sample import comparable, quads

OPERATOR = Actor("maria", Role.MAINTAINER)


def author(paper: str, position: int, first: str | None, last: str) -> dict:
    return {"paper": paper, "position": position, "name": {"first": first, "last": last}}


SAMPLE = [
    {
        "kind": "reassign",
        "from": "unverified/yi-liu",
        "authorships": [author("2025.naacl-demo.23", 23, "Yi", "Liu")],
        "to": {"type": "person", "id": "yi-liu-sample-b"},
    },
    {
        "kind": "reassign",
        "from": "yaodong-yang",
        "authorships": [author("2025.findings-acl.820", 10, "Yaodong", "Yang")],
        "to": {"type": "unknown"},
    },
    {"kind": "verify", "person": "unverified/jiaming-ji", "orcid": "0000-0002-1825-0097"},
    {"kind": "merge", "source": "unverified/boyuan-chen", "into": "jiaming-ji"},
    {
        "kind": "split",
        "person": "juntao-dai",
        "papers": ["2025.acl-long.1544"],
        "to": {"type": "new", "name": "Dai, Josef", "orcid": "0000-0001-5109-3700"},
    },
    {"kind": "disable-name-matching", "person": "yi-liu-sample-a"},
]

LEGACY = [
    {
        "kind": "reassign",
        "from": "jose-perez",
        "authorships": [author("2022.fabconf-1.2", 2, "José", "Pérez")],
        "to": {"type": "new", "name": "Pérez, José", "disambiguator": "fab"},
    },
    {"kind": "verify", "person": "jianing-wu"},
    {"kind": "merge", "source": "kim-novak", "into": "alicia-moreno"},
]


@pytest.mark.parametrize("which", ["sample", "legacy"])
def test_round_trip(which, tmp_path, sample_datadir, legacy_datadir):
    source, changes = (sample_datadir, SAMPLE) if which == "sample" else (legacy_datadir, LEGACY)
    data = tmp_path / "data"
    shutil.copytree(source, data)
    root = tmp_path / "store"
    run_ingest(data, LocalStore(root), jobs=1)
    service = CorrectionService(root)
    for change in changes:
        entry = service.propose(OPERATOR, {"change": change, "reason": "round trip"}, apply=True)
        assert entry.status.value == "applied", change
    corrected = quads(root, without=None)
    run_ingest(data, LocalStore(root), jobs=1, full=True, wait=60)  # the last apply's dumps may still be written
    assert quads(root, without=None) == corrected
    result = export(service.log.view(), data)
    assert not result.stale
    (tmp_path / "fix.patch").write_text(result.patch())
    patched = tmp_path / "patched"
    shutil.copytree(data, patched)
    subprocess.run(["patch", "-p1", "-s", "-d", str(patched), "-i", str(tmp_path / "fix.patch")], check=True)
    plain = tmp_path / "plain"
    run_ingest(patched, LocalStore(plain), jobs=1)
    assert comparable(quads(plain)) == comparable(corrected)
