"""The enterprise service desk (七个优先): services an enterprise of the register
received under the seven priorities, its requests (received → accepted → resolved or
declined with a reply, due by the priority's days), and the list of enterprises with
which of the seven each received this year.

Staff whose scope covers the enterprise's region read; administrators, unit staff
(street offices, departments) and branch secretaries record and handle. Every change
is audited in the caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.accounts.rules import STAFF_ROLES, Role, within_view
from gridgov.audit.service import Actor, add_and_record, record_about
from gridgov.errors import InvalidInput, NotFound, Problem
from gridgov.outreach.enterprise_models import EnterpriseRequest, ServiceRecord
from gridgov.outreach.enterprise_rules import (
    MAX_TEXT,
    OPEN_STATES,
    Priority,
    RequestState,
    closed_late,
    coverage,
    date_problems,
    due_on,
    is_overdue,
    matches_coverage,
    request_transition,
    text_problems,
)
from gridgov.outreach.service import check_scope, move_state
from gridgov.registry import service as registry
from gridgov.registry.rules import PARTY_KINDS, OrgKind

if TYPE_CHECKING:
    from gridgov.registry.models import Organisation

SERVE_ROLES = frozenset({Role.ADMIN, Role.UNIT_STAFF, Role.BRANCH_SECRETARY})
MAX_ENTERPRISES = 2000
MAX_ROWS = 200


def may_see_enterprise(viewer: Actor, org: Organisation) -> bool:
    """An enterprise of the register, in the viewer's area (staff only)."""
    if org.kind != OrgKind.ENTERPRISE.value:
        return False
    return viewer.acts_in(STAFF_ROLES, org.region_code)


def _check_serves(actor: Actor, enterprise: Organisation) -> None:
    """The actor serves enterprises in this one's area, and it is an enterprise."""
    check_scope(actor, enterprise.region_code, SERVE_ROLES)
    if enterprise.kind != OrgKind.ENTERPRISE.value:
        raise NotFound("Not found.")


def get_enterprise(session: Session, *, enterprise_id: int, viewer: Actor) -> Organisation:
    org = registry.get_organisation(session, organisation_id=enterprise_id)
    if org is None or not may_see_enterprise(viewer, org):
        raise NotFound("Not found.")
    return org


def may_see_request(viewer: Actor, request: EnterpriseRequest) -> bool:
    return viewer.acts_in(STAFF_ROLES, request.region_code)


# ---------------------------------------------------------------- service records


def do_record_service(
    session: Session,
    *,
    actor: Actor,
    enterprise: Organisation,
    priority: Priority,
    served_on: date,
    done: str,
    outcome: str,
    today: date,
    now: datetime,
) -> ServiceRecord:
    """A service the enterprise received: under which priority, when, what was done
    and what came of it; who served is the acting account."""
    _check_serves(actor, enterprise)
    done, problems = text_problems(done, "done", MAX_TEXT)
    outcome, more = text_problems(outcome, "outcome", MAX_TEXT, required=False)
    problems += more + date_problems(served_on, "served_on", today)
    if problems:
        raise InvalidInput("The service was not recorded.", details=problems)
    row = ServiceRecord(
        enterprise_id=enterprise.id,
        region_code=enterprise.region_code,
        priority=priority.value,
        served_on=served_on,
        served_by=actor.username,
        done=done,
        outcome=outcome,
        created_at=now,
    )
    session.add(row)
    session.flush()
    summary = {"record": row.id, "priority": priority.value, "on": served_on.isoformat()}
    record_about(session, actor, "enterprise.served", enterprise, now=now, summary=summary)
    return row


def list_records(
    session: Session, *, enterprise_id: int, limit: int = MAX_ROWS
) -> list[ServiceRecord]:
    """The enterprise's service records, latest first (the caller checked the scope)."""
    return list(
        session.scalars(
            select(ServiceRecord)
            .where(ServiceRecord.enterprise_id == enterprise_id)
            .order_by(ServiceRecord.served_on.desc(), ServiceRecord.id.desc())
            .limit(limit)
        )
    )


# ---------------------------------------------------------------- requests


