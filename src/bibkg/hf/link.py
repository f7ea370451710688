"""Linking preprints to the Anthology: which paper is a preprint's published version, and which
Anthology person each of its authors is.  Pure: records in, links out; where the Anthology's
records come from (paper cards or SPARQL) is :mod:`bibkg.hf.anthology`'s business.

**Candidates.**  Titles are folded (NFKD without marks, case-folded, German umlauts spelled
out) and split into words (:mod:`bibkg.hf.similarity`); an inverted index maps each content word (not a stop word) to the
papers whose title has it, for the years a preprint can be published in (arXiv year − 1 …
arXiv year + 2).  A preprint's candidates are the papers sharing its rarest content words,
ranked by the inverse document frequency of the words shared; the best :data:`CANDIDATES` are
scored in full.  Building the index over the ~25,000 papers of the years that matter and
scoring all 1,237 shared preprints takes well under a second.

**Paper score.**  Three pieces of evidence, each kept on the link node:

* *title similarity*: the larger of the Dice coefficient of the two word sets and of the same
  for the titles' main parts (before a colon: a renamed subtitle keeps its system name);
* *author overlap*: the two author lists are aligned in order (a longest common subsequence of
  compatible names: see :func:`~bibkg.hf.similarity.name_similarity`), and the overlap is
  ``2 × aligned / (n + m)``;
* *year gap*: the paper's year minus the arXiv year.

``score = 0.55 × title + 0.45 × authors`` (minus 0.1 for a year gap outside −1 … 1: a preprint is often posted after the conference); a link is
written when the score reaches :data:`PAPER_THRESHOLD` **and** the author overlap reaches
:data:`MIN_OVERLAP` **and** the title similarity reaches :data:`MIN_TITLE` — a generic title shared with another
team's paper is not enough, nor is a shared author list under an unrelated title.  When two
preprints claim the same paper (or one preprint two papers), the best-scored pair wins.

**Person links** exist only through a paper link: an aligned author whose name similarity
reaches :data:`PERSON_THRESHOLD` is linked to the person the Anthology resolved at the aligned
position.  Names are compared with every name the person published under, so "Juntao Dai"
(arXiv) finds the person printed "Josef Dai" on the paper.  Any other preprint author stays a
name: a matching name alone is a namesake as often as not.

**Reviewed decisions** (:class:`Decisions`, from applied corrections of kind ``link``) come
before the scores: a rejected pair is never linked, a confirmed pair is linked whatever its
score (its evidence still computed and kept) and holds its preprint and paper; a rejected
person link is dropped, a confirmed one replaces what the alignment gave at that position.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Final

from .reader import Preprint
from .similarity import MIN_TITLE, content_words, name_similarity, title_similarity

METHOD: Final = "bibkg-hf-link/1"
"""Name and version of this method, written on every link (bump it when scoring changes)."""
PAPER_THRESHOLD: Final = 0.62
MIN_OVERLAP: Final = 0.4
"""Author overlap a paper link needs at least: one shared name among five authors (a namesake
under a generic title) is not enough."""
PERSON_THRESHOLD: Final = 0.8
CANDIDATES: Final = 30
RARE_WORDS: Final = 5
"""Content words of a title, rarest first, whose postings make the candidates."""

# --- records ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AnthologyPaper:
    """What the linker needs of an Anthology paper."""

    iri: str
    year: int
    title: str
    authors: tuple[tuple[str, str], ...]
    """(person IRI, name as printed on the paper) by position."""


@dataclass(frozen=True, slots=True)
class PaperLinkResult:
    arxiv_id: str
    paper: str
    score: float
    title_similarity: float
    author_overlap: float
    year_gap: int
    alignment: tuple[tuple[int, int, float], ...]
    """(preprint position, paper position, name similarity) of the aligned authors."""
    confirmed_by: str | None = None
    """The correction that confirmed the link, if one did (then it holds whatever its score)."""


@dataclass(frozen=True, slots=True)
class PersonLinkResult:
    arxiv_id: str
    position: int
    """The preprint author's position."""
    person: str
    paper_position: int
    """0 when the link was confirmed without an aligned author on a linked paper."""
    name_similarity: float
    score: float
    confirmed_by: str | None = None
    """The correction that confirmed the link, if one did."""


