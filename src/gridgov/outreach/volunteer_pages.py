"""Volunteer pages (phone-first, 360 px): teams, one team (members, activities, a new
activity), one activity (sign-ups and the check-in list), the hours table per volunteer
and per team with certificate downloads, and the public check of a certificate's code.

Organisers are grid workers, branch secretaries and administrators in scope, and the
team's leader when their resident account is linked to the register. A volunteer who
signs in sees their own teams, signs up for activities and reads their own hours.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from gridgov import clock
from gridgov.accounts.models import User
from gridgov.accounts.rules import Role
from gridgov.errors import DomainError, InvalidInput, Problem
from gridgov.msgids import N_
from gridgov.outreach import rules, volunteers
from gridgov.outreach.certificate_pdf import CertificateText, render_certificate
from gridgov.outreach.models import VolunteerActivity, VolunteerCertificate, VolunteerTeam
from gridgov.web.deps import SessionDep, StateDep, require_roles
from gridgov.web.regions import region_choices
from gridgov.web.render import download, language_of, render, render_form
from gridgov.web.toolkit import Desk, PageDesk, desk, form_post

router = APIRouter(include_in_schema=False)
Organiser = Annotated[
    User, Depends(require_roles(Role.GRID_WORKER, Role.BRANCH_SECRETARY, Role.ADMIN, page=True))
]
OrganiserDesk = Annotated[Desk, Depends(desk(Organiser, name="organiser_desk"))]
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
ResidentField = Annotated[int, Form(ge=1, le=2**31 - 1)]
AtField = Annotated[str, Form(max_length=8)]
PDF = "application/pdf"
HOURS_ROWS_SHOWN = 200  # the per-volunteer table; choosing a team narrows it


def _acting(desk: Desk) -> volunteers.Acting:
    return volunteers.Acting(desk.actor, desk.user.resident_id)


def _local(moment: datetime | None, state: StateDep) -> str:
    return clock.local_minute(moment, state.settings.timezone)


def _parse_local(value: str, field: str, state: StateDep) -> datetime:
    """A ``datetime-local`` field (``2026-12-06T09:00``) on the office's clock, in UTC."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        problem = Problem(field, "Give a date and time.")
        raise InvalidInput("The activity was not created.", details=[problem]) from exc
    if moment.tzinfo is not None or not 2000 <= moment.year <= 2200:
        raise InvalidInput(
            "The activity was not created.", details=[Problem(field, "Give a date and time.")]
        )
    return moment.replace(tzinfo=clock.office_zone(state.settings.timezone))


def _parse_date(value: str, field: str) -> date:
    try:
        parsed = date.fromisoformat(value.strip())
    except ValueError as exc:
        raise InvalidInput(
            N_("Give the day as YYYY-MM-DD."),
            details=[Problem(field, N_("Give the day as YYYY-MM-DD."))],
        ) from exc
    if not 2000 <= parsed.year <= 2200:
        raise InvalidInput(
            N_("Give the day as YYYY-MM-DD."),
            details=[Problem(field, N_("Give the day as YYYY-MM-DD."))],
        )
    return parsed


# ---------------------------------------------------------------- teams

TEAM_LEVELS = ("district", "street", "community", "grid")


def _home(
    desk: Desk, *, exc: DomainError | None = None, form: dict[str, object] | None = None
) -> HTMLResponse:
    context = {
        "teams": volunteers.list_teams(desk.session, acting=_acting(desk)),
        "may_create": (may_create := desk.user.role in volunteers.ORGANISER_ROLES),
        "form": form or {},
        # the regions a new team can serve, by name
        "regions": region_choices(desk.session, desk.actor, TEAM_LEVELS) if may_create else [],
    }
    return render_form(desk.request, "outreach/volunteers.html", context, exc)


@router.get("/volunteers", response_class=HTMLResponse)
def volunteers_home(desk: PageDesk) -> HTMLResponse:
    return _home(desk)


@form_post(router, "/volunteers/teams")
def team_create(
    desk: OrganiserDesk,
    region_code: Annotated[str, Form(pattern=r"^[0-9]{6,15}$")],
    name: Annotated[str, Form(max_length=128)] = "",
    international: Annotated[bool, Form()] = False,
) -> Response:
    form = {"region_code": region_code, "name": name, "international": international}
    return desk.form(
        desk.action(
            volunteers.do_create_team,
            region_code=region_code,
            name=name,
            international=international,
            leader_id=None,
            today=desk.today,
        ),
        to=lambda team: f"/volunteers/teams/{team.id}",
        on_error=lambda exc: _home(desk, exc=exc, form=form),
    )


