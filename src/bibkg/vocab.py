"""The vocabulary: every class and property IRI the project writes.

This module is the single source of term IRIs in Python code; ``ontology/bibkg.ttl`` documents
each term (label, comment, alignment with schema.org, FOAF, DCTerms, BIBO, FaBiO and PROV), and
a test checks that the two agree.  Terms are plain strings (absolute IRIs) because the mapping
writes N-Quads text directly; use :func:`bibkg.vocab.term` where an rdflib or pyoxigraph term is
needed.
"""

from __future__ import annotations

from typing import Final

BIBKG: Final = "https://w3id.org/bibkg/ns#"
"""Namespace of the project's own terms."""

RDF: Final = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS: Final = "http://www.w3.org/2000/01/rdf-schema#"
XSD: Final = "http://www.w3.org/2001/XMLSchema#"
OWL: Final = "http://www.w3.org/2002/07/owl#"
DCTERMS: Final = "http://purl.org/dc/terms/"
FOAF: Final = "http://xmlns.com/foaf/0.1/"
SCHEMA: Final = "https://schema.org/"
BIBO: Final = "http://purl.org/ontology/bibo/"
FABIO: Final = "http://purl.org/spar/fabio/"
PROV: Final = "http://www.w3.org/ns/prov#"
SH: Final = "http://www.w3.org/ns/shacl#"
VOID: Final = "http://rdfs.org/ns/void#"
SD: Final = "http://www.w3.org/ns/sparql-service-description#"

PREFIXES: Final[dict[str, str]] = {
    "bibkg": BIBKG,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "owl": OWL,
    "dcterms": DCTERMS,
    "foaf": FOAF,
    "schema": SCHEMA,
    "bibo": BIBO,
    "fabio": FABIO,
    "prov": PROV,
}
"""Prefixes bound in dumps, query pages and CLI output."""

# --- generic ---------------------------------------------------------------------------------
TYPE: Final = RDF + "type"
LABEL: Final = RDFS + "label"
COMMENT: Final = RDFS + "comment"

# --- classes -----------------------------------------------------------------------------------
Paper: Final = BIBKG + "Paper"
FrontMatter: Final = BIBKG + "FrontMatter"
Volume: Final = BIBKG + "Volume"
Proceedings: Final = BIBKG + "Proceedings"
JournalIssue: Final = BIBKG + "JournalIssue"
Collection: Final = BIBKG + "Collection"
Venue: Final = BIBKG + "Venue"
Event: Final = BIBKG + "Event"
SIG: Final = BIBKG + "SIG"
Person: Final = BIBKG + "Person"
Name: Final = BIBKG + "Name"
Contribution: Final = BIBKG + "Contribution"
Authorship: Final = BIBKG + "Authorship"
Editorship: Final = BIBKG + "Editorship"

# --- papers and volumes --------------------------------------------------------------------------
anthologyId: Final = BIBKG + "anthologyId"  # "2024.acl-long.1", "2024.acl-long", "2024.acl"
title: Final = BIBKG + "title"  # plain text, markup removed (sub dcterms:title)
titleMarkup: Final = BIBKG + "titleMarkup"  # the title's inner XML as in the source, for BibTeX
abstract: Final = BIBKG + "abstract"  # plain text (sub dcterms:abstract)
year: Final = BIBKG + "year"  # xsd:gYear... written as xsd:integer for easy comparison
month: Final = BIBKG + "month"  # as printed, e.g. "August"
pages: Final = BIBKG + "pages"  # as printed, e.g. "1-17"
pageStart: Final = BIBKG + "pageStart"
pageEnd: Final = BIBKG + "pageEnd"
doi: Final = BIBKG + "doi"  # IRI https://doi.org/...
url: Final = BIBKG + "url"  # landing page IRI
pdf: Final = BIBKG + "pdf"  # PDF IRI
bibkey: Final = BIBKG + "bibkey"
language: Final = BIBKG + "language"  # language name as in the source
award: Final = BIBKG + "award"
note: Final = BIBKG + "note"
inVolume: Final = BIBKG + "inVolume"  # paper -> volume
hasFrontMatter: Final = BIBKG + "hasFrontMatter"  # volume -> front matter
inCollection: Final = BIBKG + "inCollection"  # volume -> collection
authorship: Final = BIBKG + "authorship"  # paper -> Authorship
editorship: Final = BIBKG + "editorship"  # volume or paper -> Editorship
author: Final = BIBKG + "author"  # paper -> person (shortcut of authorship/person)
editor: Final = BIBKG + "editor"  # volume -> person (shortcut of editorship/person)
venue: Final = BIBKG + "venue"  # volume or paper -> venue
event: Final = BIBKG + "event"  # volume or paper -> event
sig: Final = BIBKG + "sig"  # volume or paper -> SIG
booktitle: Final = BIBKG + "booktitle"  # volume title, plain text
booktitleMarkup: Final = BIBKG + "booktitleMarkup"
shortBooktitle: Final = BIBKG + "shortBooktitle"
publisher: Final = BIBKG + "publisher"
address: Final = BIBKG + "address"
isbn: Final = BIBKG + "isbn"
volumeType: Final = BIBKG + "volumeType"  # "proceedings" | "journal"
journalTitle: Final = BIBKG + "journalTitle"
journalVolume: Final = BIBKG + "journalVolume"
journalIssue: Final = BIBKG + "journalIssue"
ingestDate: Final = BIBKG + "ingestDate"  # xsd:date