@dataclass(frozen=True, slots=True)
class Decisions:
    """Reviewed link decisions: what the scores cannot overrule (see module docs).  Each
    confirmation names the correction that made it, written on the link."""

    papers: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    """arXiv id → (paper IRI, correction id): confirmed paper links."""
    not_papers: frozenset[tuple[str, str]] = frozenset()
    """(arXiv id, paper IRI): rejected paper links."""
    persons: Mapping[tuple[str, int], tuple[str, str]] = field(default_factory=dict)
    """(arXiv id, author position) → (person IRI, correction id): confirmed person links."""
    not_persons: frozenset[tuple[str, int, str]] = frozenset()
    """(arXiv id, author position, person IRI): rejected person links."""


NO_DECISIONS: Final = Decisions()


@dataclass(frozen=True, slots=True)
class Links:
    papers: tuple[PaperLinkResult, ...]
    persons: tuple[PersonLinkResult, ...]


def _year(preprint: Preprint) -> int | None:
    return int(preprint.published[:4]) if preprint.published else None


def year_range(preprints: Iterable[Preprint]) -> range:
    """The years of the Anthology papers that can be the published versions of ``preprints``
    (arXiv year − 1 … arXiv year + 2; a preprint without a date may be of any year)."""
    years = [_year(p) for p in preprints]
    if not years:
        return range(0)
    if None in years:
        return range(10000)
    return range(min(years) - 1, max(years) + 3)  # type: ignore[type-var, operator]


class TitleIndex:
    """Content word → papers, over the papers of the given years (see module docs)."""

    def __init__(self, papers: Iterable[AnthologyPaper]) -> None:
        self.papers: list[AnthologyPaper] = []
        self.words: list[frozenset[str]] = []
        postings: dict[str, list[int]] = defaultdict(list)
        for paper in papers:
            index = len(self.papers)
            found = frozenset(content_words(paper.title))
            self.papers.append(paper)
            self.words.append(found)
            for word in found:
                postings[word].append(index)
        self.postings = dict(postings)
        self._n = max(len(self.papers), 1)

    def idf(self, word: str) -> float:
        return math.log(self._n / (1 + len(self.postings.get(word, ()))))

    def candidates(self, title: str, years: range | None = None, limit: int = CANDIDATES) -> list[AnthologyPaper]:
        """Papers sharing the rarest content words of ``title``, most shared weight first."""
        found = [w for w in content_words(title) if w in self.postings]
        found.sort(key=lambda w: len(self.postings[w]))
        weights: Counter[int] = Counter()
        for word in found[:RARE_WORDS]:
            weight = self.idf(word)
            for index in self.postings[word]:
                weights[index] += weight  # type: ignore[assignment]  # Counter takes float counts at run time; typeshed types them int
        out = []
        for index, _ in weights.most_common():
            paper = self.papers[index]
            if years is None or paper.year in years:
                out.append(paper)
                if len(out) >= limit:
                    break
        return out


def align_authors(preprint_names: Sequence[str], paper_names: Sequence[Sequence[str]]) -> list[tuple[int, int, float]]:
    """The order-preserving alignment (1-based positions) maximizing total name similarity.

    ``paper_names[j]`` holds every name the j-th author of the paper is known by (the printed
    one first).  Only pairs with a positive similarity are aligned."""
    n, m = len(preprint_names), len(paper_names)
    sim = [
        [max((name_similarity(a, b) for b in paper_names[j]), default=0.0) for j in range(m)] for a in preprint_names
    ]
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        row, below = best[i], best[i + 1]
        for j in range(m - 1, -1, -1):
            take = sim[i][j] + below[j + 1] if sim[i][j] > 0 else 0.0
            row[j] = max(take, below[j], row[j + 1])
    pairs: list[tuple[int, int, float]] = []
    i = j = 0
    while i < n and j < m:
        if sim[i][j] > 0 and math.isclose(best[i][j], sim[i][j] + best[i + 1][j + 1]):
            pairs.append((i + 1, j + 1, sim[i][j]))
            i, j = i + 1, j + 1
        elif math.isclose(best[i][j], best[i + 1][j]):
            i += 1
        else:
            j += 1
    return pairs


