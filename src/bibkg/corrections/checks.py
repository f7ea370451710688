"""Checks of a correction request's fields in themselves, no graph needed: ids well formed, an
ORCID's check digit, the lengths of texts, a reason given, evidence as links.  Each returns the
value checked (stripped) or raises :class:`~bibkg.corrections.errors.InvalidCorrection` naming
the field."""

from __future__ import annotations

import re
from typing import Any

from .errors import InvalidCorrection

MAX_REASON = 4000
MAX_EVIDENCE = 20
MAX_URL = 2000
MAX_NAME = 200

_PAPER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_PERSON_ID = re.compile(r"^(unverified/)?[a-z0-9][a-z0-9-]{0,127}$")
_ORCID = re.compile(r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")
_CORRECTION_ID = re.compile(r"^c-[0-9a-f]{16}$")
_ARXIV_ID = re.compile(r"^(\d{4}\.\d{4,5}|[a-z][a-z-]*(\.[A-Z]{2})?/\d{7})$")


def check_orcid(value: str, where: str) -> str:
    """An ORCID iD (bare or as ``https://orcid.org/…``) with a valid ISO 7064 11,2 check digit."""
    text = value.strip().removeprefix("https://orcid.org/").removeprefix("http://orcid.org/")
    if not _ORCID.match(text):
        raise InvalidCorrection(f"not an ORCID iD (0000-0000-0000-000X): {value!r}", field=where)
    digits = text.replace("-", "")
    total = 0
    for ch in digits[:-1]:
        total = (total + int(ch)) * 2
    check = (12 - total % 11) % 11
    if digits[-1] != ("X" if check == 10 else str(check)):
        raise InvalidCorrection(f"ORCID iD {text} has a wrong check digit", field=where)
    return text


def check_person_id(value: Any, where: str) -> str:
    if not isinstance(value, str) or not _PERSON_ID.match(value):
        raise InvalidCorrection(f"not a person id: {short_repr(value)}", field=where)
    return value


def check_paper_id(value: Any, where: str) -> str:
    if not isinstance(value, str) or not _PAPER_ID.match(value):
        raise InvalidCorrection(f"not an Anthology paper id: {short_repr(value)}", field=where)
    return value


def check_correction_id(value: Any, where: str = "id") -> str:
    if not isinstance(value, str) or not _CORRECTION_ID.match(value):
        raise InvalidCorrection(f"not a correction id (c- and 16 hex digits): {short_repr(value)}", field=where)
    return value


def check_arxiv_id(value: Any, where: str) -> str:
    if not isinstance(value, str) or not _ARXIV_ID.match(value):
        raise InvalidCorrection(f"not a versionless arXiv id (2406.15513): {short_repr(value)}", field=where)
    return value


def check_reason(reason: Any) -> str:
    if not isinstance(reason, str) or not reason.strip():
        raise InvalidCorrection("say why (free text)", field="reason")
    if len(reason) > MAX_REASON:
        raise InvalidCorrection(f"longer than {MAX_REASON} characters", field="reason")
    return reason.strip()


def check_evidence(evidence: Any) -> tuple[str, ...]:
    if evidence is None:
        return ()
    if isinstance(evidence, str):
        evidence = [e for e in evidence.split() if e]
    if not isinstance(evidence, list):
        raise InvalidCorrection("a list of links", field="evidence")
    if len(evidence) > MAX_EVIDENCE:
        raise InvalidCorrection(f"at most {MAX_EVIDENCE} links", field="evidence")
    out = []
    for index, url in enumerate(evidence):
        if not isinstance(url, str) or not re.match(r"^https?://[^\s<>\"]+$", url) or len(url) > MAX_URL:
            raise InvalidCorrection(f"not an http(s) link: {short_repr(url)}", field=f"evidence[{index}]")
        out.append(url)
    return tuple(out)


def short_repr(value: Any) -> str:
    """``repr(value)``, cut to 80 characters (for error messages)."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def check_text(data: dict, key: str, where: str, *, required: bool = True, limit: int = MAX_NAME) -> str | None:
    """The text ``data[key]``, stripped; ``None`` when it is absent or blank and not required."""
    value = data.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InvalidCorrection("is required", field=f"{where}{key}")
        return None
    if not isinstance(value, str):
        raise InvalidCorrection(f"must be a string, got {type(value).__name__}", field=f"{where}{key}")
    if len(value) > limit:
        raise InvalidCorrection(f"longer than {limit} characters", field=f"{where}{key}")
    return value.strip()
