"""People search: an in-memory index of every name a person published under.

Built once per store from one named query (``gql-name-index``): canonical names, other names
and script variants. Matching is insensitive to case, diacritics and punctuation, accepts
"Last, First" and "First Last" (and, for two-part names, "Last First", the usual order of
Han-script names), and matches initials against full given names ("Y. Yang" ~ "Yaodong Yang").

Ranks, best first: 0 exact (up to case and spacing), 1 normalized (diacritics, punctuation, name
order), 2 same words in another order, 3 initials. A person appears once, with its best match.
"""

from __future__ import annotations

import os
import threading
import time
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from .. import iris, vocab
from ..read.runner import QueryRunner
from ..services import Generation

EXACT, NORMALIZED, REORDERED, INITIALS = 0, 1, 2, 3
_LABEL, _VERIFIED, _PERSON_NAME = vocab.LABEL, vocab.verified, vocab.personName
_FULL_NAME, _GIVEN_NAME, _FAMILY_NAME = vocab.fullName, vocab.givenName, vocab.familyName
_SCRIPT_VARIANT = vocab.scriptVariant
MATCH_KINDS = {EXACT: "EXACT", NORMALIZED: "NORMALIZED", REORDERED: "REORDERED", INITIALS: "INITIALS"}


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def tokens(text: str) -> list[str]:
    """Fold ``text`` (NFKD, no combining marks, casefold) and split it on anything that is not a
    letter or a digit: ``"Yao-Dong  Yáng"`` → ``["yao", "dong", "yang"]``."""
    folded = _strip_marks(text).casefold()
    out = []
    current = []
    for char in folded:
        if char.isalnum():
            current.append(char)
        elif current:
            out.append("".join(current))
            current = []
    if current:
        out.append("".join(current))
    return out


def exact_key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def swap_comma(text: str) -> str:
    """``"Yang, Yaodong"`` → ``"Yaodong Yang"``; other text unchanged."""
    if text.count(",") == 1:
        last, first = (part.strip() for part in text.split(","))
        if last and first:
            return f"{first} {last}"
    return text


def _initials(words: list[str]) -> str:
    return "".join(w[0] for w in words if w)


@dataclass(frozen=True, slots=True)
class Match:
    person: str  # IRI
    label: str
    verified: bool
    matched_name: str
    rank: int

    @property
    def person_id(self) -> str:
        return iris.person_id_from_iri(self.person) or self.person


@dataclass(slots=True)
class _Person:
    label: str
    verified: bool


