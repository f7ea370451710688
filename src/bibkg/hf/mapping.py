"""One day's Daily Papers listing → the quads of its named graph.

Pure: records in, N-Quads and Turtle text out (:class:`bibkg.mapping.terms.GraphText`), the
same writer the Anthology collections use.  The graph of a day holds its entries and, for each,
the preprint with its ordered author nodes and the Hugging Face accounts the entries mention:
replacing a day replaces exactly these quads.  Links to the Anthology live in their own graph
(:mod:`bibkg.hf.link`), since they depend on both sources.
"""

from __future__ import annotations

from .. import iris
from .. import vocab as V
from ..iris import contribution_iri, correction_iri
from ..mapping.terms import GraphText, QuadWriter, date_lit, int_lit
from .link import METHOD, Links
from .reader import DailyEntry, DailyListing, HfAccount, Preprint

__all__ = ["decimal_lit", "map_links", "map_listing"]


def decimal_lit(value: float) -> str:
    """An ``xsd:decimal`` literal with at most four decimals (``0.95``, ``1.0``)."""
    text = f"{value:.4f}".rstrip("0")
    return f'"{text}0"^^<{V.XSD_DECIMAL}>' if text.endswith(".") else f'"{text}"^^<{V.XSD_DECIMAL}>'


def map_listing(listing: DailyListing) -> GraphText:
    """The named graph ``iris.hf_day_graph(listing.day)``."""
    out = QuadWriter(iris.hf_day_graph(listing.day))
    for entry in listing.entries:
        _entry(out, entry)
    for entry in listing.entries:
        _preprint(out, entry.preprint)
    return out.finish()


def _account(out: QuadWriter, account: HfAccount | None) -> str | None:
    if account is None:
        return None
    s = iris.hf_account_iri(account.handle)
    out.add_iri(s, V.TYPE, V.HfAccount)
    out.add_text(s, V.hfHandle, account.handle)
    out.add_text(s, V.hfId, account.id)
    out.add_text(s, V.LABEL, account.fullname)
    return s


def _entry(out: QuadWriter, entry: DailyEntry) -> None:
    s = iris.daily_entry_iri(entry.day, entry.preprint.arxiv_id)
    out.add_iri(s, V.TYPE, V.DailyPapersEntry)
    out.add_iri(s, V.listedPreprint, iris.preprint_iri(entry.preprint.arxiv_id))
    out.add(s, V.listedOn, date_lit(entry.day))
    if entry.upvotes is not None:
        out.add(s, V.upvotes, int_lit(entry.upvotes))
    if entry.comments is not None:
        out.add(s, V.commentCount, int_lit(entry.comments))
    out.add_iri(s, V.githubRepo, iris.external_iri(entry.github_repo) if entry.github_repo else None)
    out.add_iri(s, V.projectPage, iris.external_iri(entry.project_page) if entry.project_page else None)
    submitter = iris.hf_account_iri(entry.submitter.handle) if entry.submitter else None
    organization = iris.hf_account_iri(entry.organization.handle) if entry.organization else None
    out.add_iri(s, V.submittedBy, submitter)
    out.add_iri(s, V.hfOrganization, organization)
    _account(out, entry.submitter)
    _account(out, entry.organization)


def _preprint(out: QuadWriter, preprint: Preprint) -> None:
    s = iris.preprint_iri(preprint.arxiv_id)
    out.add_iri(s, V.TYPE, V.Preprint)
    out.add_text(s, V.arxivId, preprint.arxiv_id)
    out.add_text(s, V.preprintTitle, preprint.title)
    out.add_text(s, V.preprintAbstract, preprint.abstract)
    if preprint.published:
        out.add(s, V.arxivDate, date_lit(preprint.published))
    nodes = [contribution_iri(s, "author", author.position) for author in preprint.authors]
    for node in nodes:
        out.add_iri(s, V.preprintAuthorship, node)
    for node, author in zip(nodes, preprint.authors, strict=True):
        out.add(node, V.position, int_lit(author.position))
        out.add_text(node, V.nameAsPrinted, author.name)
        out.add_text(node, V.hfAuthorshipId, author.hf_id)
        if author.account is not None:
            out.add_iri(node, V.hfAccount, iris.hf_account_iri(author.account.handle))
            out.add_text(node, V.hfAccountStatus, author.status)
    for author in preprint.authors:
        _account(out, author.account)


def map_links(links: Links) -> GraphText:
    """The graph ``iris.HF_LINKS_GRAPH``: one link node per linked preprint and per linked
    preprint author, with the evidence, and the shortcuts ``bibkg:publishedAs`` /
    ``bibkg:linkedPerson`` (see :mod:`bibkg.hf.link`)."""
    out = QuadWriter(iris.HF_LINKS_GRAPH)
    for found in links.papers:
        preprint = iris.preprint_iri(found.arxiv_id)
        node = iris.paper_link_iri(found.arxiv_id)
        out.add_iri(preprint, V.paperLink, node)
        out.add_iri(preprint, V.publishedAs, found.paper)
        out.add_iri(node, V.TYPE, V.PaperLink)
        out.add_iri(node, V.linkTarget, found.paper)
        out.add(node, V.linkScore, decimal_lit(found.score))
        out.add(node, V.titleSimilarity, decimal_lit(found.title_similarity))
        out.add(node, V.authorOverlap, decimal_lit(found.author_overlap))
        out.add(node, V.yearGap, int_lit(found.year_gap))
        out.add_text(node, V.linkMethod, METHOD)
        out.add_iri(node, V.confirmedBy, correction_iri(found.confirmed_by) if found.confirmed_by else None)
    for person in links.persons:
        authorship = contribution_iri(iris.preprint_iri(person.arxiv_id), "author", person.position)
        node = iris.person_link_iri(person.arxiv_id, person.position)
        out.add_iri(authorship, V.personLink, node)
        out.add_iri(authorship, V.linkedPerson, person.person)
        out.add_iri(node, V.TYPE, V.PersonLink)
        out.add_iri(node, V.linkTarget, person.person)
        out.add(node, V.linkScore, decimal_lit(person.score))
        out.add(node, V.nameSimilarity, decimal_lit(person.name_similarity))
        if person.paper_position:
            out.add(node, V.alignedPosition, int_lit(person.paper_position))
            out.add_iri(node, V.viaLink, iris.paper_link_iri(person.arxiv_id))
        out.add_text(node, V.linkMethod, METHOD)
        out.add_iri(node, V.confirmedBy, correction_iri(person.confirmed_by) if person.confirmed_by else None)
    return out.finish()
