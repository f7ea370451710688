"""GraphiQL, the in-browser IDE at ``GET /graphql``: its page and its assets, served from the
package (``static/``) so that it works without internet access."""

from __future__ import annotations

import gzip
from functools import lru_cache
from importlib import resources

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from ..errors import NotFound

_STATIC = {
    "graphiql-3.8.3.min.js": "text/javascript; charset=utf-8",
    "graphiql-3.8.3.min.css": "text/css; charset=utf-8",
    "react-18.2.0.production.min.js": "text/javascript; charset=utf-8",
    "react-dom-18.2.0.production.min.js": "text/javascript; charset=utf-8",
}


@lru_cache(maxsize=8)
def _asset(name: str) -> bytes:
    return resources.files("bibkg.graphql").joinpath("static", name + ".gz").read_bytes()


@lru_cache(maxsize=1)
def _graphiql_template() -> str:
    return resources.files("bibkg.graphql").joinpath("static", "graphiql.html").read_text("utf-8")


def graphiql_page(request: Request) -> HTMLResponse:
    """The GraphiQL page, its assets under the router's path, with its Content-Security-Policy."""
    base = request.url.path.rstrip("/")
    page = _graphiql_template().replace("{{BASE}}", base)
    from ..server.edge import policy_for_page  # its inline bootstrap script, by hash

    return HTMLResponse(page, headers={"Content-Security-Policy": policy_for_page(page)})


def asset_response(name: str, request: Request) -> Response:
    """An asset of GraphiQL (``/graphql/static/{name}``), gzipped when the client accepts it."""
    media = _STATIC.get(name)
    if media is None:
        raise NotFound(f"no GraphiQL asset '{name}'")
    body = _asset(name)
    headers = {"Cache-Control": "public, max-age=86400", "Vary": "Accept-Encoding"}
    if "gzip" in request.headers.get("accept-encoding", ""):
        headers["Content-Encoding"] = "gzip"
        return Response(body, media_type=media, headers=headers)
    return Response(gzip.decompress(body), media_type=media, headers=headers)