def _team_page(
    desk: Desk,
    team: VolunteerTeam,
    *,
    exc: DomainError | None = None,
    form: dict[str, object] | None = None,
) -> HTMLResponse:
    session, state, acting = desk.session, desk.state, _acting(desk)
    organiser = volunteers.may_organise(acting, team)
    members = volunteers.team_members(session, team)
    leader = next((m for m in members if m.id == team.leader_id), None)
    activities = [
        {
            "activity": a,
            "signed": n,
            "starts": _local(a.starts_at, state),
            "ends": _local(a.ends_at, state)[-5:],
            "hours": rules.hours_text(a.credit_minutes),
        }
        for a, n in volunteers.team_activities(session, team)
    ]
    context = {
        "team": team,
        "organiser": organiser,
        "members": members,
        "leader": leader,
        "candidates": (
            volunteers.member_candidates(session, team=team, viewer=acting.actor)
            if organiser and not acting.is_resident
            else []
        ),
        "activities": activities,
        "form": form or {},
    }
    return render_form(desk.request, "outreach/volunteer_team.html", context, exc)


@router.get("/volunteers/teams/{team_id}", response_class=HTMLResponse)
def team_page(team_id: Id, desk: PageDesk) -> HTMLResponse:
    team = volunteers.get_team(desk.session, team_id=team_id, acting=_acting(desk))
    return _team_page(desk, team)


@form_post(router, "/volunteers/teams/{team_id}/members")
def member_add(team_id: Id, desk: PageDesk, resident_id: ResidentField) -> Response:
    acting = _acting(desk)
    team = volunteers.get_team(desk.session, team_id=team_id, acting=acting)
    return desk.form(
        lambda: volunteers.do_add_member(
            desk.session,
            acting=acting,
            team=team,
            resident_id=resident_id,
            today=desk.today,
            now=desk.now,
        ),
        to=f"/volunteers/teams/{team_id}",
        on_error=lambda exc: _team_page(desk, team, exc=exc),
        flash=N_("The volunteer joined the team."),
    )


@form_post(router, "/volunteers/teams/{team_id}/leader")
def leader_set(team_id: Id, desk: OrganiserDesk, resident_id: ResidentField) -> Response:
    team = volunteers.get_team(desk.session, team_id=team_id, acting=_acting(desk))
    return desk.form(
        desk.action(volunteers.do_set_leader, team=team, resident_id=resident_id),
        to=f"/volunteers/teams/{team_id}",
        on_error=lambda exc: _team_page(desk, team, exc=exc),
    )


class ActivityForm(BaseModel):
    """The new activity form, as typed (the times are read when it is saved)."""

    title: str = Field(default="", max_length=200)
    place: str = Field(default="", max_length=200)
    starts_at: str = Field(default="", max_length=32)
    ends_at: str = Field(default="", max_length=32)
    capacity: int = Field(default=10, ge=1, le=rules.MAX_CAPACITY)
    hours: float = Field(default=2.0, ge=0.5, le=rules.MAX_ACTIVITY_MINUTES / 60)

    def draft(self, state: StateDep) -> rules.ActivityDraft:
        return rules.ActivityDraft(
            title=self.title,
            place=self.place,
            starts_at=_parse_local(self.starts_at, "starts_at", state),
            ends_at=_parse_local(self.ends_at, "ends_at", state),
            capacity=self.capacity,
            credit_minutes=round(self.hours * 60),
        )


@form_post(router, "/volunteers/teams/{team_id}/activities")
def activity_create(
    team_id: Id, desk: PageDesk, typed: Annotated[ActivityForm, Form()]
) -> Response:
    acting = _acting(desk)
    team = volunteers.get_team(desk.session, team_id=team_id, acting=acting)

    def run() -> VolunteerActivity:
        return volunteers.do_create_activity(
            desk.session, acting=acting, team=team, draft=typed.draft(desk.state), now=desk.now
        )

    return desk.form(
        run,
        to=lambda activity: f"/volunteers/activities/{activity.id}",
        on_error=lambda exc: _team_page(desk, team, exc=exc, form=typed.model_dump()),
    )


# ---------------------------------------------------------------- one activity


