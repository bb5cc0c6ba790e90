"""POST a service request: authenticate the key in the form body, check the location,
attributes and media, then intake through the cases service."""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from gridgov.accounts import service as accounts
from gridgov.accounts.models import ApiKey
from gridgov.audit.service import Actor
from gridgov.cases import open311_attributes, service
from gridgov.cases.open311.discovery import _leaf
from gridgov.cases.open311.reading import _notice
from gridgov.cases.open311.wire import (
    IDEMPOTENCY_KEY_LENGTH,
    MEDIA_URL_LENGTH,
    Node,
    Open311Error,
    _answer,
    _english,
    _language,
    render,
)
from gridgov.cases.rules import Channel
from gridgov.registry import public as registry_public
from gridgov.web.deps import Now, SessionDep, StateDep, client_ip, request_id

router = APIRouter(tags=["open311"])

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
