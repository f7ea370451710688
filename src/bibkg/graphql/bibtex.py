"""BibTeX of a paper for the GraphQL ``bibtex`` field.

Uses :func:`bibkg.export.bibtex.paper_bibtex` when that module provides it; otherwise (and if it
fails) writes a simple Anthology-style entry from the fields GraphQL already loaded.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from ..services import Row


def _value(row: Row | None, key: str) -> str | None:
    if row is None or key not in row:
        return None
    return row[key].value


_SPECIAL = re.compile(r"([&%$#_{}])")


def _escape(text: str) -> str:
    text = text.replace("\\", r"\textbackslash{}")
    text = _SPECIAL.sub(r"\\\1", text)
    return text.replace("~", r"\textasciitilde{}").replace("^", r"\textasciicircum{}")


def _title(row: Row | None) -> str:
    markup = _value(row, "titleMarkup")
    if markup:
        # <fixed-case>X</fixed-case> -> {X}; other markup dropped
        text = re.sub(r"<fixed-case>(.*?)</fixed-case>", lambda m: "\x00" + m.group(1) + "\x01", markup)
        text = re.sub(r"<[^>]+>", "", text)
        text = _escape(text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))
        return text.replace("\x00", "{").replace("\x01", "}")
    return _escape(_value(row, "title") or "")


def _names(people: Sequence[Any]) -> str:
    out = []
    for c in people:
        if c.family_name:
            out.append(f"{c.family_name}, {c.given_name}" if c.given_name else c.family_name)
        else:
            out.append(c.printed_name)
    return " and\n      ".join(_escape(n) for n in out)


def simple_bibtex(iri: str, row: Row | None, authors: Sequence[Any], editors: Sequence[Any]) -> str:
    key = _value(row, "bibkey") or (_value(row, "id") or "paper").replace(".", "-")
    fields: list[tuple[str, str]] = [("title", _title(row))]
    if authors:
        fields.append(("author", _names(authors)))
    if editors:
        fields.append(("editor", _names(editors)))
    for name, column in (("booktitle", "booktitle"), ("month", "month"), ("year", "year"),
                         ("address", "address"), ("publisher", "publisher")):
        value = _value(row, column)
        if value:
            fields.append((name, _escape(value)))
    fields.append(("url", _value(row, "url") or iri))
    doi = _value(row, "doi")
    if doi:
        fields.append(("doi", doi.removeprefix("https://doi.org/")))
    pages = _value(row, "pages")
    if pages:
        fields.append(("pages", pages if "--" in pages else pages.replace("–", "--").replace("-", "--")))
    body = ",\n".join(f'    {name} = "{value}"' for name, value in fields)
    return f"@inproceedings{{{key},\n{body}\n}}\n"


async def paper_bibtex(info: Any, iri: str, row: Row | None, authors: Sequence[Any], editors: Sequence[Any]) -> str:
    try:  # the export module is written in parallel; use it when it offers a compatible helper
        from ..export import bibtex as export  # type: ignore[attr-defined]
    except ImportError:
        export = None
    if export is not None and hasattr(export, "paper_bibtex"):
        from starlette.concurrency import run_in_threadpool

        try:
            result = await run_in_threadpool(export.paper_bibtex, info.context.services.store, iri)
            if isinstance(result, str) and result.strip():
                return result
        except Exception:  # noqa: BLE001 - fall back to the simple entry
            pass
    return simple_bibtex(iri, row, authors, editors)
