"""BibTeX of a paper for the GraphQL ``bibtex`` field: :func:`bibkg.export.bibtex.paper_bibtex`,
the Anthology-style entry the Linked Data routes and ``bibkg bibtex`` write, run off the event
loop."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool

from ..export.bibtex import paper_bibtex as export_paper_bibtex
from ..services import Services


async def paper_bibtex(services: Services, iri: str) -> str:
    return await run_in_threadpool(export_paper_bibtex, services.store, iri, services.catalog)
