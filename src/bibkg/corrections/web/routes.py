"""The routes of the correction doors: requests read, the service called
(:class:`~bibkg.corrections.service.CorrectionService`), its answer sent back as JSON or HTML; a
refusal is a :class:`~bibkg.corrections.errors.CorrectionError` raised, which the server's one
error handler answers as JSON, or as a page to a browser's form
(:mod:`bibkg.server.error_responses`); and whether the operator enabled them."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ...services import Services
from ..errors import CorrectionError, InvalidCorrection
from ..log import Entry
from ..model import Status
from ..service import CorrectionService
from . import pages
from .forms import change_from_form, check_csrf, html_with_csrf, read_form

MAX_FORM_BYTES = 200_000
"""Largest form or JSON body accepted by the correction doors (413 above)."""


def enabled(settings: Any) -> bool:
    """Whether the operator enabled corrections: the server setting ``corrections``
    (``BIBKG_CORRECTIONS``, ``bibkg serve --corrections``)."""
    return bool(getattr(settings, "corrections", False))


def _warm(service: CorrectionService) -> None:
    try:
        service.base_people()
    except Exception:  # noqa: BLE001, S110 - the same error reaches whoever needs the metadata
        pass
    service.keep_spare_cards()


def build_corrections_router(store_root: Path, services: Services) -> APIRouter:
    """The corrections' pages and write doors on the store at ``store_root``, served by ``services``."""
    service = CorrectionService(store_root)
    router = APIRouter()
    # when the server starts: the people metadata, parsed then rather than by the first correction
    # (a second on the full corpus; a data directory that cannot be read then is reported by that
    # correction), and a spare copy of the cards file for the first correction
    # (bibkg.cards.keep_spare), if the store has none (one made by an older version, or a copy)
    services.when_started(
        lambda _: threading.Thread(target=_warm, args=(service,), name="bibkg-corrections-warm-up", daemon=True).start()
    )

    async def body_of(request: Request) -> bytes:
        data = await request.body()
        if len(data) > MAX_FORM_BYTES:
            raise TooLarge(f"a body of at most {MAX_FORM_BYTES} bytes")
        return data

    async def json_body(request: Request) -> dict:
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            raise UnsupportedMediaType("send application/json")
        try:
            value = json.loads(await body_of(request) or b"{}")
        except ValueError as exc:
            raise InvalidCorrection(f"the body is not JSON: {exc}", field="body") from None
        if not isinstance(value, dict):
            raise InvalidCorrection("the body must be a JSON object", field="body")
        return value

    def bearer(request: Request):  # noqa: ANN202
        header = request.headers.get("authorization", "")
        scheme, _, secret = header.partition(" ")
        return service.authenticate(secret if scheme.lower() == "bearer" else None)

    # -- JSON API ----------------------------------------------------------------------------------
    async def list_corrections(request: Request) -> Response:
        q = request.query_params
        status = q.get("status")
        if status and status not in {s.value for s in Status}:
            raise InvalidCorrection(f"status must be one of {', '.join(s.value for s in Status)}", field="status")
        entries = service.list(status=status, person=q.get("person"), paper=q.get("paper"), proposer=q.get("proposer"))
        return JSONResponse([e.to_dict() for e in entries])

    async def one(request: Request) -> Response:
        return JSONResponse(service.log.view().get(request.path_params["cid"]).to_dict())

    async def propose(request: Request) -> Response:
        actor = bearer(request)
        body = await json_body(request)
        entry = await run_in_threadpool(service.propose, actor, body, apply=bool(body.get("apply")))
        return JSONResponse(
            entry.to_dict(), status_code=201, headers={"Location": f"/corrections/{entry.correction.id}"}
        )

    async def act(request: Request) -> Response:
        actor = bearer(request)
        action = request.path_params["action"]
        cid = request.path_params["cid"]
        body = await json_body(request) if (await body_of(request)) else {}
        note = body.get("note")
        entry = await run_in_threadpool(_act, service, action, actor, cid, note)
        return JSONResponse(entry.to_dict())

    # -- HTML --------------------------------------------------------------------------------------
    async def fix_page(request: Request) -> Response:
        pid = request.path_params["pid"].strip("/")
        page, status = await run_in_threadpool(pages.fix_page, service, pid, request.query_params.get("submitted"))
        return html_with_csrf(request, page, status)

    async def fix_submit(request: Request) -> Response:
        pid = request.path_params["pid"].strip("/")
        form = read_form(await body_of(request))
        check_csrf(request, form)
        actor = service.authenticate(form.get("token"))
        change = change_from_form(pid, form)
        request_body = {
            "change": change,
            "reason": form.get("reason", ""),
            "evidence": form.get("evidence", "").split(),
        }
        entry = await run_in_threadpool(service.propose, actor, request_body)
        return RedirectResponse(f"/corrections/fix/{quote(pid)}?submitted={entry.correction.id}", status_code=303)

    async def review_page(request: Request) -> Response:
        page = await run_in_threadpool(pages.review_page, service)
        return html_with_csrf(request, page, 200)

    async def review_submit(request: Request) -> Response:
        form = read_form(await body_of(request))
        check_csrf(request, form)
        actor = service.authenticate(form.get("token"))
        action = form.get("action", "")
        if action not in ("approve", "reject", "apply"):
            raise InvalidCorrection("action must be approve, reject or apply", field="action")
        cid = form.get("id", "")
        if action == "apply" and service.log.view().get(cid).status is Status.PROPOSED:
            await run_in_threadpool(
                _act, service, "approve", actor, cid, None
            )  # "Apply" on a proposal: approve it first
        await run_in_threadpool(_act, service, action, actor, cid, form.get("note") or None)
        return RedirectResponse("/corrections/review", status_code=303)

    async def search(request: Request) -> Response:
        from ...graphql.names import name_index_for

        text = request.query_params.get("q", "").strip()
        if not text or len(text) > 200:
            return JSONResponse([])
        index = name_index_for(services.generation)
        await run_in_threadpool(index.ensure_built, services.runner)
        matches = index.search(text)[:15]
        return JSONResponse(
            [{"id": m.person_id, "label": m.label, "verified": m.verified, "matched": m.matched_name} for m in matches]
        )

    router.add_api_route("/corrections", list_corrections, methods=["GET"], include_in_schema=False)
    router.add_api_route("/corrections", propose, methods=["POST"], include_in_schema=False)
    router.add_api_route("/corrections/search", search, methods=["GET"], include_in_schema=False)
    router.add_api_route("/corrections/review", review_page, methods=["GET"], include_in_schema=False)
    router.add_api_route("/corrections/review", review_submit, methods=["POST"], include_in_schema=False)
    router.add_api_route("/corrections/fix/{pid:path}", fix_page, methods=["GET"], include_in_schema=False)
    router.add_api_route("/corrections/fix/{pid:path}", fix_submit, methods=["POST"], include_in_schema=False)
    router.add_api_route("/corrections/{cid}", one, methods=["GET"], include_in_schema=False)
    router.add_api_route("/corrections/{cid}/{action}", act, methods=["POST"], include_in_schema=False)
    return router


class TooLarge(CorrectionError):
    """A body over :data:`MAX_FORM_BYTES`."""

    status = 413
    code = "too-large"


class UnsupportedMediaType(CorrectionError):
    """A JSON door sent something else than ``application/json``."""

    status = 415
    code = "unsupported-media-type"


def _act(service: CorrectionService, action: str, actor, cid: str, note: str | None) -> Entry:  # noqa: ANN001
    if action == "approve":
        return service.approve(actor, cid, note)
    if action == "reject":
        return service.reject(actor, cid, note)
    if action == "apply":
        return service.apply(actor, cid)
    if action == "revert":
        return service.revert(actor, cid, note)
    raise InvalidCorrection(f"unknown action {action!r}: approve, reject, apply or revert", field="action")
