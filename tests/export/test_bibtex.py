"""BibTeX and CSL-JSON: identical to what the ACL Anthology's own library writes for the seed papers."""

from __future__ import annotations

from pathlib import Path

import bibtexparser
import pytest

from bibkg.cli import main
from bibkg.export.bibtex import bibtex_document, csl_document, to_bibtex, to_csl
from bibkg.export.latex import markup_latex
from bibkg.read.citations import fetch_records
from bibkg.store.local import LocalStore
from bibkg.store.oxigraph import OxigraphStore

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "anthology"
IDS = [
    "2025.acl-long.1141", "2025.acl-long.1544", "2025.findings-acl.388", "2025.findings-acl.721",
    "2025.findings-acl.820", "2025.findings-acl.1028", "2025.naacl-demo.23", "2025.acl-long.0",
    "2025.findings-acl.0", "2025.naacl-demo.0",
]  # fmt: skip


@pytest.fixture(scope="module")
def records(sample_local: LocalStore):
    store = OxigraphStore.open(sample_local)
    return fetch_records(lambda q: store.query(q), [f"https://aclanthology.org/{i}/" for i in IDS])


@pytest.fixture(scope="module")
def anthology(acl_oracle) -> dict[str, dict]:
    """id -> {"bibtex": to_bibtex(), "csl": citeproc_dict} of acl-anthology 0.5.4 on the sample,
    computed in the oracle's own venv (``tests/oracle/bibtex.py``)."""
    return acl_oracle("bibtex.py", SAMPLE, *IDS)


def test_same_bibtex_as_the_anthology(records, anthology) -> None:
    assert [r.anthology_id for r in records] == IDS
    for rec in records:
        assert to_bibtex(rec) == anthology[rec.anthology_id]["bibtex"], rec.anthology_id


def test_same_csl_as_the_anthology(records, anthology) -> None:
    for rec in records:
        assert to_csl(rec) == anthology[rec.anthology_id]["csl"], rec.anthology_id


def test_bibtex_parses_with_the_expected_fields(records) -> None:
    db = bibtexparser.loads(bibtex_document(records))
    assert len(db.entries) == len(IDS)
    entry = db.entries_dict["ji-etal-2025-pku"]
    assert entry["ENTRYTYPE"] == "inproceedings"
    assert entry["title"].startswith("{PKU}-{S}afe{RLHF}: Towards")
    assert entry["pages"] == "31983--32016"
    assert entry["doi"] == "10.18653/v1/2025.acl-long.1544"
    assert entry["url"] == "https://aclanthology.org/2025.acl-long.1544/"
    assert entry["month"] == "July"  # the macro jul, expanded by the parser
    assert [a.strip() for a in entry["author"].split(" and")][-1] == "Yang, Yaodong"
    assert "Pilehvar, Mohammad Taher" in entry["editor"]
    assert entry["booktitle"].startswith("Proceedings of the 63rd Annual Meeting")
    assert db.entries_dict["acl-2025-long"]["ENTRYTYPE"] == "proceedings"
    assert "pages" not in db.entries_dict["qiu-etal-2025-reward"]


def test_latex_escaping() -> None:
    assert markup_latex(None, "Müller & Sørensen: 50% of “AI”") == "M{\\\"u}ller {\\&} S{\\o}rensen: 50{\\%} of ``AI''"
    assert (
        markup_latex("<fixed-case>BERT</fixed-case> on <i>x</i> and <tex-math>\\alpha</tex-math>", "x")
        == "{BERT} on \\textit{x} and $\\alpha$"
    )
    assert markup_latex("broken <markup", "plain") == "plain"


def test_csl_document_is_json(records) -> None:
    import json

    items = json.loads(csl_document(records))
    assert items[0]["id"] == "ji-etal-2025-language" and items[0]["DOI"] == "10.18653/v1/2025.acl-long.1141"


def test_cli(sample_local: LocalStore, capsys: pytest.CaptureFixture) -> None:
    store = str(sample_local.root)
    assert main(["bibtex", "--store", store, "--person", "yaodong-yang"]) == 0
    db = bibtexparser.loads(capsys.readouterr().out)
    assert len(db.entries) == 7
    assert main(["bibtex", "--store", store, "--volume", "2025.acl-long"]) == 0
    keys = [e["ID"] for e in bibtexparser.loads(capsys.readouterr().out).entries]
    assert keys == ["acl-2025-long", "ji-etal-2025-language", "ji-etal-2025-pku"]
    assert main(["bibtex", "--store", store, "1999.nope.1"]) == 1
    assert "none of the given ids is a paper" in capsys.readouterr().err
