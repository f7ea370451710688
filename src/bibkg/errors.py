"""The project's exceptions; each carries the data a user needs to find the problem, and
``status``: the HTTP status that fits it (4xx: the request's mistake, 5xx: the server's), which
the HTTP server answers with for any of them that a route lets through
(:func:`bibkg.server.error_responses.bibkg_error`)."""

from __future__ import annotations

from pathlib import Path


class BibkgError(Exception):
    """Base class of every error bibkg reports to a user."""

    status = 500


class SourceError(BibkgError, ValueError):
    """Something in the Anthology source files is malformed.

    Attributes:
        path: the file.
        line: 1-based line number, when known.
    """

    status = 400

    def __init__(self, path: Path | str, line: int | None, message: str) -> None:
        self.path = Path(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line else str(self.path)
        super().__init__(f"{where}: {message}")

    def __reduce__(self) -> tuple[type[SourceError], tuple[Path, int | None, str]]:
        # keeps the error intact when it crosses from an ingest worker process
        return (type(self), (self.path, self.line, self.message))


class StoreError(BibkgError):
    """The store cannot be opened or written (missing, locked, or not a bibkg store)."""

    status = 503


class StoreBusy(StoreError):
    """Another ingest is writing to the store."""


class ResultLimitError(StoreError):
    """An external SPARQL server capped or cut a result, or its answer is larger than bibkg
    reads; bibkg never passes on a silently truncated answer."""


class DeltaError(BibkgError, ValueError):
    """A delta that cannot be applied as given (a blank node, a quad outside a named graph…)."""

    status = 400


class QueryError(BibkgError, ValueError):
    """A SPARQL query is malformed or cannot be evaluated."""

    status = 400


class UnknownEntityError(BibkgError, LookupError):
    """An id or IRI given by the user (a person, an event, a graph…) is not in the graph."""

    status = 404
