"""Volunteers and service hours (志愿服务): teams serving a region (an international
team gathers foreign residents with local ones), their members from the register,
activities with places and credited hours, sign-ups (by the volunteer, or by the
team's leader or a grid worker for them), check-in and check-out by the organiser, hours
per volunteer and per team over a period, and certificates with a verification code.

Who organises: a grid worker, branch secretary or administrator whose scope covers the
team's region, or the team's leader (a resident whose account is linked to their
register entry). A volunteer may sign themselves up for their own team's activities and
read their own hours. Every change is audited in the caller's transaction.
"""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gridgov.accounts.rules import Role, may_access, scope_clause
from gridgov.audit.service import Actor, add_and_record, record_about
from gridgov.clock import local_day_bounds
from gridgov.db import counts_by
from gridgov.errors import Conflict, Forbidden, InvalidInput, NotFound, Problem
from gridgov.fields import mask_name
from gridgov.msgids import N_
from gridgov.outreach import rules
from gridgov.outreach.models import (
    VolunteerActivity,
    VolunteerCertificate,
    VolunteerMember,
    VolunteerSignup,
    VolunteerTeam,
)
from gridgov.outreach.service import check_scope
from gridgov.registry import service as registry
from gridgov.registry.models import Resident
from gridgov.registry.rules import PersonRole, Tag
from gridgov.territory import service as territory

ORGANISER_ROLES = frozenset({Role.GRID_WORKER, Role.BRANCH_SECRETARY, Role.ADMIN})
# Certificate codes: no 0/O, 1/I/L, so a code read aloud or typed is not misread.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12


@dataclass(frozen=True)
class Acting:
    """Who acts: the actor, and their register entry when they are a resident whose
    account is linked to it (a volunteer, or a team's leader)."""

    actor: Actor
    resident_id: int | None = None

    @property
    def is_resident(self) -> bool:
        return self.actor.role == Role.RESIDENT


def _is_staff_organiser(actor: Actor, region_code: str) -> bool:
    return actor.acts_in(ORGANISER_ROLES, region_code)


def may_organise(acting: Acting, team: VolunteerTeam) -> bool:
    if _is_staff_organiser(acting.actor, team.region_code):
        return True
    return (
        acting.is_resident
        and acting.resident_id is not None
        and acting.resident_id == team.leader_id
    )


def _is_member(session: Session, team_id: int, resident_id: int | None) -> bool:
    if resident_id is None:
        return False
    return (
        session.scalar(
            select(VolunteerMember.id).where(
                VolunteerMember.team_id == team_id, VolunteerMember.resident_id == resident_id
            )
        )
        is not None
    )


def may_see_team(session: Session, acting: Acting, team: VolunteerTeam) -> bool:
    if acting.actor.role == "system":
        return True
    if acting.is_resident:
        return may_organise(acting, team) or _is_member(session, team.id, acting.resident_id)
    return may_access(acting.actor.scope, team.region_code)


def _require_organiser(acting: Acting, team: VolunteerTeam) -> None:
    if may_organise(acting, team):
        return
    if not acting.is_resident and not may_access(acting.actor.scope, team.region_code):
        raise NotFound("Not found.")
    raise Forbidden("Your role may not do this.")


# ---------------------------------------------------------------- teams and members


def do_create_team(
    session: Session,
    *,
    actor: Actor,
    region_code: str,
    name: str,
    international: bool,
    leader_id: int | None,
    today: date,
    now: datetime,
) -> VolunteerTeam:
    check_scope(actor, region_code, ORGANISER_ROLES)
    if territory.find_region(session, code=region_code) is None:
        raise NotFound("Not found.")
    name = name.strip()
    if not 1 <= len(name) <= 128:
        problem = Problem("name", "A name of 1 to 128 characters is required.")
        raise InvalidInput("The team was not created.", details=[problem])
    if session.scalar(
        select(VolunteerTeam.id).where(
            VolunteerTeam.region_code == region_code, VolunteerTeam.name == name
        )
    ):
        raise Conflict("A team of this name already serves this place.")
    team = VolunteerTeam(
        region_code=region_code,
        name=name,
        international=international,
        leader_id=None,
        created_by=actor.username,
        created_at=now,
    )
    summary = {"international": international}
    add_and_record(session, actor, "volunteer_team.created", team, now=now, summary=summary)
    if leader_id is not None:
        do_add_member(
            session, acting=Acting(actor), team=team, resident_id=leader_id, today=today, now=now
        )
        do_set_leader(session, actor=actor, team=team, resident_id=leader_id, now=now)
    return team


