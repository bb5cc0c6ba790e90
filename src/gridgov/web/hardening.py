"""The headers every response leaves with (ADR 0012): the security headers (HSTS when
cookies are secure), ``no-store`` on API answers and signed-in pages, ``Secure`` on every
cookie when cookies are secure; and the full ``Allow`` list of a path, for 405 answers.

Used by the request context, the error handlers and the limits alike; it imports none
of them.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response
from starlette.datastructures import MutableHeaders
from starlette.routing import compile_path

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'"
    ),
}
HSTS = "max-age=31536000; includeSubDomains"
API_PATHS = ("/api/v1/", "/open311/")  # answers that are never cached


def harden(request: Request, response: Response, *, secure_cookies: bool) -> None:
    """Security headers on ``response``; no-store where personal data may be."""
    harden_headers(
        response.headers,
        path=request.url.path,
        signed_in=getattr(request.state, "user", None) is not None,
        secure_cookies=secure_cookies,
    )


def harden_headers(
    headers: MutableHeaders, *, path: str, signed_in: bool, secure_cookies: bool
) -> None:
    """The same on a response's raw headers (the ASGI request context calls this)."""
    for name, value in SECURITY_HEADERS.items():
        headers.setdefault(name, value)
    if secure_cookies:
        headers.setdefault("Strict-Transport-Security", HSTS)
        raw = headers.raw
        for index, (key, cookie) in enumerate(raw):
            if key == b"set-cookie" and b"secure" not in cookie.lower():
                raw[index] = (key, cookie + b"; Secure")
    if "cache-control" not in headers and (path.startswith(API_PATHS) or signed_in):
        headers["Cache-Control"] = "no-store"


_PATTERNS: dict[int, tuple[tuple[Any, frozenset[str]], ...]] = {}


def _patterns(app: Any) -> tuple[tuple[Any, frozenset[str]], ...]:
    known = _PATTERNS.get(id(app))
    if known is None:
        known = _PATTERNS[id(app)] = _find_patterns(app)
    return known


def _find_patterns(app: Any) -> tuple[tuple[Any, frozenset[str]], ...]:
    from gridgov.web.deps import route_table

    return tuple((compile_path(r.path)[0], r.methods) for r in route_table(app))


def allowed_methods(request: Request) -> list[str]:
    """Every method some route takes on this path (all routes, not the first match)."""
    methods: set[str] = set()
    for pattern, route_methods in _patterns(request.app):
        if pattern.match(request.url.path):
            methods |= route_methods
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods)
