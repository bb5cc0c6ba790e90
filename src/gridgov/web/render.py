"""Template rendering in the user's language, with the CSRF token and the nav."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from babel.support import NullTranslations
from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.orm import Session

from gridgov import __version__, clock
from gridgov.config import SUPPORTED_LANGUAGES
from gridgov.errors import DomainError
from gridgov.fields import mask_name
from gridgov.web import i18n
from gridgov.web.deps import LANG_COOKIE, AppState, csrf_token_for
from gridgov.web.static_files import inline_static, static_url
from gridgov.web.toolkit import FLASH_COOKIE, take_flash

TEMPLATES_DIR = Path(__file__).parent / "templates"

environment = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR),
    autoescape=select_autoescape(("html", "xml")),
    trim_blocks=True,
    lstrip_blocks=True,
)


def pager(params: Any, page: int) -> str:
    """The current query string with ``page`` replaced (for Previous / Next links)."""
    items = [(k, v) for k, v in params.multi_items() if k != "page"]
    return urlencode([*items, ("page", str(page))])


environment.filters["pager"] = pager
environment.filters["mask_name"] = mask_name
environment.globals["static_url"] = static_url
environment.globals["inline_static"] = inline_static


def language_of(request: Request) -> str:
    """Query ``?lang=``, then the language cookie, the user's preference, the browser's."""
    cached = getattr(request.state, "language", None)
    if isinstance(cached, str):
        return cached
    state: AppState | None = getattr(request.app.state, "gridgov", None)
    default = state.settings.default_language if state else "zh_Hans"
    user = getattr(request.state, "user", None)
    language = i18n.choose(
        (
            request.query_params.get("lang"),
            request.cookies.get(LANG_COOKIE),
            getattr(user, "language", None),
            i18n.from_accept_language(request.headers.get("accept-language")),
        ),
        default,
    )
    request.state.language = language
    return language


def translator(catalogue: NullTranslations) -> Callable[..., str]:
    """``_("Text %(n)s", n=3)`` in templates: look up, then fill in (escaped on output)."""

    def translate(message: str, **params: Any) -> str:
        text = catalogue.gettext(message)
        return text % params if params else text

    return translate


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    language = language_of(request)
    catalogue = i18n.translations(language)
    state: AppState | None = getattr(request.app.state, "gridgov", None)
    values: dict[str, Any] = {
        "request": request,
        "lang": language,
        "html_lang": i18n.HTML_LANG.get(language, language.replace("_", "-")),
        "text_dir": i18n.text_direction(language),
        "languages": [(code, i18n.LANGUAGE_NAMES[code]) for code in SUPPORTED_LANGUAGES],
        "user": getattr(request.state, "user", None),
        "csrf_token": csrf_token_for(request, state.settings.keys.session) if state else "",
        "version": __version__,
        "demo_mode": bool(state and state.demo_mode),
        "_": translator(catalogue),
    }
    if state is not None and values["user"] is not None and "unread_count" not in (context or {}):
        values["unread_count"] = _unread(request, state, values["user"])
    flash = take_flash(request)
    if flash is not None:
        values["flash_message"] = catalogue.gettext(flash)
    values.update(context or {})
    html = environment.get_template(template).render(values)
    response = HTMLResponse(html, status_code=status_code, headers=headers)
    if flash is not None:
        response.delete_cookie(FLASH_COOKIE, path="/")
    return response


def _unread(request: Request, state: AppState, user: Any) -> int:
    """The navigation's badge: the user's in-app notifications since they last looked.

    Read in the route's own session while the route runs (a second session cost every
    page a connection, a BEGIN and a ROLLBACK), without flushing what the route has
    pending. An error page rendered after the route's session closed (or left it
    unusable) opens its own."""
    from gridgov.audit.service import Actor
    from gridgov.cases import service as cases
    from gridgov.cases.worklist import unread_count

    actor = Actor(
        username=user.username,
        role=user.role,
        user_id=user.id,
        scope=user.effective_scope,
        organisation_id=getattr(user, "organisation_id", None),
    )
    recipients = cases.recipients_of(actor)
    since = getattr(user, "notifications_seen_at", None)
    current: Session | None = getattr(request.state, "db_session", None)
    if current is not None and current.is_active:
        with current.no_autoflush:
            return unread_count(current, recipients=recipients, since=since)
    with state.db.session() as session:
        return unread_count(session, recipients=recipients, since=since)


# -- helpers every page module shares ----------------------------------------------

R = TypeVar("R", bound=Response)


def local_time(moment: datetime | None, tz: ZoneInfo) -> str:
    """A UTC time as the district's wall clock, minutes precision; empty when None."""
    return clock.local_minute(moment, tz)


