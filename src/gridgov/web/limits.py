"""Limits and guards around every request (ADR 0012).

- ``BodyLimit``: an ASGI middleware that refuses a body larger than its route class
  allows (JSON and forms 1 MiB, multipart uploads 25 MiB) from ``Content-Length`` before
  reading anything, and by counting the bytes of a streamed body as they arrive.
- ``bounded_input``: a dependency every route but the health probes gets (they read
  nothing of the request; ``web/app.py``): integer parameters and JSON
  integers within the database's column range, no NUL characters in any text, JSON no
  deeper than 32 levels; 422 with the field named, before the database is touched.
- Handlers: the database unreachable → 503 with ``Retry-After`` (Open311's own error
  format under /open311/); a value the database still refuses → 422.
- ``harden`` (the security headers) and ``allowed_methods`` (the ``Allow`` list of a
  405) are in ``web/hardening.py``.
"""

from __future__ import annotations

import json
import types
import typing
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import Request, params
from fastapi.responses import Response
from pydantic import BaseModel

from gridgov.errors import ErrorCode, InvalidInput, Problem
from gridgov.guard.rules import MAX_JSON_DEPTH, bad_json_values, int_in_range
from gridgov.msgids import N_

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

KIB = 1024
MIB = 1024 * KIB
LIMIT_JSON = 1 * MIB
LIMIT_FORM = 1 * MIB
LIMIT_UPLOAD = 25 * MIB
RETRY_AFTER_SECONDS = 10


def _error_body(description: str) -> dict[str, Any]:
    return {"description": description}


# Answers any route may give, documented once for the whole API.
COMMON_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _error_body("Malformed request"),
    401: _error_body("Not signed in"),
    403: _error_body("Not allowed (role, CSRF)"),
    404: _error_body("Not found, or outside the caller's area"),
    405: _error_body("Method not allowed"),
    409: _error_body("Conflict with the current state"),
    413: _error_body("Request body too large"),
    422: _error_body("Invalid input"),
    429: _error_body("Too many requests; see Retry-After"),
    503: _error_body("Database unavailable; see Retry-After"),
}


# ---------------------------------------------------------------- errors per family


def family_error(request: Request, *, code: ErrorCode, **error: Any) -> Response:
    """An error in the shape of the route family: Open311's list of ``{code,
    description}`` under /open311/, gridgov's own everywhere else (``error``: the status,
    message and what else ``errors.error_response`` takes)."""
    from gridgov.web import errors

    return errors.error_response(request, code=code.value, **error)


# ---------------------------------------------------------------- body size


class BodyTooLarge(Exception):
    """Raised inside ``receive`` when a streamed body passes its route class's limit."""


def body_limit(scope: Scope) -> int:
    """The largest body the request's route class takes."""
    content_type = ""
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            content_type = value.decode("latin-1").lower()
            break
    if content_type.startswith("multipart/"):
        return LIMIT_UPLOAD
    if content_type.startswith("application/x-www-form-urlencoded"):
        return LIMIT_FORM
    return LIMIT_JSON


