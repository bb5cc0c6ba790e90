"""Broadcast pages: write a notice once with one block per language, send it, follow
its receipts per language, list the households it did not reach and put them first
on the check-in list."""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gridgov.accounts.models import User
from gridgov.crisis import broadcasts, rules
from gridgov.crisis.labels import BLOCK_LANGUAGES
from gridgov.crisis.models import Broadcast
from gridgov.crisis.pages import IncidentPage, StaffPage, may_command
from gridgov.crisis.rules import Block, BroadcastSeverity, DeliveryStatus
from gridgov.errors import InvalidInput, Problem
from gridgov.registry import service as registry
from gridgov.web.render import local_time, no_store, render
from gridgov.web.toolkit import Desk, committed, desk, form_post, scoped

router = APIRouter(include_in_schema=False)
MAX_FORM_BLOCKS = 12


scoped_broadcast_page = scoped(Broadcast, "broadcast_id", StaffPage, broadcasts.may_see_broadcast)
BroadcastPage = Annotated[Broadcast, Depends(scoped_broadcast_page)]


StaffDesk = Annotated[Desk, Depends(desk(StaffPage, name="staff_desk"))]


@router.get("/crisis/{incident_id}/broadcasts/new", response_class=HTMLResponse)
def new_broadcast(incident: IncidentPage, request: Request, user: StaffPage) -> HTMLResponse:
    return no_store(
        render(
            request,
            "crisis/broadcast_new.html",
            {
                "incident": incident,
                "languages": BLOCK_LANGUAGES,
                "severities": [s.value for s in BroadcastSeverity],
                "may_command": may_command(user),
            },
        )
    )


@form_post(router, "/crisis/{incident_id}/broadcasts")
async def create_broadcast(incident: IncidentPage, desk: StaffDesk) -> Response:
    """One block per language: fields ``headline_<lang>`` and ``body_<lang>``; blocks
    left empty are not part of the broadcast."""
    form = await desk.request.form()
    blocks = []
    for code, _name in BLOCK_LANGUAGES[:MAX_FORM_BLOCKS]:
        headline = str(form.get(f"headline_{code}", ""))[:200]
        body = str(form.get(f"body_{code}", ""))[:4000]
        if headline.strip() or body.strip():
            blocks.append(Block(code, headline, body))
    fallback = str(form.get("fallback", ""))[:16]
    severity = str(form.get("severity", "bulletin"))[:16]
    if fallback not in {b.language for b in blocks} and blocks:
        raise InvalidInput(
            "The broadcast was not saved.",
            details=[Problem("fallback", "The fallback language must be one of the blocks.")],
        )
    actor = desk.actor
    broadcast = broadcasts.do_create_broadcast(
        desk.session,
        actor=actor,
        incident=incident,
        region_code=incident.region_code,
        area_codes=rules.split(incident.area_codes),
        severity=severity,
        fallback_language=fallback,
        blocks=blocks,
        now=desk.now,
    )
    return committed(desk.session, f"/crisis/broadcasts/{broadcast.id}")


@router.get("/crisis/broadcasts/{broadcast_id}", response_class=HTMLResponse)
def broadcast_page(broadcast: BroadcastPage, desk: StaffDesk) -> HTMLResponse:
    session = desk.session
    actor = desk.actor
    tz = ZoneInfo(desk.tz)
    missed = broadcasts.not_reached(session, broadcast=broadcast, viewer=actor, limit=200)
    households = registry.households_by_id(session, ids=[m.household_id for m in missed])
    names = dict(BLOCK_LANGUAGES)
    return no_store(
        render(
            desk.request,
            "crisis/broadcast.html",
            {
                "broadcast": broadcast,
                "blocks": broadcasts.blocks_of(session, broadcast),
                "names": names,
                "sent": local_time(broadcast.sent_at, tz),
                "receipts": broadcasts.receipt_counts(session, broadcast=broadcast, viewer=actor),
                "statuses": [s.value for s in DeliveryStatus],
                "missed": missed,
                "households": households,
                "may_command": _may_send(desk.user, broadcast),
            },
        )
    )


def _may_send(user: User, broadcast: Broadcast) -> bool:
    return may_command(user) and broadcast.region_code.startswith(user.effective_scope or "-")


@form_post(router, "/crisis/broadcasts/{broadcast_id}/send")
def send_broadcast(broadcast: BroadcastPage, desk: StaffDesk) -> Response:
    broadcasts.do_send_broadcast(desk.session, actor=desk.actor, broadcast=broadcast, now=desk.now)
    return committed(desk.session, f"/crisis/broadcasts/{broadcast.id}")


@form_post(router, "/crisis/broadcasts/{broadcast_id}/receipts")
def refresh_receipts(broadcast: BroadcastPage, desk: StaffDesk) -> Response:
    broadcasts.do_refresh_receipts(desk.session, broadcast=broadcast, now=desk.now)
    return committed(desk.session, f"/crisis/broadcasts/{broadcast.id}")


@form_post(router, "/crisis/broadcasts/{broadcast_id}/feed")
def feed_checkins(broadcast: BroadcastPage, desk: StaffDesk) -> Response:
    session = desk.session
    actor = desk.actor
    broadcasts.do_refresh_receipts(session, broadcast=broadcast, now=desk.now)
    broadcasts.do_feed_checkins(session, actor=actor, broadcast=broadcast, now=desk.now)
    session.commit()
    target = f"/crisis/{broadcast.incident_id}/checkins" if broadcast.incident_id else "/crisis"
    return RedirectResponse(target, status_code=303)
