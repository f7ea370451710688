"""Anthology ids: collection, volume and paper ids combined the way the Anthology prints them."""

from __future__ import annotations


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
