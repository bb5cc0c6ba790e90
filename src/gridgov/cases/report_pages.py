"""The public report form (no login): ``/report``, and the area and grids it draws on
its map (``/report/area.geojson``, ``/report/grids.geojson``)."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from gridgov.audit.service import Actor
from gridgov.cases import reporter, service
from gridgov.cases.page_helpers import (
    REPORT_PHOTOS,
    _categories,
    _coordinate,
    category_groups,
    read_photos,
)
from gridgov.cases.rules import Channel
from gridgov.errors import DomainError, NotFound
from gridgov.guard.rules import Write
from gridgov.guard.service import check_rate
from gridgov.msgids import N_
from gridgov.territory import service as territory
from gridgov.territory.models import Region
from gridgov.web.deps import (
    CSRF_COOKIE,
    CsrfChecked,
    OptionalUser,
    SessionDep,
    client_ip,
)
from gridgov.web.render import language_of, no_store, render, render_form
from gridgov.web.toolkit import Visitor, VisitorDep

router = APIRouter(include_in_schema=False)


def _report_page(
    request: Request,
    session: Session,
    form: dict[str, str],
    *,
    error: DomainError | None = None,
) -> HTMLResponse:
    context = {
        "groups": category_groups(_categories(session), language_of(request)),
        "form": form,
        "max_photos": REPORT_PHOTOS,
    }
    return no_store(render_form(request, "cases/report.html", context, error))


def _new_key() -> str:
    return "web-" + secrets.token_urlsafe(18)


def _sender(seen: Visitor) -> tuple[str, str]:
    """Who sends the report: the case's source and the principal its idempotency key
    belongs to."""
    user, request = seen.user, seen.request
    if user is not None:
        return f"user:{user.username}", f"user:{user.id}"
    # The anonymous form's session: this browser's CSRF cookie (verified by the route).
    return f"web:{client_ip(request)}", "form:" + request.cookies.get(CSRF_COOKIE, "")


@router.get("/report", response_class=HTMLResponse)
def report_page(request: Request, session: SessionDep, user: OptionalUser) -> HTMLResponse:
    """Report a problem; anyone may, without an account."""
    return _report_page(request, session, {"idempotency_key": _new_key()})


class ReportForm(BaseModel):
    """The report form, as typed (its photos come beside it, as files)."""

    description: str = Field(default="", max_length=4000)
    category: str = Field(default="", max_length=16)
    lon: str = Field(default="", max_length=32)
    lat: str = Field(default="", max_length=32)
    address: str = Field(default="", max_length=256)
    name: str = Field(default="", max_length=64)
    phone: str = Field(default="", max_length=32)
    anonymous: str = Field(default="", max_length=8)
    idempotency_key: str = Field(default="", max_length=128)


@router.post("/report", response_class=HTMLResponse, dependencies=[CsrfChecked])
def report_submit(
    seen: VisitorDep,
    report: Annotated[ReportForm, Form()],
    photos: Annotated[list[UploadFile] | None, File()] = None,
) -> HTMLResponse:
    request, session, now, user = seen.request, seen.session, seen.now, seen.user
    hidden = bool(report.anonymous)
    if hidden:  # an anonymous report keeps no name or phone, not even on the form again
        report = report.model_copy(update={"name": "", "phone": "", "anonymous": "1"})
    form = {**report.model_dump(), "idempotency_key": report.idempotency_key or _new_key()}
    try:
        pictures = read_photos(photos, REPORT_PHOTOS, N_("The report was not taken."))
        source, principal = _sender(seen)
        staff = user is not None and reporter.is_staff(user.role)
        check_rate(
            session,
            write=Write.REPORT_STAFF if staff else Write.REPORT,
            source=principal if staff else client_ip(request),
            now=now,
        )
        intake = service.do_intake(
            session,
            actor=seen.actor,
            value=service.IntakeInput(
                description=report.description,
                channel=Channel.WEB,
                category_code=report.category or None,
                lon=_coordinate(report.lon),
                lat=_coordinate(report.lat),
                address=report.address,
                reporter_name=report.name,
                reporter_phone=report.phone,
                reporter_user_id=user.id if user is not None else None,
                anonymous=hidden,
                idempotency_key=report.idempotency_key or None,
                source=source,
                principal=principal,
                photos=pictures,
            ),
            now=now,
            tz=seen.state.settings.timezone,
        )
    except DomainError as exc:
        session.rollback()
        return _report_page(request, session, form, error=exc)
    session.commit()
    return no_store(
        render(
            request,
            "cases/reported.html",
            {
                "code": intake.case.tracking_code,
                "created": intake.created,
                "secret": intake.secret,
            },
        )
    )


def _top_region(session: Session) -> Region | None:
    """The district the report map shows: the district, or else the top of the tree."""
    regions = territory.list_regions(session, viewer=Actor.system(), limit=50)
    return next((r for r in regions if r.level == "district"), None) or next(
        (r for r in regions if r.parent_code is None), None
    )


@router.get("/report/area.geojson")
def report_area(session: SessionDep) -> JSONResponse:
    """The district's outline, for the report form's map (public: no login needed)."""
    top = _top_region(session)
    if top is None or top.geometry is None:
        raise NotFound("Not found, or outside your area.")
    feature = territory.children_geojson(session, parent=top)["parent"]
    return JSONResponse(
        feature,
        media_type="application/geo+json",
        headers={"Cache-Control": "public, max-age=600"},
    )


@router.get("/report/grids.geojson")
def report_grids(session: SessionDep) -> JSONResponse:
    """The district's grid lines, for the report form's map without a tile server: a
    resident sees which grid they tap in (public: no login needed)."""
    top = _top_region(session)
    if top is None:
        raise NotFound("Not found, or outside your area.")
    return JSONResponse(
        territory.grids_geojson(session, under=top.code),
        media_type="application/geo+json",
        headers={"Cache-Control": "public, max-age=600"},
    )