def do_set_leader(
    session: Session, *, actor: Actor, team: VolunteerTeam, resident_id: int, now: datetime
) -> None:
    check_scope(actor, team.region_code, ORGANISER_ROLES)
    if not _is_member(session, team.id, resident_id):
        problem = Problem("leader_id", "The leader must be a member of the team.")
        raise InvalidInput("The leader was not changed.", details=[problem])
    team.leader_id = resident_id
    session.flush()
    summary = {"resident": resident_id}
    record_about(session, actor, "volunteer_team.leader_set", team, now=now, summary=summary)


def do_add_member(
    session: Session,
    *,
    acting: Acting,
    team: VolunteerTeam,
    resident_id: int,
    today: date,
    now: datetime,
) -> VolunteerMember:
    """A resident of the register joins the team; one who holds no volunteer role yet
    is given one in the team's region (the register counts volunteers from it)."""
    _require_organiser(acting, team)
    resident = registry.get_resident(session, resident_id=resident_id)
    if resident is None or (
        not acting.is_resident
        and acting.actor.role != "system"
        and not may_access(acting.actor.scope, resident.grid_code)
    ):
        raise NotFound("Not found.")
    if _is_member(session, team.id, resident_id):
        raise Conflict("%(name)s is already in this team.", params={"name": resident.name})
    member = VolunteerMember(team_id=team.id, resident_id=resident_id, since=today)
    session.add(member)
    session.flush()
    if not registry.has_role(session, resident_id=resident_id, role=PersonRole.VOLUNTEER):
        registry.do_add_role(
            session,
            actor=acting.actor,
            resident_id=resident_id,
            role=PersonRole.VOLUNTEER,
            region_code=team.region_code,
            since=today,
            now=now,
        )
    summary = {"resident": resident_id}
    record_about(
        session, acting.actor, "volunteer_team.member_added", team, now=now, summary=summary
    )
    return member


def get_team(session: Session, *, team_id: int, acting: Acting) -> VolunteerTeam:
    team = session.get(VolunteerTeam, team_id)
    if team is None or not may_see_team(session, acting, team):
        raise NotFound("Not found.")
    return team


@dataclass(frozen=True)
class TeamRow:
    team: VolunteerTeam
    region_name: str
    leader_name: str
    members: int
    activities: int


def list_teams(session: Session, *, acting: Acting) -> list[TeamRow]:
    """Teams the viewer may see: in their scope (staff), or their own (a resident)."""
    query = select(VolunteerTeam).order_by(VolunteerTeam.region_code, VolunteerTeam.name)
    if acting.is_resident:
        if acting.resident_id is None:
            return []
        mine = select(VolunteerMember.team_id).where(
            VolunteerMember.resident_id == acting.resident_id
        )
        query = query.where(VolunteerTeam.id.in_(mine))
    elif acting.actor.role != "system":
        query = query.where(scope_clause(acting.actor.scope, VolunteerTeam.region_code))
    teams = list(session.scalars(query.limit(500)))
    ids = [t.id for t in teams]
    members = counts_by(session, VolunteerMember.team_id, ids)
    activities = counts_by(session, VolunteerActivity.team_id, ids)
    leaders = registry.residents_by_id(
        session, ids=sorted({t.leader_id for t in teams if t.leader_id is not None})
    )
    names = territory.region_names(session, {t.region_code for t in teams})
    return [
        TeamRow(
            t,
            names.get(t.region_code, t.region_code),
            leaders[t.leader_id].name if t.leader_id in leaders else "",
            members.get(t.id, 0),
            activities.get(t.id, 0),
        )
        for t in teams
    ]


