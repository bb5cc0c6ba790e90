"""The per-request context as a plain ASGI middleware: request id, standard headers,
the CSRF seed cookie, one access-log line.

Plain ASGI rather than ``@app.middleware("http")``: Starlette's BaseHTTPMiddleware runs
the rest of the app in a second task with memory streams between the two, which cost
about as much as the whole of a health probe (see docs/adr/0017-speed.md).
"""

from __future__ import annotations

import logging
import random
import re
import time
from collections.abc import Mapping
from typing import Any

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gridgov.web.hardening import API_PATHS, SECURITY_HEADERS, harden_headers
from gridgov.web.logs import request_id_var

log = logging.getLogger("gridgov.access")
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
CSRF_COOKIE_AGE = 60 * 60 * 24 * 30
_random = random.Random().getrandbits  # noqa: S311 - ids for logs, seeded from the OS


def csrf_cookie_header(name: str, seed: str, *, secure: bool) -> str:
    """The Set-Cookie value for a new CSRF seed, as Starlette would write it."""
    holder = Response()
    holder.set_cookie(
        name, seed, httponly=True, samesite="lax", secure=secure, max_age=CSRF_COOKIE_AGE
    )
    return holder.headers["set-cookie"]


class RequestContext:
    """Give every HTTP request an id (the caller's ``X-Request-ID`` when well formed),
    add ``headers`` to every response that does not set them itself, set the CSRF seed
    cookie a page asked for, harden the response (``hardening.harden_headers``: HSTS and
    Secure cookies when secure, no-store on personal answers), and log one line per
    request."""

    def __init__(
        self, app: ASGIApp, *, headers: Mapping[str, str], csrf_cookie: str, secure: bool
    ) -> None:
        self.app = app
        self.headers = dict(headers)
        self.csrf_cookie = csrf_cookie
        self.secure = secure
        # Encoded once (with the security headers ``harden_headers`` would add): each
        # response gets those it does not set itself.
        merged = {name.lower(): value for name, value in SECURITY_HEADERS.items()}
        merged.update((name.lower(), value) for name, value in self.headers.items())
        self.raw_headers = [(n.encode("latin-1"), v.encode("latin-1")) for n, v in merged.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = Headers(scope=scope).get("x-request-id", "")
        # An id to correlate log lines, not a secret: no system call for randomness.
        rid = incoming if _REQUEST_ID.fullmatch(incoming) else f"{_random(128):032x}"
        state: dict[str, Any] = scope.setdefault("state", {})
        state["request_id"] = rid
        status = [500]
        started = time.perf_counter()

        async def send_with_context(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                # On the raw list (names are lower case in ASGI): one pass to see what
                # the response set, instead of a scan per header added.
                raw = [(k, v) for k, v in message.get("headers", ()) if k != b"x-request-id"]
                message["headers"] = raw
                present = {k for k, _ in raw}
                raw.append((b"x-request-id", rid.encode("latin-1")))
                raw.extend(item for item in self.raw_headers if item[0] not in present)
                seed = state.get("new_csrf_seed")
                if seed:
                    cookie = csrf_cookie_header(self.csrf_cookie, seed, secure=self.secure)
                    raw.append((b"set-cookie", cookie.encode("latin-1")))
                if self.secure or (
                    b"cache-control" not in present
                    and (state.get("user") is not None or scope["path"].startswith(API_PATHS))
                ):
                    harden_headers(
                        MutableHeaders(scope=message),
                        path=scope["path"],
                        signed_in=state.get("user") is not None,
                        secure_cookies=self.secure,
                    )
            await send(message)

        token = request_id_var.set(rid)
        try:
            await self.app(scope, receive, send_with_context)
        finally:
            request_id_var.reset(token)
        if log.isEnabledFor(logging.INFO):
            log.info(
                "request",
                extra={
                    "fields": {
                        "request_id": rid,
                        "method": scope["method"],
                        "path": scope["path"],
                        "status": status[0],
                        "ms": round((time.perf_counter() - started) * 1000, 1),
                    }
                },
            )
