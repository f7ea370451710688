"""Planning one correction against the current graph: the :class:`~bibkg.corrections.effect.Effect`
it has (:func:`plan`; :func:`~bibkg.corrections.link_planner.plan_link` for a Daily Papers link
decision), checked against the graph's facts, with the side effects settled as
``verify_author.py`` settles them (module docs of :mod:`bibkg.corrections.effect`)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from ..anthology.names import Name
from ..anthology.people import PeopleFormat, PeopleMetadata
from ..anthology.records import NameSpec, PersonEntry
from ..anthology.resolve import resolve
from ..iris import UNVERIFIED_PREFIX
from .effect import Effect, Key, Overrides, Pin
from .errors import (
    Conflict,
    InvalidCorrection,
    NotThatPerson,
    PositionOutOfRange,
    StaleName,
    UnknownPaper,
    UnknownPerson,
)
from .facts import Contribution, GraphFacts, PersonFacts
from .link_planner import plan_link
from .model import (
    AuthorshipRef,
    Correction,
    DisableNameMatching,
    LinkDecision,
    Merge,
    Reassign,
    Split,
    Target,
    ToNewPerson,
    ToPerson,
    ToUnknown,
    Verify,
    new_person_id,
)

_MAX_ROUNDS = 6


def plan(
    correction: Correction, facts: GraphFacts, people: PeopleMetadata, overrides: Overrides | None = None
) -> Effect:
    """The edits that make ``correction`` true of the current graph, or the error saying why not.

    ``people`` is the people metadata the current graph was mapped from (with ``overrides``
    applied); ``overrides`` the applied corrections' pins (an entry's explicit id, when a
    correction set it).
    """
    if isinstance(correction.change, LinkDecision):
        return plan_link(correction, facts)
    return _Planner(correction, facts, people, overrides or Overrides()).run()


class _Planner:
    def __init__(self, correction: Correction, facts: GraphFacts, people: PeopleMetadata, overrides: Overrides) -> None:
        self.correction = correction
        self.facts = facts
        self.people = people
        self.current = people.format is PeopleFormat.CURRENT
        self.overrides = overrides
        self.entries: dict[str, PersonEntry | None] = {}
        self.pins: dict[Key, tuple[Contribution, str | None]] = {}
        self.targets: dict[Key, tuple[Contribution, str | None, str]] = {}
        """key → (contribution, explicit id, person it must resolve to; ``""``: any but the old)."""

    # -- the requested change --------------------------------------------------------------------
    def run(self) -> Effect:
        change = self.correction.change
        if isinstance(change, Reassign):
            self._person(change.from_person, "from")
            contributions = [self._authorship(i, ref) for i, ref in enumerate(change.authorships)]
            for c in contributions:
                if c.person != change.from_person:
                    raise NotThatPerson(
                        f"{c.item} author {c.position} ({c.name.full}) is {c.person} now, not {change.from_person}",
                        field="from",
                    )
            self._retarget(contributions, change.to, change.from_person)
        elif isinstance(change, Split):
            self._person(change.person, "person")
            contributions = []
            for index, paper in enumerate(change.papers):
                authors = self.facts.authors(paper)
                if authors is None:
                    raise UnknownPaper(f"no paper {paper} in the graph", field=f"papers[{index}]")
                mine = [c for c in authors if c.person == change.person]
                if not mine:
                    raise NotThatPerson(f"{change.person} is not an author of {paper}", field=f"papers[{index}]")
                contributions.extend(mine)
            self._retarget(contributions, change.to, change.person)
        elif isinstance(change, Merge):
            self._merge(change)
        elif isinstance(change, Verify):
            self._verify(change)
        elif isinstance(change, DisableNameMatching):
            self._disable(change)
        else:  # pragma: no cover - the model has no other kinds
            raise InvalidCorrection(f"unknown change {change!r}")
        return self._settle()

    def _person(self, pid: str, where: str) -> PersonFacts:
        person = self.facts.person(pid)
        if person is None:
            raise UnknownPerson(f"no person {pid} in the graph", field=where)
        return person

    def _authorship(self, index: int, ref: AuthorshipRef) -> Contribution:
        where = f"authorships[{index}]"
        authors = self.facts.authors(ref.paper)
        if authors is None:
            raise UnknownPaper(f"no paper {ref.paper} in the graph", field=where + ".paper")
        if ref.position > len(authors):
            raise PositionOutOfRange(
                f"{ref.paper} has {len(authors)} author(s), not {ref.position}", field=where + ".position"
            )
        c = authors[ref.position - 1]
        if c.name != ref.name:
            raise StaleName(
                f"{ref.paper} author {ref.position} is printed '{c.name.full}', not '{ref.name.full}' "
                "(the data changed since the request was made)",
                field=where + ".name",
            )
        return c

    def _entry(self, pid: str) -> PersonEntry | None:
        if pid in self.entries:
            return self.entries[pid]
        return self.people.persons.get(pid)

    def _with_names(self, entry: PersonEntry, names: Iterable[Name]) -> PersonEntry:
        have = list(entry.names)
        for name in names:
            if name not in have:
                have.append(name)
        return dataclasses.replace(entry, names=tuple(have)) if len(have) != len(entry.names) else entry

    def _retarget(self, contributions: list[Contribution], to: Target, source: str) -> None:
        if isinstance(to, ToPerson):
            self._person(to.id, "to.id")
            entry = self._entry(to.id)
            if entry is None:
                raise Conflict(
                    f"{to.id} is an unverified page: verify it first (kind 'verify') or assign to a new person",
                    field="to.id",
                )
            if self.current:  # an explicit id needs the printed name among the person's names
                self.entries[to.id] = self._with_names(entry, (c.name for c in contributions))
            for c in contributions:
                self.targets[c.key] = (c, to.id, to.id)
        elif isinstance(to, ToNewPerson):
            pid = self._new_id(to.id, to.name, to.disambiguator, to.orcid, "to")
            names = [to.name] + ([c.name for c in contributions] if self.current else [])
            entry = PersonEntry(pid, ())
            entry = dataclasses.replace(self._with_names(entry, names), orcid=to.orcid, degree=to.degree)
            self.entries[pid] = entry
            for c in contributions:
                self.targets[c.key] = (c, pid, pid)
        elif isinstance(to, ToUnknown):
            for c in contributions:
                self.targets[c.key] = (c, None, "")
        self.source = source

    def _new_id(self, given: str | None, name: Name, disambiguator: str | None, orcid: str | None, where: str) -> str:
        if orcid is not None:
            for entry in self.people.persons.values():
                if entry.orcid == orcid and self.entries.get(entry.id, entry) is not None:
                    raise Conflict(
                        f"ORCID {orcid} belongs to {entry.id} already: assign to that person", field=f"{where}.orcid"
                    )
        pid = given or new_person_id(name, disambiguator)
        if self._taken(pid):
            if given or disambiguator or orcid is None:
                raise Conflict(
                    f"person id {pid} is taken: give a disambiguator (e.g. the degree institution)",
                    field=f"{where}.disambiguator" if not given else f"{where}.id",
                )
            pid = f"{pid}-{orcid[-4:].lower()}"  # the library's ingest_namespec rule
            if self._taken(pid):
                raise Conflict(f"person id {pid} is taken: give a disambiguator", field=f"{where}.disambiguator")
        return pid

    def _taken(self, pid: str) -> bool:
        return self._entry(pid) is not None or self.facts.person(pid) is not None

    def _merge(self, change: Merge) -> None:
        self._person(change.source, "source")
        self._person(change.into, "into")
        into = self._entry(change.into)
        if into is None:
            raise Conflict(f"{change.into} is an unverified page: merge into a verified person", field="into")
        contributions = self.facts.contributions(change.source)
        source_entry = self._entry(change.source)
        names = list(source_entry.names) if source_entry is not None else []
        names += [c.name for c in contributions]
        merged = self._with_names(into, names)
        if source_entry is not None:
            if source_entry.orcid and not merged.orcid:
                merged = dataclasses.replace(merged, orcid=source_entry.orcid)
            self.entries[change.source] = None
        self.entries[change.into] = merged
        for c in contributions:
            self.targets[c.key] = (c, change.into, change.into)
        self.source = change.source

    def _verify(self, change: Verify) -> None:
        person = self._person(change.person, "person")
        contributions = self.facts.contributions(change.person)
        if not contributions:
            raise Conflict(f"{change.person} has no papers to verify", field="person")
        names: list[Name] = []
        for c in contributions:
            if c.name not in names:
                names.append(c.name)
        if self._entry(change.person) is not None:
            raise Conflict(f"{change.person} is verified already", field="person")
        canonical = next((n for n in names if n.full == person.label), names[0])
        names.remove(canonical)
        if (
            not self.current
            and not change.person.startswith(UNVERIFIED_PREFIX)
            and not change.id
            and not change.disambiguator
        ):
            pid = change.person  # legacy: the slug person gets its entry, under the same id
        else:
            pid = self._new_id(change.id, canonical, change.disambiguator, change.orcid, "person")
        self.entries[pid] = PersonEntry(pid, (canonical, *names), orcid=change.orcid, degree=change.degree)
        for c in contributions:
            self.targets[c.key] = (c, pid, pid)
        self.source = change.person

    def _disable(self, change: DisableNameMatching) -> None:
        self._person(change.person, "person")
        entry = self._entry(change.person)
        if entry is None:
            raise Conflict(f"{change.person} is not a verified person", field="person")
        if not self.current:
            raise Conflict("the legacy name_variants.yaml format has no disable_name_matching", field="person")
        if entry.disable_name_matching:
            raise Conflict(f"name matching is disabled for {change.person} already", field="person")
        self.entries[change.person] = dataclasses.replace(entry, disable_name_matching=True)
        for c in self.facts.contributions(change.person):
            self.targets[c.key] = (c, change.person, change.person)
        self.source = change.person

    # -- side effects ------------------------------------------------------------------------------
    def _meta(self) -> PeopleMetadata:
        return Overrides(entries=self.entries).people(self.people)

    def _explicit(self, c: Contribution) -> str | None:
        if c.key in self.pins:
            return self.pins[c.key][1]
        if c.key in self.targets:
            return self.targets[c.key][1]
        pin = self.overrides.pins.get(c.key)
        return pin.person if pin is not None else None

    def _resolve(self, c: Contribution, meta: PeopleMetadata) -> str:
        return resolve(NameSpec(c.name, id=self._explicit(c)), meta)[0]

    def _changed_names(self) -> list[Name]:
        names: list[Name] = []
        for pid, after in self.entries.items():
            before = self.people.persons.get(pid)
            for entry in (before, after):
                for name in entry.names if entry is not None else ():
                    if name not in names:
                        names.append(name)
        for c, _, _ in self.targets.values():
            if c.name not in names:
                names.append(c.name)
        return names

    def _candidates(self, meta: PeopleMetadata) -> dict[Key, Contribution]:
        """Entries whose resolution may depend on the names the correction touches."""
        out: dict[Key, Contribution] = {}
        seen: set[str] = set()
        for name in self._changed_names():
            slug = name.slug
            if self.current:
                persons = set(self.people.by_slug.get(slug, ())) | set(meta.by_slug.get(slug, ()))
                match = lambda c, s=slug: c.name.slug == s  # noqa: E731
            else:
                persons = set(self.people.by_name.get(name, ())) | set(meta.by_name.get(name, ())) | {slug}
                owner = self.people.variant_owners.get(name)
                if owner is not None:
                    persons.add(owner[0])
                match = lambda c, n=name: c.name == n  # noqa: E731
            persons.add(UNVERIFIED_PREFIX + slug)
            for pid in persons:
                key = (pid, slug if self.current else f"{name.first}\x1f{name.last}")
                if key in seen:
                    continue
                seen.add(key)  # type: ignore[arg-type]
                for c in self.facts.contributions(pid):
                    if match(c):
                        out[c.key] = c
        return out

    def _settle(self) -> Effect:
        for _ in range(_MAX_ROUNDS):
            meta = self._meta()
            fixes = False
            for c, _explicit, want in self.targets.values():
                got = self._resolve(c, meta)
                if want and got != want:  # pragma: no cover - an explicit id always wins
                    raise Conflict(f"{c.item} author {c.position} would resolve to {got}, not {want}")
                if not want and got == c.person:
                    fixes |= self._release(c, meta)
            for key, c in self._candidates(meta).items():
                if key in self.targets:
                    continue
                got = self._resolve(c, meta)
                if got != c.person:
                    fixes |= self._keep(c, got, meta)
            if not fixes:
                return self._effect()
        raise Conflict("the correction's side effects on other authorships do not settle; split it into smaller ones")

    def _release(self, c: Contribution, meta: PeopleMetadata) -> bool:
        """'Unknown': the entry must leave its person, who matches its name implicitly."""
        entry = meta.persons.get(c.person)
        if not self.current or entry is None:
            raise Conflict(
                f"'{c.name.full}' resolves to {c.person} by name in this data's people metadata; "
                "assign the authorship to a person or a new person instead of 'unknown'",
                field="to",
            )
        if entry.disable_name_matching:  # pragma: no cover - then it could not resolve by name
            raise Conflict(f"{c.item} author {c.position} cannot leave {c.person}")
        self.entries[c.person] = dataclasses.replace(entry, disable_name_matching=True)
        return True

    def _keep(self, c: Contribution, got: str, meta: PeopleMetadata) -> bool:
        """Another entry would move from ``c.person`` to ``got``: keep it where it is."""
        entry = meta.persons.get(c.person)
        if entry is not None:
            if self.current and c.name not in entry.names:
                self.entries[c.person] = self._with_names(entry, (c.name,))
            self.pins[c.key] = (c, c.person)
            return True
        if self.current:
            # an unverified entry captured by a verified person's name match: that person (new or
            # changed by this correction) gets its name matching disabled, as verify_author --only does
            captor = meta.persons.get(got)
            if captor is None or got not in self.entries:
                raise Conflict(
                    f"{c.item} {c.role} {c.position} ({c.name.full}) would move from {c.person} to {got}",
                )
            self.entries[got] = dataclasses.replace(captor, disable_name_matching=True)
            return True
        if c.person.startswith(UNVERIFIED_PREFIX):
            raise Conflict(
                f"{c.item} {c.role} {c.position} ('{c.name.full}', ambiguous in name_variants.yaml) would move to {got}"
            )
        self.entries[c.person] = PersonEntry(c.person, (c.name,))  # legacy: declare the slug person
        self.pins[c.key] = (c, c.person)
        return True

    def _effect(self) -> Effect:
        pins: list[Pin] = []
        moved: list[tuple[Key, str, str, str]] = []
        meta = self._meta()
        for key, (c, explicit, _want) in sorted(self.targets.items()):
            pins.append(Pin(c.item, c.role, c.position, c.name, explicit, c.collection, c.person))
            after = self._resolve(c, meta)
            moved.append((key, c.person, after, c.node))
        for key, (c, explicit) in sorted(self.pins.items()):
            if key not in self.targets:
                pins.append(Pin(c.item, c.role, c.position, c.name, explicit, c.collection, c.person))
        if not self.current:  # name_variants.yaml has no ORCID, degree or disable_name_matching
            self.entries = {
                pid: e if e is None else dataclasses.replace(e, orcid=None, degree=None, disable_name_matching=False)
                for pid, e in self.entries.items()
            }
        before = tuple((pid, self.people.persons.get(pid)) for pid in sorted(self.entries))
        after_entries = tuple((pid, self.entries[pid]) for pid in sorted(self.entries))
        changed = tuple((pid, e) for (pid, e), (_, b) in zip(after_entries, before, strict=True) if e != b)
        return Effect(
            self.correction.id,
            tuple(pins),
            changed,
            tuple((pid, b) for (pid, e), (_, b) in zip(after_entries, before, strict=True) if e != b),
            tuple(moved),
        )
