"""Meetings: convening one with its roster, signing in, attendance and the quorum."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from gridgov.audit.service import Actor, record_about
from gridgov.db import rows, visible_row
from gridgov.deliberation.access import (
    OPEN_MEETING_STATES,
    TIMEZONE,
    TITLE_LIMIT,
    _clean,
    check_may_run,
    local_date,
    may_read,
)
from gridgov.deliberation.matters import get_matter, procedure_of
from gridgov.deliberation.models import (
    BallotReceipt,
    Matter,
    Meeting,
    MeetingMember,
    MeetingVote,
    SecretBallot,
)
from gridgov.deliberation.rosters import (
    RosterEntry,
    _needs_households,
    households_of,
    roster_of,
)
from gridgov.deliberation.rules import (
    Choice,
    MatterState,
    MeetingState,
    Roster,
    Stage,
    Voting,
    earliest_meeting,
    held_by,
)
from gridgov.deliberation.states import MEETING_ALLOWED, move
from gridgov.errors import Conflict, InvalidInput, NotFound, Problem
from gridgov.msgids import N_

# -- meetings -----------------------------------------------------------------------


def get_meeting(session: Session, *, meeting_id: int, viewer: Actor) -> Meeting:
    return visible_row(session, Meeting, meeting_id, lambda row: may_read(viewer, row.region_code))


def held_stage(session: Session, meeting: Meeting) -> Stage:
    """The stage a meeting holds, as held by its body (村民会议 instead of 代表会议…)."""
    if meeting.matter_id is None or meeting.stage_id is None:
        raise Conflict("This meeting holds no stage of a matter.")
    matter = session.get(Matter, meeting.matter_id)
    if matter is None:
        raise NotFound("Not found, or outside your area.")
    return held_by(procedure_of(session, matter).stage(meeting.stage_id), meeting.body)


def meetings_of(session: Session, matter_id: int) -> list[Meeting]:
    return rows(session, Meeting, Meeting.matter_id == matter_id, order_by=(Meeting.id,))


def meetings_by_matter(session: Session, matter_ids: list[int]) -> dict[int, list[Meeting]]:
    """The meetings of several matters in one query, each matter's in id order."""
    found: dict[int, list[Meeting]] = {matter_id: [] for matter_id in matter_ids}
    if matter_ids:
        query = select(Meeting).where(Meeting.matter_id.in_(matter_ids)).order_by(Meeting.id)
        for meeting in session.scalars(query):
            if meeting.matter_id is not None:
                found[meeting.matter_id].append(meeting)
    return found


def members_of(session: Session, meeting_id: int) -> list[MeetingMember]:
    return rows(
        session,
        MeetingMember,
        MeetingMember.meeting_id == meeting_id,
        order_by=(MeetingMember.name, MeetingMember.id),
    )


def check_convene(
    session: Session,
    *,
    actor: Actor,
    matter: Matter,
    body: str | None,
    voting: str,
    notified_at: datetime,
    starts_at: datetime,
    now: datetime,
    tz: str = TIMEZONE,
) -> Stage:
    check_may_run(actor, matter.region_code)
    if matter.state != MatterState.OPEN.value or matter.stage_id is None:
        raise Conflict("The matter is no longer open.")
    stage = procedure_of(session, matter).stage(matter.stage_id)
    if not stage.voted:
        raise Conflict(
            "The %(stage)s stage is a disclosure; nothing is voted on.",
            params={"stage": stage.id},
        )
    held = held_by(stage, body or None)
    try:
        Voting(voting)
    except ValueError:
        raise InvalidInput(
            N_("Unknown way of voting %(value)s."),
            params={"value": voting},
            details=[Problem("voting", N_("Unknown way of voting %(value)s."), value=voting)],
        ) from None
    times = (
        ("notified_at", N_("Notice given on"), notified_at),
        ("starts_at", N_("Meeting starts"), starts_at),
    )
    for name, label, moment in times:
        if moment.tzinfo is None:
            raise InvalidInput(
                N_("%(field)s needs a time zone."),
                params={"field": label},
                details=[Problem(name, N_("A time with its time zone is required."))],
            )
    if notified_at > now:
        raise InvalidInput(
            N_("Notice cannot be given in the future."),
            details=[Problem("notified_at", N_("Notice cannot be given in the future."))],
        )
    earliest = earliest_meeting(held, local_date(notified_at, tz))
    if starts_at < notified_at or local_date(starts_at, tz) < earliest:
        raise Conflict(
            N_(
                "The %(body)s needs %(days)s days' notice: given on %(notified)s, it may sit "
                "from %(earliest)s, not on %(day)s."
            ),
            params={
                "body": held.body.value,
                "days": held.notice_days,
                "notified": local_date(notified_at, tz).isoformat(),
                "earliest": earliest.isoformat(),
                "day": local_date(starts_at, tz).isoformat(),
            },
            details=[Problem("starts_at", N_("Too soon after the notice."))],
        )
    if session.scalars(
        select(Meeting.id).where(
            Meeting.matter_id == matter.id, Meeting.state.in_(OPEN_MEETING_STATES)
        )
    ).first():
        raise Conflict("The matter already has an open meeting; close or cancel it first.")
    return held


