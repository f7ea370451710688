"""Why a correction cannot be proposed, reviewed, applied or reverted.

Each error type carries the HTTP status it maps to, so every door (CLI, HTTP form, GraphQL)
reports the same problem the same way: 400 for a request that is malformed in itself, 401/403
for who asks, 404 for an id the graph does not know, 409 for a request that contradicts the
current graph or the log, 429 for too many requests.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..errors import BibkgError


class CorrectionError(BibkgError):
    """Base class: ``status`` is the HTTP status, ``code`` a stable machine-readable name."""

    status = 400
    code = "invalid-correction"
    representation = "correction"  # JSON (as_dict), or a page for a browser's form (bibkg.server.error_responses)

    def __init__(self, message: str, *, field: str | None = None) -> None:
        self.message = message
        self.field = field
        """The part of the request concerned (``authorships[0].position``, ``to.orcid``…)."""
        super().__init__(f"{field}: {message}" if field else message)

    def as_dict(self) -> dict[str, object]:
        return {"error": self.code, "status": self.status, "message": self.message, "field": self.field}


class InvalidCorrection(CorrectionError):
    """Malformed in itself: a missing field, a bad ORCID, an empty reason, Y equal to X."""


class UnknownPaper(CorrectionError):
    status = 404
    code = "unknown-paper"


class UnknownPerson(CorrectionError):
    status = 404
    code = "unknown-person"


class UnknownCorrection(CorrectionError):
    status = 404
    code = "unknown-correction"


class PositionOutOfRange(CorrectionError):
    status = 404
    code = "no-such-author"


class StaleName(CorrectionError):
    """The printed name at that position is not the one the request saw: the data changed."""

    status = 409
    code = "printed-name-mismatch"


class NotThatPerson(CorrectionError):
    """The authorship is not (any more) assigned to the person the request says it is."""

    status = 409
    code = "person-mismatch"


class Conflict(CorrectionError):
    """Contradicts a pending or applied correction, or the current graph (a merge cycle, an id
    already taken)."""

    status = 409
    code = "conflict"


class BadTransition(CorrectionError):
    """A status change that the life cycle does not allow (approve an applied correction, revert
    a reverted one…)."""

    status = 409
    code = "bad-transition"


class Unauthenticated(CorrectionError):
    status = 401
    code = "unauthenticated"
    headers: Mapping[str, str] = {"WWW-Authenticate": 'Bearer realm="bibkg corrections"'}


class Forbidden(CorrectionError):
    status = 403
    code = "forbidden"


class RateLimited(CorrectionError):
    status = 429
    code = "rate-limited"

    def __init__(self, message: str, *, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.headers = {"Retry-After": f"{max(1, round(retry_after))}"}


class CorrectionsDisabled(CorrectionError):
    status = 403
    code = "corrections-disabled"
