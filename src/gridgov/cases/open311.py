"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2), with service discovery
and mySociety's ``servicerequestupdates`` extension, over the cases domain.

Services are the active leaf categories; service requests are cases, known by their
tracking code. Every answer comes in the format the path names (``.json`` or ``.xml``),
shaped as the specification's examples, and so do errors: a list of ``{code,
description}`` with 400 (missing or invalid parameter), 403 (missing or invalid
``api_key``) or 404 (unknown resource or format). Domain errors are caught here and
reshaped, and a catch-all route answers unknown /open311/ paths; only a 405 (a method
no route takes) or an unexpected 500 keeps gridgov's own error shape.

Every route is public: the GET routes because the specification means them to be, and
``POST requests.{format}`` because its ``api_key`` travels in the form body, which the
shared ``ApiKeyAuth`` dependency does not read; the endpoint authenticates the key
itself before anything else. docs/open311.md describes the mapping.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Annotated, TypeAlias
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov.accounts import service as accounts
from gridgov.accounts.models import ApiKey
from gridgov.audit.models import AuditEvent
from gridgov.audit.service import Actor
from gridgov.cases import open311_attributes, service
from gridgov.cases.calendar import DeadlineUnit
from gridgov.cases.models import Case, CaseEvent, Category
from gridgov.cases.rules import PUBLIC_STATUS, Channel, State
from gridgov.errors import DomainError
from gridgov.fields import mask_id, mask_phone
from gridgov.registry import public as registry_public
from gridgov.web import i18n
from gridgov.web.deps import Now, SessionDep, StateDep, client_ip, request_id
from gridgov.web.render import language_of

router = APIRouter(tags=["open311"])

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
PUBLIC_PATHS = (
    "/open311/discovery.json",
    "/open311/discovery.xml",
    "/open311/v2/services.{format}",
    "/open311/v2/services/{service_code}.{format}",
    "/open311/v2/requests.{format}",
    "/open311/v2/requests/{service_request_id}.{format}",
    "/open311/v2/tokens/{token}.{format}",
    "/open311/v2/servicerequestupdates.{format}",
    "/open311/{path:path}",
)

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


# ---------------------------------------------------------------- discovery


def changeset(session: Session, tz: ZoneInfo) -> str:
    """Sortable: the later of the API's own date and the last catalogue load."""
    # A read of the audit table: the catalogue has no timestamp of its own.
    loaded = session.scalar(
        select(func.max(AuditEvent.at)).where(AuditEvent.action == "categories.loaded")
    )
    if loaded is None:
        return API_CHANGESET
    return max(API_CHANGESET, loaded.astimezone(tz).strftime("%Y-%m-%d %H:%M"))


def _discovery(request: Request, session: Session, tz: ZoneInfo) -> dict[str, Node]:
    stamp = changeset(session, tz)
    return {
        "changeset": stamp,
        "contact": "Ask the administrators of this gridgov installation "
        "(the district's grid management centre).",
        "key_service": "An administrator issues a key for each client with "
        "`gridgov apikey create --name <client>`; the key is shown once.",
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": str(request.base_url).rstrip("/") + "/open311/v2",
                "changeset": stamp,
                "type": "production",
                "formats": list(DISCOVERY_FORMATS),
            }
        ],
    }


@router.get("/open311/discovery.json", name="open311_discovery_json")
def discovery_json(request: Request, session: SessionDep, state: StateDep) -> Response:
    """Service discovery (JSON)."""
    return _answer(
        request,
        "json",
        lambda fmt: render(fmt, "discovery", _discovery(request, session, _tz(state))),
    )


@router.get("/open311/discovery.xml", name="open311_discovery_xml")
def discovery_xml(request: Request, session: SessionDep, state: StateDep) -> Response:
    """Service discovery (XML)."""
    return _answer(
        request,
        "xml",
        lambda fmt: render(fmt, "discovery", _discovery(request, session, _tz(state))),
    )


# ---------------------------------------------------------------- services

_UNITS = {
    DeadlineUnit.HOURS: ("小时", "hours"),
    DeadlineUnit.WORKING_HOURS: ("个工作小时", "working hours"),
    DeadlineUnit.WORKING_DAYS: ("个工作日", "working days"),
}


def _deadline(amount: int | None, unit: str | None, english: bool) -> str | None:
    if amount is None or unit is None:
        return None
    try:
        zh, en = _UNITS[DeadlineUnit(unit)]
    except ValueError:
        return None
    return f"{amount} {en}" if english else f"{amount}{zh}"


