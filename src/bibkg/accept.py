"""HTTP ``Accept`` headers, for the content negotiation of the Linked Data and GraphQL routes."""

from __future__ import annotations

MAX_RANGES = 64
"""Media ranges read from one ``Accept`` header; the rest are ignored.  (The server refuses a
header field above ``max_header_field_bytes`` with 431 before any route parses it; this bounds
the work for any other caller too.)"""


def parse_accept(header: str) -> list[tuple[str, float]]:
    """``(media range, q)`` pairs of an ``Accept`` header in order, media ranges lower-cased;
    a malformed ``q`` counts as 0, empty ranges are skipped; at most :data:`MAX_RANGES`."""
    out: list[tuple[str, float]] = []
    for part in header.split(",", MAX_RANGES)[:MAX_RANGES]:
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for param in fields[1:]:
            if param.lower().startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        out.append((media, q))
    return out
