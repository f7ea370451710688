"""LaTeX for BibTeX fields, as the ACL Anthology writes it: Unicode encoded with its pylatexenc
rules, titles from their source markup (``<fixed-case>`` → ``{…}``, ``<i>`` → ``\\textit{…}``,
``<tex-math>`` → ``$…$``), quotes, whitespace, months as macros (``jul``)."""

from __future__ import annotations

import re
from functools import lru_cache

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no stubs (lxml-stubs is not a dependency)
from pylatexenc.latexencode import (  # type: ignore[import-untyped]  # pylatexenc has no stubs or py.typed
    RULE_DICT,
    UnicodeToLatexConversionRule,
    UnicodeToLatexEncoder,
)

from ..safeparse import xml_fragment

_LATEXENC = UnicodeToLatexEncoder(
    conversion_rules=[
        UnicodeToLatexConversionRule(
            RULE_DICT,
            {
                ord("‘"): "`",
                ord("’"): "'",
                ord("“"): "``",
                ord("”"): "''",
                ord("–"): "--",
                ord("—"): "---",
                ord("í"): "\\'i",
                ord("ì"): "\\`i",
                ord("î"): "\\^i",
                ord("ï"): '\\"i',
            },
        ),
        "defaults",
    ],
    replacement_latex_protection="braces-all",
    unknown_char_policy="keep",
    unknown_char_warning=False,
)
_MONTHS = {
    "january": "jan", "february": "feb", "march": "mar", "april": "apr", "may": "may",
    "june": "jun", "july": "jul", "august": "aug", "september": "sep", "october": "oct",
    "november": "nov", "december": "dec",
}  # fmt: skip
_ENCODED_FIELDS = {"journal", "address", "publisher", "note"}
_RE_OPEN2 = re.compile(r"(\A|(?<=\s))({``}|{''}|'')(?!}|\s)")
_RE_OPEN1 = re.compile(r"(\A|(?<=\s))({`}|{'}|')(?!'|}|\s)")
_RE_CLOSE2 = re.compile(r"(?<!\\){''}(?=\W|\Z)")
_RE_CLOSE1 = re.compile(r"(?<!\\){'}(?=\W|\Z)")
_MARKUP = {
    "fixed-case": "{{{text}}}",
    "b": "\\textbf{{{text}}}",
    "i": "\\textit{{{text}}}",
    "tex-math": "${text}$",
    "url": "\\url{{{text}}}",
}


@lru_cache(maxsize=65536)
def latex_encode(text: str | None) -> str:
    """Unicode text (no LaTeX commands in it) encoded for BibTeX."""
    return "" if not text else str(_LATEXENC.unicode_to_latex(text))


def _whitespace(text: str) -> str:
    text = text.replace("\n", "").strip()
    while "  " in text:
        text = text.replace("  ", " ")
    return text


def _quotes(text: str) -> str:
    text = _RE_OPEN2.sub("``", text)
    text = _RE_OPEN1.sub("`", text)
    text = _RE_CLOSE2.sub("''", text)
    return _RE_CLOSE1.sub("'", text)


def _element_latex(element: etree._Element) -> str:
    tag = str(element.tag)
    if tag in ("tex-math", "url"):
        return _MARKUP[tag].format(text=element.text or "")
    text = latex_encode(element.text)
    for child in element:
        text += _element_latex(child)
        if child.tail:
            text += latex_encode(child.tail)
    return _MARKUP.get(tag, "{text}").format(text=text)


def markup_latex(markup: str | None, plain: str | None) -> str:
    """LaTeX of a title: from its source XML markup when there is some, else from plain text."""
    if markup:
        try:
            root = xml_fragment(markup)  # the one safe XML parser (no entities, DTD, network)
        except etree.XMLSyntaxError:
            root = None
        if root is not None:
            return _whitespace(_quotes(_element_latex(root)))
    return _whitespace(_quotes(latex_encode(plain or "")))


def bibtex_month(spec: str) -> str:
    text = spec.lower()
    if text in _MONTHS:
        return _MONTHS[text]
    if text in _MONTHS.values():
        return text
    text = f'"{text}"'
    for month, macro in _MONTHS.items():
        if month in text:
            text = text.replace(month, f'" # {macro} # "')
            text = " # ".join(filter(lambda k: k != '""', text.split(" # ")))
    return text


def balanced(value: str) -> bool:
    """Whether the braces of ``value`` are balanced (a field with unbalanced ones breaks the file)."""
    depth = 0
    for ch in value:
        depth += ch == "{"
        depth -= ch == "}"
        if depth < 0:
            return False
    return depth == 0
