"""uvicorn's httptools protocol with the limits it does not have: request-head size, header
count, header time, and a send timeout.

uvicorn (tested: 0.54) with httptools reads request headers without any bound: a client may send
megabytes of one header (httptools buffers it until the line ends) or send one byte a minute and
keep the connection forever (slowloris), and a client that reads nothing keeps its response in
memory forever.  :class:`BoundedHttpToolsProtocol` closes these holes with the protocol's public
surface only — the parser callbacks (``on_message_begin``, ``on_url``, ``on_header``,
``on_headers_complete``, ``on_body``, ``on_message_complete``), ``data_received`` and asyncio's
flow control (``pause_writing`` / ``resume_writing``):

* bytes received while a request head is incomplete are counted; above
  ``max_url_bytes + max_header_bytes`` the connection gets 431 and is closed, before httptools
  buffers more;
* a complete head is checked field by field (:func:`bibkg.server.edge.header_problem`, the same
  rules as the ASGI check): 414 / 431, and the application never sees the request;
* a timer armed when the connection opens (and when a further request on it begins) and
  cancelled when its headers are complete: after ``header_timeout`` the client gets 408 and the
  connection is closed (an idle connection that sent nothing is just closed);
* a timer armed when the transport's write buffer goes above its high-water mark and cancelled
  when it drains: a client that reads nothing for ``send_timeout`` is dropped, which frees the
  buffered response and ends the route's sending (uvicorn reports the disconnect).

``bibkg serve`` passes the class to uvicorn as ``http=``; :func:`uvicorn_options` gives the
options for ``uvicorn.run`` / ``uvicorn.Config``.
"""

from __future__ import annotations

import asyncio
import http
import logging
from typing import Any, ClassVar

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from .edge import header_problem, plain_error
from .settings import ServerSettings

log = logging.getLogger("bibkg.server")

