"""Content negotiation, for every door of the server: one bounded ``Accept`` parser, one
quality function and one chooser of the best offer.

The doors (:mod:`bibkg.sparql.negotiation`, :mod:`bibkg.web.ld`, :mod:`bibkg.graphql.media`)
differ only in data: what they offer (views of :data:`bibkg.formats.TABLE`) in which order,
which offer answers a request without preference (``default``), whether an exactly named media
type beats a wildcard match of the same ``q`` (``specific_first``), and how they honour aliases
(as media types of an offer, or by :func:`rewrite` of the ranges onto the main media type).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")

MAX_RANGES = 64
"""Media ranges read from one ``Accept`` header; the rest are ignored.  (The server refuses a
header field above ``max_header_field_bytes`` with 431 before any route parses it; this bounds
the work for any other caller too.)"""

EXACT, TYPE_WILDCARD, ANY = 2, 1, 0
"""Specificities of a match: ``text/turtle``, ``text/*``, ``*/*`` (no match: -1)."""


@dataclass(frozen=True, slots=True)
class MediaRange:
    """One media range of an ``Accept`` header, lower-cased, ``q`` within [0, 1]."""

    type: str
    subtype: str
    q: float

    def specificity(self, media_type: str) -> int:
        """How specifically this range names ``media_type``: :data:`EXACT`,
        :data:`TYPE_WILDCARD`, :data:`ANY`, or -1 when it does not match."""
        t, _, s = media_type.partition("/")
        if self.type == "*" and self.subtype == "*":
            return ANY
        if self.type == t and self.subtype == "*":
            return TYPE_WILDCARD
        if self.type == t and self.subtype == s:
            return EXACT
        return -1

    @property
    def media_type(self) -> str:
        return f"{self.type}/{self.subtype}"


def parse_accept(header: str | None) -> list[MediaRange]:
    """The media ranges of an ``Accept`` header in order: at most :data:`MAX_RANGES` entries are
    read (the rest of the header is not even split); entries without ``/`` are skipped; a
    malformed ``q`` counts as 0, a ``q`` outside [0, 1] as the nearest bound."""
    ranges: list[MediaRange] = []
    for part in (header or "").split(",", MAX_RANGES)[:MAX_RANGES]:
        items = [x.strip() for x in part.split(";")]
        mt = items[0].lower()
        if "/" not in mt:
            continue
        t, _, s = mt.partition("/")
        q = 1.0
        for param in items[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        ranges.append(MediaRange(t, s, q))
    return ranges


def rewrite(ranges: Iterable[MediaRange], aliases: Mapping[str, str]) -> list[MediaRange]:
    """``ranges`` with every range that names an alias (a key of ``aliases``) naming its main
    media type instead (``application/json`` → ``application/ld+json``)."""
    out = []
    for r in ranges:
        main = aliases.get(r.media_type)
        if main is not None:
            t, _, s = main.partition("/")
            r = MediaRange(t, s, r.q)
        out.append(r)
    return out


def quality(ranges: Sequence[MediaRange], media_type: str) -> tuple[float, int]:
    """``(q, specificity)`` of ``media_type``: the most specific range that matches it decides
    (the first of equally specific ones); ``(0.0, -1)`` when none matches."""
    best: tuple[int, float] | None = None
    for r in ranges:
        spec = r.specificity(media_type)
        if spec >= 0 and (best is None or spec > best[0]):
            best = (spec, r.q)
    return (0.0, -1) if best is None else (best[1], best[0])


def choose(
    ranges: Sequence[MediaRange],
    offers: Sequence[tuple[T, Sequence[str]]],
    *,
    default: int = 0,
    specific_first: bool = True,
) -> tuple[T, str] | None:
    """The offer the ``ranges`` rank highest, and the media type to answer with; ``None`` when
    no offer is acceptable (``q`` > 0).

    ``offers`` are ``(value, media types)`` in order of preference, each offer's own media type
    first; the answered media type is the one named exactly, else the offer's own.  An offer
    ranks by its highest ``q``; among equals, with ``specific_first`` an exactly named media type
    before a wildcard match, then the offer ``default`` before the others when matched by a
    wildcard, then the earlier offer, then the earlier media type of an offer.
    """
    best: tuple[float, int, int, int, int] | None = None
    choice: tuple[T, str] | None = None
    for rank, (value, media_types) in enumerate(offers):
        for alias_rank, mt in enumerate(media_types):
            q, spec = quality(ranges, mt)
            if q <= 0:
                continue
            key = (q, spec if specific_first else 0, int(rank == default and spec < EXACT), -rank, -alias_rank)
            if best is None or key > best:
                best = key
                choice = (value, mt if spec == EXACT else media_types[0])
    return choice