def do_receive_request(
    session: Session,
    *,
    actor: Actor,
    enterprise: Organisation,
    priority: Priority,
    ask: str,
    received_on: date,
    today: date,
    now: datetime,
) -> EnterpriseRequest:
    """An enterprise's ask, under a priority; due by the priority's days."""
    _check_serves(actor, enterprise)
    ask, problems = text_problems(ask, "ask", MAX_TEXT)
    problems += date_problems(received_on, "received_on", today)
    if problems:
        raise InvalidInput("The request was not recorded.", details=problems)
    request = EnterpriseRequest(
        enterprise_id=enterprise.id,
        region_code=enterprise.region_code,
        priority=priority.value,
        ask=ask,
        received_on=received_on,
        due_on=due_on(priority, received_on),
        state=RequestState.RECEIVED.value,
        recorded_by=actor.username,
        reply="",
        created_at=now,
        updated_at=now,
    )
    summary = {
        "enterprise": enterprise.id,
        "priority": priority.value,
        "due": request.due_on.isoformat(),
    }
    return add_and_record(
        session, actor, "enterprise_request.received", request, now=now, summary=summary
    )


def get_request(session: Session, *, request_id: int, viewer: Actor) -> EnterpriseRequest:
    request = session.get(EnterpriseRequest, request_id)
    if request is None or not may_see_request(viewer, request):
        raise NotFound("Not found.")
    return request


def _step_date(request: EnterpriseRequest, on: date, today: date) -> list[Problem]:
    problems = date_problems(on, "on", today)
    if not problems and on < request.received_on:
        problems.append(Problem("on", "A date before the request was received is not allowed."))
    return problems


def do_accept_request(
    session: Session,
    *,
    actor: Actor,
    request: EnterpriseRequest,
    on: date,
    today: date,
    now: datetime,
    branch_id: int | None = None,
) -> None:
    """Someone takes the request on; optionally a party organisation of the
    enterprise's area (or above it) takes it on, and its brand counts it."""
    check_scope(actor, request.region_code, SERVE_ROLES)
    request_transition(RequestState(request.state), RequestState.ACCEPTED)
    problems = _step_date(request, on, today)
    if branch_id is not None:
        branch = registry.get_organisation(session, organisation_id=branch_id)
        if (
            branch is None
            or OrgKind(branch.kind) not in PARTY_KINDS
            or not (
                request.region_code.startswith(branch.region_code)
                or branch.region_code.startswith(request.region_code)
            )
        ):
            problems.append(Problem("branch_id", "A party organisation of this area is required."))
    if problems:
        raise InvalidInput("The request was not changed.", details=problems)
    request.accepted_by = actor.username
    request.accepted_on = on
    request.branch_id = branch_id
    summary = {"on": on.isoformat(), "branch": branch_id}
    move_state(
        session,
        actor,
        "enterprise_request",
        request,
        RequestState.ACCEPTED,
        request_transition,
        now,
        summary,
    )


def do_close_request(
    session: Session,
    *,
    actor: Actor,
    request: EnterpriseRequest,
    resolved: bool,
    reply: str,
    on: date,
    today: date,
    now: datetime,
) -> None:
    """Resolve (only once accepted) or decline (received or accepted), with the reply
    the enterprise is given."""
    check_scope(actor, request.region_code, SERVE_ROLES)
    target = RequestState.RESOLVED if resolved else RequestState.DECLINED
    request_transition(RequestState(request.state), target)
    reply, problems = text_problems(reply, "reply", MAX_TEXT)
    problems += _step_date(request, on, today)
    if request.accepted_on is not None and on < request.accepted_on and not problems:
        problems.append(Problem("on", "A date before the request was accepted is not allowed."))
    if problems:
        raise InvalidInput("The request was not changed.", details=problems)
    request.reply = reply
    request.closed_by = actor.username
    request.closed_on = on
    late = closed_late(target, request.due_on, on)
    summary = {"on": on.isoformat(), "late": late}
    move_state(
        session, actor, "enterprise_request", request, target, request_transition, now, summary
    )


