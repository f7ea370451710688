"""Precision and recall of the linker against a hand-checked gold set (``tests/data/hf-gold.json``).

Shared by the benchmark that prints the figures (``benchmarks/bench_hf_linking.py``) and the
test that holds the linker above a floor (``tests/hf/test_link_corpus.py``).

*Paper links*: a predicted link of a gold preprint is a true positive when it names the gold
``publishedAs`` paper, else a false positive (a preprint with no Anthology version has no
correct link); a gold ``publishedAs`` without that prediction is a false negative.
*Author links*: the same per (preprint, author position), against the gold ``authors`` lists
(every author link of a preprint without ``publishedAs`` is a false positive).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import iris
from .link import Links


@dataclass(frozen=True, slots=True)
class Score:
    true_positives: int
    false_positives: int
    false_negatives: int
    errors: tuple[str, ...]

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        wanted = self.true_positives + self.false_negatives
        return self.true_positives / wanted if wanted else 1.0

    def line(self) -> str:
        return (
            f"precision {self.precision:.3f} ({self.true_positives}/{self.true_positives + self.false_positives})  "
            f"recall {self.recall:.3f} ({self.true_positives}/{self.true_positives + self.false_negatives})"
        )


def load_gold(path: Path) -> list[dict[str, Any]]:
    return json.loads(Path(path).read_text(encoding="utf-8"))["preprints"]


def _anthology_id(paper_iri: str) -> str:
    return paper_iri.rstrip("/").rsplit("/", 1)[-1]


def score_papers(links: Links, gold: list[dict[str, Any]]) -> Score:
    predicted = {link.arxiv_id: _anthology_id(link.paper) for link in links.papers}
    tp = fp = fn = 0
    errors = []
    for entry in gold:
        want, got = entry["publishedAs"], predicted.get(entry["arxiv"])
        if got is not None and got == want:
            tp += 1
            continue
        if got is not None:
            fp += 1
            errors.append(f"{entry['arxiv']}: linked to {got}, gold {want}")
        if want is not None:
            fn += 1
            if got is None:
                errors.append(f"{entry['arxiv']}: not linked, gold {want}")
    return Score(tp, fp, fn, tuple(errors))


def score_authors(links: Links, gold: list[dict[str, Any]]) -> Score:
    predicted = {(link.arxiv_id, link.position): iris.person_id_from_iri(link.person) for link in links.persons}
    tp = fp = fn = 0
    errors = []
    for entry in gold:
        wanted = entry.get("authors") or []
        positions = {pos for (arxiv, pos) in predicted if arxiv == entry["arxiv"]} | {
            i for i, person in enumerate(wanted, start=1) if person
        }
        for position in sorted(positions):
            want = wanted[position - 1] if position <= len(wanted) else None
            got = predicted.get((entry["arxiv"], position))
            if got is not None and got == want:
                tp += 1
                continue
            if got is not None:
                fp += 1
                errors.append(f"{entry['arxiv']} author {position}: linked to {got}, gold {want}")
            if want is not None:
                fn += 1
                if got is None:
                    errors.append(f"{entry['arxiv']} author {position}: not linked, gold {want}")
    return Score(tp, fp, fn, tuple(errors))
