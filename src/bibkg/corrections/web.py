"""The write doors of corrections over HTTP: a JSON API, the "Fix paper assignments" mode of a
person page and the maintainers' review page.

Mounted only when the operator enables corrections (``bibkg serve --corrections`` or
``BIBKG_CORRECTIONS=1``); otherwise the service stays read-only and none of these paths exist.

* JSON: ``GET /corrections`` (list: ``status``, ``person``, ``paper``, ``proposer``),
  ``GET /corrections/{id}``, ``POST /corrections`` (``Authorization: Bearer bkt_…``; body
  ``{change, reason, evidence, apply}``), ``POST /corrections/{id}/{approve|reject|apply|revert}``
  (maintainers; body ``{note}``).  Errors: ``{error, status, message, field}`` with the status of
  :mod:`bibkg.corrections.errors`; 429 carries ``Retry-After``.
* HTML: ``/corrections/fix/{person id}`` — tick the papers that do not belong, pick who they
  belong to (name search in any script or order, a new person, or "I don't know"), say why,
  submit; the page then lists the person's pending proposals.  ``/corrections/review`` — pending
  proposals with the evidence of both persons side by side (papers, coauthors, venues), approve /
  reject / apply.  Forms carry the token in a password field and a CSRF token (double submit:
  a ``SameSite=Strict`` cookie and a hidden field that must be equal).

Every write goes through :class:`~bibkg.corrections.service.CorrectionService` (one set of checks
for every door); applying runs in a worker thread and the server serves the new snapshot when it
is published (``server.follow``).
"""

from __future__ import annotations

import hmac
import html
import json
import os
import secrets
import threading
from collections import Counter
from pathlib import Path
from typing import Any, cast
from urllib.parse import parse_qs, quote

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from .. import iris
from .. import vocab as V
from .errors import CorrectionError, Forbidden, InvalidCorrection, RateLimited
from .facts import GraphFacts
from .log import Entry
from .model import LinkDecision, Status, ToNewPerson, change_to_dict
from .service import CorrectionService

CSRF_COOKIE = "bibkg_csrf"
MAX_FORM_BYTES = 200_000
"""Largest form or JSON body accepted by the correction doors (413 above)."""
SHOWN_PAPERS = 400
"""Papers listed at most on the fix page (a prolific person's page stays usable)."""


def enabled(settings: Any = None) -> bool:
    """Whether the operator enabled corrections: ``BIBKG_CORRECTIONS`` (1/true/yes) or the
    server setting ``extra['corrections']``."""
    extra = getattr(settings, "extra", None) or {}
    if extra.get("corrections"):
        return True
    return os.environ.get("BIBKG_CORRECTIONS", "").strip().lower() in ("1", "true", "yes", "on")


def _warm(service: CorrectionService) -> None:
    try:
        service.base_people()
    except Exception:  # noqa: BLE001, S110 - the same error reaches whoever needs the metadata
        pass
    service.keep_spare_cards()