@dataclass(frozen=True)
class RequestView:
    request: EnterpriseRequest
    overdue: bool  # still open after its day
    late: bool  # closed after its day


def view_requests(requests: list[EnterpriseRequest], *, today: date) -> list[RequestView]:
    return [
        RequestView(
            r,
            is_overdue(RequestState(r.state), r.due_on, today),
            closed_late(RequestState(r.state), r.due_on, r.closed_on),
        )
        for r in requests
    ]


def list_requests(
    session: Session, *, enterprise_id: int, limit: int = MAX_ROWS
) -> list[EnterpriseRequest]:
    """The enterprise's requests, open first, then latest (the caller checked the scope)."""
    rows = session.scalars(
        select(EnterpriseRequest)
        .where(EnterpriseRequest.enterprise_id == enterprise_id)
        .order_by(EnterpriseRequest.received_on.desc(), EnterpriseRequest.id.desc())
        .limit(limit)
    ).all()
    open_values = {s.value for s in OPEN_STATES}
    return sorted(rows, key=lambda r: r.state not in open_values)


# ---------------------------------------------------------------- the list


@dataclass(frozen=True)
class EnterpriseRow:
    enterprise: Organisation
    received: tuple[Priority, ...]  # which of the seven this year
    services: int  # records this year
    open_requests: int
    overdue_requests: int


def enterprise_rows(
    session: Session,
    *,
    viewer: Actor,
    today: date,
    macau: bool | None = None,
    priority: Priority | None = None,
    covered: bool = True,
    q: str = "",
) -> list[EnterpriseRow]:
    """Enterprises in the viewer's area with this year's coverage of the seven
    priorities and their open and overdue requests; filtered by Macau funding and by
    whether a priority was (or was not) received this year."""
    orgs = [
        o
        for o in registry.list_organisations(
            session, viewer=viewer, kind=OrgKind.ENTERPRISE.value, q=q, limit=MAX_ENTERPRISES
        )
        if macau is None or o.macau_funded is macau
    ]
    ids = [o.id for o in orgs]
    received: dict[int, list[str]] = {}
    services: dict[int, int] = {}
    open_: dict[int, int] = {}
    overdue: dict[int, int] = {}
    if ids:
        start = date(today.year, 1, 1)
        for enterprise_id, value in session.execute(
            select(ServiceRecord.enterprise_id, ServiceRecord.priority).where(
                ServiceRecord.enterprise_id.in_(ids),
                ServiceRecord.served_on >= start,
                ServiceRecord.served_on <= today,
            )
        ):
            received.setdefault(enterprise_id, []).append(value)
            services[enterprise_id] = services.get(enterprise_id, 0) + 1
        for enterprise_id, state, due in session.execute(
            select(
                EnterpriseRequest.enterprise_id, EnterpriseRequest.state, EnterpriseRequest.due_on
            ).where(
                EnterpriseRequest.enterprise_id.in_(ids),
                EnterpriseRequest.state.in_([s.value for s in OPEN_STATES]),
            )
        ):
            open_[enterprise_id] = open_.get(enterprise_id, 0) + 1
            if is_overdue(RequestState(state), due, today):
                overdue[enterprise_id] = overdue.get(enterprise_id, 0) + 1
    rows = [
        EnterpriseRow(
            o,
            coverage(received.get(o.id, [])),
            services.get(o.id, 0),
            open_.get(o.id, 0),
            overdue.get(o.id, 0),
        )
        for o in orgs
        if priority is None or matches_coverage(received.get(o.id, []), priority, covered)
    ]
    return rows


def open_requests_in_scope(
    session: Session, *, viewer: Actor, limit: int = MAX_ROWS
) -> list[EnterpriseRequest]:
    """Open requests in the viewer's area, the earliest due first (the desk's queue)."""
    query = (
        select(EnterpriseRequest)
        .where(EnterpriseRequest.state.in_([s.value for s in OPEN_STATES]))
        .order_by(EnterpriseRequest.due_on, EnterpriseRequest.id)
    )
    query = within_view(query, viewer, EnterpriseRequest.region_code)
    return list(session.scalars(query.limit(limit)))