def do_convene(
    session: Session,
    *,
    actor: Actor,
    matter_id: int,
    notified_at: datetime,
    starts_at: datetime,
    voting: str = Voting.SHOW_OF_HANDS.value,
    body: str | None = None,
    title: str = "",
    place: str = "",
    now: datetime,
    tz: str = TIMEZONE,
) -> Meeting:
    """Convene the meeting of the matter's current stage (``body``: an alternative body
    the stage allows, such as the villagers' meeting). Refused before the notice period
    is over; the roster is snapshotted now, as it stands on the meeting day."""
    matter = get_matter(session, matter_id=matter_id, viewer=actor)
    held = check_convene(
        session,
        actor=actor,
        matter=matter,
        body=body,
        voting=voting,
        notified_at=notified_at,
        starts_at=starts_at,
        now=now,
        tz=tz,
    )
    if held.roster is None:  # pragma: no cover - load_procedure requires it
        raise Conflict("The stage names no roster.")
    entries = _roster_on(session, held.roster, matter, local_date(starts_at, tz))
    meeting = Meeting(
        region_code=matter.region_code,
        matter_id=matter.id,
        stage_id=matter.stage_id,
        body=held.body.value,
        title=_clean(title, "title", TITLE_LIMIT, required=False)
        or f"{held.names.zh_Hans}：{matter.title}"[:TITLE_LIMIT],
        place=_clean(place, "place", 200, required=False),
        notified_at=notified_at,
        starts_at=starts_at,
        voting=voting,
        state=MeetingState.CONVENED.value,
        proxies_allowed=held.proxies,
        members=len(entries),
        households_total=households_of(session, matter.region_code)
        if _needs_households(held)
        else 0,
        clerk=actor.username,
        created_at=now,
        version=1,
    )
    _add_with_members(session, meeting, entries)
    summary = {
        "matter": matter.id,
        "stage": meeting.stage_id,
        "body": meeting.body,
        "roster": held.roster.value,
        "members": meeting.members,
        "households": meeting.households_total,
        "voting": voting,
        "notified_at": notified_at.isoformat(),
        "starts_at": starts_at.isoformat(),
    }
    record_about(session, actor, "deliberation.meeting_convened", meeting, now=now, summary=summary)
    return meeting


def _roster_on(session: Session, roster: Roster, matter: Matter, day: date) -> list[RosterEntry]:
    """The roster as it stands on the meeting day; refused when it is empty."""
    entries = roster_of(session, roster, matter.region_code, day)
    if not entries:
        raise Conflict(
            "The roster %(roster)s of %(region)s is empty: nobody to convene.",
            params={"roster": roster.value, "region": matter.region_code},
        )
    return entries


def _add_with_members(session: Session, meeting: Meeting, entries: list[RosterEntry]) -> None:
    """Store the meeting and snapshot its roster as its members."""
    session.add(meeting)
    session.flush()
    session.add_all(
        MeetingMember(
            meeting_id=meeting.id,
            resident_id=entry.resident_id,
            name=entry.name[:128],
            household_id=entry.household_id,
        )
        for entry in entries
    )
    session.flush()


def _open_meeting(session: Session, actor: Actor, meeting_id: int) -> Meeting:
    meeting = get_meeting(session, meeting_id=meeting_id, viewer=actor)
    check_may_run(actor, meeting.region_code)
    if meeting.state not in OPEN_MEETING_STATES:
        raise Conflict(
            "The meeting is %(state)s: nothing more can be recorded.",
            params={"state": meeting.state},
        )
    return meeting


def _member(session: Session, meeting: Meeting, member_id: int) -> MeetingMember:
    member = session.get(MeetingMember, member_id)
    if member is None or member.meeting_id != meeting.id:
        raise NotFound("%(member)s is not on this meeting's roster.", params={"member": member_id})
    return member