def team_members(session: Session, team: VolunteerTeam) -> list[Resident]:
    ids = list(
        session.scalars(
            select(VolunteerMember.resident_id).where(VolunteerMember.team_id == team.id)
        )
    )
    people = registry.residents_by_id(session, ids=ids)
    return sorted(people.values(), key=lambda r: (r.name, r.id))


def member_candidates(session: Session, *, team: VolunteerTeam, viewer: Actor) -> list[Resident]:
    """Residents who may join: the register's volunteers of the team's region, and for
    an international team its foreign residents too; not those already in it."""
    taken = set(
        session.scalars(
            select(VolunteerMember.resident_id).where(VolunteerMember.team_id == team.id)
        )
    )
    ids = [
        rid
        for rid, _name, _code, _full in registry.people_with_role(
            session, role=PersonRole.VOLUNTEER.value, prefixes=[team.region_code], limit=300
        )
    ]
    found = registry.residents_by_id(session, ids=ids)
    if team.international:
        for r in registry.list_residents(
            session,
            viewer=viewer,
            region_code=team.region_code,
            tag=Tag.FOREIGN_RESIDENT.value,
            limit=200,
        ):
            found[r.id] = r
    visible = [r for r in found.values() if r.id not in taken and viewer.covers(r.grid_code)]
    return sorted(visible, key=lambda r: (r.nationality == "CHN", r.name, r.id))


# ---------------------------------------------------------------- activities


def do_create_activity(
    session: Session,
    *,
    acting: Acting,
    team: VolunteerTeam,
    draft: rules.ActivityDraft,
    now: datetime,
) -> VolunteerActivity:
    _require_organiser(acting, team)
    draft = replace(draft, title=draft.title.strip(), place=draft.place.strip())
    problems = rules.activity_problems(draft)
    if problems:
        raise InvalidInput("The activity was not created.", details=problems)
    activity = VolunteerActivity(
        team_id=team.id,
        region_code=team.region_code,
        **asdict(draft),
        created_by=acting.actor.username,
        created_at=now,
    )
    summary = {"team": team.id, "capacity": draft.capacity, "minutes": draft.credit_minutes}
    return add_and_record(
        session, acting.actor, "volunteer_activity.created", activity, now=now, summary=summary
    )


def get_activity(
    session: Session, *, activity_id: int, acting: Acting
) -> tuple[VolunteerActivity, VolunteerTeam]:
    activity = session.get(VolunteerActivity, activity_id)
    if activity is None:
        raise NotFound("Not found.")
    return activity, get_team(session, team_id=activity.team_id, acting=acting)


def team_activities(
    session: Session, team: VolunteerTeam, *, limit: int = 100
) -> list[tuple[VolunteerActivity, int]]:
    """The team's activities, latest first, each with its number of sign-ups."""
    activities = list(
        session.scalars(
            select(VolunteerActivity)
            .where(VolunteerActivity.team_id == team.id)
            .order_by(VolunteerActivity.starts_at.desc(), VolunteerActivity.id.desc())
            .limit(limit)
        )
    )
    counts = counts_by(session, VolunteerSignup.activity_id, [a.id for a in activities])
    return [(a, counts.get(a.id, 0)) for a in activities]


@dataclass(frozen=True)
class SignupRow:
    signup: VolunteerSignup
    name: str
    foreign: bool


def activity_signups(session: Session, activity: VolunteerActivity) -> list[SignupRow]:
    signups = list(
        session.scalars(
            select(VolunteerSignup)
            .where(VolunteerSignup.activity_id == activity.id)
            .order_by(VolunteerSignup.id)
        )
    )
    people = registry.residents_by_id(session, ids=[s.resident_id for s in signups])
    return [
        SignupRow(
            s,
            people[s.resident_id].name if s.resident_id in people else "",
            s.resident_id in people and people[s.resident_id].nationality != "CHN",
        )
        for s in signups
    ]


