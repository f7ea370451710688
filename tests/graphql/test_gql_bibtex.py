"""The ``bibtex`` field is the export's entry (one BibTeX implementation)."""

from __future__ import annotations

from bibkg.export.bibtex import paper_bibtex


def test_bibtex_field_is_the_export_entry(gql, gql_store, catalog):
    data = gql('{ paper(id: "2025.acl-long.1141") { bibtex } }')
    bibtex = data["data"]["paper"]["bibtex"]
    assert bibtex == paper_bibtex(gql_store, "https://aclanthology.org/2025.acl-long.1141/", catalog)
    assert bibtex.startswith("@inproceedings{ji-etal-2025-language,\n")
    assert '    pages = "23411--23432"\n}' in bibtex
