"""Open311's wire format: the answer in JSON or XML (the Spark convention), errors as
``{code, description}`` lists, domain errors reshaped, and the shared parsers (W3C
times, windows, languages)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Annotated, TypeAlias
from zoneinfo import ZoneInfo

from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from gridgov.errors import DomainError
from gridgov.web import i18n
from gridgov.web.deps import OPEN311_PUBLIC_PATHS, Now, SessionDep, StateDep
from gridgov.web.render import language_of

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When this API itself last changed; the discovery changeset is the later of this and
# the last time the catalogue was loaded (an update tells clients to refresh services).
API_CHANGESET = "2026-11-30 00:00"
MEDIA_TYPES = {
    "json": "application/json; charset=utf-8",
    "xml": "text/xml; charset=utf-8",
}
DISCOVERY_FORMATS = ("text/xml", "application/json")
WINDOW = timedelta(days=90)  # the default span of GET requests, and the longest allowed
MAX_RESULTS = 1000
MAX_IDS = 1000
IDEMPOTENCY_KEY_LENGTH = (8, 100)  # stored as "open311:<key id>:<value>", at most 128
MEDIA_URL_LENGTH = 1024
PUBLIC_PATHS = OPEN311_PUBLIC_PATHS  # listed once, with the other public routes

# An answer before serialisation: the JSON value; its XML form follows the Spark
# convention the specification uses (a list under <services> is a run of <service>).
Node: TypeAlias = "str | int | float | bool | Sequence[Node] | Mapping[str, Node] | None"
LIST_ITEMS = {
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "service_requests": "request",
    "service_request_updates": "request_update",
    "errors": "error",
}
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class Open311Error(Exception):
    """One or more errors of the specification's list, answered with ``status``."""

    def __init__(self, status: int, *descriptions: str) -> None:
        super().__init__("; ".join(descriptions))
        self.status = status
        self.descriptions = descriptions


# ---------------------------------------------------------------- rendering


def _fill(element: ET.Element, value: Node) -> None:
    if isinstance(value, Mapping):
        for key, item in value.items():
            _fill(ET.SubElement(element, key), item)
    elif isinstance(value, list | tuple):
        tag = LIST_ITEMS[element.tag]
        for item in value:
            _fill(ET.SubElement(element, tag), item)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = _XML_ILLEGAL.sub("", str(value))


def to_xml(root: str, body: Node) -> bytes:
    element = ET.Element(root)
    _fill(element, body)
    ET.indent(element, space="  ")
    text = ET.tostring(element, encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + text + "\n").encode()


def render(fmt: str, root: str, body: Node, status: int = 200) -> Response:
    if fmt == "json":
        return Response(
            json.dumps(body, ensure_ascii=False).encode(),
            status_code=status,
            media_type=MEDIA_TYPES[fmt],
        )
    content = to_xml(root, body)
    return Response(content, status_code=status, media_type=MEDIA_TYPES[fmt])


def error_response(fmt: str, status: int, descriptions: Iterable[str]) -> Response:
    errors: list[Node] = [{"code": status, "description": text} for text in descriptions]
    return render(fmt if fmt in MEDIA_TYPES else "xml", "errors", errors, status)


def _format(fmt: str) -> str:
    if fmt not in MEDIA_TYPES:
        raise Open311Error(404, f"Unknown format {fmt!r}: use json or xml.")
    return fmt


_FIELDS = {
    "lon": "long",
    "reporter_phone": "phone",
    "category": "service_code",
    "idempotency_key": "Idempotency-Key",
}


def _domain_error(exc: DomainError, language: str) -> tuple[int, list[str]]:
    """The specification's status and descriptions for a gridgov error: 403 for
    authentication and authorisation, 404 for what does not exist, 400 otherwise."""
    status = 403 if exc.status in (401, 403) else 404 if exc.status == 404 else 400
    descriptions = [
        f"{_FIELDS.get(p.field, p.field)}: {i18n.gettext(language, p.message, p.params)}"
        for p in exc.details
    ]
    return status, descriptions or [i18n.gettext(language, exc.message, exc.params)]


def _answer(request: Request, fmt: str, produce: Callable[[str], Response]) -> Response:
    """Run an endpoint body; turn Open311 and domain errors into the spec's error list."""
    try:
        return produce(_format(fmt))
    except Open311Error as exc:
        return error_response(fmt, exc.status, exc.descriptions)
    except DomainError as exc:
        status, descriptions = _domain_error(exc, language_of(request))
        return error_response(fmt, status, descriptions)


# ---------------------------------------------------------------- shared helpers


def _language(request: Request, locale: str | None) -> str:
    """``locale`` (en, zh, zh_Hant...) wins; then gridgov's usual choice (lang, cookie,
    Accept-Language, the default)."""
    return i18n.normalise(locale) or language_of(request)


def _english(language: str) -> bool:
    return language == "en"


def w3c(moment: datetime | None, tz: ZoneInfo) -> str | None:
    """ISO 8601 with the local offset, e.g. 2026-11-30T17:30:00+08:00."""
    return moment.astimezone(tz).isoformat(timespec="seconds") if moment else None


def parse_w3c(name: str, text: str | None, tz: ZoneInfo, *, end: bool = False) -> datetime | None:
    """A W3C date-time (``2010-01-01T00:00:00Z``, with an offset) or a date. A date, or
    a time without an offset, is local time; a date as ``end_date`` takes the whole day."""
    if text is None or not text.strip():
        return None
    value = text.strip()
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            moment = datetime.combine(day + timedelta(days=1) if end else day, time(), tz)
        else:
            moment = datetime.fromisoformat(value)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=tz)
    except ValueError as exc:
        raise Open311Error(
            400, f"{name} is not a W3C date-time such as 2010-01-01T00:00:00Z: {value!r}."
        ) from exc
    return moment


def window(
    start_text: str | None, end_text: str | None, tz: ZoneInfo, now: datetime, *, cap: bool
) -> tuple[datetime, datetime]:
    """The requested span: the last 90 days by default; either bound alone reaches 90
    days from the other; with ``cap``, a span over 90 days is refused."""
    start = parse_w3c("start_date", start_text, tz)
    end = parse_w3c("end_date", end_text, tz, end=True)
    if start is None and end is None:
        end = now
    if start is None:
        assert end is not None  # noqa: S101 - one of the two is set by now
        start = end - WINDOW
    if end is None:
        end = start + WINDOW
    if start > end:
        raise Open311Error(400, "start_date is after end_date.")
    if cap and end - start > WINDOW:
        raise Open311Error(400, "start_date and end_date may not span more than 90 days.")
    return start, end


def _split(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def _tz(state: StateDep) -> ZoneInfo:
    return ZoneInfo(state.settings.timezone)


@dataclass(frozen=True)
class Reading:
    """What every GET endpoint shares: the request, the session, the clock, the office's
    time zone and the reader's language (``locale`` first)."""

    request: Request
    session: Session
    now: datetime
    tz: ZoneInfo
    language: str

    @property
    def english(self) -> bool:
        return _english(self.language)

    def answer(self, fmt: str, produce: Callable[[str], Response]) -> Response:
        """``_answer`` for this request."""
        return _answer(self.request, fmt, produce)


def _reading(
    request: Request,
    session: SessionDep,
    state: StateDep,
    now: Now,
    locale: str | None = None,
    jurisdiction_id: str | None = None,
) -> Reading:
    """The ``Reading`` of a GET; ``jurisdiction_id`` is taken and ignored (there is one)."""
    return Reading(request, session, now, _tz(state), _language(request, locale))


ReadingDep = Annotated[Reading, Depends(_reading)]
