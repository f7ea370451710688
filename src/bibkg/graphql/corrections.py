"""Corrections in GraphQL: the ``corrections`` root field (list by status, person, paper and
proposer) and the mutations ``proposeCorrection``, ``approveCorrection``, ``rejectCorrection``,
``applyCorrection``, ``revertCorrection``.

Every mutation goes through :class:`~bibkg.corrections.service.CorrectionService` (the same
checks as the CLI and the HTTP forms) with the request's ``Authorization: Bearer`` token; a refusal
is a GraphQL error with ``extensions.code`` (``UNAUTHENTICATED``, ``FORBIDDEN``, ``NOT_FOUND``,
``CONFLICT``, ``BAD_USER_INPUT``, ``RATE_LIMITED``), ``extensions.status`` (the HTTP status the
other doors answer) and ``extensions.field``.  The mutations are refused with ``FORBIDDEN`` unless
the operator enabled corrections (``bibkg serve --corrections``); mutations are never run over GET.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.scalars import JSON
from strawberry.types import Info

from ..corrections.errors import CorrectionError, CorrectionsDisabled
from ..corrections.log import Entry
from .errors import UserError

_CODES = {
    400: "BAD_USER_INPUT",
    401: "UNAUTHENTICATED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    409: "CONFLICT",
    429: "RATE_LIMITED",
}
_SERVICES: dict[str, Any] = {}


@strawberry.type(description="An authorship a correction moved: what was replaced by what.")
class Reassignment:
    item: strawberry.ID
    role: str
    position: int
    previous_person: strawberry.ID
    new_person: strawberry.ID


@strawberry.type(
    description="A correction of paper assignments and its life cycle (proposed, approved, applied, rejected, reverted)."
)
class Correction:
    id: strawberry.ID
    kind: str
    status: str
    proposer: str
    created: str
    reason: str
    evidence: list[str]
    persons: list[strawberry.ID]
    papers: list[strawberry.ID]
    change: JSON = strawberry.field(description="The change as requested (the JSON form of bibkg.corrections.model).")
    history: JSON = strawberry.field(description="The log's events: seq, at, event, by, role, note.")
    moved: list[Reassignment]


def _correction(entry: Entry) -> Correction:
    data = entry.to_dict()
    c = entry.correction
    moved = [
        Reassignment(
            item=strawberry.ID(k[0]),
            role=k[1],
            position=k[2],
            previous_person=strawberry.ID(a),
            new_person=strawberry.ID(b),
        )
        for k, a, b, _n in (entry.effect.moved if entry.effect else ())
    ]
    return Correction(
        id=strawberry.ID(c.id),
        kind=c.change.kind,
        status=entry.status.value,
        proposer=c.proposer,
        created=c.created,
        reason=c.reason,
        evidence=list(c.evidence),
        persons=[strawberry.ID(p) for p in sorted(c.persons() | {m.new_person for m in moved})],
        papers=[strawberry.ID(p) for p in sorted(c.papers())],
        change=data["change"],
        history=data["history"],
        moved=moved,
    )


def _service(info: Info):  # noqa: ANN202
    from ..corrections.service import CorrectionService

    request = info.context.request
    state = request.app.state
    if getattr(state.settings, "sparql_endpoint", None) or not getattr(state, "store_label", None):
        raise UserError("corrections need a local store", code="FORBIDDEN", status=403)
    root = str(state.store_label)
    if root not in _SERVICES:
        _SERVICES[root] = CorrectionService(Path(root))
    return _SERVICES[root]


def _user_error(exc: CorrectionError) -> UserError:
    return UserError(exc.message, code=_CODES.get(exc.status, "BAD_USER_INPUT"), status=exc.status, field=exc.field)


async def _write(info: Info, call) -> Correction:  # noqa: ANN001
    from ..corrections.web.routes import enabled

    try:
        if not enabled(info.context.request.app.state.settings):
            raise CorrectionsDisabled("this server is read-only: the operator has not enabled corrections")
        service = _service(info)
        header = info.context.request.headers.get("authorization", "")
        scheme, _, secret = header.partition(" ")
        actor = service.authenticate(secret if scheme.lower() == "bearer" else None)
        entry = await run_in_threadpool(call, service, actor)
    except CorrectionError as exc:
        raise _user_error(exc) from None
    return _correction(entry)


@strawberry.type
class CorrectionsQuery:
    @strawberry.field(
        description="Corrections of paper assignments, oldest first; filter by status, person id, paper id, proposer (token name)."
    )
    def corrections(
        self,
        info: Info,
        status: str | None = None,
        person: strawberry.ID | None = None,
        paper: strawberry.ID | None = None,
        proposer: str | None = None,
    ) -> list[Correction]:
        try:
            service = _service(info)
            if status is not None and status not in ("proposed", "approved", "applied", "rejected", "reverted"):
                raise UserError(
                    f"status must be proposed, approved, applied, rejected or reverted, got {status!r}", field="status"
                )
            entries = service.list(status=status, person=person, paper=paper, proposer=proposer)
        except CorrectionError as exc:
            raise _user_error(exc) from None
        return [_correction(e) for e in entries]


@strawberry.type(
    description="Corrections of paper assignments (need Authorization: Bearer and an operator who enabled them)."
)
class Mutation:
    @strawberry.mutation(
        description="Propose a correction ({kind: reassign|split|merge|verify|disable-name-matching|link, …}); apply: a maintainer's own, at once."
    )
    async def propose_correction(
        self, info: Info, change: JSON, reason: str, evidence: list[str] | None = None, apply: bool = False
    ) -> Correction:
        body = {"change": change, "reason": reason, "evidence": evidence or []}
        return await _write(info, lambda s, a: s.propose(a, body, apply=apply))

    @strawberry.mutation
    async def approve_correction(self, info: Info, id: strawberry.ID, note: str | None = None) -> Correction:
        return await _write(info, lambda s, a: s.approve(a, str(id), note))

    @strawberry.mutation
    async def reject_correction(self, info: Info, id: strawberry.ID, note: str | None = None) -> Correction:
        return await _write(info, lambda s, a: s.reject(a, str(id), note))

    @strawberry.mutation
    async def apply_correction(self, info: Info, id: strawberry.ID) -> Correction:
        return await _write(info, lambda s, a: s.apply(a, str(id)))

    @strawberry.mutation
    async def revert_correction(self, info: Info, id: strawberry.ID, note: str | None = None) -> Correction:
        return await _write(info, lambda s, a: s.revert(a, str(id), note))