def _name(category: Category, english: bool) -> str:
    return category.name_en if english else category.name_zh


def _service_description(category: Category, english: bool) -> str:
    response = _deadline(category.response_amount, category.response_unit, english)
    resolution = _deadline(category.resolution_amount, category.resolution_unit, english)
    parts: list[str] = []
    if english:
        if response:
            parts.append(f"Response within {response}")
        if resolution:
            parts.append(f"resolved within {resolution}")
        if category.department:
            parts.append(f"handled by {category.department}")
        return (", ".join(parts) + ".") if parts else category.name_en
    if response:
        parts.append(f"{response}内响应")
    if resolution:
        parts.append(f"{resolution}内办结")
    if category.department:
        parts.append(f"承办单位：{category.department}")
    return ("，".join(parts) + "。") if parts else category.name_zh


def _groups(session: Session) -> dict[str, Category]:
    return {c.code: c for c in service.list_categories(session, leaves_only=False)}


def _services(session: Session, language: str) -> list[Node]:
    english = _english(language)
    groups = _groups(session)
    rows: list[Node] = []
    for category in service.list_categories(session):
        group = groups.get(category.parent_code or "")
        keywords = [category.name_zh, category.name_en]
        if group is not None:
            keywords += [group.name_zh, group.name_en]
        rows.append(
            {
                "service_code": category.code,
                "service_name": _name(category, english),
                "description": _service_description(category, english),
                "metadata": True,
                "type": "realtime",
                "keywords": ", ".join(keywords),
                "group": _name(group, english) if group is not None else None,
            }
        )
    return rows


def _leaf(session: Session, code: str) -> Category:
    for category in service.list_categories(session):
        if category.code == code:
            return category
    raise Open311Error(404, f"No service has the service_code {code!r}.")


@router.get("/open311/v2/services.{format}", name="open311_services")
def services(
    format: str,
    request: Request,
    session: SessionDep,
    locale: str | None = None,
    jurisdiction_id: str | None = None,
) -> Response:
    """GET Service List: every active leaf category. ``locale=en`` names them in English."""
    language = _language(request, locale)
    return _answer(
        request, format, lambda fmt: render(fmt, "services", _services(session, language))
    )


def _attributes(english: bool) -> list[Node]:
    return list(open311_attributes.definitions(english))


@router.get("/open311/v2/services/{service_code}.{format}", name="open311_service_definition")
def service_definition(
    service_code: str,
    format: str,
    request: Request,
    session: SessionDep,
    locale: str | None = None,
    jurisdiction_id: str | None = None,
) -> Response:
    """GET Service Definition: the two attributes every service takes."""
    english = _english(_language(request, locale))

    def produce(fmt: str) -> Response:
        category = _leaf(session, service_code)
        body = {"service_code": category.code, "attributes": _attributes(english)}
        return render(fmt, "service_definition", body)

    return _answer(request, format, produce)


# ---------------------------------------------------------------- service requests


@dataclass
class Lookups:
    """What request rows need besides the case: names of services and departments."""

    session: Session
    categories: dict[str, Category]
    departments: dict[int, str]

    @classmethod
    def of(cls, session: Session) -> Lookups:
        return cls(session, _groups(session), {})

    def category(self, code: str | None) -> Category | None:
        if not code:
            return None
        if code not in self.categories:  # an inactive category of an older case
            found = self.session.scalar(select(Category).where(Category.code == code))
            if found is None:
                return None
            self.categories[code] = found
        return self.categories[code]

    def department(self, department_id: int) -> str | None:
        if department_id not in self.departments:
            name = registry_public.organisation_name(self.session, department_id)
            self.departments[department_id] = name or ""
        return self.departments[department_id] or None


def _notice(case: Case, tz: ZoneInfo, english: bool) -> str:
    state = State(case.state)
    if case.spam_suspected:
        return (
            "Held for a dispatcher's review; it is listed once accepted."
            if english
            else "已转人工审核，审核通过后公开。"
        )
    if PUBLIC_STATUS[state] == "closed":
        return "This request is closed." if english else "该诉求已办结。"
    if state is State.SUBMITTED or case.resolution_due_at is None:
        return (
            "Received; a dispatcher will route it to the handling unit."
            if english
            else "已收到，调度员审核后派至承办单位。"
        )
    due = case.resolution_due_at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
    if english:
        return f"Handled at the {case.level} level; to be resolved by {due}."
    levels = {"grid": "网格", "community": "社区", "street": "街道", "department": "职能部门"}
    return f"由{levels.get(case.level, case.level)}承办，应于 {due} 前办结。"