def score_pair(
    preprint: Preprint, paper: AnthologyPaper, names: Callable[[str], Sequence[str]] | None = None
) -> PaperLinkResult:
    """The evidence and score of ``preprint`` being published as ``paper``.

    ``names(person IRI)`` gives the other names of an Anthology person (the printed one is
    always used)."""
    title = title_similarity(preprint.title, paper.title)
    paper_names = [(printed, *(names(person) if names else ())) for person, printed in paper.authors]
    alignment = align_authors([a.name for a in preprint.authors], paper_names)
    total = len(preprint.authors) + len(paper.authors)
    overlap = 2 * sum(1 for *_, s in alignment if s >= PERSON_THRESHOLD) / total if total else 0.0
    year = _year(preprint)
    gap = paper.year - year if year is not None else 0
    score = 0.55 * title + 0.45 * overlap - (0.1 if gap not in (-1, 0, 1) else 0.0)
    return PaperLinkResult(
        preprint.arxiv_id,
        paper.iri,
        round(max(score, 0.0), 4),
        round(title, 4),
        round(overlap, 4),
        gap,
        tuple(alignment),
    )


def accepted(result: PaperLinkResult) -> bool:
    return (
        result.score >= PAPER_THRESHOLD
        and result.title_similarity >= MIN_TITLE
        and result.author_overlap >= MIN_OVERLAP
    )


Papers = Callable[[Iterable[str]], Mapping[str, AnthologyPaper]]
"""Paper IRIs → their records (the confirmed papers, wherever their year)."""


def link(
    preprints: Iterable[Preprint],
    index: TitleIndex,
    names: Callable[[Iterable[str]], Mapping[str, Sequence[str]]] | None = None,
    decisions: Decisions = NO_DECISIONS,
    papers: Papers | None = None,
) -> Links:
    """Paper and person links of ``preprints`` against the papers of ``index``.

    ``names(person IRIs)`` returns the names each person is known by, for the persons of the
    candidate papers (one call per batch: a store lookup); ``decisions`` are honoured over the
    scores, ``papers`` gives the records of confirmed papers the index lacks."""
    return choose(score(preprints, index, names, decisions, papers))


@dataclass(frozen=True, slots=True)
class Scored:
    """The accepted pairs of some preprints, best first, and the papers they name."""

    pairs: tuple[PaperLinkResult, ...]
    papers: Mapping[str, AnthologyPaper]
    decisions: Decisions = NO_DECISIONS
    preprints: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """arXiv id → its authors' printed names in order, of every preprint scored."""
    names: Mapping[str, Sequence[str]] = field(default_factory=dict)
    """Names of the persons of the papers scored and of confirmed person links."""