class NameIndex:
    """See module docs. Thread-safe, built lazily by :meth:`ensure_built`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.built = False
        self.created = time.monotonic()
        self.runner: QueryRunner | None = None  # the runner that built it, for a refresh
        self.refreshing = False
        self.fallback: NameIndex | None = None
        """The previous snapshot's built index, searched until this one is built (see
        :func:`name_index_for`)."""
        self.persons: dict[str, _Person] = {}
        self._exact: dict[str, set[tuple[str, str]]] = defaultdict(set)
        self._normalized: dict[str, set[tuple[str, str]]] = defaultdict(set)
        self._reordered: dict[str, set[tuple[str, str]]] = defaultdict(set)
        # family key -> (given initials, given is initials only, person, name)
        self._by_family: dict[str, set[tuple[str, bool, str, str]]] = defaultdict(set)

    # --- building ------------------------------------------------------------------------------
    def ensure_built(self, runner: QueryRunner) -> NameIndex:
        if self.built:
            return self
        with self._lock:
            if not self.built:
                self._build(bulk_query(runner, runner.catalog["gql-name-index"].text))
                if not getattr(runner.store, "immutable", False):
                    self.runner = runner  # for a refresh; a snapshot's index keeps no store alive
                self.fallback = None
                self.created = time.monotonic()
                self.built = True
        return self

    def _build(self, solutions) -> None:  # noqa: ANN001 - pyoxigraph QuerySolutions
        labels: dict[str, str] = {}
        verified: set[str] = set()
        person_names: dict[str, list[str]] = defaultdict(list)
        variants: dict[str, list[str]] = defaultdict(list)
        parts: dict[str, dict[str, str]] = defaultdict(dict)
        people_prefix = iris.ANTHOLOGY + "people/"
        for s, p, o in solutions:
            subject, predicate, value = s.value, p.value, o.value
            if predicate == _LABEL:
                if subject.startswith(people_prefix):
                    labels[subject] = value
            elif predicate == _VERIFIED:
                if value in ("true", "1"):
                    verified.add(subject)
            elif predicate == _PERSON_NAME:
                person_names[subject].append(value)
            elif predicate == _SCRIPT_VARIANT:
                if subject.startswith(people_prefix) and "#" not in subject:
                    variants[subject].append(value)
            else:
                parts[subject][predicate] = value
        for person, label in labels.items():
            if iris.person_id_from_iri(person) is None:
                continue
            self.persons[person] = _Person(label, person in verified)
            self.add(person, label)
            for name in person_names.get(person, ()):
                fields = parts.get(name, {})
                if _FULL_NAME in fields:
                    self.add(person, fields[_FULL_NAME], fields.get(_GIVEN_NAME), fields.get(_FAMILY_NAME))
            for variant in variants.get(person, ()):
                self.add(person, variant)

    def add(self, person: str, name: str, given: str | None = None, family: str | None = None) -> None:
        words = tokens(name)
        if not words:
            return
        entry = (person, name)
        self._exact[exact_key(name)].add(entry)
        self._normalized["".join(words)].add(entry)
        if given is not None and family is not None:
            given_words, family_words = tokens(given), tokens(family)
        else:
            given_words, family_words = words[:-1], words[-1:]
        if given_words and family_words:
            self._normalized["".join(family_words + given_words)].add(entry)  # "Last First"
            self._by_family["".join(family_words)].add(
                (_initials(given_words), all(len(w) == 1 for w in given_words), person, name)
            )
        self._reordered["".join(sorted(words))].add(entry)

    # --- searching -----------------------------------------------------------------------------
    def search(self, query: str) -> list[Match]:
        """Persons matching ``query``, best first (rank, verified first, name, id)."""
        best: dict[str, tuple[int, str]] = {}

        def note(entries: set[tuple[str, str]], rank: int) -> None:
            for person, name in entries:
                label = self.persons[person].label if person in self.persons else None
                if (
                    person not in best
                    or rank < best[person][0]
                    or (
                        rank == best[person][0]
                        and best[person][1] != label
                        and (name == label or name < best[person][1])
                    )
                ):
                    best[person] = (rank, name)

        forms = {query, swap_comma(query)}
        for form in forms:
            note(self._exact.get(exact_key(form), set()), EXACT)
            words = tokens(form)
            if not words:
                continue
            note(self._normalized.get("".join(words), set()), NORMALIZED)
            note(self._reordered.get("".join(sorted(words)), set()), REORDERED)
            for given_words, family_words in self._splits(query, form, words):
                q_initials = _initials(given_words)
                q_only = all(len(w) == 1 for w in given_words)
                for initials, only, person, name in self._by_family.get("".join(family_words), ()):
                    if (q_only and initials.startswith(q_initials)) or (only and q_initials.startswith(initials)):
                        note({(person, name)}, INITIALS)
        matches = []
        for person, (rank, name) in best.items():
            info = self.persons.get(person)
            if info is None:
                continue
            matches.append(Match(person, info.label, info.verified, name, rank))
        matches.sort(key=lambda m: (m.rank, not m.verified, m.label, m.person))
        return matches

    @staticmethod
    def _splits(query: str, form: str, words: list[str]) -> list[tuple[list[str], list[str]]]:
        if "," in query and form != query:  # "Last, First" already swapped into "First Last"
            last = tokens(query.split(",")[0])
            return [(words[: len(words) - len(last)], last)] if len(last) < len(words) else []
        if len(words) < 2:
            return []
        return [(words[:-1], words[-1:])]


BULK_TIMEOUT_SECONDS = float(os.environ.get("BIBKG_REMOTE_INDEX_TIMEOUT", "300"))
"""The timeout of an index's one big query to an external endpoint (the name index is 558,616
rows on the full corpus: 19 s from Oxigraph server, 26 s from Virtuoso); a request's deadline
(``query_timeout``) would cut it, so it is built at startup (``warm_name_index``) under this one."""


def bulk_query(runner: QueryRunner, text: str):  # noqa: ANN201 - pyoxigraph QuerySolutions
    """``text`` on the runner's store; on an external endpoint with :data:`BULK_TIMEOUT_SECONDS`
    (and its server's own ``timeout``) instead of the per-request timeout."""
    longer = getattr(runner.store, "with_timeout", None)
    if longer is not None and not getattr(runner.store, "immutable", False):
        return longer(BULK_TIMEOUT_SECONDS).query(text)
    return runner.query_sync(text)


REMOTE_INDEX_SECONDS = float(os.environ.get("BIBKG_REMOTE_NAME_INDEX_SECONDS", "300"))
"""How long the index of a store whose data can change (an external SPARQL endpoint, not
``immutable``) is used before it is built again from the endpoint."""


class SearchIndex(Protocol):
    """What :func:`search_index` needs of an index (:class:`NameIndex`, the title index)."""

    built: bool
    created: float
    runner: QueryRunner | None
    """The runner that built it, kept for a refresh (a mutable store's only)."""
    refreshing: bool
    fallback: Any

    def ensure_built(self, runner: QueryRunner) -> Any: ...


Index = TypeVar("Index", bound=SearchIndex)


class _Slot(Generic[Index]):
    """Where a generation keeps its index of one kind; a refresh puts a new index in it."""

    def __init__(self, index: Index) -> None:
        self.index = index


_REFRESH_LOCK = threading.Lock()


def search_index(generation: Generation, kind: Callable[[], Index], *, own: bool = False) -> Index:
    """The (lazily built) index of kind ``kind`` (:class:`NameIndex`, the title index) of the snapshot
    ``generation`` serves, kept with it (:meth:`~bibkg.services.Generation.cache`), so that it dies
    with it.  A newly published snapshot's index is built in the background (about 10-25 s on the
    full corpus, longer than a request's deadline); until then the previous snapshot's (its
    ``fallback``) is searched, so a search never waits for it — matching lags the data by that
    long, the data returned about what is found does not.  ``own``: this snapshot's own index even
    while unbuilt (what the warm-up builds).  The built index of a store whose data can change (an
    external endpoint) is rebuilt in a background thread once older than
    :data:`REMOTE_INDEX_SECONDS`, and served until the new one is ready."""
    slot: _Slot[Index] = generation.cache(f"search-index:{getattr(kind, '__name__', kind)}", lambda: _Slot(kind()))
    index = slot.index
    mutable = not getattr(generation.store, "immutable", False)
    if mutable and time.monotonic() - index.created >= REMOTE_INDEX_SECONDS:
        with _REFRESH_LOCK:
            start = index.built and index.runner is not None and not index.refreshing
            if start:
                index.refreshing = True
        if start:
            threading.Thread(target=_refresh, args=(slot, index, kind), name="bibkg-index-refresh", daemon=True).start()
    if not own and not index.built and index.fallback is not None:
        return index.fallback  # a new snapshot's, being built (graphql.warmup): the previous one's meanwhile
    return index


def _refresh(slot: _Slot[Index], old: Index, kind: Callable[[], Index]) -> None:
    """Build a new index like ``old`` and put it in its place in ``slot`` (``old`` serves meanwhile)."""
    new = kind()
    try:
        assert old.runner is not None  # a refresh starts only for an index that has one
        new.ensure_built(old.runner)
    except Exception:  # noqa: BLE001 - the endpoint is down or slow: keep the old index, retry later
        old.created = time.monotonic()
        old.refreshing = False
        return
    with _REFRESH_LOCK:
        if slot.index is old:
            slot.index = new


def name_index_for(generation: Generation, *, own: bool = False) -> NameIndex:
    """The people-search index of the snapshot ``generation`` serves (:func:`search_index`)."""
    return search_index(generation, NameIndex, own=own)