# --- contributions (ordered author / editor nodes) ------------------------------------------------
position: Final = BIBKG + "position"  # 1-based
person: Final = BIBKG + "person"  # Contribution -> Person
givenName: Final = BIBKG + "givenName"  # as printed (sub foaf:givenName)
familyName: Final = BIBKG + "familyName"  # as printed (sub foaf:familyName)
printedName: Final = BIBKG + "printedName"  # Contribution -> Name: the name exactly as printed
affiliation: Final = BIBKG + "affiliation"
scriptVariant: Final = BIBKG + "scriptVariant"  # same name, other script: "耀东 杨"@zh-Hani

# --- venues, events, SIGs ----------------------------------------------------------------------------
acronym: Final = BIBKG + "acronym"
name: Final = BIBKG + "name"  # venue / SIG / event name (sub schema:name)
isAcl: Final = BIBKG + "isAcl"
isToplevel: Final = BIBKG + "isToplevel"
oldstyleLetter: Final = BIBKG + "oldstyleLetter"
homepage: Final = BIBKG + "homepage"
explicit: Final = BIBKG + "explicit"  # event declared by an <event> element (true) or implicit
colocated: Final = BIBKG + "colocated"  # event -> volume listed in <colocated>
location: Final = BIBKG + "location"
dates: Final = BIBKG + "dates"

# --- persons and names ------------------------------------------------------------------------------------
verified: Final = BIBKG + "verified"
orcid: Final = BIBKG + "orcid"  # IRI https://orcid.org/...
degree: Final = BIBKG + "degree"
similar: Final = BIBKG + "similar"  # person -> person with a similar name
disableNameMatching: Final = BIBKG + "disableNameMatching"
personName: Final = BIBKG + "personName"  # person -> Name (every name published under)
canonicalName: Final = BIBKG + "canonicalName"  # person -> Name
fullName: Final = BIBKG + "fullName"  # Name -> "First Last"
declared: Final = BIBKG + "declared"  # Name listed in people metadata (true) or only inferred from papers

# --- statistics (graph https://w3id.org/bibkg/graph/stats, precomputed at ingest) ----------------------
VenueYear: Final = BIBKG + "VenueYear"  # one venue in one year, with its numbers
AuthorRank: Final = BIBKG + "AuthorRank"  # a person's place among the authors of a venue-year
paperCount: Final = BIBKG + "paperCount"  # papers of a person / venue / venue-year (xsd:integer)
authorCount: Final = BIBKG + "authorCount"  # distinct authors of a venue-year
firstYear: Final = BIBKG + "firstYear"  # first year with a paper
lastYear: Final = BIBKG + "lastYear"  # last year with a paper
venueYear: Final = BIBKG + "venueYear"  # venue -> VenueYear
topAuthor: Final = BIBKG + "topAuthor"  # VenueYear -> AuthorRank
rank: Final = BIBKG + "rank"  # 1-based rank, equal counts share a rank
rankedPerson: Final = BIBKG + "rankedPerson"  # AuthorRank -> Person
authorshipCount: Final = BIBKG + "authorshipCount"  # dataset -> number of authorship nodes
editorshipCount: Final = BIBKG + "editorshipCount"  # dataset -> number of editorship nodes
sourceSnapshot: Final = BIBKG + "sourceSnapshot"  # dataset -> name of the source data snapshot