# ---------------------------------------------------------------- sign-up, check-in, check-out


def do_sign_up(
    session: Session,
    *,
    acting: Acting,
    activity: VolunteerActivity,
    team: VolunteerTeam,
    resident_id: int,
    now: datetime,
) -> VolunteerSignup:
    """Sign a team member up: the volunteer themselves, or an organiser for them. The
    activity's row is locked so two sign-ups for the last place cannot both succeed."""
    if acting.is_resident and acting.resident_id == resident_id:
        if not _is_member(session, team.id, resident_id):
            raise Forbidden("Only the team's members may sign up for its activities.")
    else:
        _require_organiser(acting, team)
    resident = registry.get_resident(session, resident_id=resident_id)
    if resident is None:
        raise NotFound("Not found.")
    if not _is_member(session, team.id, resident_id):
        problem = Problem(
            "resident_id", "%(name)s is not a member of this team.", name=resident.name
        )
        raise InvalidInput("The sign-up was not recorded.", details=[problem])
    locked = session.scalar(
        select(VolunteerActivity).where(VolunteerActivity.id == activity.id).with_for_update()
    )
    assert locked is not None  # noqa: S101 - the activity was just read
    if session.scalar(
        select(VolunteerSignup.id).where(
            VolunteerSignup.activity_id == activity.id, VolunteerSignup.resident_id == resident_id
        )
    ):
        raise Conflict(
            "%(name)s is already signed up for this activity.", params={"name": resident.name}
        )
    taken = counts_by(session, VolunteerSignup.activity_id, [activity.id]).get(activity.id, 0)
    refused = rules.signup_problem(
        taken=taken, capacity=activity.capacity, ends_at=activity.ends_at, now=now
    )
    if refused is not None:
        raise Conflict(refused, params={"capacity": activity.capacity})
    signup = VolunteerSignup(
        activity_id=activity.id,
        resident_id=resident_id,
        signed_up_by=acting.actor.username,
        signed_up_at=now,
        minutes=0,
    )
    session.add(signup)
    try:
        session.flush()
    except IntegrityError as exc:  # a concurrent sign-up of the same person won
        raise Conflict(
            "%(name)s is already signed up for this activity.", params={"name": resident.name}
        ) from exc
    summary = {"resident": resident_id}
    record_about(
        session, acting.actor, "volunteer_activity.signed_up", activity, now=now, summary=summary
    )
    return signup


def _signup_of(
    session: Session,
    acting: Acting,
    activity: VolunteerActivity,
    team: VolunteerTeam,
    signup_id: int,
) -> VolunteerSignup:
    """A sign-up of the activity, for the team's organisers only."""
    _require_organiser(acting, team)
    signup = session.get(VolunteerSignup, signup_id)
    if signup is None or signup.activity_id != activity.id:
        raise NotFound("Not found.")
    return signup


def _attendance_recorded(
    session: Session,
    acting: Acting,
    activity: VolunteerActivity,
    signup: VolunteerSignup,
    action: str,
    now: datetime,
    **summary: object,
) -> VolunteerSignup:
    """A check-in or check-out written on ``signup``: who recorded it, audited on the
    activity as ``action`` with the resident (and ``summary``)."""
    signup.recorded_by = acting.actor.username
    session.flush()
    record_about(
        session,
        acting.actor,
        action,
        activity,
        now=now,
        summary={"resident": signup.resident_id, **summary},
    )
    return signup


def do_check_in(
    session: Session,
    *,
    acting: Acting,
    activity: VolunteerActivity,
    team: VolunteerTeam,
    signup_id: int,
    at: datetime,
    now: datetime,
) -> VolunteerSignup:
    signup = _signup_of(session, acting, activity, team, signup_id)
    refused = rules.check_in_problem(
        at=at, starts_at=activity.starts_at, ends_at=activity.ends_at, now=now
    )
    if refused is not None:
        raise InvalidInput("The check-in was not recorded.", details=[Problem("at", refused)])
    signup.checked_in_at = at
    signup.checked_out_at = None
    signup.minutes = 0
    return _attendance_recorded(
        session, acting, activity, signup, "volunteer_activity.checked_in", now
    )