_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])")
_LONG_NUMBER = re.compile(r"(?<![\d+])\+?\d{7,}(?!\d)")


def redact(text: str) -> str:
    """Free text as published: ID numbers and phone-like runs of 7 or more digits
    masked as everywhere else (440512********1234, 138****5678)."""
    text = _ID_NUMBER.sub(lambda m: mask_id(m.group()), text)
    return _LONG_NUMBER.sub(lambda m: mask_phone(m.group()), text)


def _request_row(case: Case, lookups: Lookups, tz: ZoneInfo, english: bool) -> dict[str, Node]:
    """One service request: what anyone may see. No reporter, phone or e-mail; numbers
    in the free text are masked."""
    state = State(case.state)
    status = PUBLIC_STATUS[state]
    category = lookups.category(case.category_code)
    agency = (
        lookups.department(case.department_id) if case.department_id is not None else case.unit_code
    )
    updated = case.closed_at if status == "closed" and case.closed_at else case.updated_at
    return {
        "service_request_id": case.tracking_code,
        "status": status,
        "status_notes": state.value,
        "service_name": _name(category, english) if category else None,
        "service_code": case.category_code,
        "description": redact(case.description),
        "agency_responsible": agency,
        "service_notice": _notice(case, tz, english),
        "requested_datetime": w3c(case.created_at, tz),
        "updated_datetime": w3c(updated, tz),
        "expected_datetime": w3c(case.resolution_due_at, tz),
        "address": redact(case.address) or None,
        "address_id": None,
        "zipcode": None,
        "lat": case.lat,
        "long": case.lon,
        "media_url": None,
    }


_STATES_OF = {
    status: [s.value for s, public in PUBLIC_STATUS.items() if public == status]
    for status in ("open", "closed")
}


def find_requests(
    session: Session,
    *,
    now: datetime,
    tz: ZoneInfo,
    service_request_id: str | None = None,
    service_code: str | None = None,
    start_date: str | None = None,
    end_date: str | None = None,
    status: str | None = None,
) -> list[Case]:
    """GET Service Requests' filters. ``service_request_id`` overrides the others; the
    rest combine. Newest first, at most 1000; cases held as spam never show."""
    query = select(Case).where(Case.spam_suspected.is_(False))
    ids = [code.upper() for code in _split(service_request_id)]
    if ids:
        if len(ids) > MAX_IDS:
            raise Open311Error(400, f"At most {MAX_IDS} service_request_id values at once.")
        query = query.where(Case.tracking_code.in_(ids))
    else:
        start, end = window(start_date, end_date, tz, now, cap=True)
        query = query.where(Case.created_at >= start, Case.created_at <= end)
        codes = _split(service_code)
        if codes:
            query = query.where(Case.category_code.in_(codes))
        statuses = [s.lower() for s in _split(status)]
        unknown = [s for s in statuses if s not in _STATES_OF]
        if unknown:
            raise Open311Error(400, f"status must be open or closed, not {unknown[0]!r}.")
        if statuses:
            query = query.where(
                Case.state.in_([state for s in set(statuses) for state in _STATES_OF[s]])
            )
    query = query.order_by(Case.created_at.desc(), Case.id.desc()).limit(MAX_RESULTS)
    return list(session.scalars(query))


@router.get("/open311/v2/requests.{format}", name="open311_requests")
def get_requests(
    format: str,
    request: Request,
    session: SessionDep,
    state: StateDep,
    now: Now,
    service_request_id: str | None = None,
    service_code: str | None = None,
    start_date: str | None = None,
    end_date: str | None = None,
    status: str | None = None,
    locale: str | None = None,
    jurisdiction_id: str | None = None,
) -> Response:
    """GET Service Requests, with every filter of the specification."""
    english = _english(_language(request, locale))
    tz = _tz(state)

    def produce(fmt: str) -> Response:
        found = find_requests(
            session,
            now=now,
            tz=tz,
            service_request_id=service_request_id,
            service_code=service_code,
            start_date=start_date,
            end_date=end_date,
            status=status,
        )
        lookups = Lookups.of(session)
        rows: list[Node] = [_request_row(case, lookups, tz, english) for case in found]
        return render(fmt, "service_requests", rows)

    return _answer(request, format, produce)