class BodyLimit:
    """Refuse an oversized body with 413 without reading it (``Content-Length``), or as
    soon as a streamed body passes the limit; the app's own answer is then dropped."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = body_limit(scope)
        declared = next((v for k, v in scope.get("headers", ()) if k == b"content-length"), None)
        if declared is not None:
            if not declared.isdigit():
                await self._refuse(scope, send, limit, status=400)
                return
            if int(declared) > limit:
                await self._refuse(scope, send, limit)
                return
        if declared in (None, b"0") and not any(
            k == b"transfer-encoding" for k, _ in scope.get("headers", ())
        ):
            # No body at all (a GET): nothing to count, so no wrapped receive and send.
            await self.app(scope, receive, send)
            return
        received = 0
        exceeded = False

        async def counted() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise BodyTooLarge
            return message

        async def guarded(message: Message) -> None:
            if not exceeded:
                await send(message)

        try:
            await self.app(scope, counted, guarded)
        except Exception:
            if not exceeded:
                raise
        if exceeded:
            await self._refuse(scope, send, limit)

    @staticmethod
    async def _refuse(scope: Scope, send: Send, limit: int, *, status: int = 413) -> None:
        request = Request(scope)
        if status == 400:
            response = family_error(
                request,
                status=400,
                code=ErrorCode.INVALID_INPUT,
                message=N_("The Content-Length header is not a number."),
            )
        else:
            response = family_error(
                request,
                status=413,
                code=ErrorCode.PAYLOAD_TOO_LARGE,
                message=N_("The request is too large: at most %(n)s KB here."),
                params={"n": limit // KIB},
                headers={"Connection": "close"},
            )

        async def nothing() -> Message:
            return {"type": "http.disconnect"}

        await response(scope, nothing, send)


# ---------------------------------------------------------------- bounded input


def _is_int(annotation: Any) -> bool:
    if annotation is int:
        return True
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _is_int(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return any(_is_int(arg) for arg in typing.get_args(annotation))
    return False


def _is_model(annotation: Any) -> typing.TypeGuard[type[BaseModel]]:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


_INT_PARAMS: dict[int, frozenset[str]] = {}


def _int_params(route: Any) -> frozenset[str]:
    """Names (aliases) of the path, query and form parameters a route reads as ints,
    the fields of form and query models included."""
    known = _INT_PARAMS.get(id(route))
    if known is None:
        known = _INT_PARAMS[id(route)] = _find_int_params(route)
    return known


def _find_int_params(route: Any) -> frozenset[str]:
    names: set[str] = set()
    stack = [getattr(route, "dependant", None)]
    while stack:
        dependant = stack.pop()
        if dependant is None:
            continue
        for field in (*dependant.path_params, *dependant.query_params, *dependant.body_params):
            annotation = field.field_info.annotation
            if _is_int(annotation):
                names.add(field.alias)
            elif isinstance(field.field_info, params.Form | params.Query) and _is_model(annotation):
                # a form or query model (``Annotated[SomeForm, Form()]``): its fields are
                # the form's or the query's
                names.update(
                    inner.alias or name
                    for name, inner in annotation.model_fields.items()
                    if _is_int(inner.annotation)
                )
        stack.extend(dependant.dependencies)
    return frozenset(names)


def _text_problems(name: str, value: str, ints: frozenset[str]) -> list[Problem]:
    if "\x00" in value:
        return [Problem(name, "Text may not contain NUL characters.")]
    if name in ints:
        stripped = value.strip()
        digits = stripped[1:] if stripped[:1] in "+-" else stripped
        # isdecimal, not isdigit: "4³" is digits to isdigit, and int() refuses it.
        if digits.isdecimal() and (len(digits) > 12 or not int_in_range(int(stripped))):
            return [Problem(name, "Number out of range.")]
    return []


async def bounded_input(request: Request) -> None:
    """Refuse (422) out-of-range integers, NUL characters and over-deep JSON anywhere in
    the request, naming the field, before any route code or the database sees them."""
    route = request.scope.get("route")
    ints = _int_params(route) if route is not None else frozenset()
    problems: list[Problem] = []
    for name, value in request.path_params.items():
        if isinstance(value, str):
            problems += _text_problems(name, value, ints)
    for name, value in request.query_params.multi_items():
        problems += _text_problems(name, value, ints)
    content_type = request.headers.get("content-type", "").lower()
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        if "json" in content_type:
            body = await request.body()
            if body:
                try:
                    parsed = json.loads(body)
                except (ValueError, RecursionError):
                    parsed = None  # FastAPI answers malformed JSON itself
                for field, kind in bad_json_values(parsed):
                    if kind == "nul":
                        problems.append(Problem(field, "Text may not contain NUL characters."))
                    elif kind == "range":
                        problems.append(Problem(field, "Number out of range."))
                    else:
                        problems.append(
                            Problem(field, "Nested deeper than %(n)s levels.", n=MAX_JSON_DEPTH)
                        )
                        break
        elif content_type.startswith(("application/x-www-form-urlencoded", "multipart/")):
            form = await request.form()
            for name, value in form.multi_items():
                if isinstance(value, str):
                    problems += _text_problems(name, value, ints)
    if problems:
        raise InvalidInput("The request is not valid.", details=problems[:20])


# ---------------------------------------------------------------- the database


async def on_database_unavailable(request: Request, exc: Exception) -> Response:
    """The database does not answer (stopped, restarting, locked too long): 503 with
    ``Retry-After``; the next request tries again (the pool reconnects by itself)."""
    import logging

    logging.getLogger("gridgov.web").warning(
        "database unavailable", extra={"fields": {"error": type(exc).__name__}}
    )
    return family_error(
        request,
        status=503,
        code=ErrorCode.UNAVAILABLE,
        message=N_(
            "The service is briefly unavailable. Nothing you sent was lost; try again in a minute."
        ),
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


async def on_value_refused(request: Request, exc: Exception) -> Response:
    """A value the database refused to store (a number out of range, a NUL character)
    that got past the checks above: the request's fault, not the server's."""
    return family_error(
        request,
        status=422,
        code=ErrorCode.INVALID_INPUT,
        message=N_("A value is out of range or is not valid text."),
    )


# ---------------------------------------------------------------- headers


def install(app: Any) -> None:
    """The handlers of the database's refusals: unreachable → 503, a value it refuses
    → 422."""
    from sqlalchemy.exc import DataError, InterfaceError, OperationalError
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    for unavailable in (OperationalError, InterfaceError, PoolTimeout):
        app.add_exception_handler(unavailable, on_database_unavailable)
    for refused in (DataError, OverflowError):
        app.add_exception_handler(refused, on_value_refused)
