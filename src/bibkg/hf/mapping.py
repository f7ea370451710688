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
from ..iris import contribution_iri
from ..mapping.terms import GraphText, QuadWriter, date_lit, int_lit
from .reader import DailyEntry, DailyListing, HfAccount, Preprint

__all__ = ["map_listing"]


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
    for node, author in zip(nodes, preprint.authors):
        out.add(node, V.position, int_lit(author.position))
        out.add_text(node, V.nameAsPrinted, author.name)
        out.add_text(node, V.hfAuthorshipId, author.hf_id)
        if author.account is not None:
            out.add_iri(node, V.hfAccount, iris.hf_account_iri(author.account.handle))
            out.add_text(node, V.hfAccountStatus, author.status)
    for author in preprint.authors:
        _account(out, author.account)