def do_check_out(
    session: Session,
    *,
    acting: Acting,
    activity: VolunteerActivity,
    team: VolunteerTeam,
    signup_id: int,
    at: datetime,
    now: datetime,
) -> VolunteerSignup:
    """Record the check-out and credit the hours: the time present, bounded by the
    activity's credited hours."""
    signup = _signup_of(session, acting, activity, team, signup_id)
    refused = rules.check_out_problem(at=at, checked_in=signup.checked_in_at, now=now)
    if refused is not None:
        raise InvalidInput(N_("The check-out was not recorded."), details=[Problem("at", refused)])
    assert signup.checked_in_at is not None  # noqa: S101 - check_out_problem saw to it
    signup.checked_out_at = at
    signup.minutes = rules.credited_minutes(signup.checked_in_at, at, activity.credit_minutes)
    return _attendance_recorded(
        session,
        acting,
        activity,
        signup,
        "volunteer_activity.checked_out",
        now,
        minutes=signup.minutes,
    )


# ---------------------------------------------------------------- hours


@dataclass(frozen=True)
class HoursRow:
    resident_id: int
    name: str
    team_id: int
    team_name: str
    activities: int
    minutes: int

    @property
    def hours(self) -> str:
        return rules.hours_text(self.minutes)


def _period_bounds(start: date, end: date, tz: str) -> tuple[datetime, datetime]:
    problem = rules.period_problem(start, end)
    if problem is not None:
        raise InvalidInput("The period is not valid.", details=[problem])
    return local_day_bounds(start, tz)[0], local_day_bounds(end, tz)[1]


def hours(
    session: Session,
    *,
    acting: Acting,
    start: date,
    end: date,
    tz: str,
    team_id: int | None = None,
    resident_id: int | None = None,
) -> list[HoursRow]:
    """Credited hours per volunteer and team for activities starting in the local days
    ``start``..``end``: the teams the viewer may see (a resident: only their own hours)."""
    lo, hi = _period_bounds(start, end, tz)
    query = (
        select(
            VolunteerSignup.resident_id,
            VolunteerActivity.team_id,
            func.count(),
            func.coalesce(func.sum(VolunteerSignup.minutes), 0),
        )
        .join(VolunteerActivity, VolunteerActivity.id == VolunteerSignup.activity_id)
        .where(
            VolunteerActivity.starts_at >= lo,
            VolunteerActivity.starts_at < hi,
            VolunteerSignup.minutes > 0,
        )
        .group_by(VolunteerSignup.resident_id, VolunteerActivity.team_id)
    )
    if acting.is_resident:
        if acting.resident_id is None:
            return []
        if resident_id is not None and resident_id != acting.resident_id:
            led = select(VolunteerTeam.id).where(VolunteerTeam.leader_id == acting.resident_id)
            query = query.where(VolunteerActivity.team_id.in_(led))
        elif team_id is None or not _leads(session, team_id, acting.resident_id):
            query = query.where(VolunteerSignup.resident_id == acting.resident_id)
    elif acting.actor.role != "system":
        query = query.where(scope_clause(acting.actor.scope, VolunteerActivity.region_code))
    if team_id is not None:
        query = query.where(VolunteerActivity.team_id == team_id)
    if resident_id is not None:
        query = query.where(VolunteerSignup.resident_id == resident_id)
    rows = session.execute(query.limit(5000)).all()
    people = registry.residents_by_id(session, ids=sorted({r[0] for r in rows}))
    teams = {
        t.id: t.name
        for t in session.scalars(
            select(VolunteerTeam).where(VolunteerTeam.id.in_(sorted({r[1] for r in rows})))
        )
    }
    result = [
        HoursRow(
            rid,
            people[rid].name if rid in people else "",
            tid,
            teams.get(tid, ""),
            int(n),
            int(minutes),
        )
        for rid, tid, n, minutes in rows
    ]
    return sorted(result, key=lambda r: (r.team_name, -r.minutes, r.name, r.resident_id))