def do_sign_in(
    session: Session,
    *,
    actor: Actor,
    meeting_id: int,
    member_id: int,
    now: datetime,
    proxy_holder_id: int | None = None,
    tz: str = TIMEZONE,
) -> MeetingMember:
    """The clerk signs a member in. Signing in twice is one sign-in (the second changes
    nothing and is not audited again). With ``proxy_holder_id`` the member attends
    through a proxy held by that member, who is present in person; only where the stage
    allows proxies. Stored as ``MeetingMember.proxy_for_id`` = the holder's row."""
    meeting = _open_meeting(session, actor, meeting_id)
    if local_date(now, tz) < local_date(meeting.starts_at, tz):
        raise Conflict(
            "The meeting sits on %(day)s; sign-in opens that day.",
            params={"day": local_date(meeting.starts_at, tz).isoformat()},
        )
    member = _member(session, meeting, member_id)
    if member.signed_in_at is not None:
        return member
    if proxy_holder_id is not None:
        if not meeting.proxies_allowed:
            raise Conflict("Proxies are not allowed at this meeting.")
        holder = _member(session, meeting, proxy_holder_id)
        if holder.id == member.id or holder.signed_in_at is None or holder.proxy_for_id:
            raise Conflict("A proxy is held by a member who is present in person.")
    result = session.execute(
        update(MeetingMember)
        .where(MeetingMember.id == member.id, MeetingMember.signed_in_at.is_(None))
        .values(signed_in_at=now, proxy_for_id=proxy_holder_id, recorded_by=actor.username)
        .execution_options(synchronize_session=False)
    )
    session.refresh(member)
    if getattr(result, "rowcount", 0) != 1:
        return member  # a concurrent request signed them in first
    if meeting.state == MeetingState.CONVENED.value:
        meeting.state = move(MEETING_ALLOWED, meeting.state, MeetingState.IN_SESSION, "meeting")
    summary = {"member": member.id, "resident": member.resident_id, "proxy": proxy_holder_id}
    record_about(session, actor, "deliberation.signed_in", meeting, now=now, summary=summary)
    return member


def do_undo_sign_in(
    session: Session, *, actor: Actor, meeting_id: int, member_id: int, now: datetime
) -> MeetingMember:
    """Correct a mistaken sign-in before anyone votes (audited)."""
    meeting = _open_meeting(session, actor, meeting_id)
    member = _member(session, meeting, member_id)
    if member.signed_in_at is None:
        return member
    if (
        _votes_recorded(session, meeting)
        or session.scalars(
            select(MeetingMember.id).where(MeetingMember.proxy_for_id == member.id)
        ).first()
    ):
        raise Conflict("Votes or proxies were recorded already; the sign-in stands.")
    member.signed_in_at = None
    member.proxy_for_id = None
    member.recorded_by = actor.username
    summary = {"member": member.id}
    record_about(session, actor, "deliberation.sign_in_undone", meeting, now=now, summary=summary)
    return member


def _votes_recorded(session: Session, meeting: Meeting) -> bool:
    if meeting.yes or meeting.no or meeting.abstain:
        return True
    if session.scalars(select(MeetingVote.id).where(MeetingVote.meeting_id == meeting.id)).first():
        return True
    return bool(
        session.scalars(
            select(BallotReceipt.id).where(BallotReceipt.box == ballot_box(meeting.id))
        ).first()
    )


def ballot_box(meeting_id: int) -> str:
    return f"meeting:{meeting_id}"


@dataclass(frozen=True)
class Attendance:
    members: int
    present: int
    proxies: int
    households_total: int
    households_represented: int


def attendance(session: Session, meeting: Meeting) -> Attendance:
    """Counted from the sign-in rows: who is present, through proxies, which households
    are represented (those with a member present)."""
    signed = MeetingMember.signed_in_at.is_not(None)
    mine = MeetingMember.meeting_id == meeting.id
    present = session.scalar(select(func.count(MeetingMember.id)).where(mine, signed)) or 0
    proxies = (
        session.scalar(
            select(func.count(MeetingMember.id)).where(
                mine, signed, MeetingMember.proxy_for_id.is_not(None)
            )
        )
        or 0
    )
    households = 0
    if meeting.households_total:
        households = (
            session.scalar(
                select(func.count(func.distinct(MeetingMember.household_id))).where(
                    mine, signed, MeetingMember.household_id.is_not(None)
                )
            )
            or 0
        )
        households = min(households, meeting.households_total)
    return Attendance(meeting.members, present, proxies, meeting.households_total, households)


def counted_votes(session: Session, meeting: Meeting) -> tuple[int, int, int]:
    """(yes, no, abstain): the clerk's totals for a show of hands; counted from the
    stored rows for a roll call or a secret ballot."""
    if meeting.voting == Voting.SHOW_OF_HANDS.value:
        return meeting.yes, meeting.no, meeting.abstain
    if meeting.voting == Voting.ROLL_CALL.value:
        rows = session.execute(
            select(MeetingVote.choice, func.count(MeetingVote.id))
            .where(MeetingVote.meeting_id == meeting.id)
            .group_by(MeetingVote.choice)
        ).all()
    else:
        rows = session.execute(
            select(SecretBallot.choices, func.count(SecretBallot.id))
            .where(SecretBallot.box == ballot_box(meeting.id))
            .group_by(SecretBallot.choices)
        ).all()
    counts = {str(choice): int(n) for choice, n in rows}
    return (
        counts.get(Choice.YES.value, 0),
        counts.get(Choice.NO.value, 0),
        counts.get(Choice.ABSTAIN.value, 0),
    )
