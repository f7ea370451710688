"""Deadline executors: every query gets a deadline that is actually enforced.

An executor — :class:`~bibkg.server.worker_pool.WorkerPool` (queries in worker processes killed
at their deadline) or :class:`~bibkg.server.inline_executor.InlineExecutor` (queries in threads
against a remote endpoint) — evaluates a :class:`~bibkg.server.job.Job` with
``await executor.run(job, deadline, disconnected=..., client=...)``.  This module holds what they
share: the errors of a query that was not (fully) evaluated, each with the HTTP answer that fits,
and how a running query learns that its client went away.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Protocol

from ..errors import BibkgError

if TYPE_CHECKING:
    from .job import Job, Outcome

Disconnected = Callable[[], Awaitable[bool]]
"""``await disconnected()`` is true once the client has gone away (``Request.is_disconnected``)."""

DISCONNECT_POLL = 0.25
"""Seconds between two checks whether the client of a running query is still there."""


class DeadlineExecutor(Protocol):
    """What evaluates the server's queries under a deadline (:class:`~bibkg.server.worker_pool.WorkerPool`,
    :class:`~bibkg.server.inline_executor.InlineExecutor`)."""

    async def run(
        self, job: Job, deadline: float, *, disconnected: Disconnected | None = None, client: str = ""
    ) -> Outcome:
        """Evaluate ``job`` within ``deadline`` seconds, or raise a :class:`Stopped`."""
        ...


class Stopped(BibkgError):
    """A query or request was not (fully) evaluated; ``status`` is the HTTP answer that fits."""

    status = 503
    headers: Mapping[str, str] = {}
    """Extra headers of the HTTP answer (:class:`Busy` sets its own per instance)."""


class Busy(Stopped):
    """No worker became free in time."""

    def __init__(self, message: str, retry_after: int = 1) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.headers = {"Retry-After": str(retry_after)}


class DeadlineExceeded(Stopped):
    """The query ran past its deadline and was stopped."""

    status = 504

    def __init__(self, seconds: float, message: str | None = None) -> None:
        super().__init__(
            message
            or f"the query was stopped at its deadline of {seconds:g} s; "
            "narrow it (LIMIT, more specific patterns) or use a named query"
        )
        self.seconds = seconds


class WorkerFailed(Stopped):
    """The worker died while evaluating the query (e.g. out of memory), or none can start."""

    headers: Mapping[str, str] = {"Retry-After": "1"}


class ClientGone(Stopped):
    """The client disconnected; its query was stopped (nobody receives this answer)."""

    status = 499
