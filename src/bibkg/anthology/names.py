"""Personal names as the Anthology writes them: equality, slugs and the canonical-name score."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from slugify import slugify as _slugify

_WORD_SPLIT = re.compile(r"\W+")


@dataclass(frozen=True, slots=True)
class Name:
    """A name as printed: ``first`` (given names, may be absent) and ``last`` (family name).

    Two names are equal when their parts are equal to the letter; an empty first name equals an
    absent one.  ``script`` (set on ``<variant script=…>`` names) does not take part in equality.
    """

    first: str | None
    last: str
    script: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.first == "":
            object.__setattr__(self, "first", None)

    def __reduce__(self) -> tuple[type[Name], tuple[str | None, str, str | None]]:
        # pickled by its fields (a slots dataclass's default state functions cost several times
        # as much; an update reads hundreds of thousands of names from its kept facts)
        return Name, (self.first, self.last, self.script)

    @property
    def full(self) -> str:
        """``"First Last"``, or just ``"Last"`` for single names."""
        return f"{self.first} {self.last}" if self.first else self.last

    @property
    def last_first(self) -> str:
        return f"{self.last}, {self.first}" if self.first else self.last

    @property
    def slug(self) -> str:
        """The Anthology's name slug (python-slugify of "First Last")."""
        return slug_of(self.full)

    def score(self) -> float:
        """How likely this spelling is the canonical one among names with the same slug.

        Longer names, non-ASCII letters and hyphens score higher; odd capitalisation scores
        lower.  This is the rule the Anthology uses to pick the display name of persons that
        are known only from their papers.
        """
        name = self.full
        score = float(len(name))
        score += sum((ord(c) > 127 or c == "-") for c in name)
        words = _WORD_SPLIT.split(name)
        score -= sum(any(c.isupper() for c in w[1:]) for w in words)
        score -= sum(w[0].islower() if w else 0 for w in words)
        if name[:1].islower():
            score -= 1
        if self.first and len(self.first) > len(self.last):
            score += 0.5
        return score


@cache
def slug_of(text: str) -> str:
    """Slug of a full name; ``"none"`` for an empty name, as the Anthology does."""
    return _slugify(text) if text else "none"