@router.get("/open311/v2/requests/{service_request_id}.{format}", name="open311_request")
def get_request(
    service_request_id: str,
    format: str,
    request: Request,
    session: SessionDep,
    state: StateDep,
    locale: str | None = None,
    jurisdiction_id: str | None = None,
) -> Response:
    """GET Service Request: one case by its tracking code (a list of one, as specified)."""
    english = _english(_language(request, locale))
    tz = _tz(state)

    def produce(fmt: str) -> Response:
        case = service.get_by_tracking_code(session, service_request_id)
        if case.spam_suspected:  # held for review: not public, as in the list
            raise Open311Error(404, f"No service request {service_request_id!r}.")
        row = _request_row(case, Lookups.of(session), tz, english)
        return render(fmt, "service_requests", [row])

    return _answer(request, format, produce)


@router.get("/open311/v2/tokens/{token}.{format}", name="open311_token")
def get_token(
    token: str, format: str, request: Request, jurisdiction_id: str | None = None
) -> Response:
    """GET service_request_id from a token. Every service is ``realtime``: POST answers
    with the service_request_id itself and no token is ever issued, so none is found."""

    def produce(fmt: str) -> Response:
        raise Open311Error(
            404,
            f"Token {token!r} not found: this server creates requests in real time and "
            "returns their service_request_id at once; it issues no tokens.",
        )

    return _answer(request, format, produce)


# ---------------------------------------------------------------- POST a request

Form = dict[str, list[str]]


async def read_form(request: Request) -> Form | None:
    """The form fields (urlencoded or multipart) as lists of strings; None when the body
    cannot be parsed. Files are ignored: media arrive as ``media_url``."""
    try:
        form = await request.form()
    except Exception:  # starlette raises several kinds on a malformed body
        return None
    fields: Form = {}
    for key, value in form.multi_items():
        if isinstance(value, str):
            fields.setdefault(key, []).append(value)
    return fields


FormDep = Annotated[Form | None, Depends(read_form)]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]


def _one(form: Form, name: str) -> str:
    """A single value, stripped ("" when absent): an empty parameter is no parameter."""
    values = form.get(name) or [""]
    return values[0].strip()


def _authenticate(session: Session, request: Request, form: Form) -> ApiKey:
    plaintext = (
        _one(form, "api_key")
        or request.query_params.get("api_key", "").strip()
        or request.headers.get("X-API-Key", "").strip()
    )
    if not plaintext:
        raise Open311Error(403, "api_key is missing -- can't proceed with create_request.")
    key = accounts.authenticate_api_key(session, plaintext=plaintext)
    if key is None:
        raise Open311Error(403, "Invalid api_key received -- can't proceed with create_request.")
    return key


def _cjk(text: str) -> bool:
    return any(unicodedata.name(c, "").startswith("CJK") for c in text)


def reporter_name(first: str, last: str) -> str:
    """Family name first and unspaced for Chinese names (陈 + 明 = 陈明), else
    "first last"."""
    if first and last and _cjk(first + last):
        return last + first
    return " ".join(part for part in (first, last) if part)


@dataclass
class Location:
    lon: float | None = None
    lat: float | None = None
    address: str = ""
    grid_code: str | None = None


def _coordinate(name: str, text: str, limit: float) -> float:
    try:
        value = float(text)
    except ValueError as exc:
        raise Open311Error(400, f"{name} is not a number: {text!r}.") from exc
    if not math.isfinite(value) or not -limit <= value <= limit:
        raise Open311Error(400, f"{name} is out of range: {text!r}.")
    return value


def location(session: Session, form: Form) -> Location:
    """One of lat & long, address_string or address_id (a building code) is required."""
    lat, lon = _one(form, "lat"), _one(form, "long")
    address, address_id = _one(form, "address_string"), _one(form, "address_id")
    if bool(lat) != bool(lon):
        raise Open311Error(400, "lat and long must be sent together.")
    if not (lat or address or address_id):
        raise Open311Error(
            400, "A location is required: lat and long, address_string or address_id."
        )
    found = Location(address=address[:256])
    if lat:
        found.lat = _coordinate("lat", lat, 90)
        found.lon = _coordinate("long", lon, 180)
    if address_id:
        building = registry_public.building_by_code(session, address_id)
        if building is None:
            raise Open311Error(400, f"address_id {address_id!r} is not a known address.")
        found.address = found.address or building.address
        if found.lat is None:
            found.lon, found.lat, found.grid_code = building.lon, building.lat, building.grid_code
    return found


