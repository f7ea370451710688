"""How alike two titles, or two printed names, are: text folded (NFKD without marks,
case-folded, German umlauts spelled out) and split into words, titles compared by their content
words and system names, names by their words, initials and one-letter typos.  Pure; the linker
(:mod:`bibkg.hf.link`) scores preprint and paper pairs with it."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence, Set
from functools import lru_cache
from typing import Final

MIN_TITLE: Final = 0.5
"""Title similarity a paper link needs at least; two titles naming different systems stay below it."""

STOP_WORDS: Final = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "can",
        "do",
        "does",
        "for",
        "from",
        "how",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "our",
        "over",
        "than",
        "that",
        "the",
        "their",
        "this",
        "to",
        "toward",
        "towards",
        "under",
        "using",
        "via",
        "vs",
        "we",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "why",
        "with",
        "without",
        "your",
        "you",
    ]
)
_UMLAUTS: Final = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})
_WORD: Final = re.compile(r"[^\W_]+")


def fold(text: str) -> str:
    """Case-folded text without diacritics, umlauts spelled out: ``"Schütze"`` → ``"schuetze"``."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFC", text).translate(_UMLAUTS))
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def content_words(text: str) -> set[str]:
    return {w for w in words(text) if w not in STOP_WORDS}


def _main_part(text: str) -> str:
    return text.split(":", 1)[0] if ":" in text else ""


def _dice(a: Set[str], b: Set[str]) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


SYSTEM_NAME_WORDS: Final = 4
"""A title's part before its first colon is a system name ("ANAH-v2", "PKU-SafeRLHF") when it has
at most this many words."""


@lru_cache(maxsize=1 << 16)
def _title_parts(title: str) -> tuple[frozenset[str], str | None]:
    """A title's content words, and the folded system name before its colon (``None`` when it
    has no short one): computed once per title, since every candidate pair needs them."""
    main = _main_part(title)
    system = None
    if main:
        main_words = [w for w in words(main) if w not in STOP_WORDS]
        if 0 < len(main_words) <= SYSTEM_NAME_WORDS:
            system = "".join(main_words)
    return frozenset(content_words(title)), system


def title_similarity(a: str, b: str) -> float:
    """Similarity in [0, 1] of two titles: the Dice coefficient of their content words, raised
    when both name the same system before a colon ("PKU-SafeRLHF: <subtitle>" keeps its name
    when the subtitle changes) and held below :data:`MIN_TITLE` when both name *different*
    systems: "ANAH-v2: Scaling Analytical Hallucination Annotation …" is the sequel of "ANAH:
    Analytical Annotation of Hallucinations …", not its published version, however many words
    and authors the two share ("HelpSteer2"/"HelpSteer", "SeaLLMs 3"/"SeaLLMs" alike)."""
    (wa, system_a), (wb, system_b) = _title_parts(a), _title_parts(b)
    best = _dice(wa, wb)
    if system_a is not None and system_b is not None:
        if system_a == system_b:
            if len(system_a) >= 5:
                best = max(best, 0.5 + 0.5 * best)
        else:
            best = min(best, MIN_TITLE - 0.01)
    return best


# --- names -------------------------------------------------------------------------------------


@lru_cache(maxsize=1 << 17)
def _name_parts(name: str) -> tuple[str, ...]:
    """The name's folded words, a word repeated only once ("YeYanhan YeYanhan", a data-entry
    slip in the Anthology, is the one word "yeyanhan")."""
    return tuple(dict.fromkeys(words(name)))


@lru_cache(maxsize=1 << 17)
def name_similarity(a: str, b: str) -> float:
    """How well two printed names agree, in [0, 1].

    1.0: the same words in any order ("Wu Yinyu" / "Yinyu Wu"; "Hinrich Schütze" / "Hinrich
    Schuetze"; "Chi-Min Chan" / "Chimin Chan"); 0.9: one has a middle name or initial more
    ("Tianyi Alex Qiu" / "Tianyi Qiu"); 0.8: same family name, given names as initials
    ("J. Dai" / "Juntao Dai"); 0.85: one letter apart in a long family name ("Gopala
    Anumanchipali" / "Gopala Anumanchipalli": a typo on one side); 0.0 otherwise (the same
    family name alone is a namesake).
    """
    pa, pb = _name_parts(a), _name_parts(b)
    if not pa or not pb:
        return 0.0
    if sorted(pa) == sorted(pb) or "".join(sorted(pa)) == "".join(sorted(pb)):
        return 1.0
    if "".join(pa) in ("".join(pb), "".join(reversed(pb))) or "".join(reversed(pa)) == "".join(pb):
        return 1.0
    sa, sb = set(pa), set(pb)
    short, long_ = (sa, sb) if len(sa) <= len(sb) else (sb, sa)
    if len(short) >= 2 and short < long_:
        return 0.9
    # one letter apart in a long family name, the rest equal ("Anumanchipali" / "Anumanchipalli")
    if len(pa) == len(pb) and pa[:-1] == pb[:-1] and min(len(pa[-1]), len(pb[-1])) >= 6 and _one_edit(pa[-1], pb[-1]):
        return 0.85
    # same family name (last word of either), given names compatible as initials
    for last_a, given_a, last_b, given_b in ((pa[-1], pa[:-1], pb[-1], pb[:-1]), (pa[0], pa[1:], pb[-1], pb[:-1])):
        if last_a == last_b and given_a and given_b and _initials_match(given_a, given_b):
            return 0.8
    return 0.0


def _one_edit(a: str, b: str) -> bool:
    """``a`` and ``b`` differ by one inserted, deleted or replaced letter."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    return (
        a[i + 1 :] == b[i + 1 :]
        if len(a) == len(b)
        else (a[i:] == b[i + 1 :] if len(a) < len(b) else a[i + 1 :] == b[i:])
    )


def _initials_match(a: Sequence[str], b: Sequence[str]) -> bool:
    if all(len(w) == 1 for w in a) or all(len(w) == 1 for w in b):
        return a[0][0] == b[0][0]
    return False