LINGER_SECONDS = 2.0
LINGER_BYTES = 256 * 1024
"""How long, and how many of, a refused connection's further bytes are read and dropped before
it is closed (so that the client can read the refusal instead of a reset)."""


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """See the module docs.  ``settings`` is set on a subclass by :func:`protocol_class`; the
    class itself (used by import string in ``--workers N`` mode) reads ``BIBKG_*``."""

    settings: ClassVar[ServerSettings | None] = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cls = type(self)
        if cls.settings is None:
            cls.settings = ServerSettings.from_env()
        self.limits: ServerSettings = cls.settings
        self._in_head = True
        self._head_raw = 0
        self._url_bytes = 0
        self._field_count = 0
        self._field_total = 0
        self._problem: tuple[int, str] | None = None
        self._refused = False
        self._linger_bytes = 0
        self._head_timer: asyncio.TimerHandle | None = None
        self._send_timer: asyncio.TimerHandle | None = None

    # -- connection -----------------------------------------------------------------------------
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_timers()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._refused:  # lingering after a refusal: drop what comes, but not forever
            self._linger_bytes += len(data)
            if self._linger_bytes > LINGER_BYTES and not self.transport.is_closing():
                self.transport.abort()
            return
        super().data_received(data)
        if self._in_head and not self._refused and not self.transport.is_closing():
            self._head_raw += len(data)
            if self._head_raw > self.limits.max_url_bytes + self.limits.max_header_bytes:
                self._refuse(
                    431,
                    f"the request head exceeds {self.limits.max_url_bytes + self.limits.max_header_bytes:,} "
                    "bytes (BIBKG_MAX_URL_BYTES + BIBKG_MAX_HEADER_BYTES)",
                )

    # -- parser callbacks -----------------------------------------------------------------------
    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_head = True
        self._head_raw = self._url_bytes = self._field_count = self._field_total = 0
        self._problem = None
        if self._head_timer is None:
            self._arm_head_timer()

    def on_url(self, url: bytes) -> None:
        self._url_bytes += len(url)
        if self._url_bytes > self.limits.max_url_bytes:
            self._problem = self._problem or (
                414,
                f"the request target exceeds {self.limits.max_url_bytes:,} bytes (BIBKG_MAX_URL_BYTES)",
            )
            return
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._field_count += 1
        size = len(name) + len(value)
        self._field_total += size
        problem = header_problem(self._field_count, size, self._field_total, self.limits, name)
        if problem is not None:
            self._problem = self._problem or problem
            return
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._cancel_head_timer()
        if self._refused:  # a request pipelined behind a refused one
            return
        if self._problem is not None:
            self._refuse(*self._problem)
            return
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        if not self._refused:
            super().on_body(body)

    def on_message_complete(self) -> None:
        if not self._refused:
            super().on_message_complete()

    # -- flow control: the send timeout ------------------------------------------------------------
    def pause_writing(self) -> None:
        super().pause_writing()
        if self._send_timer is None and self.limits.send_timeout > 0:
            self._send_timer = self.loop.call_later(self.limits.send_timeout, self._send_timed_out)

    def resume_writing(self) -> None:
        super().resume_writing()
        if self._send_timer is not None:
            self._send_timer.cancel()
            self._send_timer = None

    def _send_timed_out(self) -> None:
        self._send_timer = None
        log.warning(
            "%s read nothing of its response for %.0f s: connection dropped (BIBKG_SEND_TIMEOUT)",
            _peer(self.client),
            self.limits.send_timeout,
        )
        self.transport.abort()

    # -- the header timeout ------------------------------------------------------------------------
    def _arm_head_timer(self) -> None:
        if self.limits.header_timeout > 0:
            self._head_timer = self.loop.call_later(self.limits.header_timeout, self._head_timed_out)

    def _cancel_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _cancel_timers(self) -> None:
        self._cancel_head_timer()
        if self._send_timer is not None:
            self._send_timer.cancel()
            self._send_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if not self._in_head or self.transport.is_closing():
            return
        if self._head_raw == 0 and self._url_bytes == 0 and self._field_count == 0:
            self._refused = True
            self.transport.close()  # connected and said nothing
            return
        self._refuse(
            408, f"the request headers did not arrive within {self.limits.header_timeout:g} s (BIBKG_HEADER_TIMEOUT)"
        )

    # -- refusing a request before the application sees it ------------------------------------------
    def _refuse(self, status: int, message: str) -> None:
        """Answer ``status`` with a plain-text ``message`` and close the connection."""
        self._refused = True
        self._cancel_timers()
        if self.transport.is_closing():
            return
        headers, body = plain_error(status, message)
        line = f"HTTP/1.1 {status} {http.HTTPStatus(status).phrase}\r\n".encode()
        head = b"".join(k + b": " + v + b"\r\n" for k, v in headers)
        self.transport.write(line + head + b"\r\n" + body)
        # Closing with unread request bytes in the socket makes the kernel send a reset, which
        # can destroy the answer before the client reads it: end our side, discard what still
        # comes (data_received drops it), and close for good after a short linger.
        if self.transport.can_write_eof():
            self.transport.write_eof()
            self.loop.call_later(LINGER_SECONDS, self.transport.abort)
        else:
            self.transport.close()


def _peer(client: Any) -> str:
    return f"{client[0]}:{client[1]:d}" if client else "a client"


def protocol_class(settings: ServerSettings) -> type[BoundedHttpToolsProtocol]:
    """:class:`BoundedHttpToolsProtocol` with ``settings``' limits."""
    return type("BibkgHttpProtocol", (BoundedHttpToolsProtocol,), {"settings": settings})


def uvicorn_options(settings: ServerSettings, *, by_name: bool = False) -> dict[str, Any]:
    """Options for ``uvicorn.run``/``uvicorn.Config`` that install the bounded protocol.

    ``by_name`` passes it as an import string (for ``--workers N``: each worker process imports
    it and reads the limits from ``BIBKG_*``)."""
    http_opt: Any = (
        f"{BoundedHttpToolsProtocol.__module__}:BoundedHttpToolsProtocol" if by_name else protocol_class(settings)
    )
    return {"http": http_opt, "timeout_keep_alive": 5}
