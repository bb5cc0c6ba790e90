"""mySociety's ``servicerequestupdates`` extension, and the catch-all that answers any
other path under /open311/ with the specification's 404."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from fastapi import APIRouter
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.cases.models import Case, CaseEvent
from gridgov.cases.open311.wire import (
    MAX_RESULTS,
    Node,
    ReadingDep,
    error_response,
    render,
    w3c,
    window,
)
from gridgov.cases.rules import PUBLIC_STATUS, State

router = APIRouter(tags=["open311"])

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
    format: str, call: ReadingDep, start_date: str | None = None, end_date: str | None = None
) -> Response:
    """mySociety's GET Service Request Updates: the public steps of every case."""
    tz, english = call.tz, call.english

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
                call.session, now=call.now, tz=tz, start_date=start_date, end_date=end_date
            )
        ]
        return render(fmt, "service_request_updates", rows)

    return call.answer(format, produce)


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
