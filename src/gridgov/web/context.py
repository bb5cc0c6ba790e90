"""The per-request context as a plain ASGI middleware: request id, standard headers,
the CSRF seed cookie, one access-log line; and in front of the app, the body limit
(``limits.BodyLimit``) and gzip, each only on the requests that need it.

Plain ASGI rather than ``@app.middleware("http")``: Starlette's BaseHTTPMiddleware runs
the rest of the app in a second task with memory streams between the two, which cost
about as much as the whole of a health probe (see docs/adr/0017-speed.md).

One layer rather than three (issue #18): the request's headers are read in one pass, and
a request with no body skips the body limit's wrapping, a client that does not accept
gzip skips gzip's (it only added ``Vary: Accept-Encoding``, which is added here).
"""

from __future__ import annotations

import logging
import random
import re
import time
from collections.abc import Mapping
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gridgov.web.hardening import API_PATHS, SECURITY_HEADERS, harden_headers
from gridgov.web.limits import BodyLimit
from gridgov.web.logs import request_id_var

log = logging.getLogger("gridgov.access")
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
CSRF_COOKIE_AGE = 60 * 60 * 24 * 30
GZIP_MINIMUM_SIZE = 1024  # smaller answers are sent as they are
GZIP_LEVEL = 6
_NOT_COMPRESSED = frozenset(DEFAULT_EXCLUDED_CONTENT_TYPES)
_random = random.Random().getrandbits  # noqa: S311 - ids for logs, seeded from the OS


def csrf_cookie_header(name: str, seed: str, *, secure: bool) -> str:
    """The Set-Cookie value for a new CSRF seed, as Starlette would write it."""
    holder = Response()
    holder.set_cookie(
        name, seed, httponly=True, samesite="lax", secure=secure, max_age=CSRF_COOKIE_AGE
    )
    return holder.headers["set-cookie"]


def _needs_vary(present: dict[bytes, bytes], status: int) -> bool:
    """Whether gzip would compress this answer for a client that accepts it, so that the
    identity answer must say it varies with ``Accept-Encoding`` (what Starlette's
    ``GZipMiddleware`` adds to an answer it leaves uncompressed)."""
    if status == 206 or b"content-encoding" in present:
        return False
    length = present.get(b"content-length")
    if length is not None and length.isdigit() and int(length) < GZIP_MINIMUM_SIZE:
        return False
    media = present.get(b"content-type", b"").decode("latin-1").partition(";")[0]
    media = media.strip().lower()
    return media not in _NOT_COMPRESSED and media.partition("/")[0] + "/*" not in _NOT_COMPRESSED


class RequestContext:
    """Give every HTTP request an id (the caller's ``X-Request-ID`` when well formed),
    add ``headers`` to every response that does not set them itself, set the CSRF seed
    cookie a page asked for, harden the response (``hardening.harden_headers``: HSTS and
    Secure cookies when secure, no-store on personal answers), and log one line per
    request. Inside it: the body limit on a request with a body, gzip for a client that
    accepts it. A HEAD is answered as the GET of the same path, without the body."""

    def __init__(
        self, app: ASGIApp, *, headers: Mapping[str, str], csrf_cookie: str, secure: bool
    ) -> None:
        self.app = app
        limited = BodyLimit(app)
        # (accepts gzip, has a body) -> what answers the request
        self.inner: dict[tuple[bool, bool], ASGIApp] = {
            (False, False): app,
            (False, True): limited,
            (True, False): GZipMiddleware(
                app, minimum_size=GZIP_MINIMUM_SIZE, compresslevel=GZIP_LEVEL
            ),
            (True, True): GZipMiddleware(
                limited, minimum_size=GZIP_MINIMUM_SIZE, compresslevel=GZIP_LEVEL
            ),
        }
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
        incoming = ""
        gzip = body = False
        seen: set[bytes] = set()
        for name, value in scope["headers"]:
            if name in seen:
                continue  # the first of a repeated header counts, as everywhere else
            if name == b"x-request-id":
                incoming = value.decode("latin-1")
            elif name == b"accept-encoding":
                gzip = b"gzip" in value
            elif name == b"content-length":
                body = value != b"0"  # a malformed length goes to the body limit too
            elif name == b"transfer-encoding":
                body = True
            else:
                continue
            seen.add(name)
        if b"transfer-encoding" in seen:
            body = True
        # An id to correlate log lines, not a secret: no system call for randomness.
        rid = incoming if _REQUEST_ID.fullmatch(incoming) else f"{_random(128):032x}"
        state: dict[str, Any] = scope.setdefault("state", {})
        state["request_id"] = rid
        method = scope["method"]
        if method == "HEAD":
            # Answered as its GET without the body (headers, Content-Length included, as
            # the GET's): a monitor's or a link checker's HEAD on a page is not a 405.
            scope = {**scope, "method": "GET"}
        status = [500]
        started = time.perf_counter()

        async def send_with_context(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                # On the raw list (names are lower case in ASGI): one pass to see what
                # the response set, instead of a scan per header added.
                raw = [(k, v) for k, v in message.get("headers", ()) if k != b"x-request-id"]
                message["headers"] = raw
                present = dict(raw)
                if not gzip and _needs_vary(present, status[0]):
                    _add_vary(raw, present)
                raw.append((b"x-request-id", rid.encode("latin-1")))
                raw.extend(item for item in self.raw_headers if item[0] not in present)
                seed = state.get("new_csrf_seed")
                if seed:
                    cookie = csrf_cookie_header(self.csrf_cookie, seed, secure=self.secure)
                    raw.append((b"set-cookie", cookie.encode("latin-1")))
                if self.secure:
                    harden_headers(
                        MutableHeaders(scope=message),
                        path=scope["path"],
                        signed_in=state.get("user") is not None,
                        secure_cookies=self.secure,
                    )
                elif b"cache-control" not in present and (
                    state.get("user") is not None or scope["path"].startswith(API_PATHS)
                ):
                    # What harden_headers adds when cookies are not secure: the security
                    # headers are in already.
                    raw.append((b"cache-control", b"no-store"))
            elif method == "HEAD":
                message = {**message, "body": b""}
            await send(message)

        token = request_id_var.set(rid)
        try:
            await self.inner[gzip, body](scope, receive, send_with_context)
        finally:
            request_id_var.reset(token)
        if log.isEnabledFor(logging.INFO):
            log.info(
                "request",
                extra={
                    "fields": {
                        "request_id": rid,
                        "method": method,
                        "path": scope["path"],
                        "status": status[0],
                        "ms": round((time.perf_counter() - started) * 1000, 1),
                    }
                },
            )


def _add_vary(raw: list[tuple[bytes, bytes]], present: dict[bytes, bytes]) -> None:
    """``Vary: Accept-Encoding`` on the raw list, kept once with any other ``Vary``."""
    if b"vary" not in present:
        raw.append((b"vary", b"Accept-Encoding"))
        return
    values = [v for k, v in raw if k == b"vary"]
    if any(b"accept-encoding" in v.lower() for v in values):
        return
    raw[:] = [item for item in raw if item[0] != b"vary"]
    raw.append((b"vary", b", ".join([*values, b"Accept-Encoding"])))