def build_corrections_router(store_root: Path) -> APIRouter:
    service = CorrectionService(store_root)
    router = APIRouter()
    # the people metadata, parsed once now rather than by the first correction (a second on the
    # full corpus); a data directory that cannot be read then is reported by that correction.
    # And a spare copy of the cards file for the first correction (bibkg.cards.keep_spare), if the
    # store has none (one made by an older version, or a copy)
    threading.Thread(target=_warm, args=(service,), name="bibkg-corrections-warm-up", daemon=True).start()

    def error_response(exc: CorrectionError, as_html: bool = False) -> Response:
        headers = {"Retry-After": f"{max(1, round(exc.retry_after))}"} if isinstance(exc, RateLimited) else {}
        if exc.status == 401:
            headers["WWW-Authenticate"] = 'Bearer realm="bibkg corrections"'
        if as_html:
            body = _page(
                "Correction refused",
                f"<p class=error><b>{exc.status}</b> {_e(str(exc))}</p><p><a href='javascript:history.back()'>back</a></p>",
            )
            return HTMLResponse(body, status_code=exc.status, headers=headers)
        return JSONResponse(exc.as_dict(), status_code=exc.status, headers=headers)

    async def body_of(request: Request) -> bytes:
        data = await request.body()
        if len(data) > MAX_FORM_BYTES:
            raise _TooLarge()
        return data

    async def json_body(request: Request) -> dict:
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            raise _Unsupported()
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

    def guarded(handler):  # noqa: ANN001, ANN202
        async def run(request: Request) -> Response:
            as_html = (
                "text/html" in request.headers.get("accept", "")
                and request.method == "POST"
                and request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded")
            )
            try:
                return await handler(request)
            except CorrectionError as exc:
                return error_response(exc, as_html)
            except _TooLarge:
                return JSONResponse(
                    {"error": "too-large", "status": 413, "message": f"a body of at most {MAX_FORM_BYTES} bytes"},
                    status_code=413,
                )
            except _Unsupported:
                return JSONResponse(
                    {"error": "unsupported-media-type", "status": 415, "message": "send application/json"},
                    status_code=415,
                )

        return run

    # -- JSON API ----------------------------------------------------------------------------------
    @guarded
    async def list_corrections(request: Request) -> Response:
        q = request.query_params
        status = q.get("status")
        if status and status not in {s.value for s in Status}:
            raise InvalidCorrection(f"status must be one of {', '.join(s.value for s in Status)}", field="status")
        entries = service.list(status=status, person=q.get("person"), paper=q.get("paper"), proposer=q.get("proposer"))
        return JSONResponse([e.to_dict() for e in entries])

    @guarded
    async def one(request: Request) -> Response:
        return JSONResponse(service.log.view().get(request.path_params["cid"]).to_dict())

    @guarded
    async def propose(request: Request) -> Response:
        actor = bearer(request)
        body = await json_body(request)
        entry = await run_in_threadpool(service.propose, actor, body, apply=bool(body.get("apply")))
        return JSONResponse(
            entry.to_dict(), status_code=201, headers={"Location": f"/corrections/{entry.correction.id}"}
        )

    @guarded
    async def act(request: Request) -> Response:
        actor = bearer(request)
        action = request.path_params["action"]
        cid = request.path_params["cid"]
        body = await json_body(request) if (await body_of(request)) else {}
        note = body.get("note")
        entry = await run_in_threadpool(_act, service, action, actor, cid, note)
        return JSONResponse(entry.to_dict())

    # -- HTML --------------------------------------------------------------------------------------
    @guarded
    async def fix_page(request: Request) -> Response:
        pid = request.path_params["pid"].strip("/")
        page, status = await run_in_threadpool(_fix_page, service, pid, request.query_params.get("submitted"))
        return _html_with_csrf(request, page, status)

    @guarded
    async def fix_submit(request: Request) -> Response:
        pid = request.path_params["pid"].strip("/")
        form = _form(await body_of(request))
        _check_csrf(request, form)
        actor = service.authenticate(form.get("token"))
        change = _change_from_form(pid, form)
        request_body = {
            "change": change,
            "reason": form.get("reason", ""),
            "evidence": form.get("evidence", "").split(),
        }
        entry = await run_in_threadpool(service.propose, actor, request_body)
        return RedirectResponse(f"/corrections/fix/{quote(pid)}?submitted={entry.correction.id}", status_code=303)

    @guarded
    async def review_page(request: Request) -> Response:
        page = await run_in_threadpool(_review_page, service)
        return _html_with_csrf(request, page, 200)

    @guarded
    async def review_submit(request: Request) -> Response:
        form = _form(await body_of(request))
        _check_csrf(request, form)
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

    @guarded
    async def search(request: Request) -> Response:
        from ..graphql.names import name_index_for

        services = request.app.state.services
        text = request.query_params.get("q", "").strip()
        if not text or len(text) > 200:
            return JSONResponse([])
        index = name_index_for(services.store)
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


class _TooLarge(Exception):
    pass


class _Unsupported(Exception):
    pass


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


# --- forms ----------------------------------------------------------------------------------------


def _form(data: bytes) -> dict[str, str]:
    try:
        parsed = parse_qs(data.decode("utf-8"), keep_blank_values=True, max_num_fields=2000)
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidCorrection(f"malformed form: {exc}", field="body") from None
    out = {k: v[-1] for k, v in parsed.items()}
    out["__papers"] = "\n".join(parsed.get("paper", []))
    return out


def _check_csrf(request: Request, form: dict[str, str]) -> None:
    cookie = request.cookies.get(CSRF_COOKIE, "")
    field = form.get("csrf", "")
    if not cookie or not field or not hmac.compare_digest(cookie, field):
        raise Forbidden("the form's CSRF token is missing or wrong: reload the page and submit again")


def _html_with_csrf(request: Request, page: str, status: int) -> Response:
    from ..server import edge

    token = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)
    page = page.replace("__CSRF__", token)
    response = HTMLResponse(
        page,
        status_code=status,
        headers={"Content-Security-Policy": edge.policy_for_page(page), "Cache-Control": "no-store"},
    )
    response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict", path="/corrections")
    return response


