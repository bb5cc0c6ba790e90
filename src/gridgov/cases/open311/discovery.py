"""Service discovery and the services: the active leaf categories, their deadlines and
their attributes."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov.audit.models import AuditEvent
from gridgov.cases import open311_attributes, service
from gridgov.cases.calendar import DeadlineUnit
from gridgov.cases.models import Category
from gridgov.cases.open311.wire import (
    API_CHANGESET,
    DISCOVERY_FORMATS,
    SPECIFICATION,
    Node,
    Open311Error,
    ReadingDep,
    _answer,
    _english,
    _tz,
    render,
)
from gridgov.clock import local_minute
from gridgov.web.deps import SessionDep, StateDep

router = APIRouter(tags=["open311"])


def changeset(session: Session, tz: ZoneInfo) -> str:
    """Sortable: the later of the API's own date and the last catalogue load."""
    # A read of the audit table: the catalogue has no timestamp of its own.
    loaded = session.scalar(
        select(func.max(AuditEvent.at)).where(AuditEvent.action == "categories.loaded")
    )
    if loaded is None:
        return API_CHANGESET
    return max(API_CHANGESET, local_minute(loaded, tz))


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


def _discovery_as(fmt: str, request: Request, session: Session, state: StateDep) -> Response:
    return _answer(
        request,
        fmt,
        lambda fmt: render(fmt, "discovery", _discovery(request, session, _tz(state))),
    )


@router.get("/open311/discovery.json", name="open311_discovery_json")
def discovery_json(request: Request, session: SessionDep, state: StateDep) -> Response:
    """Service discovery (JSON)."""
    return _discovery_as("json", request, session, state)


@router.get("/open311/discovery.xml", name="open311_discovery_xml")
def discovery_xml(request: Request, session: SessionDep, state: StateDep) -> Response:
    """Service discovery (XML)."""
    return _discovery_as("xml", request, session, state)


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


# A service's description, English and Chinese: response, resolution and department
# phrases, then how they are joined and ended.
_DESCRIPTION = {
    True: ("Response within {}", "resolved within {}", "handled by {}", ", ", "."),
    False: ("{}内响应", "{}内办结", "承办单位：{}", "，", "。"),
}


def _service_description(category: Category, english: bool) -> str:
    respond, resolve, handled_by, comma, stop = _DESCRIPTION[english]
    phrases = (
        (respond, _deadline(category.response_amount, category.response_unit, english)),
        (resolve, _deadline(category.resolution_amount, category.resolution_unit, english)),
        (handled_by, category.department),
    )
    parts = [phrase.format(value) for phrase, value in phrases if value]
    return (comma.join(parts) + stop) if parts else _name(category, english)


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
def services(format: str, call: ReadingDep) -> Response:
    """GET Service List: every active leaf category. ``locale=en`` names them in English."""
    return call.answer(
        format, lambda fmt: render(fmt, "services", _services(call.session, call.language))
    )


def _attributes(english: bool) -> list[Node]:
    return list(open311_attributes.definitions(english))


@router.get("/open311/v2/services/{service_code}.{format}", name="open311_service_definition")
def service_definition(service_code: str, format: str, call: ReadingDep) -> Response:
    """GET Service Definition: the two attributes every service takes."""

    def produce(fmt: str) -> Response:
        category = _leaf(call.session, service_code)
        body = {"service_code": category.code, "attributes": _attributes(call.english)}
        return render(fmt, "service_definition", body)

    return call.answer(format, produce)