def _activity_page(
    desk: Desk,
    activity: VolunteerActivity,
    team: VolunteerTeam,
    *,
    exc: DomainError | None = None,
) -> HTMLResponse:
    session, state, user, acting = desk.session, desk.state, desk.user, _acting(desk)
    organiser = volunteers.may_organise(acting, team)
    signups = volunteers.activity_signups(session, activity)
    signed = {row.signup.resident_id for row in signups}
    rows = [
        {
            "row": row,
            "checked_in": _local(row.signup.checked_in_at, state)[-5:],
            "checked_out": _local(row.signup.checked_out_at, state)[-5:],
            "hours": rules.hours_text(row.signup.minutes),
        }
        for row in signups
    ]
    members = volunteers.team_members(session, team) if organiser else []
    context = {
        "activity": activity,
        "team": team,
        "organiser": organiser,
        "starts": _local(activity.starts_at, state),
        "ends": _local(activity.ends_at, state),
        "hours": rules.hours_text(activity.credit_minutes),
        "rows": rows,
        "places_left": max(0, activity.capacity - len(signups)),
        "open": desk.now < activity.ends_at,
        "may_sign_self": (
            acting.is_resident
            and user.resident_id is not None
            and user.resident_id not in signed
            and any(m.id == user.resident_id for m in volunteers.team_members(session, team))
        ),
        "unsigned": [m for m in members if m.id not in signed],
    }
    return render_form(desk.request, "outreach/volunteer_activity.html", context, exc)


@router.get("/volunteers/activities/{activity_id}", response_class=HTMLResponse)
def activity_page(activity_id: Id, desk: PageDesk) -> HTMLResponse:
    activity, team = volunteers.get_activity(
        desk.session, activity_id=activity_id, acting=_acting(desk)
    )
    return _activity_page(desk, activity, team)


@form_post(router, "/volunteers/activities/{activity_id}/signups")
def signup_create(
    activity_id: Id,
    desk: PageDesk,
    resident_id: Annotated[int | None, Form(ge=1, le=2**31 - 1)] = None,
) -> Response:
    """Sign up: a volunteer for themselves (no resident given), an organiser for a member."""
    acting = _acting(desk)
    activity, team = volunteers.get_activity(desk.session, activity_id=activity_id, acting=acting)
    who = resident_id if resident_id is not None else desk.user.resident_id

    def run() -> object:
        if who is None:
            problem = Problem("resident_id", "Choose a volunteer.")
            raise InvalidInput("The sign-up was not recorded.", details=[problem])
        return volunteers.do_sign_up(
            desk.session, acting=acting, activity=activity, team=team, resident_id=who, now=desk.now
        )

    return desk.form(
        run,
        to=f"/volunteers/activities/{activity_id}",
        on_error=lambda exc: _activity_page(desk, activity, team, exc=exc),
        flash=N_("Signed up."),
    )


def _attendance_time(
    value: str, activity: VolunteerActivity, state: StateDep, now: datetime
) -> datetime:
    """The time the organiser typed (``HH:MM`` on the activity's local day), or now."""
    if not value.strip():
        return now
    try:
        wall = time.fromisoformat(value.strip())
    except ValueError as exc:
        problem = Problem("at", "Give the time as HH:MM.")
        raise InvalidInput("Give the time as HH:MM.", details=[problem]) from exc
    zone = clock.office_zone(state.settings.timezone)
    day = activity.starts_at.astimezone(zone).date()
    moment = datetime.combine(day, wall.replace(tzinfo=None), tzinfo=zone)
    # An activity past midnight: a time before its start belongs to the next day.
    if moment < activity.starts_at - rules.CHECK_IN_EARLY:
        moment += timedelta(days=1)
    return moment


def _attendance(desk: Desk, activity_id: int, signup_id: int, at: str, *, out: bool) -> Response:
    acting = _acting(desk)
    activity, team = volunteers.get_activity(desk.session, activity_id=activity_id, acting=acting)
    do = volunteers.do_check_out if out else volunteers.do_check_in

    def run() -> object:
        return do(
            desk.session,
            acting=acting,
            activity=activity,
            team=team,
            signup_id=signup_id,
            at=_attendance_time(at, activity, desk.state, desk.now),
            now=desk.now,
        )

    return desk.form(
        run,
        to=f"/volunteers/activities/{activity_id}",
        on_error=lambda exc: _activity_page(desk, activity, team, exc=exc),
    )


@form_post(router, "/volunteers/activities/{activity_id}/signups/{signup_id}/check-in")
def check_in(activity_id: Id, signup_id: Id, desk: PageDesk, at: AtField = "") -> Response:
    return _attendance(desk, activity_id, signup_id, at, out=False)


@form_post(router, "/volunteers/activities/{activity_id}/signups/{signup_id}/check-out")
def check_out(activity_id: Id, signup_id: Id, desk: PageDesk, at: AtField = "") -> Response:
    return _attendance(desk, activity_id, signup_id, at, out=True)


# ---------------------------------------------------------------- hours and certificates


def _default_period(today: date) -> tuple[date, date]:
    return date(today.year, 1, 1), today


