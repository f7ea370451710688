"""The HTML forms of the correction doors: a form body read, its CSRF token checked (double
submit: a ``SameSite=Strict`` cookie and a hidden field that must be equal), a page sent with
that cookie, and the change a "Fix paper assignments" form describes (the JSON form of
:mod:`bibkg.corrections.json_form`)."""

from __future__ import annotations

import hmac
import secrets
from typing import Any
from urllib.parse import parse_qs

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from ..errors import Forbidden, InvalidCorrection

CSRF_COOKIE = "bibkg_csrf"


def read_form(data: bytes) -> dict[str, str]:
    try:
        parsed = parse_qs(data.decode("utf-8"), keep_blank_values=True, max_num_fields=2000)
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidCorrection(f"malformed form: {exc}", field="body") from None
    out = {k: v[-1] for k, v in parsed.items()}
    out["__papers"] = "\n".join(parsed.get("paper", []))
    return out


def check_csrf(request: Request, form: dict[str, str]) -> None:
    cookie = request.cookies.get(CSRF_COOKIE, "")
    field = form.get("csrf", "")
    if not cookie or not field or not hmac.compare_digest(cookie, field):
        raise Forbidden("the form's CSRF token is missing or wrong: reload the page and submit again")


def html_with_csrf(request: Request, page: str, status: int) -> Response:
    from ...server import edge

    token = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)
    page = page.replace("__CSRF__", token)
    response = HTMLResponse(
        page,
        status_code=status,
        headers={"Content-Security-Policy": edge.policy_for_page(page), "Cache-Control": "no-store"},
    )
    response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict", path="/corrections")
    return response


def change_from_form(pid: str, form: dict[str, str]) -> dict:
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
