"""One SPARQL query answered over HTTP: the result format negotiated, the job run on the
deadline executor, the outcome turned into a response (status, headers, truncation warning) that
the response budget admits.  What goes wrong is raised (:class:`QueryFailed`, the executor's
:class:`~bibkg.server.executor.Stopped`, :class:`~bibkg.errors.Unavailable`) and answered by the
server's one error handler."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from ..errors import BibkgError, Unavailable
from ..sparql.negotiation import FORMATS, negotiate
from ..sparql.query_text import query_form, result_kind
from .job import Job
from .settings import ServerSettings
from .streaming import ChunkedBody, ResponseBudget


class QueryFailed(BibkgError):
    """The store's answer to a query was an error (:attr:`Outcome.error <bibkg.server.job.Outcome>`):
    400 for a malformed query or one that cannot be evaluated, 5xx when the store failed; the
    status comes with it."""


async def query_response(
    app_state: Any,
    request: Request,
    query: str,
    *,
    bindings: dict[str, Any] | None = None,
    default_graphs: list[str] | None = None,
    named_graphs: list[str] | None = None,
    timeout: float | None = None,
    fmt: str | None = None,
) -> Response:
    """The answer to ``query`` (with ``bindings``, on the given dataset, within ``timeout``
    seconds and at most the setting ``query_timeout``, in the format ``fmt`` or the one the
    request accepts); ``app_state`` is ``app.state`` (settings, executor, response budget)."""
    s: ServerSettings = app_state.settings
    accept = request.headers.get("accept")
    form = query_form(query)
    if form in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
        kind = result_kind(form)
        chosen, media_type = negotiate(accept, kind, fmt, ask=form == "ASK")
        tabular = chosen.name if kind == "tabular" else "json"
        graph = chosen.name if kind == "graph" else "turtle"
    else:  # let the parser say what is wrong
        tabular, graph, media_type = "json", "turtle", None
    deadline = s.query_timeout if timeout is None else min(timeout, s.query_timeout)
    job = Job(
        query=query,
        bindings=bindings or {},
        default_graphs=default_graphs,
        named_graphs=named_graphs,
        base_iri=s.base_iri,
        tabular_format=tabular,
        graph_format=graph,
        max_rows=s.max_rows,
        max_bytes=s.max_bytes,
        federation_allow=tuple(s.federation_allow),
    )
    # a query not (fully) evaluated raises its Stopped (executor: 499, 503 with Retry-After, 504)
    outcome = await app_state.executor.run(
        job,
        deadline,
        disconnected=request.is_disconnected,
        client=request.client.host if request.client else "",
    )
    if outcome.error is not None:  # the worker's verdict (job.run_job): 400 for the query, 5xx for the store
        status, message = outcome.error
        raise QueryFailed(message, status=status)
    result = outcome.result
    assert result is not None
    fmt_obj = FORMATS[result.format]
    if media_type is None or (result.kind == "graph") != (fmt_obj.kind == "graph"):
        media_type = fmt_obj.media_type
    headers = {
        "Vary": "Accept",
        "X-Bibkg-Rows": str(result.rows),
        "X-Bibkg-Query-Seconds": f"{outcome.seconds:.4f}",
    }
    if result.truncated:
        limit = s.max_rows if result.truncated == "max_rows" else s.max_bytes
        headers["X-Bibkg-Truncated"] = f"{result.truncated}={limit}"
        headers["Warning"] = (
            f'199 bibkg "result truncated after {result.rows} '
            f'{"rows" if result.kind == "tabular" else "triples"} ({result.truncated}={limit})"'
        )
    if request.query_params.get("download"):
        headers["Content-Disposition"] = f'attachment; filename="result.{fmt_obj.ext}"'
    budget: ResponseBudget = app_state.response_budget
    if not budget.try_acquire(len(result.payload)):
        raise Unavailable(
            f"results of {budget.in_flight:,} bytes are being sent to other clients; this one "
            f"({len(result.payload):,} bytes) would exceed the server's {budget.limit:,} (BIBKG_RESPONSE_BUFFER_BYTES)",
            headers={"Retry-After": "2"},
        )
    return ChunkedBody(result.payload, budget=budget, media_type=fmt_obj.content_type(media_type), headers=headers)
