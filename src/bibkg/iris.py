"""The one place where IRIs are minted.

Entities the ACL Anthology publishes reuse its canonical URLs; DOIs and ORCIDs become
``https://doi.org/…`` and ``https://orcid.org/…`` IRIs; nodes the Anthology has no URL for
(authorships, editorships, names) get hash IRIs under their owner's IRI, built only from the
data (never from counters or time), so they are stable across re-ingests.
"""

from __future__ import annotations

import hashlib
from typing import Final
from urllib.parse import quote

ANTHOLOGY: Final = "https://aclanthology.org/"
"""Base of the Anthology's canonical URLs."""

BIBKG_ID: Final = "https://w3id.org/bibkg/"
"""Base of IRIs the project mints for things the Anthology has no URL for."""

PEOPLE_GRAPH: Final = BIBKG_ID + "graph/people"
VENUES_GRAPH: Final = BIBKG_ID + "graph/venues"
EVENTS_GRAPH: Final = BIBKG_ID + "graph/events"
STATS_GRAPH: Final = BIBKG_ID + "graph/stats"
COLLECTION_GRAPH_PREFIX: Final = BIBKG_ID + "graph/collection/"
UNVERIFIED_PREFIX: Final = "unverified/"
"""Person ids of unverified persons are ``unverified/{slug}``, as in the Anthology's own data."""

_IRI_SAFE: Final = "/:;()._-~!$&'*+,=@%"


def paper_iri(full_id: str) -> str:
    """``2024.acl-long.1`` → ``https://aclanthology.org/2024.acl-long.1/``."""
    return f"{ANTHOLOGY}{full_id}/"


def paper_id_from_iri(iri: str) -> str:
    """Inverse of :func:`paper_iri` (``iri`` itself, less a trailing slash, when it is not one)."""
    return iri.removeprefix(ANTHOLOGY).rstrip("/")


def volume_iri(full_id: str) -> str:
    """``2024.acl-long`` → ``https://aclanthology.org/volumes/2024.acl-long/``."""
    return f"{ANTHOLOGY}volumes/{full_id}/"


def collection_iri(collection_id: str) -> str:
    """``2024.acl`` → ``https://w3id.org/bibkg/collection/2024.acl`` (no Anthology URL exists)."""
    return f"{BIBKG_ID}collection/{collection_id}"


def venue_iri(venue_id: str) -> str:
    return f"{ANTHOLOGY}venues/{venue_id}/"


def event_iri(event_id: str) -> str:
    return f"{ANTHOLOGY}events/{event_id}/"


def sig_iri(sig_id: str) -> str:
    return f"{ANTHOLOGY}sigs/{sig_id}/"


def person_iri(person_id: str) -> str:
    """Verified ``yaodong-yang`` → ``…/people/yaodong-yang/``;
    unverified ``unverified/jane-doe`` → ``…/people/jane-doe/unverified/``."""
    if person_id.startswith(UNVERIFIED_PREFIX):
        return f"{ANTHOLOGY}people/{person_id[len(UNVERIFIED_PREFIX) :]}/unverified/"
    return f"{ANTHOLOGY}people/{person_id}/"


def person_id_from_iri(iri: str) -> str | None:
    """Inverse of :func:`person_iri`; ``None`` when ``iri`` is not a person IRI."""
    prefix = f"{ANTHOLOGY}people/"
    if not iri.startswith(prefix) or not iri.endswith("/"):
        return None
    rest = iri[len(prefix) : -1]
    if rest.endswith("/unverified"):
        return UNVERIFIED_PREFIX + rest[: -len("/unverified")]
    return rest if rest and "/" not in rest else None


def contribution_iri(item_iri: str, role: str, position: int) -> str:
    """The ``position``-th (1-based) author or editor node of a paper or volume."""
    return f"{item_iri}#{role}-{position}"


def name_iri(person: str, first: str | None, last: str) -> str:
    """A name ``person`` (an IRI) published under; the fragment hashes the exact name parts."""
    digest = hashlib.sha1(f"{first or ''}\x1f{last}".encode()).hexdigest()[:12]
    return f"{person}#name-{digest}"


def doi_iri(doi: str) -> str:
    return "https://doi.org/" + quote(doi.strip(), safe=_IRI_SAFE)


def orcid_iri(orcid: str) -> str:
    return "https://orcid.org/" + quote(orcid.strip(), safe=_IRI_SAFE)


def pdf_iri(url: str) -> str:
    """The PDF of an item whose ``<url>`` is ``url`` (an Anthology id or an external URL)."""
    if "://" in url:
        return quote(url.strip(), safe=_IRI_SAFE + "?#")
    return f"{ANTHOLOGY}{url}.pdf"


def external_iri(url: str) -> str:
    """An external URL from the data made safe to use as an IRI."""
    return quote(url.strip(), safe=_IRI_SAFE + "?#")


def collection_graph(collection_id: str) -> str:
    """The named graph holding every triple derived from ``xml/{collection_id}.xml``."""
    return COLLECTION_GRAPH_PREFIX + collection_id


# --- Hugging Face Daily Papers ------------------------------------------------------------------

HF_DAY_GRAPH_PREFIX: Final = BIBKG_ID + "graph/hf/day/"
"""Named graph of one day's Daily Papers listing: ``…/graph/hf/day/2024-06-11``."""
HF_LINKS_GRAPH: Final = BIBKG_ID + "graph/hf/links"
"""Named graph of the links from preprints to Anthology papers and persons (derived data)."""


def hf_day_graph(day: str) -> str:
    return HF_DAY_GRAPH_PREFIX + day


def preprint_iri(arxiv_id: str) -> str:
    """``2406.06144`` → ``https://arxiv.org/abs/2406.06144`` (versionless; ids are checked by the reader)."""
    return f"https://arxiv.org/abs/{arxiv_id}"


def hf_account_iri(handle: str) -> str:
    return "https://huggingface.co/" + quote(handle.strip(), safe="-_.")


def daily_entry_iri(day: str, arxiv_id: str) -> str:
    return f"{BIBKG_ID}hf/day/{day}/{arxiv_id}"


def paper_link_iri(arxiv_id: str) -> str:
    """The link node of a preprint's published version (at most one per preprint)."""
    return f"{BIBKG_ID}hf/link/{arxiv_id}"


def person_link_iri(arxiv_id: str, position: int) -> str:
    return f"{BIBKG_ID}hf/link/{arxiv_id}#author-{position}"


def correction_iri(correction_id: str) -> str:
    """A correction of the corrections log (``c-`` and 16 hex digits)."""
    return f"{BIBKG_ID}correction/{correction_id}"
