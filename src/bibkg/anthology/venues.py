"""Venues (``yaml/venues/*.yaml`` or ``json/venues.json``) and SIGs (``yaml/sigs/*.yaml``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from ..errors import SourceError
from .records import SigEntry, VenueEntry

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]


def _yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as f:
            return yaml.load(f, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise SourceError(path, line, f"malformed YAML: {exc.problem}") from None


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
        try:
            data = json.loads(json_path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise SourceError(json_path, exc.lineno, f"malformed JSON: {exc.msg}") from None
        return {str(k): _venue(str(k), v, json_path) for k, v in sorted(data.items())}
    venues: dict[str, VenueEntry] = {}
    for path in sorted((datadir / "yaml" / "venues").glob("*.yaml")):
        venues[path.stem] = _venue(path.stem, _yaml(path), path)
    return venues


def load_sigs(datadir: Path) -> dict[str, SigEntry]:
    """SIG id → SIG, from ``yaml/sigs/*.yaml``.

    Meetings listed by name only (events outside the Anthology) are skipped; meetings listed by
    volume id link the SIG to that volume.
    """
    sigs: dict[str, SigEntry] = {}
    for path in sorted((datadir / "yaml" / "sigs").glob("*.yaml")):
        data = _yaml(path)
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
