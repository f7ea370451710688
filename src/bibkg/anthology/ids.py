"""Anthology ids: collection, volume and paper ids combined the way the Anthology prints them."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

_DIGITS = re.compile(r"(\d+)")


def build_id(collection_id: str, volume_id: str | None = None, paper_id: str | None = None) -> str:
    """The full id of a collection, volume or paper.

    New-style collections (``2024.acl``) give ``2024.acl-long`` and ``2024.acl-long.42``;
    old-style ones (``P18``) pad numbers: ``P18-1`` and ``P18-1042``, and workshop-style ones
    (``W19``, ``C69``, ``D19`` volumes 5 and above) pad the volume to two digits: ``W19-52``,
    ``W19-5201``.  Front matter is paper ``0``.

    Examples:
        >>> build_id("2022.acl", "long", "42")
        '2022.acl-long.42'
        >>> build_id("P18", "1", "1")
        'P18-1001'
        >>> build_id("W19", "52")
        'W19-52'
    """
    if volume_id is None:
        return collection_id
    if collection_id[:1].isdigit():
        if paper_id is None:
            return f"{collection_id}-{volume_id}"
        return f"{collection_id}-{volume_id}.{paper_id}"
    two_digit_volume = (
        collection_id[0] == "W" or collection_id == "C69" or (collection_id == "D19" and int(volume_id) >= 5)
    )
    if two_digit_volume:
        full = f"{collection_id}-{int(volume_id):02d}"
        return full if paper_id is None else full + f"{int(paper_id):02d}"
    full = f"{collection_id}-{int(volume_id):01d}"
    return full if paper_id is None else full + f"{int(paper_id):03d}"


@lru_cache(maxsize=1 << 15)
def sort_key(anthology_id: str) -> tuple[Any, ...]:
    """The one order of Anthology ids (and arXiv ids): runs of digits compare as numbers.

    Every listing sorts by it (GraphQL, pages, BibTeX).  Cached: lists are sorted on every
    request, and their ids recur.

    Examples:
        >>> sorted(["2025.acl-long.1141", "2025.acl-long.388", "2020.x-10.1", "2020.x-2.1"], key=sort_key)
        ['2020.x-2.1', '2020.x-10.1', '2025.acl-long.388', '2025.acl-long.1141']
    """
    return tuple(int(part) if part.isdigit() else part for part in _DIGITS.split(anthology_id))
