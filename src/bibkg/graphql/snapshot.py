"""Whether a store's answers may be kept across requests, for the life of the server.

The server opens the current snapshot of its local store read-only at startup and serves it
until it stops (an ingest publishes a *new* snapshot, which the next start opens): the answers of
an :class:`~bibkg.store.oxigraph.OxigraphStore` never change while it is open, so rows of named
queries and whole GraphQL responses can be cached. A remote SPARQL endpoint
(:class:`~bibkg.store.remote.RemoteStore`) can change at any time, and so can any other backend:
their answers are never reused across requests.
"""

from __future__ import annotations

from ..store.oxigraph import OxigraphStore


def is_immutable(store: object) -> bool:
    """True if ``store`` answers every query the same way for as long as it is open."""
    return isinstance(store, OxigraphStore)