def score(
    preprints: Iterable[Preprint],
    index: TitleIndex,
    names: Callable[[Iterable[str]], Mapping[str, Sequence[str]]] | None = None,
    decisions: Decisions = NO_DECISIONS,
    papers: Papers | None = None,
) -> Scored:
    """Every accepted (preprint, paper) pair of ``preprints``, best first, with the confirmed
    pairs first and without the rejected ones: what :func:`choose` picks the links from."""
    preprints = list(preprints)
    by_id = {p.arxiv_id: p for p in preprints}
    confirmed = {a: found for a, found in decisions.papers.items() if a in by_id}
    held = {iri for iri, _ in confirmed.values()}
    records = {paper.iri: paper for paper in index.papers if paper.iri in held} if held else {}
    missing = held - set(records)
    if missing and papers is not None:
        records.update(papers(missing))
    candidates: dict[str, list[AnthologyPaper]] = {}
    for preprint in preprints:
        year = _year(preprint)
        years = range(year - 1, year + 3) if year is not None else None
        candidates[preprint.arxiv_id] = index.candidates(preprint.title, years)
    # quick pass on printed names alone, then names of the persons of promising pairs
    promising = {
        (p.arxiv_id, paper.iri): paper
        for p in preprints
        for paper in candidates[p.arxiv_id]
        if title_similarity(p.title, paper.title) >= MIN_TITLE
    }
    promising = {
        pair: paper
        for pair, paper in promising.items()
        if pair not in decisions.not_papers and pair[0] not in confirmed and pair[1] not in held
    }
    sure = {(a, iri): records[iri] for a, (iri, _) in confirmed.items() if iri in records}
    known: Mapping[str, Sequence[str]] = {}
    wanted = {person for paper in (*promising.values(), *sure.values()) for person, _ in paper.authors}
    wanted |= {person for (a, _), (person, _) in decisions.persons.items() if a in by_id}
    if names is not None and wanted:
        known = names(wanted)
    scored = [
        score_pair(by_id[arxiv_id], paper, lambda person: known.get(person, ()))
        for (arxiv_id, _), paper in promising.items()
    ]
    pairs = sorted((r for r in scored if accepted(r)), key=lambda r: (-r.score, r.arxiv_id, r.paper))
    first = sorted(
        (
            replace(score_pair(by_id[a], paper, lambda person: known.get(person, ())), confirmed_by=confirmed[a][1])
            for (a, _), paper in sure.items()
        ),
        key=lambda r: r.arxiv_id,
    )
    return Scored(
        tuple(first + pairs),
        {paper.iri: paper for paper in (*promising.values(), *sure.values())},
        decisions,
        {p.arxiv_id: tuple(a.name for a in p.authors) for p in preprints},
        known,
    )


def choose(scored: Scored) -> Links:
    """The links: best pair first, a preprint and a paper linked once; the person links of
    each paper link."""
    used_preprints: set[str] = set()
    used_papers: set[str] = set()
    papers: list[PaperLinkResult] = []
    for result in scored.pairs:
        if result.arxiv_id in used_preprints or result.paper in used_papers:
            continue
        used_preprints.add(result.arxiv_id)
        used_papers.add(result.paper)
        papers.append(result)
    decisions = scored.decisions
    persons: dict[tuple[str, int], PersonLinkResult] = {}
    aligned: dict[tuple[str, int], tuple[str, int, float]] = {}
    for result in sorted(papers, key=lambda r: r.arxiv_id):
        authors = scored.papers[result.paper].authors
        for position, paper_position, similarity in result.alignment:
            person = authors[paper_position - 1][0]
            aligned[(result.arxiv_id, position)] = (person, paper_position, similarity)
            if similarity >= PERSON_THRESHOLD and (result.arxiv_id, position, person) not in decisions.not_persons:
                link_score = round(min(1.0, 0.5 * similarity + 0.5 * result.score), 4)
                persons[(result.arxiv_id, position)] = PersonLinkResult(
                    result.arxiv_id, position, person, paper_position, similarity, link_score
                )
    for (arxiv_id, position), (person, correction) in decisions.persons.items():
        printed = scored.preprints.get(arxiv_id, ())
        if position > len(printed):
            continue  # the preprint is not among those linked now, or lost that author
        found, paper_position, similarity = aligned.get((arxiv_id, position), (person, 0, 0.0))
        if found != person:
            paper_position = 0
        if not paper_position:
            similarity = max(
                (name_similarity(printed[position - 1], n) for n in scored.names.get(person, ())), default=0.0
            )
        persons[(arxiv_id, position)] = PersonLinkResult(
            arxiv_id, position, person, paper_position, similarity, 1.0, correction
        )
    return Links(tuple(sorted(papers, key=lambda r: r.arxiv_id)), tuple(persons[key] for key in sorted(persons)))
