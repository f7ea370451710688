"""The media types of GraphQL over HTTP: choosing one for a request's ``Accept`` header, and the
body of an error answered before or instead of executing."""

from __future__ import annotations

import json
from typing import Any

from ..accept import choose, parse_accept
from ..formats import FORMAT, GRAPHQL

GRAPHQL_RESPONSE_JSON = FORMAT[GRAPHQL, "graphql-response"].media_type
JSON = FORMAT[GRAPHQL, "graphql-json"].media_type
_CHOICES = [(GRAPHQL_RESPONSE_JSON, (GRAPHQL_RESPONSE_JSON,)), (JSON, (JSON,))]
"""An explicit ``application/graphql-response+json`` wins ties; wildcards choose the default,
``application/json`` (the spec's answer for legacy clients)."""


def negotiate(accept: str | None) -> str | None:
    """The response media type for an ``Accept`` header; ``None`` if neither is acceptable.

    No header means ``application/json`` (the spec's default for legacy clients); an explicit
    ``application/graphql-response+json`` wins ties; wildcards choose ``application/json``.
    """
    if not accept or not accept.strip():
        return JSON
    choice = choose(parse_accept(accept), _CHOICES, default=1)
    return None if choice is None else choice[0]


def error_body(message: str, code: str, **extensions: Any) -> bytes:
    return json.dumps({"errors": [{"message": message, "extensions": {"code": code, **extensions}}]}).encode()
