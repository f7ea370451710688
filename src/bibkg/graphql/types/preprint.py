"""arXiv preprints from the Hugging Face Daily Papers, their authors, their Daily Papers entries
and their links to the Anthology (:mod:`bibkg.hf`): the types and the root fields
(``HfQuery``, a part of ``Query``).

Every field reads its data through batched named queries (``gql-preprint*``,
``gql-paper-preprints``, ``gql-person-preprints``, ``gql-daily-papers``), one per kind of data
and request, as the Anthology's types do.  The loaders of these queries live on the request's
context beside the Anthology's (:func:`_loaders`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Annotated

import strawberry
from strawberry.types import Info

from ... import iris
from ...hf.reader import normalize_arxiv_id
from ...read.runner import Row
from ...sparql.terms import literal_term
from ..batch import result_cache_for
from ..errors import UserError
from ..loaders import row_loader
from ..maybe import Maybe, settle, then
from . import paper as _paper
from . import person as _person
from .common import first_rows, int_of, maybe_field, page_size, str_of
from .context import ctx
from .refs import PaperRef, PersonRef, PreprintRef

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}\Z")


class HfLoaders:
    """The Daily Papers loaders of one request."""

    def __init__(self, info: Info) -> None:
        context = ctx(info)
        runner = context.services.runner
        cache = result_cache_for(
            context.services.generation, context.settings.cache_entries, context.settings.cache_mb * 2**20
        )
        self.preprint = row_loader(runner, "gql-preprints", "preprint", (), cache)
        self.authors = row_loader(runner, "gql-preprint-authors", "preprint", (), cache)
        self.entries = row_loader(runner, "gql-preprint-entries", "preprint", (), cache)
        self.of_paper = row_loader(runner, "gql-paper-preprints", "paper", (), cache)
        self.of_person = row_loader(runner, "gql-person-preprints", "person", (), cache)
        self.coauthors = row_loader(runner, "gql-preprint-coauthors", "person", (), cache)


def _loaders(info: Info) -> HfLoaders:
    context = ctx(info)
    found = getattr(context, "_hf_loaders", None)
    if found is None:
        found = context._hf_loaders = HfLoaders(info)  # one set per request, as ctx.loaders
    return found


def _float(row: Row | None, key: str) -> float | None:
    value = str_of(row, key)
    return float(value) if value is not None else None


@strawberry.type(description="Why a preprint is linked to an Anthology paper: the linker's score and evidence.")
class PaperLink:
    paper: PaperRef = strawberry.field(description="The Anthology paper that is the preprint's published version.")
    score: float = strawberry.field(description="Confidence in [0, 1].")
    title_similarity: float = strawberry.field(description="Similarity of the two titles in [0, 1].")
    author_overlap: float = strawberry.field(description="Share of authors aligned in order, in [0, 1].")
    year_gap: int = strawberry.field(description="The paper's year minus the arXiv year.")
    method: str = strawberry.field(description="Name and version of the linking method.")
    confirmed_by: str | None = strawberry.field(
        description="The correction that confirmed this link (it then holds whatever its score); null: the linker's own."
    )


@strawberry.type(description="Why a preprint author is linked to an Anthology person.")
class PersonLink:
    person: PersonRef
    score: float = strawberry.field(description="Confidence in [0, 1].")
    name_similarity: float = strawberry.field(
        description="The arXiv name against the person's names (all of them: 'Juntao Dai' is also 'Josef Dai')."
    )
    aligned_position: int | None = strawberry.field(
        description="The author's position on the Anthology paper; null for a link a correction confirmed without one."
    )
    confirmed_by: str | None = strawberry.field(
        description="The correction that confirmed this link; null: the linker's own."
    )


@strawberry.type(description="An author of a preprint, as printed on arXiv.")
class PreprintAuthor:
    position: int = strawberry.field(description="1-based position in the printed list.")
    printed_name: str = strawberry.field(description="The name as printed on arXiv.")
    hf_authorship_id: str | None = strawberry.field(description="Hugging Face id of this authorship.")
    hf_account: str | None = strawberry.field(description="Handle of the Hugging Face account linked to it.")
    hf_account_status: str | None = strawberry.field(
        description="How the account was linked (claimed_verified, admin_assigned, extracted_…)."
    )
    link: PersonLink | None = strawberry.field(
        description="The Anthology person, when the evidence is strong; else the author is only a name."
    )


def _listed(root: DailyPapersEntry, info: Info) -> Maybe[Preprint | None]:
    return then(load_preprints(info, [root.preprint_iri]), lambda found: found[0])


@strawberry.type(description="A preprint on one day's Hugging Face Daily Papers listing.")
class DailyPapersEntry:
    day: str = strawberry.field(description="The listing day, YYYY-MM-DD.")
    upvotes: int | None
    comments: int | None
    submitter: str | None = strawberry.field(description="Hugging Face handle of who submitted it.")
    organization: str | None = strawberry.field(description="Hugging Face organization it was listed for.")
    github_repo: str | None
    project_page: str | None
    preprint: PreprintRef = maybe_field(resolver=_listed, description="The listed preprint.")  # type: ignore[assignment]  # possible bug: non-null, but _listed gives None for a preprint without a gql-preprints row
    preprint_iri: strawberry.Private[str]


def _entry(row: Row) -> DailyPapersEntry:
    return DailyPapersEntry(
        day=str_of(row, "day") or "",
        upvotes=int_of(row, "upvotes"),
        comments=int_of(row, "comments"),
        submitter=str_of(row, "submitter"),
        organization=str_of(row, "organization"),
        github_repo=str_of(row, "githubRepo"),
        project_page=str_of(row, "projectPage"),
        preprint_iri=row["preprint"].value,
    )


def _authors(root: Preprint, info: Info) -> Maybe[list[PreprintAuthor]]:
    def made(rows: list[Row]) -> Maybe[list[PreprintAuthor]]:
        rows = sorted(rows, key=lambda r: int_of(r, "position") or 0)
        linked = [r["person"].value for r in rows if "person" in r]

        def with_persons(persons: list[_person.Person]) -> list[PreprintAuthor]:
            by_iri = dict(zip(linked, persons, strict=True))
            return [
                PreprintAuthor(
                    position=int_of(r, "position") or 0,
                    printed_name=str_of(r, "name") or "",
                    hf_authorship_id=str_of(r, "hfId"),
                    hf_account=str_of(r, "handle"),
                    hf_account_status=str_of(r, "status"),
                    link=None
                    if "person" not in r
                    else PersonLink(
                        person=by_iri[r["person"].value],
                        score=_float(r, "score") or 0.0,
                        name_similarity=_float(r, "nameSimilarity") or 0.0,
                        aligned_position=int_of(r, "alignedPosition"),
                        confirmed_by=_correction(r),
                    ),
                )
                for r in rows
            ]

        return then(_person.load_persons(info, linked), with_persons)

    return then(_loaders(info).authors.get((root.iri,)), made)


def _entries(root: Preprint, info: Info) -> Maybe[list[DailyPapersEntry]]:
    return then(_loaders(info).entries.get((root.iri,)), lambda rows: sorted(map(_entry, rows), key=lambda e: e.day))


def _published_as(root: Preprint, info: Info) -> Maybe[PaperLink | None]:
    row = root.row
    if row is None or "paper" not in row:
        return None
    return then(
        _paper.load_papers(info, [row["paper"].value]),
        lambda found: PaperLink(
            paper=found[0],
            score=_float(row, "score") or 0.0,
            title_similarity=_float(row, "titleSimilarity") or 0.0,
            author_overlap=_float(row, "authorOverlap") or 0.0,
            year_gap=int_of(row, "yearGap") or 0,
            method=str_of(row, "method") or "",
            confirmed_by=_correction(row),
        ),
    )


def _correction(row: Row) -> str | None:
    """The id of the correction that confirmed a link (``c-…``), if one did."""
    iri = str_of(row, "confirmedBy")
    return iri.rsplit("/", 1)[-1] if iri else None


@strawberry.type(description="An arXiv preprint listed on the Hugging Face Daily Papers.")
class Preprint:
    iri: str = strawberry.field(description="https://arxiv.org/abs/{arXiv id}, versionless.")
    arxiv_id: strawberry.ID = strawberry.field(description="arXiv id, e.g. 2406.06144.")
    title: str
    abstract: str | None = strawberry.field(description="The abstract, as the Hugging Face API gives it.")
    date: str | None = strawberry.field(description="arXiv publication date, YYYY-MM-DD.")
    author_count: int
    authors: list[PreprintAuthor] = maybe_field(resolver=_authors, description="Authors in printed order.")
    published_as: PaperLink | None = maybe_field(
        resolver=_published_as, description="The Anthology paper it was published as, with the evidence."
    )
    daily_papers: list[DailyPapersEntry] = maybe_field(
        resolver=_entries, description="Its Daily Papers entries, by day."
    )
    row: strawberry.Private[Row | None] = None


def load_preprints(info: Info, targets: Sequence[str]) -> Maybe[list[Preprint | None]]:
    """The preprints of IRIs ``targets`` (``None`` where the graph has none), in order."""

    def made(rows: list[Row | None]) -> list[Preprint | None]:
        return [
            None
            if row is None
            else Preprint(
                iri=iri,
                arxiv_id=strawberry.ID(str_of(row, "id") or ""),
                title=str_of(row, "title") or "",
                abstract=str_of(row, "abstract"),
                date=str_of(row, "date"),
                author_count=int_of(row, "authors") or 0,
                row=row,
            )
            for iri, row in zip(targets, rows, strict=True)
        ]

    return then(first_rows(_loaders(info).preprint, targets), made)


def _present(found: list[Preprint | None]) -> list[Preprint]:
    return [p for p in found if p is not None]


def paper_preprints(info: Info, paper_iri: str) -> Maybe[list[Preprint]]:
    """The preprints published as the paper ``paper_iri`` (``Paper.preprints``)."""
    return then(
        _loaders(info).of_paper.get((paper_iri,)),
        lambda rows: then(load_preprints(info, [r["preprint"].value for r in rows]), _present),
    )


def person_preprints(info: Info, person_iri: str) -> Maybe[list[Preprint]]:
    """The preprints of which the person is a linked author, newest first (``Person.preprints``)."""

    def made(rows: list[Row]) -> Maybe[list[Preprint]]:
        targets = list(dict.fromkeys(r["preprint"].value for r in rows))
        return then(load_preprints(info, targets), _present)

    return then(_loaders(info).of_person.get((person_iri,)), made)


def preprint_coauthor_rows(info: Info, person_iri: str) -> Maybe[list[Row]]:
    """The ``gql-preprint-coauthors`` rows of the person (``Query.coauthors`` with PREPRINTS)."""
    return _loaders(info).coauthors.get((person_iri,))


def _day(value: str, argument: str) -> str:
    if not _DAY.match(value.strip()):
        raise UserError(f"'{argument}' must be a day YYYY-MM-DD, got {value[:40]!r}")
    return value.strip()


@strawberry.type
class HfQuery:
    """Root fields over the Hugging Face Daily Papers."""

    @strawberry.field(description="A preprint by arXiv id (`2406.06144`; a version suffix is ignored) or IRI.")
    async def preprint(self, info: Info, arxiv_id: strawberry.ID) -> Preprint | None:
        text = str(arxiv_id).strip().removeprefix("https://arxiv.org/abs/")
        normalized = normalize_arxiv_id(text)
        if normalized is None:
            raise UserError(f"'arxivId' is not an arXiv id: {text[:40]!r}")
        return (await settle(load_preprints(info, [iris.preprint_iri(normalized[0])])))[0]

    @strawberry.field(
        description="The Daily Papers of a day (`day`) or of a range of days (`from`, `to`), "
        "most upvoted first, each with the Anthology paper it was published as (if any)."
    )
    async def daily_papers(
        self,
        info: Info,
        day: str | None = None,
        from_: Annotated[str | None, strawberry.argument(name="from")] = None,
        to: str | None = None,
        first: int | None = None,
    ) -> list[DailyPapersEntry]:
        size = page_size(info, first)
        if day is not None and (from_ is not None or to is not None):
            raise UserError("give either 'day' or 'from'/'to'")
        start = _day(day if day is not None else from_ or "", "day" if day is not None else "from")
        end = _day(day if day is not None else to or start, "day" if day is not None else "to")
        bindings = {"from": literal_term(start, "from"), "to": literal_term(end, "to")}
        rows = await ctx(info).services.runner.named_rows("gql-daily-papers", bindings)
        iris_ = [r["entry"].value for r in rows[:size]]
        details = await _entries_of(info, rows[:size])
        return [details[iri] for iri in iris_ if iri in details]


async def _entries_of(info: Info, rows: list[Row]) -> dict[str, DailyPapersEntry]:
    """The entries of ``rows`` (``gql-daily-papers``) with their details, by entry IRI."""
    loader = _loaders(info).entries
    preprints = list(dict.fromkeys(r["preprint"].value for r in rows))
    found = [loader.get((p,)) for p in preprints]
    out: dict[str, DailyPapersEntry] = {}
    for rows_of in found:
        for row in await settle(rows_of):
            out[row["entry"].value] = _entry(row)
    return out
