"""Venues (``yaml/venues/*.yaml`` or ``json/venues.json``) and SIGs (``yaml/sigs/*.yaml``).

Every file is parsed by :mod:`bibkg.safeparse` (size limit, UTF-8, safe YAML without aliases).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import SourceError
from ..safeparse import load_json, load_yaml
from .records import SigEntry, VenueEntry


def _venue(venue_id: str, data: Any, path: Path) -> VenueEntry:
    if not isinstance(data, dict) or "name" not in data:
        raise SourceError(path, None, f"venue '{venue_id}' needs at least a 'name'")
    return VenueEntry(
        id=venue_id,
        acronym=str(data.get("acronym") or venue_id),
        name=str(data["name"]),
        is_acl=bool(data.get("is_acl", False)),
        is_toplevel=bool(data.get("is_toplevel", False)),
        oldstyle_letter=data.get("oldstyle_letter"),
        url=data.get("url"),
    )


def load_venues(datadir: Path) -> dict[str, VenueEntry]:
    """Venue id → venue, from ``json/venues.json`` or the ``yaml/venues/`` directory."""
    json_path = datadir / "json" / "venues.json"
    if json_path.is_file():
        data = load_json(json_path)
        if not isinstance(data, dict):
            raise SourceError(json_path, 1, "expected a mapping of venue id to attributes")
        return {str(k): _venue(str(k), v, json_path) for k, v in sorted(data.items())}
    venues: dict[str, VenueEntry] = {}
    for path in sorted((datadir / "yaml" / "venues").glob("*.yaml")):
        venues[path.stem] = _venue(path.stem, load_yaml(path), path)
    return venues


def load_sigs(datadir: Path) -> dict[str, SigEntry]:
    """SIG id → SIG, from ``yaml/sigs/*.yaml``.

    Meetings listed by name only (events outside the Anthology) are skipped; meetings listed by
    volume id link the SIG to that volume.
    """
    sigs: dict[str, SigEntry] = {}
    for path in sorted((datadir / "yaml" / "sigs").glob("*.yaml")):
        data = load_yaml(path)
        if not isinstance(data, dict) or "Name" not in data:
            raise SourceError(path, None, "a SIG file needs at least 'Name'")
        meetings: list[tuple[int, str]] = []
        for block in data.get("Meetings") or ():
            if not isinstance(block, dict):
                continue
            for year, items in block.items():
                for item in items or ():
                    if isinstance(item, str):
                        meetings.append((int(year), item.strip()))
        sigs[path.stem] = SigEntry(
            id=path.stem,
            name=str(data["Name"]),
            acronym=str(data.get("ShortName") or path.stem.upper()),
            url=data.get("URL"),
            meetings=tuple(meetings),
        )
    return sigs
