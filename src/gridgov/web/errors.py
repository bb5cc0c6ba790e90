"""One error shape for the API, friendly pages for people, no stack traces for anyone.

API: ``{"error": {"code": "...", "message": "...", "details": [...]}}`` with a stable
``code`` (gridgov.errors.ErrorCode). Pages: the same message in the user's language.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from gridgov.errors import DomainError, ErrorCode, Problem
from gridgov.msgids import N_
from gridgov.web import i18n
from gridgov.web.deps import LoginRequired
from gridgov.web.hardening import allowed_methods, harden
from gridgov.web.render import label_params, language_of, render

log = logging.getLogger("gridgov.web")

_HTTP_CODES = {
    401: (ErrorCode.UNAUTHENTICATED, N_("Please log in.")),
    403: (ErrorCode.FORBIDDEN, N_("Your role may not do this.")),
    404: (ErrorCode.NOT_FOUND, N_("Not found, or outside your area.")),
    405: (ErrorCode.METHOD_NOT_ALLOWED, N_("This method is not allowed here.")),
    413: (ErrorCode.PAYLOAD_TOO_LARGE, N_("The request is too large.")),
    422: (ErrorCode.INVALID_INPUT, N_("The request is not valid.")),
    429: (ErrorCode.TOO_MANY_REQUESTS, N_("Too many requests. Try again later.")),
    503: (ErrorCode.NOT_READY, N_("The service is not ready.")),
}


def wants_json(request: Request) -> bool:
    path = request.url.path
    if path.startswith(("/api/", "/open311/")) or path in ("/healthz", "/readyz"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def _problem_dict(problem: Problem, language: str) -> dict[str, Any]:
    return {
        "field": problem.field,
        "message": i18n.gettext(language, problem.message, problem.params),
    }


def error_response(
    request: Request,
    *,
    status: int,
    code: str,
    message: str,
    params: dict[str, Any] | None = None,
    details: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """The error in the route family's shape: Open311's under /open311/, else ours
    (JSON for API callers, the error page for browsers)."""
    text = i18n.gettext(language_of(request), message, params)
    if request.url.path.startswith("/open311/"):
        from gridgov.cases import open311

        fmt = "xml" if request.url.path.endswith(".xml") else "json"
        texts = [f"{d['field']}: {d['message']}" for d in details or []] or [text]
        response = open311.error_response(fmt, status, texts)
        response.headers.update(headers or {})
        return response
    if wants_json(request):
        body = {"error": {"code": code, "message": text, "details": details or []}}
        return JSONResponse(body, status_code=status, headers=headers)
    return render(
        request,
        "error.html",
        {"status": status, "code": code, "message": text, "details": details or []},
        status_code=status,
        headers=headers,
    )


async def on_domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)  # noqa: S101 - registered for DomainError only
    language = language_of(request)
    return error_response(
        request,
        status=exc.status,
        code=exc.code.value,
        message=exc.message,
        params=label_params(language, exc.params),
        details=[_problem_dict(p, language) for p in exc.details],
        headers=exc.headers,
    )


# Pydantic's own messages are English: the common kinds read in the reader's language.
_VALIDATION_MESSAGES: dict[str, str] = {
    "missing": N_("This field is required."),
    "string_too_long": N_("At most %(max_length)s characters."),
    "string_too_short": N_("At least %(min_length)s characters."),
    "too_long": N_("At most %(max_length)s items."),
    "string_pattern_mismatch": N_("Not in the expected format."),
    "int_parsing": N_("Give a whole number."),
    "int_type": N_("Give a whole number."),
    "float_parsing": N_("Not a number."),
    "float_type": N_("Not a number."),
    "date_parsing": N_("Not a date."),
    "date_from_datetime_parsing": N_("Not a date."),
    "datetime_parsing": N_("Not a date and time."),
    "datetime_from_date_parsing": N_("Not a date and time."),
    "bool_parsing": N_("Give yes or no."),
    "enum": N_("Not one of the allowed values."),
    "literal_error": N_("Not one of the allowed values."),
    "greater_than_equal": N_("At least %(ge)s."),
    "less_than_equal": N_("At most %(le)s."),
}


def _validation_message(language: str, error: Any) -> str:
    known = _VALIDATION_MESSAGES.get(str(error.get("type", "")))
    if known is None:
        return str(error.get("msg", ""))
    return i18n.gettext(language, known, dict(error.get("ctx") or {}))


async def on_validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)  # noqa: S101
    language = language_of(request)
    details = [
        {
            "field": ".".join(str(part) for part in error.get("loc", ()) if part != "body"),
            "message": _validation_message(language, error),
        }
        for error in exc.errors()
    ]
    return error_response(
        request,
        status=422,
        code=ErrorCode.INVALID_INPUT.value,
        message=N_("The request is not valid."),
        details=details,
    )


async def on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)  # noqa: S101
    code, message = _HTTP_CODES.get(exc.status_code, (ErrorCode.INVALID_INPUT, N_("Bad request.")))
    headers = dict(exc.headers) if exc.headers else {}
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(allowed_methods(request))
    return error_response(
        request,
        status=exc.status_code,
        code=code.value,
        message=message,
        headers=headers or None,
    )


async def on_login_required(request: Request, exc: Exception) -> Response:
    target = request.url.path
    if request.url.query:
        target += "?" + request.url.query
    return RedirectResponse("/login?next=" + quote(target, safe=""), status_code=303)


async def on_unexpected(request: Request, exc: Exception) -> Response:
    log.exception(
        "unhandled error",
        extra={
            "fields": {
                "path": request.url.path,
                "request_id": getattr(request.state, "request_id", None),
            }
        },
    )
    response = error_response(
        request,
        status=500,
        code=ErrorCode.INTERNAL.value,
        message=N_(
            "Something went wrong on our side. The error was logged; "
            "quote the request id when you report it."
        ),
    )
    request_id = getattr(request.state, "request_id", None)
    if request_id:
        response.headers["X-Request-ID"] = request_id
    # A 500 leaves through ServerErrorMiddleware, outside request_context: the headers
    # and the access-log line are added here.
    state = getattr(request.app.state, "gridgov", None)
    harden(request, response, secure_cookies=bool(state and state.settings.secure_cookies))
    logging.getLogger("gridgov.access").info(
        "request",
        extra={
            "fields": {
                "request_id": request_id,
                "method": request.method,
                "path": request.url.path,
                "status": 500,
            }
        },
    )
    return response


def install(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, on_domain_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(LoginRequired, on_login_required)
    app.add_exception_handler(Exception, on_unexpected)
