"""Relay-style pagination over fully ordered lists: opaque offset cursors, capped page sizes."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import TypeVar

from .errors import UserError

T = TypeVar("T")
_PREFIX = "bibkg:"


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"{_PREFIX}{offset}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        text = base64.urlsafe_b64decode(padded.encode("ascii")).decode()
        if not text.startswith(_PREFIX):
            raise ValueError
        offset = int(text[len(_PREFIX) :])
        if offset < 0:
            raise ValueError
        return offset
    except (ValueError, UnicodeError, binascii.Error):
        raise UserError(f"invalid cursor {cursor!r}: use a cursor returned by this API") from None


def check_first(first: int | None, default: int, maximum: int) -> int:
    if first is None:
        return default
    if first < 0 or first > maximum:
        raise UserError(f"'first' must be between 0 and {maximum}, got {first}", code="PAGE_SIZE")
    return first


def page(items: Sequence[T], first: int, after: str | None) -> tuple[list[tuple[int, T]], bool, bool]:
    """The ``(offset, item)`` pairs of the page, has-next and has-previous flags."""
    start = decode_cursor(after) + 1 if after else 0
    chunk = [(start + i, item) for i, item in enumerate(items[start : start + first])]
    return chunk, start + first < len(items), start > 0
