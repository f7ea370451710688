"""The project's exceptions; each carries the data a user needs to find the problem,
``status``: the HTTP status that fits it (4xx: the request's mistake, 5xx: the server's) and
``headers``: any the answer needs (``Retry-After``, ``Allow``…).  Routes raise them; the HTTP
server's one handler (:func:`bibkg.server.error_responses.bibkg_error`) answers each with its
status, headers and message, never a traceback."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path


class BibkgError(Exception):
    """Base class of every error bibkg reports to a user.

    ``status`` and ``headers`` are the class's unless given to this instance (an error whose
    status is decided where it happens: a protocol rule, a query's outcome in a worker)."""

    status = 500
    headers: Mapping[str, str] = {}
    """Extra headers of the HTTP answer."""
    expected = False
    """A refusal that is no fault of the server's (busy, past a deadline, not started yet): a 5xx
    of it is logged without a traceback."""
    representation: str | None = None
    """The format of the HTTP answer when the family has its own
    (:data:`bibkg.server.error_responses.RENDERERS`); ``None``: the route's (plain text, or the
    Linked Data pages' HTML for a browser)."""

    def __init__(self, *args: object, status: int | None = None, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(*args)
        if status is not None:
            self.status = status
        if headers is not None:
            self.headers = dict(headers)


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


class RequestError(BibkgError, ValueError):
    """A request malformed in itself (a path that names no day…); the protocol's own rules are
    :class:`bibkg.sparql.protocol.ProtocolError`, a named query's parameters
    :class:`bibkg.sparql.catalog.ParameterError`."""

    status = 400


class NotFound(BibkgError, LookupError):
    """Nothing at the address asked for (a static file, a dump, a statistics graph)."""

    status = 404


class UnknownEntityError(NotFound):
    """An id or IRI given by the user (a person, an event, a graph…) is not in the graph."""


class Unavailable(BibkgError):
    """The server cannot answer now, and says when to ask again (``Retry-After``): it has not
    opened its store yet, or its response buffer is full.  Not a fault: logged without a
    traceback."""

    status = 503
    headers: Mapping[str, str] = {"Retry-After": "1"}
    expected = True