def _change_from_form(pid: str, form: dict[str, str]) -> dict:
    authorships = []
    for index, value in enumerate(p for p in form["__papers"].split("\n") if p):
        paper, _, rest = value.partition("|")
        position, _, name = rest.partition("|")
        first, _, last = name.partition("|")
        if not position.isdigit():
            raise InvalidCorrection("malformed paper choice", field=f"paper[{index}]")
        authorships.append({"paper": paper, "position": int(position), "name": {"first": first or None, "last": last}})
    if not authorships:
        raise InvalidCorrection("tick at least one paper that does not belong to this person", field="paper")
    target = form.get("target", "")
    if target == "person":
        to: dict[str, Any] = {"type": "person", "id": form.get("to_id", "").strip()}
    elif target == "new":
        to = {"type": "new", "name": form.get("new_name", "").strip()}
        for key in ("orcid", "disambiguator"):
            if form.get(key, "").strip():
                to[key] = form[key].strip()
    elif target == "unknown":
        to = {"type": "unknown"}
    else:
        raise InvalidCorrection("say who the papers should be assigned to", field="target")
    return {"kind": "reassign", "from": pid, "authorships": authorships, "to": to}


# --- pages ------------------------------------------------------------------------------------------


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


_STYLE = """body{font-family:system-ui,sans-serif;max-width:64rem;margin:1rem auto;padding:0 1rem;line-height:1.4}
.error{color:#a00}.pending{background:#fff8e0;padding:.5rem;border:1px solid #e0c060}
.cols{display:flex;gap:1rem}.cols>div{flex:1;border:1px solid #ccc;padding:.5rem}
fieldset{margin:1rem 0}label{display:block;margin:.2rem 0}#results li{cursor:pointer}"""


def _page(title: str, body: str) -> str:
    return (
        f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{_e(title)} – bibkg</title>"
        f"<meta name=viewport content='width=device-width'><style>{_STYLE}</style></head><body>{body}</body></html>"
    )


_SEARCH_SCRIPT = """<script>
const box=document.getElementById('search'),list=document.getElementById('results'),id=document.getElementById('to_id');
let timer=null;
box.addEventListener('input',()=>{clearTimeout(timer);timer=setTimeout(async()=>{
 const q=box.value.trim(); list.innerHTML=''; if(!q)return;
 const r=await fetch('/corrections/search?q='+encodeURIComponent(q)); const found=await r.json();
 for(const m of found){const li=document.createElement('li');li.textContent=m.label+' ('+m.id+(m.verified?'':', unverified')+')';
  li.dataset.id=m.id;li.addEventListener('click',()=>{id.value=m.id;box.value=m.label;list.innerHTML='';
  document.getElementById('target-person').checked=true;});list.appendChild(li);}
},200);});
</script>"""


def _titles(store: ox.Store, items: list[str]) -> dict[str, str]:
    out = {}
    for item in items:
        for q in store.quads_for_pattern(ox.NamedNode(iris.paper_iri(item)), ox.NamedNode(V.title), None, None):
            out[item] = cast(ox.Literal, q.object).value  # a title is a literal (no quoted triples in bibkg's graph)
            break
    return out


def _fix_page(service: CorrectionService, pid: str, submitted: str | None) -> tuple[str, int]:
    with service.facts() as facts:
        person = facts.person(pid)
        if person is None:
            return _page("Unknown person", f"<p class=error>404: no person {_e(pid)} in the graph</p>"), 404
        mine = [c for c in facts.contributions(pid) if c.role == "author"][:SHOWN_PAPERS]
        titles = _titles(facts.store, [c.item for c in mine])
    pending = [e for e in service.list(person=pid) if e.status in (Status.PROPOSED, Status.APPROVED)]
    rows = "".join(
        f"<li><label><input type=checkbox name=paper value='{_e(c.item)}|{c.position}|{_e(c.name.first or '')}|{_e(c.name.last)}'> "
        f"<a href='{_e(iris.paper_iri(c.item))}'>{_e(c.item)}</a> {_e(titles.get(c.item, ''))} "
        f"<small>(author {c.position}, printed “{_e(c.name.full)}”)</small></label></li>"
        for c in mine
    )
    notice = (
        f"<p class=pending id=submitted>Proposal {_e(submitted)} submitted: pending review.</p>" if submitted else ""
    )
    pend = "".join(
        f"<li class=pending>{_e(e.correction.id)} — {_e(e.status.value)} — {_e(e.correction.change.kind)}: "
        f"{_e(', '.join(a.paper for a in getattr(e.correction.change, 'authorships', ())))} — {_e(e.correction.reason)}</li>"
        for e in pending
    )
    body = f"""<h1>{_e(person.label)}</h1><p><a href='{_e(iris.person_iri(pid))}'>{_e(pid)}</a></p>
{notice}<h2>Fixing paper assignments</h2>
<p>Please select all papers that do not belong to this person.</p>
<form method=post action='/corrections/fix/{_e(quote(pid))}' id=fix>
<input type=hidden name=csrf value='__CSRF__'>
<ul id=papers>{rows}</ul>
<p>Indicate below which author they should be assigned to.</p>
<fieldset><legend>Assign to</legend>
<label><input type=radio name=target value=person id=target-person> an existing author:
 <input id=search placeholder='search by name, any script or order' autocomplete=off>
 <input type=hidden name=to_id id=to_id></label><ul id=results></ul>
<label><input type=radio name=target value=new id=target-new> a new person:
 <input name=new_name id=new_name placeholder='Last, First'> ORCID <input name=orcid id=orcid placeholder='0000-0000-0000-0000'>
 disambiguator <input name=disambiguator id=disambiguator placeholder='e.g. institution'></label>
<label><input type=radio name=target value=unknown id=target-unknown> I don't know</label>
</fieldset>
<label>Reason <textarea name=reason id=reason required rows=3 cols=60></textarea></label>
<label>Evidence links (space-separated) <input name=evidence id=evidence size=60></label>
<label>Your token <input type=password name=token id=token required autocomplete=current-password></label>
<button type=submit id=submit>Submit</button></form>
<h2>Pending proposals for this person</h2><ul id=pending>{pend or "<li>none</li>"}</ul>
{_SEARCH_SCRIPT}"""
    return _page(f"Fix paper assignments – {person.label}", body), 200


