"""HTTP ``Accept`` headers, for the content negotiation of the Linked Data and GraphQL routes."""

from __future__ import annotations


def parse_accept(header: str) -> list[tuple[str, float]]:
    """``(media range, q)`` pairs of an ``Accept`` header in order, media ranges lower-cased;
    a malformed ``q`` counts as 0, empty ranges are skipped."""
    out = []
    for part in header.split(","):
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