def label_params(language: str, params: dict[str, Any] | None) -> dict[str, Any]:
    """A message's parameters with the labels among them (states, roles, a field's
    name) in the reader's language; other values as they are."""
    return {
        key: i18n.gettext(language, value) if isinstance(value, str) and value else value
        for key, value in (params or {}).items()
    }


def error_message(language: str, error: DomainError) -> str:
    """The error in the reader's language, with label parameters in words too."""
    return i18n.gettext(language, error.message, label_params(language, error.params))


def error_problems(language: str, error: DomainError | None) -> list[tuple[str | None, str]]:
    """The error's field problems in the reader's language: (field, message)."""
    if error is None:
        return []
    return [(p.field, i18n.gettext(language, p.message, p.params)) for p in error.details]


def error_context(language: str, error: DomainError | None) -> dict[str, Any]:
    """A form page's ``error`` (the message, or None) and ``problems`` (field, message)."""
    return {
        "error": error_message(language, error) if error else None,
        "problems": error_problems(language, error),
    }


def render_form(
    request: Request, template: str, context: dict[str, Any], error: DomainError | None
) -> HTMLResponse:
    """A form page: ``context`` with the ``error`` and its field ``problems`` in the
    reader's language (see ``error_context``), answered with the error's status (200
    without one)."""
    context.update(error_context(language_of(request), error))
    return render(request, template, context, status_code=error.status if error else 200)


def error_page(request: Request, template: str, error: DomainError) -> HTMLResponse:
    """A page that only says what went wrong (a missing notice or election): ``error``
    in the reader's language, answered with its status."""
    message = error_message(language_of(request), error)
    return render(request, template, {"error": message}, status_code=error.status)


def no_store(response: R) -> R:
    """Pages with personal data or forms are not kept by browsers or proxies."""
    response.headers["Cache-Control"] = "no-store"
    return response


def sniff(data: bytes) -> str | None:
    """An upload's type from its first bytes (what the browser said is not trusted):
    JPEG, PNG, WebP, HEIC (phones' photos) or PDF; None for anything else. Callers
    decide what they accept."""
    if data[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[:5] == b"%PDF-":
        return "application/pdf"
    if data[4:8] == b"ftyp" and data[8:12] in _HEIC_BRANDS:
        return "image/heic"
    return None


_HEIC_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"})


def inline(body: bytes, media_type: str, cache: str) -> Response:
    """A stored file shown in the page (a photo, a scanned sheet), cached as ``cache``
    says (``private, max-age=…``)."""
    return Response(
        body,
        media_type=media_type,
        headers={"Cache-Control": cache, "Content-Disposition": "inline"},
    )


_UNSAFE_IN_FILENAME = re.compile(r"[^A-Za-z0-9._-]")


def download(body: bytes, filename: str, media_type: str) -> Response:
    """A file to save, never kept by caches; a non-ASCII name (居民.xlsx) goes in
    ``filename*`` with an ASCII stand-in for old clients."""
    fallback = _UNSAFE_IN_FILENAME.sub("_", filename)
    disposition = f'attachment; filename="{fallback}"'
    if fallback != filename:
        disposition += f"; filename*=UTF-8''{quote(filename)}"
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": disposition, "Cache-Control": "private, no-store"},
    )