def _media_url(form: Form) -> None:
    """Checked but not kept: a case holds photos, not links (see docs/open311.md)."""
    url = _one(form, "media_url")
    if url and (len(url) > MEDIA_URL_LENGTH or not url.lower().startswith(("http://", "https://"))):
        raise Open311Error(400, "media_url must be an http or https URL.")


def _read_attributes(form: Form, now: datetime) -> open311_attributes.Attributes:
    try:
        return open311_attributes.read(form, now=now)
    except open311_attributes.AttributeError_ as exc:
        raise Open311Error(400, *exc.descriptions) from exc


def _idempotency_key(key: ApiKey, value: str | None) -> str | None:
    """Per API key, so that two clients' keys never meet."""
    if value is None or not value.strip():
        return None
    low, high = IDEMPOTENCY_KEY_LENGTH
    if not low <= len(value.strip()) <= high:
        raise Open311Error(400, f"Idempotency-Key has {low} to {high} characters.")
    return f"open311:{key.id}:{value.strip()}"


def create_request(
    session: Session,
    request: Request,
    form: Form | None,
    *,
    idempotency_key: str | None,
    now: datetime,
    tz_name: str,
    english: bool,
) -> list[Node]:
    """POST Service Request: authenticate, check, then intake through the cases service."""
    if form is None:
        raise Open311Error(400, "The body must be application/x-www-form-urlencoded.")
    key = _authenticate(session, request, form)
    code = _one(form, "service_code")
    problems: list[str] = []
    if not code:
        problems.append("service_code is required.")
    try:
        place = location(session, form)
    except Open311Error as exc:
        problems += exc.descriptions
    if problems:
        raise Open311Error(400, *problems)
    category = _leaf(session, code)
    _media_url(form)
    attributes = _read_attributes(form, now)
    anonymous = attributes.anonymous
    name = attributes.reporter_name or reporter_name(
        _one(form, "first_name"), _one(form, "last_name")
    )
    description = _one(form, "description") or f"{category.name_zh} / {category.name_en}"
    extra = "\n".join(filter(None, (attributes.details, attributes.summary(english))))
    if extra:
        description = f"{description}\n{extra}"
    actor = Actor(
        username=f"apikey:{key.name}"[:64],
        role="api_key",
        request_id=request_id(request),
        ip=client_ip(request),
    )
    intake = service.do_intake(
        session,
        actor=actor,
        value=service.IntakeInput(
            description=description,
            channel=Channel.OPEN311,
            category_code=category.code,
            lon=place.lon,
            lat=place.lat,
            address=place.address,
            grid_code=place.grid_code,
            reporter_name=name,
            reporter_phone=_one(form, "phone"),
            anonymous=anonymous,
            idempotency_key=_idempotency_key(key, idempotency_key),
            source=f"open311:{key.name}",
        ),
        now=now,
        tz=tz_name,
    )
    session.commit()
    case = intake.case
    return [
        {
            "service_request_id": case.tracking_code,
            "service_notice": _notice(case, ZoneInfo(tz_name), english),
            "account_id": None,
        }
    ]


@router.post("/open311/v2/requests.{format}", name="open311_create_request")
def post_request(
    format: str,
    request: Request,
    session: SessionDep,
    state: StateDep,
    now: Now,
    form: FormDep,
    idempotency_key: IdempotencyKey = None,
    locale: str | None = None,
) -> Response:
    """POST Service Request (form-encoded). Authorised by ``api_key`` in the form (or the
    query, or ``X-API-Key``), checked here first: 403 without a valid key. A retry with
    the same ``Idempotency-Key`` header answers with the first request's id."""
    english = _english(_language(request, locale))

    def produce(fmt: str) -> Response:
        body = create_request(
            session,
            request,
            form,
            idempotency_key=idempotency_key,
            now=now,
            tz_name=state.settings.timezone,
            english=english,
        )
        return render(fmt, "service_requests", body)

    return _answer(request, format, produce)


# ---------------------------------------------------------------- updates (mySociety)