# --- Hugging Face Daily Papers: arXiv preprints, daily listings, links to the Anthology ---------------
Preprint: Final = BIBKG + "Preprint"  # https://arxiv.org/abs/{id}, versionless
PreprintAuthorship: Final = BIBKG + "PreprintAuthorship"  # ordered author node of a preprint
DailyPapersEntry: Final = BIBKG + "DailyPapersEntry"  # a preprint on one day's Daily Papers listing
HfAccount: Final = BIBKG + "HfAccount"  # a Hugging Face user or organization account
PaperLink: Final = BIBKG + "PaperLink"  # preprint -> Anthology paper, with score and evidence
PersonLink: Final = BIBKG + "PersonLink"  # preprint authorship -> Anthology person, with evidence
arxivId: Final = BIBKG + "arxivId"  # "2406.06144" (no version)
preprintTitle: Final = BIBKG + "preprintTitle"  # title as on arXiv, white space collapsed
preprintAbstract: Final = BIBKG + "preprintAbstract"
arxivDate: Final = BIBKG + "arxivDate"  # xsd:date of the arXiv publication
preprintAuthorship: Final = BIBKG + "preprintAuthorship"  # preprint -> PreprintAuthorship
nameAsPrinted: Final = BIBKG + "nameAsPrinted"  # PreprintAuthorship -> the author's name as printed (string)
hfAuthorshipId: Final = BIBKG + "hfAuthorshipId"  # Hugging Face id of the authorship
hfAccount: Final = BIBKG + "hfAccount"  # PreprintAuthorship -> HfAccount claimed for it
hfAccountStatus: Final = BIBKG + "hfAccountStatus"  # "claimed_verified", "admin_assigned", ...
hfHandle: Final = BIBKG + "hfHandle"  # HfAccount -> "juntao"
hfId: Final = BIBKG + "hfId"  # HfAccount -> Hugging Face's 24-hex id
listedPreprint: Final = BIBKG + "listedPreprint"  # DailyPapersEntry -> Preprint
listedOn: Final = BIBKG + "listedOn"  # DailyPapersEntry -> xsd:date of the listing
upvotes: Final = BIBKG + "upvotes"
commentCount: Final = BIBKG + "commentCount"
submittedBy: Final = BIBKG + "submittedBy"  # DailyPapersEntry -> HfAccount
hfOrganization: Final = BIBKG + "hfOrganization"  # DailyPapersEntry -> HfAccount of an organization
githubRepo: Final = BIBKG + "githubRepo"  # IRI
projectPage: Final = BIBKG + "projectPage"  # IRI
paperLink: Final = BIBKG + "paperLink"  # Preprint -> PaperLink
personLink: Final = BIBKG + "personLink"  # PreprintAuthorship -> PersonLink
linkTarget: Final = BIBKG + "linkTarget"  # PaperLink -> Paper, PersonLink -> Person
linkScore: Final = BIBKG + "linkScore"  # xsd:decimal in [0, 1]
titleSimilarity: Final = BIBKG + "titleSimilarity"  # xsd:decimal in [0, 1]
authorOverlap: Final = BIBKG + "authorOverlap"  # xsd:decimal in [0, 1]
yearGap: Final = BIBKG + "yearGap"  # Anthology year minus arXiv year (xsd:integer)
nameSimilarity: Final = BIBKG + "nameSimilarity"  # PersonLink: printed names compared (xsd:decimal)
alignedPosition: Final = BIBKG + "alignedPosition"  # PersonLink -> position on the Anthology paper
viaLink: Final = BIBKG + "viaLink"  # PersonLink -> the PaperLink it was found through
linkMethod: Final = BIBKG + "linkMethod"  # "bibkg-hf-link/1"
confirmedBy: Final = BIBKG + "confirmedBy"  # PaperLink | PersonLink -> the correction that confirmed it
publishedAs: Final = BIBKG + "publishedAs"  # Preprint -> Paper (shortcut of paperLink/linkTarget)
linkedPerson: Final = BIBKG + "linkedPerson"  # PreprintAuthorship -> Person (shortcut)

# --- datatypes --------------------------------------------------------------------------------------------
XSD_INTEGER: Final = XSD + "integer"
XSD_BOOLEAN: Final = XSD + "boolean"
XSD_DATE: Final = XSD + "date"
XSD_DECIMAL: Final = XSD + "decimal"


def term(iri: str):  # noqa: ANN201 - returns rdflib.URIRef; imported lazily to keep the core light
    """Return ``iri`` as an :class:`rdflib.URIRef`."""
    from rdflib import URIRef

    return URIRef(iri)
