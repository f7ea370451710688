"""The media types of GraphQL over HTTP: choosing one for a request's ``Accept`` header, and the
body of an error answered before or instead of executing."""

from __future__ import annotations

import json
from typing import Any

from ..accept import parse_accept

JSON = "application/json"
GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"


def negotiate(accept: str | None) -> str | None:
    """The response media type for an ``Accept`` header; ``None`` if neither is acceptable.

    No header means ``application/json`` (the spec's default for legacy clients); an explicit
    ``application/graphql-response+json`` wins ties; wildcards choose ``application/json``.
    """
    if not accept or not accept.strip():
        return JSON
    entries = parse_accept(accept)

    def quality(media: str) -> tuple[float, bool]:
        exact = [q for m, q in entries if m == media]
        if exact:
            return max(exact), True
        wild = [q for m, q in entries if m in ("application/*", "*/*")]
        return (max(wild), False) if wild else (0.0, False)

    grj, grj_explicit = quality(GRAPHQL_RESPONSE_JSON)
    js, _ = quality(JSON)
    if grj <= 0 and js <= 0:
        return None
    if grj_explicit and grj >= js:
        return GRAPHQL_RESPONSE_JSON
    return JSON if js >= grj else GRAPHQL_RESPONSE_JSON


def error_body(message: str, code: str, **extensions: Any) -> bytes:
    return json.dumps({"errors": [{"message": message, "extensions": {"code": code, **extensions}}]}).encode()
