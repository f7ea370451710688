"""What a query's text says before it is parsed: its form (``SELECT``, ``ASK``, ``CONSTRUCT``,
``DESCRIBE`` or an update), the kind of result that form gives, and whether the query names its
own dataset."""

from __future__ import annotations

import re

_PROLOGUE = re.compile(
    r"""\s*(?:\#[^\n]*(?:\n|$)|BASE\s*<[^>]*>|PREFIX\s+[^\s:]*:\s*<[^>]*>)""",
    re.IGNORECASE,
)
_UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}


def query_form(text: str) -> str:
    """``SELECT``, ``ASK``, ``CONSTRUCT``, ``DESCRIBE``, ``UPDATE`` or ``UNKNOWN`` (left to the parser)."""
    pos = 0
    while True:
        m = _PROLOGUE.match(text, pos)
        if not m or m.end() == pos:
            break
        pos = m.end()
    m = re.compile(r"\s*([A-Za-z]+)").match(text, pos)
    word = m.group(1).upper() if m else ""
    if word in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
        return word
    if word in _UPDATE_WORDS:
        return "UPDATE"
    return "UNKNOWN"


def result_kind(form: str) -> str:
    return "graph" if form in ("CONSTRUCT", "DESCRIBE") else "tabular"


_FROM = re.compile(r"\bFROM\s+(?:NAMED\s+)?(?:<|[A-Za-z_][\w.-]*:|:)", re.IGNORECASE)
_STRINGS_AND_COMMENTS = re.compile(
    # an unterminated short string runs to the end of the line: linear (retrying it at every
    # quote of '"\\"\\"\\…' was quadratic: 100 KB, 39 s); the parser refuses such a query anyway
    r"'''.*?'''|\"\"\".*?\"\"\"|'(?:[^'\\\n]|\\.)*'?|\"(?:[^\"\\\n]|\\.)*\"?|<[^<>\"{}|^`\\\s]*>|#[^\n]*",
    re.DOTALL,
)


def has_dataset_clause(query: str) -> bool:
    """Does the query name its own dataset (``FROM`` / ``FROM NAMED``)?  Strings, IRIs and
    comments are blanked first so that ``"FROM <x>"`` in a literal does not count."""

    def blank(m: re.Match[str]) -> str:
        text = m.group(0)
        return "<>" if text.startswith("<") else " "

    return bool(_FROM.search(_STRINGS_AND_COMMENTS.sub(blank, query)))
