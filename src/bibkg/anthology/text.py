"""Markup of titles and abstracts: plain text for search and display, source markup for BibTeX."""

from __future__ import annotations

import re
from functools import lru_cache

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no stubs (lxml-stubs not a dependency)

_SPACE = re.compile(r"\s+")


@lru_cache(maxsize=4096)
def tex_to_text(tex: str) -> str:
    """Render a ``<tex-math>`` fragment as readable Unicode (``\\times`` → ``×``)."""
    from pylatexenc.latex2text import LatexNodes2Text  # type: ignore[import-untyped]  # pylatexenc has no stubs

    try:
        text = LatexNodes2Text(math_mode="text").latex_to_text(tex)
    except Exception:  # noqa: BLE001 - pylatexenc raises several internal types on odd input
        text = tex
    return _SPACE.sub(" ", text).strip() or tex


def plain_text(element: etree._Element) -> str:
    """The text of a markup element with all tags removed and white space collapsed.

    ``<fixed-case>``, ``<i>``, ``<b>`` and ``<url>`` keep their text; ``<tex-math>`` is rendered
    to Unicode where possible, else kept as its TeX source.
    """
    if len(element) == 0:
        return " ".join((element.text or "").split())
    parts: list[str] = []
    _collect(element, parts)
    return " ".join("".join(parts).split())


def _collect(element: etree._Element, parts: list[str]) -> None:
    if element.text:
        parts.append(element.text)
    for child in element:
        if child.tag == "tex-math":
            parts.append(tex_to_text("".join(child.itertext())))
        else:
            _collect(child, parts)
        if child.tail:
            parts.append(child.tail)


def inner_markup(element: etree._Element) -> str:
    """The element's content as source XML (without the element's own tag)."""
    parts = [element.text or ""]
    for child in element:
        parts.append(etree.tostring(child, encoding="unicode", with_tail=True))
    return _SPACE.sub(" ", "".join(parts)).strip()
