"""Reading service requests: cases known by their tracking code, public fields only,
personal numbers redacted; by id, by token and by query."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.cases import service
from gridgov.cases.models import Case, Category
from gridgov.cases.open311.discovery import _groups, _name
from gridgov.cases.open311.wire import (
    MAX_IDS,
    MAX_RESULTS,
    Node,
    Open311Error,
    ReadingDep,
    _answer,
    _split,
    render,
    w3c,
    window,
)
from gridgov.cases.rules import PUBLIC_STATUS, State
from gridgov.clock import local_minute
from gridgov.fields import mask_id, mask_phone
from gridgov.registry import public as registry_public

router = APIRouter(tags=["open311"])


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
    due = local_minute(case.resolution_due_at, tz)
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


class RequestFilters(BaseModel):
    """GET Service Requests' filters (its query parameters), as the specification names
    them: comma-separated lists, W3C date-times."""

    service_request_id: str | None = None
    service_code: str | None = None
    start_date: str | None = None
    end_date: str | None = None
    status: str | None = None


def find_requests(
    session: Session, *, now: datetime, tz: ZoneInfo, filters: RequestFilters
) -> list[Case]:
    """The cases ``filters`` ask for. ``service_request_id`` overrides the others; the
    rest combine. Newest first, at most 1000; cases held as spam never show."""
    query = select(Case).where(Case.spam_suspected.is_(False))
    ids = [code.upper() for code in _split(filters.service_request_id)]
    if ids:
        if len(ids) > MAX_IDS:
            raise Open311Error(400, f"At most {MAX_IDS} service_request_id values at once.")
        query = query.where(Case.tracking_code.in_(ids))
    else:
        start, end = window(filters.start_date, filters.end_date, tz, now, cap=True)
        query = query.where(Case.created_at >= start, Case.created_at <= end)
        codes = _split(filters.service_code)
        if codes:
            query = query.where(Case.category_code.in_(codes))
        statuses = [s.lower() for s in _split(filters.status)]
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
    format: str, call: ReadingDep, filters: Annotated[RequestFilters, Query()]
) -> Response:
    """GET Service Requests, with every filter of the specification."""

    def produce(fmt: str) -> Response:
        found = find_requests(call.session, now=call.now, tz=call.tz, filters=filters)
        lookups = Lookups.of(call.session)
        rows: list[Node] = [_request_row(case, lookups, call.tz, call.english) for case in found]
        return render(fmt, "service_requests", rows)

    return call.answer(format, produce)


@router.get("/open311/v2/requests/{service_request_id}.{format}", name="open311_request")
def get_request(service_request_id: str, format: str, call: ReadingDep) -> Response:
    """GET Service Request: one case by its tracking code (a list of one, as specified)."""

    def produce(fmt: str) -> Response:
        case = service.get_by_tracking_code(call.session, service_request_id)
        if case.spam_suspected:  # held for review: not public, as in the list
            raise Open311Error(404, f"No service request {service_request_id!r}.")
        row = _request_row(case, Lookups.of(call.session), call.tz, call.english)
        return render(fmt, "service_requests", [row])

    return call.answer(format, produce)


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