@router.get("/volunteers/hours", response_class=HTMLResponse)
def hours_page(
    desk: PageDesk,
    start: Annotated[str, Query(max_length=10)] = "",
    end: Annotated[str, Query(max_length=10)] = "",
    team: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> HTMLResponse:
    """Hours per volunteer and per team in a period; a volunteer sees their own."""
    session, acting = desk.session, _acting(desk)
    first, last = _default_period(desk.today)
    error: DomainError | None = None
    rows: list[volunteers.HoursRow] = []
    try:
        first = _parse_date(start, "start") if start else first
        last = _parse_date(end, "end") if end else last
        rows = volunteers.hours(
            session,
            acting=acting,
            start=first,
            end=last,
            tz=desk.tz,
            team_id=team,
        )
    except DomainError as exc:
        error = exc
    teams = {t.team.id: t for t in volunteers.list_teams(session, acting=acting)}
    context = {
        "rows": rows[:HOURS_ROWS_SHOWN],
        "hidden": max(0, len(rows) - HOURS_ROWS_SHOWN),
        "by_team": volunteers.hours_by_team(rows),
        "total": rules.hours_text(sum(r.minutes for r in rows)),
        "start": first.isoformat(),
        "end": last.isoformat(),
        "team_id": team,
        "teams": list(teams.values()),
        "may_certify": {
            r.team_id
            for r in rows
            if r.team_id in teams and volunteers.may_organise(acting, teams[r.team_id].team)
        },
        "own": desk.user.resident_id,
    }
    return render_form(desk.request, "outreach/volunteer_hours.html", context, error)


@form_post(router, "/volunteers/certificates")
def certificate_issue(
    desk: PageDesk,
    team_id: Annotated[int, Form(ge=1, le=2**31 - 1)],
    resident_id: Annotated[int, Form(ge=1, le=2**31 - 1)],
    start: Annotated[str, Form(max_length=10)] = "",
    end: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    acting = _acting(desk)
    team = volunteers.get_team(desk.session, team_id=team_id, acting=acting)

    def run() -> VolunteerCertificate:
        return volunteers.do_issue_certificate(
            desk.session,
            acting=acting,
            team=team,
            resident_id=resident_id,
            start=_parse_date(start, "start"),
            end=_parse_date(end, "end"),
            tz=desk.tz,
            now=desk.now,
        )

    def failed(exc: DomainError) -> HTMLResponse:
        context: dict[str, Any] = {"rows": [], "by_team": [], "teams": [], "may_certify": set()}
        context.update(start=start, end=end)
        return render_form(desk.request, "outreach/volunteer_hours.html", context, exc)

    return desk.form(
        run,
        to=lambda certificate: f"/volunteers/certificates/{certificate.id}.pdf",
        on_error=failed,
    )


@router.get("/volunteers/certificates/{certificate_id}.pdf")
def certificate_pdf(certificate_id: Id, desk: PageDesk) -> Response:
    certificate, team, resident = volunteers.get_certificate(
        desk.session, certificate_id=certificate_id, acting=_acting(desk)
    )
    text = CertificateText(
        name=resident.name,
        team=team.name,
        international=team.international,
        period_start=certificate.period_start,
        period_end=certificate.period_end,
        hours=rules.hours_text(certificate.minutes),
        activities=certificate.activities,
        issuer=certificate.issuer,
        issued_on=clock.local_date(certificate.issued_at, desk.tz),
        code=certificate.code,
        verify_url=str(desk.request.base_url).rstrip("/") + "/volunteer-certificates/verify",
    )
    body = render_certificate(text, language_of(desk.request))
    return download(body, f"志愿服务证明-{certificate.code}.pdf", PDF)


@router.get("/volunteer-certificates/verify", response_class=HTMLResponse)
def certificate_verify(
    request: Request,
    session: SessionDep,
    code: Annotated[str, Query(max_length=32)] = "",
) -> HTMLResponse:
    """Anyone holding a certificate may check its code: the masked name, the team, the
    hours and the period (public, like the pledge board)."""
    found = volunteers.verify_certificate(session, code=code) if code else None
    context: dict[str, object] = {"code": code, "checked": bool(code), "found": None}
    if found is not None:
        team = session.get(VolunteerTeam, found.team_id)
        context["found"] = {
            "name": volunteers.certificate_name(session, found),
            "team": team.name if team else "",
            "hours": rules.hours_text(found.minutes),
            "start": found.period_start.isoformat(),
            "end": found.period_end.isoformat(),
            "issuer": found.issuer,
        }
    return render(request, "outreach/volunteer_verify.html", context)