_KINDS = {
    "submitted": ("已提交", "Report submitted"),
    "accepted": ("已受理", "Accepted"),
    "rejected": ("不予受理", "Not accepted"),
    "merged": ("与此前的相同反映合并办理", "Merged with an earlier report of the same problem"),
    "assigned": ("已派单", "Assigned to a handling unit"),
    "acknowledged": ("承办单位已报到", "The handling unit acknowledged it"),
    "co_acknowledged": ("协办单位已报到", "A co-handling unit acknowledged it"),
    "started": ("正在处置", "Work started"),
    "resolved": ("已处置，待核查", "Resolved; awaiting verification"),
    "verified": ("已核查", "The result was verified on the spot"),
    "closed": ("已办结", "Closed"),
    "rework": ("核查未通过，返工处置", "Verification failed; work resumed"),
    "escalated": ("已上报上级（吹哨）", "Escalated to a higher level"),
    "returned": ("已退回调度员", "Returned to the dispatcher"),
    "suspension_requested": ("申请挂账", "Suspension requested"),
    "suspended": ("已挂账", "Suspended"),
    "resumed": ("恢复处置", "Work resumed"),
    "rated": ("反映人已评价", "The reporter rated the outcome"),
    "contested": ("反映人对办结有异议，重新处置", "The reporter contested the close"),
    "duplicate_merged": ("已合并一件重复反映", "A duplicate report was merged into this one"),
}


def _update_text(kind: str, state: str, english: bool) -> str:
    """What happened, from the step's kind: notes are not published (they may name
    people), as on the public tracking page."""
    zh, en = _KINDS.get(kind, (kind, kind))
    return f"{en} ({state})" if english else f"{zh}（{state}）"


def find_updates(
    session: Session,
    *,
    now: datetime,
    tz: ZoneInfo,
    start_date: str | None,
    end_date: str | None,
) -> list[tuple[CaseEvent, str, str]]:
    """Public timeline events in the window, oldest first, at most 1000, with the case's
    tracking code and the state it was in after each event."""
    start, end = window(start_date, end_date, tz, now, cap=False)
    rows = list(
        session.execute(
            select(CaseEvent, Case.tracking_code)
            .join(Case, Case.id == CaseEvent.case_id)
            .where(
                CaseEvent.public.is_(True),
                Case.spam_suspected.is_(False),
                CaseEvent.at >= start,
                CaseEvent.at <= end,
            )
            .order_by(CaseEvent.at, CaseEvent.id)
            .limit(MAX_RESULTS)
        )
    )
    # An event that did not move the case (a rating) reports the state it left the
    # case in: the last move at or before it, public or not.
    moves: dict[int, list[tuple[datetime, int, str]]] = {}
    case_ids = {event.case_id for event, _code in rows}
    if case_ids:
        for case_id, at, event_id, to_state in session.execute(
            select(CaseEvent.case_id, CaseEvent.at, CaseEvent.id, CaseEvent.to_state)
            .where(
                CaseEvent.case_id.in_(case_ids),
                CaseEvent.to_state.is_not(None),
                CaseEvent.at <= end,
            )
            .order_by(CaseEvent.at, CaseEvent.id)
        ):
            moves.setdefault(case_id, []).append((at, event_id, to_state or ""))
    found: list[tuple[CaseEvent, str, str]] = []
    for event, code in rows:
        state = event.to_state or ""
        if not state:
            for at, event_id, to_state in moves.get(event.case_id, []):
                if (at, event_id) <= (event.at, event.id):
                    state = to_state
        found.append((event, code, state or State.SUBMITTED.value))
    return found


@router.get("/open311/v2/servicerequestupdates.{format}", name="open311_updates")
def service_request_updates(
    format: str,
    request: Request,
    session: SessionDep,
    state: StateDep,
    now: Now,
    start_date: str | None = None,
    end_date: str | None = None,
    locale: str | None = None,
    jurisdiction_id: str | None = None,
) -> Response:
    """mySociety's GET Service Request Updates: the public steps of every case."""
    english = _english(_language(request, locale))
    tz = _tz(state)

    def produce(fmt: str) -> Response:
        rows: list[Node] = [
            {
                "update_id": str(event.id),
                "service_request_id": code,
                "status": PUBLIC_STATUS[State(case_state)],
                "updated_datetime": w3c(event.at, tz),
                "description": _update_text(event.kind, case_state, english),
                "media_url": None,
            }
            for event, code, case_state in find_updates(
                session, now=now, tz=tz, start_date=start_date, end_date=end_date
            )
        ]
        return render(fmt, "service_request_updates", rows)

    return _answer(request, format, produce)


# ---------------------------------------------------------------- everything else


@router.api_route(
    "/open311/{path:path}",
    methods=["GET", "POST"],
    name="open311_not_found",
    include_in_schema=False,
)
def not_found(path: str) -> Response:
    """Any other path under /open311/ answers with the specification's 404, in the
    format its extension names (XML, the required format, otherwise)."""
    fmt = "json" if path.endswith(".json") else "xml"
    return error_response(fmt, 404, [f"No such resource: /open311/{path}."])