def _evidence(facts: GraphFacts, pid: str) -> str:
    person = facts.person(pid)
    if person is None:
        return f"<div><h3>{_e(pid)}</h3><p>(not in the graph)</p></div>"
    contributions = [c for c in facts.contributions(pid) if c.role == "author"]
    items = [c.item for c in contributions]
    coauthors: Counter[str] = Counter()
    venues: Counter[str] = Counter()
    for item in items[:200]:
        for other in facts.authors(item) or []:
            if other.person != pid:
                coauthors[other.person] += 1
        venues[item.rsplit(".", 1)[0] if "." in item else item.split("-")[0]] += 1
    titles = _titles(facts.store, items[:25])
    papers = "".join(f"<li>{_e(i)} {_e(titles.get(i, ''))}</li>" for i in items[:25])
    co = ", ".join(f"{_e(p)} ({n})" for p, n in coauthors.most_common(10))
    ven = ", ".join(f"{_e(v)} ({n})" for v, n in venues.most_common(10))
    return (
        f"<div><h3>{_e(person.label)} <small>{_e(pid)}{'' if person.verified else ', unverified'}</small></h3>"
        f"<p>{len(items)} papers</p><ul>{papers}</ul><p><b>Coauthors:</b> {co or '—'}</p><p><b>Venues:</b> {ven or '—'}</p></div>"
    )


def _review_page(service: CorrectionService) -> str:
    pending = [e for e in service.list() if e.status in (Status.PROPOSED, Status.APPROVED)]
    blocks = []
    with service.facts() as facts:
        for entry in pending:
            c = entry.correction
            change = c.change
            persons = sorted(c.persons())
            target = getattr(change, "to", None)
            side = "".join(_evidence(facts, p) for p in persons[:2])
            if isinstance(target, ToNewPerson):
                side += f"<div><h3>new person</h3><p>{_e(target.name.full)} {_e(target.orcid or '')}</p></div>"
            if isinstance(change, LinkDecision):
                paper = f" · <a href='/{_e(change.paper)}/'>{_e(change.paper)}</a>" if change.paper else ""
                side += (
                    f"<div><h3>Daily Papers link</h3><p>{_e(change.decision.value)}: {_e(change.statement)}</p>"
                    f"<p><a href='https://arxiv.org/abs/{_e(change.preprint)}' rel=nofollow>arXiv {_e(change.preprint)}</a>"
                    f"{paper}</p></div>"
                )
            links = " ".join(f"<a href='{_e(u)}' rel=nofollow>{_e(u)}</a>" for u in c.evidence)
            blocks.append(f"""<section class=proposal id='{_e(c.id)}'><h2>{_e(c.id)} — {_e(change.kind)} — {_e(entry.status.value)}</h2>
<p>by {_e(c.proposer)} at {_e(c.created)}: {_e(c.reason)}</p><p>{links}</p>
<pre>{_e(json.dumps(change_to_dict(change), ensure_ascii=False, indent=1))}</pre>
<div class=cols>{side}</div>
<form method=post action='/corrections/review'><input type=hidden name=csrf value='__CSRF__'><input type=hidden name=id value='{_e(c.id)}'>
Token <input type=password name=token required> Note <input name=note>
<button name=action value=approve>Approve</button> <button name=action value=apply>Apply</button> <button name=action value=reject>Reject</button></form></section>""")
    return _page(
        "Review corrections", "<h1>Pending corrections</h1>" + ("".join(blocks) or "<p id=none>Nothing to review.</p>")
    )