def _leads(session: Session, team_id: int, resident_id: int) -> bool:
    team = session.get(VolunteerTeam, team_id)
    return team is not None and team.leader_id == resident_id


@dataclass(frozen=True)
class TeamHours:
    team_id: int
    team_name: str
    volunteers: int
    minutes: int

    @property
    def hours(self) -> str:
        return rules.hours_text(self.minutes)


def hours_by_team(rows: list[HoursRow]) -> list[TeamHours]:
    teams: dict[int, tuple[str, int, int]] = {}
    for r in rows:
        name, people, minutes = teams.get(r.team_id, (r.team_name, 0, 0))
        teams[r.team_id] = (name, people + 1, minutes + r.minutes)
    return sorted(
        (TeamHours(tid, name, people, minutes) for tid, (name, people, minutes) in teams.items()),
        key=lambda t: (-t.minutes, t.team_name),
    )


# ---------------------------------------------------------------- certificates


def do_issue_certificate(
    session: Session,
    *,
    acting: Acting,
    team: VolunteerTeam,
    resident_id: int,
    start: date,
    end: date,
    tz: str,
    now: datetime,
) -> VolunteerCertificate:
    """Issue a certificate of the volunteer's hours with this team over the period.
    The team's organisers issue it; a volunteer may issue their own."""
    if not (acting.is_resident and acting.resident_id == resident_id):
        _require_organiser(acting, team)
    if not _is_member(session, team.id, resident_id):
        raise NotFound("Not found.")
    rows = hours(
        session,
        acting=Acting(Actor.system("certificate")),
        start=start,
        end=end,
        tz=tz,
        team_id=team.id,
        resident_id=resident_id,
    )
    minutes = sum(r.minutes for r in rows)
    if minutes <= 0:
        raise Conflict("No hours were credited in this period: there is nothing to certify.")
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    certificate = VolunteerCertificate(
        code=code,
        resident_id=resident_id,
        team_id=team.id,
        region_code=team.region_code,
        period_start=start,
        period_end=end,
        minutes=minutes,
        activities=sum(r.activities for r in rows),
        issuer=territory.region_name(session, team.region_code),
        issued_by=acting.actor.username,
        issued_at=now,
    )
    summary = {"resident": resident_id, "team": team.id, "minutes": minutes}
    return add_and_record(
        session, acting.actor, "volunteer_certificate.issued", certificate, now=now, summary=summary
    )


def get_certificate(
    session: Session, *, certificate_id: int, acting: Acting
) -> tuple[VolunteerCertificate, VolunteerTeam, Resident]:
    certificate = session.get(VolunteerCertificate, certificate_id)
    if certificate is None:
        raise NotFound("Not found.")
    team = session.get(VolunteerTeam, certificate.team_id)
    resident = registry.get_resident(session, resident_id=certificate.resident_id)
    if team is None or resident is None:
        raise NotFound("Not found.")
    own = acting.is_resident and acting.resident_id == certificate.resident_id
    if not own and not may_organise(acting, team):
        raise NotFound("Not found.")
    return certificate, team, resident


def verify_certificate(session: Session, *, code: str) -> VolunteerCertificate | None:
    """The certificate with this verification code (anyone holding the paper may check
    it), or None."""
    code = code.strip().upper()
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        return None
    return session.scalar(select(VolunteerCertificate).where(VolunteerCertificate.code == code))


def certificate_name(session: Session, certificate: VolunteerCertificate) -> str:
    """The volunteer's name as the public check shows it: masked (张*明)."""
    resident = registry.get_resident(session, resident_id=certificate.resident_id)
    return mask_name(resident.name) if resident else ""
