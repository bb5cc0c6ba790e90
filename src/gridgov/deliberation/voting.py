"""Voting in a meeting: totals, named votes, secret ballots, minutes, and closing the
meeting with its verdict (which records the matter's step).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gridgov.audit.service import Actor, record_about
from gridgov.deliberation.access import TEXT_LIMIT, _clean, _explain, check_may_run
from gridgov.deliberation.matters import _bump, _record_step, procedure_of
from gridgov.deliberation.meetings import (
    Attendance,
    _member,
    _open_meeting,
    attendance,
    ballot_box,
    counted_votes,
    get_meeting,
    held_stage,
)
from gridgov.deliberation.models import (
    BallotReceipt,
    Matter,
    Meeting,
    MeetingMember,
    MeetingVote,
    SecretBallot,
)
from gridgov.deliberation.rules import (
    Check,
    Choice,
    MatterState,
    MeetingState,
    Outcome,
    Rule,
    Stage,
    Tally,
    Voting,
    check_tally,
    evaluate_decision,
    evaluate_quorum,
)
from gridgov.deliberation.states import MEETING_ALLOWED, move
from gridgov.errors import Conflict, Forbidden, InvalidInput, Problem
from gridgov.msgids import N_


@dataclass(frozen=True)
class LiveCount:
    """What the clerk's console shows while the meeting sits: attendance, the votes so
    far, and the quorum and decision arithmetic as they stand."""

    attendance: Attendance
    yes: int
    no: int
    abstain: int
    quorum: Check
    decision: Check | None  # None without a quorum


def _rules_of(stage: Stage) -> tuple[Rule, Rule]:
    if stage.quorum is None or stage.decision is None:
        raise Conflict(
            "The %(stage)s stage is a disclosure; nothing is voted on.",
            params={"stage": stage.id},
        )
    return stage.quorum, stage.decision


def _tally_of(seen: Attendance, yes: int, no: int, abstain: int) -> Tally:
    """The tally of a meeting's attendance and votes; refused when it does not add up."""
    return Tally(**asdict(seen), yes=yes, no=no, abstain=abstain)


def _bump_meeting(session: Session, meeting: Meeting, expected_version: int | None) -> None:
    """Take the meeting at the version the clerk saw (Conflict if it moved), then reload."""
    _bump(
        session,
        Meeting,
        meeting.id,
        meeting.version if expected_version is None else expected_version,
    )
    session.refresh(meeting)


def live_count(session: Session, meeting: Meeting) -> LiveCount:
    stage = held_stage(session, meeting)
    seen = attendance(session, meeting)
    yes, no, abstain = counted_votes(session, meeting)
    tally = _tally_of(seen, yes, no, abstain)
    quorum_rule, decision_rule = _rules_of(stage)
    quorum = evaluate_quorum(quorum_rule, tally)
    decision = evaluate_decision(decision_rule, tally) if quorum.passed else None
    return LiveCount(seen, yes, no, abstain, quorum, decision)


def do_record_totals(
    session: Session,
    *,
    actor: Actor,
    meeting_id: int,
    yes: int,
    no: int,
    abstain: int,
    now: datetime,
    expected_version: int | None = None,
) -> Meeting:
    """The clerk's count of a show of hands; may be corrected until the meeting decides.
    Refused when it does not add up (for + against + abstaining ≤ present)."""
    meeting = _open_meeting(session, actor, meeting_id)
    if meeting.voting != Voting.SHOW_OF_HANDS.value:
        raise Conflict("This meeting votes by %(voting)s.", params={"voting": meeting.voting})
    seen = attendance(session, meeting)
    _tally_of(seen, yes, no, abstain)  # refused when the totals do not add up
    _bump_meeting(session, meeting, expected_version)
    meeting.yes, meeting.no, meeting.abstain = yes, no, abstain
    meeting.state = move(MEETING_ALLOWED, meeting.state, MeetingState.IN_SESSION, "meeting")
    summary = {"present": seen.present, "yes": yes, "no": no, "abstain": abstain}
    record_about(session, actor, "deliberation.totals_recorded", meeting, now=now, summary=summary)
    return meeting


def _choice(choice: str) -> Choice:
    try:
        return Choice(choice)
    except ValueError:
        raise InvalidInput(
            N_("A vote is yes, no or abstain, not %(value)s."),
            params={"value": choice},
            details=[Problem("choice", N_("A vote is yes, no or abstain."))],
        ) from None


def _present_member(session: Session, meeting: Meeting, member_id: int) -> MeetingMember:
    member = _member(session, meeting, member_id)
    if member.signed_in_at is None:
        raise Conflict(
            "%(name)s is not signed in: only members present vote.", params={"name": member.name}
        )
    return member


def _voter(
    session: Session, actor: Actor, meeting_id: int, member_id: int, choice: str, voting: Voting
) -> tuple[Meeting, MeetingMember, Choice]:
    """The open meeting, if it votes by ``voting``; the member, present; the choice."""
    meeting = _open_meeting(session, actor, meeting_id)
    if meeting.voting != voting.value:
        raise Conflict("This meeting votes by %(voting)s.", params={"voting": meeting.voting})
    value = _choice(choice)
    return meeting, _present_member(session, meeting, member_id), value


ALREADY_VOTED = N_("%(name)s has already voted.")


def do_record_vote(
    session: Session,
    *,
    actor: Actor,
    meeting_id: int,
    member_id: int,
    choice: str,
    now: datetime,
) -> MeetingVote:
    """A member's vote at a roll call, recorded by the clerk. One per member however
    many requests race: the unique key decides, inside a savepoint, and the loser gets
    Conflict ("already voted") without spoiling the rest of its transaction."""
    meeting, member, value = _voter(session, actor, meeting_id, member_id, choice, Voting.ROLL_CALL)
    vote = MeetingVote(
        meeting_id=meeting.id,
        member_id=member.id,
        choice=value.value,
        at=now,
        recorded_by=actor.username,
    )
    try:
        with session.begin_nested():
            session.add(vote)
    except IntegrityError:
        raise Conflict(ALREADY_VOTED, params={"name": member.name}) from None
    summary = {"member": member.id, "resident": member.resident_id, "choice": value.value}
    record_about(session, actor, "deliberation.vote_recorded", meeting, now=now, summary=summary)
    return vote


def do_cast_ballot(
    session: Session,
    *,
    actor: Actor,
    meeting_id: int,
    member_id: int,
    choice: str,
    now: datetime,
) -> None:
    """A secret ballot: a receipt that the member voted (unique per ballot box and
    voter) and, apart, the ballot with the choice and nothing that links it to the
    receipt: no voter, no time, and a random id (not the next number, which would follow
    the receipts' order). The audit row names the voter, never the choice."""
    meeting, member, value = _voter(
        session, actor, meeting_id, member_id, choice, Voting.SECRET_BALLOT
    )
    box = ballot_box(meeting.id)
    cast_secret_ballot(
        session,
        box=box,
        voter=f"member:{member.id}",
        at=now,
        ballot_box=box,
        choices=value.value,
        already=Conflict(ALREADY_VOTED, params={"name": member.name}),
    )
    summary = {"box": box, "member": member.id}
    record_about(session, actor, "deliberation.ballot_cast", meeting, now=now, summary=summary)


_BALLOT_IDS = 1 << 30  # ballot ids are drawn from [2**30, 2**31)


def cast_secret_ballot(
    session: Session,
    *,
    box: str,
    voter: str,
    at: datetime,
    ballot_box: str,
    choices: str,
    already: Conflict,
) -> None:
    """A receipt in ``box`` that ``voter`` voted (unique per box and voter: ``already``
    when they had, without spoiling the rest of the transaction) and, apart, the ballot
    in ``ballot_box`` with ``choices`` and nothing that links it to the receipt: no
    voter, no time, and a random id (not the next number, which would follow the
    receipts' order)."""
    try:
        with session.begin_nested():
            session.add(BallotReceipt(box=box, voter=voter, at=at))
            session.flush()
    except IntegrityError:
        raise already from None
    for _attempt in range(8):
        try:
            with session.begin_nested():
                ballot_id = _BALLOT_IDS + secrets.randbelow(_BALLOT_IDS)
                session.add(SecretBallot(id=ballot_id, box=ballot_box, choices=choices))
                session.flush()
            return
        except IntegrityError:  # pragma: no cover - a one-in-a-billion id collision
            continue
    raise Conflict("The ballot could not be stored; try again.")  # pragma: no cover


def member_of_resident(session: Session, meeting_id: int, resident_id: int) -> MeetingMember:
    member = session.scalars(
        select(MeetingMember).where(
            MeetingMember.meeting_id == meeting_id, MeetingMember.resident_id == resident_id
        )
    ).first()
    if member is None:
        raise Forbidden("You are not on this meeting's roster.")
    return member


def do_edit_minutes(
    session: Session,
    *,
    actor: Actor,
    meeting_id: int,
    minutes: str,
    now: datetime,
    expected_version: int | None = None,
) -> Meeting:
    """The minutes' text, editable until the meeting has decided."""
    meeting = get_meeting(session, meeting_id=meeting_id, viewer=actor)
    check_may_run(actor, meeting.region_code)
    if meeting.state in (MeetingState.DECIDED.value, MeetingState.CANCELLED.value):
        raise Conflict("The minutes of a decided meeting are final.")
    text = _clean(minutes, "minutes", TEXT_LIMIT * 5, required=False)
    _bump_meeting(session, meeting, expected_version)
    meeting.minutes = text
    summary = {"sha256": hashlib.sha256(text.encode()).hexdigest(), "length": len(text)}
    record_about(session, actor, "deliberation.minutes_edited", meeting, now=now, summary=summary)
    return meeting


def do_cancel_meeting(
    session: Session, *, actor: Actor, meeting_id: int, reason: str, now: datetime
) -> Meeting:
    meeting = _open_meeting(session, actor, meeting_id)
    reason = _clean(reason, "reason", 2000)
    _bump(session, Meeting, meeting.id, meeting.version)
    session.refresh(meeting)
    meeting.state = move(MEETING_ALLOWED, meeting.state, MeetingState.CANCELLED, "meeting")
    meeting.decided_at = now
    summary = {"reason": reason}
    record_about(
        session, actor, "deliberation.meeting_cancelled", meeting, now=now, summary=summary
    )
    return meeting


def _matter_to_decide(
    session: Session, meeting: Meeting, stage: Stage, *, returned: bool
) -> Matter:
    """The matter a closing meeting decides: still open and at the meeting's stage."""
    matter = session.get(Matter, meeting.matter_id)
    if (
        matter is None
        or matter.state != MatterState.OPEN.value
        or (matter.stage_id != meeting.stage_id)
    ):
        raise Conflict("The matter has moved on; this meeting can no longer decide it.")
    if returned and Outcome.RETURNED not in stage.outcomes:
        raise Conflict(
            "The %(stage)s stage cannot end %(outcome)s.",
            params={"stage": stage.id, "outcome": Outcome.RETURNED.value},
        )
    return matter


def _final_tally(session: Session, meeting: Meeting) -> Tally:
    """Who was there and how they voted, as the rules count them."""
    seen = attendance(session, meeting)
    yes, no, abstain = counted_votes(session, meeting)
    return _tally_of(seen, yes, no, abstain)


def do_close_meeting(
    session: Session,
    *,
    actor: Actor,
    meeting_id: int,
    now: datetime,
    returned: bool = False,
    expected_version: int | None = None,
) -> Meeting:
    """Close the meeting and decide by the stage's rules. Without a quorum it ends
    NO_QUORUM, decides nothing, and the matter stays at its stage (convene again).
    With one it is adopted or rejected by the vote (``returned``: the meeting sent the
    matter back for revision instead, where the stage allows it); the matter's step is
    recorded with the arithmetic and the matter moves on."""
    meeting = _open_meeting(session, actor, meeting_id)
    stage = held_stage(session, meeting)
    quorum_rule, decision_rule = _rules_of(stage)
    matter = _matter_to_decide(session, meeting, stage, returned=returned)
    _bump_meeting(session, meeting, expected_version)
    tally = _final_tally(session, meeting)
    check_tally(stage, tally)
    quorum = evaluate_quorum(quorum_rule, tally)
    counts = _store_tally(meeting, tally, quorum_met=quorum.passed, now=now)
    if not quorum.passed:
        _close_without_quorum(session, actor, meeting, quorum, counts, now=now)
        return meeting
    decision = evaluate_decision(decision_rule, tally)
    if returned:
        outcome = Outcome.RETURNED
    else:
        outcome = Outcome.ADOPTED if decision.passed else Outcome.REJECTED
    explanation: dict[str, Any] = {"quorum": _explain(quorum), "decision": _explain(decision)}
    if returned:
        explanation["returned"] = {"message": N_("Returned for revision."), "params": {}}
    meeting.state = move(MEETING_ALLOWED, meeting.state, MeetingState.DECIDED, "meeting")
    meeting.outcome = outcome.value
    meeting.explanation = json.dumps(explanation, ensure_ascii=False)
    summary = {
        **counts,
        "matter": meeting.matter_id,
        "outcome": outcome.value,
        "quorum": quorum.text(),
        "decision": decision.text(),
    }
    record_about(session, actor, "deliberation.meeting_decided", meeting, now=now, summary=summary)
    _record_step(
        session,
        actor=actor,
        matter=matter,
        procedure=procedure_of(session, matter),
        outcome=outcome,
        now=now,
        meeting_id=meeting.id,
        explanation=explanation,
    )
    return meeting


def _store_tally(
    meeting: Meeting, tally: Tally, *, quorum_met: bool, now: datetime
) -> dict[str, int]:
    """Write the final tally on the meeting; the counts its audit records name."""
    meeting.present, meeting.proxies = tally.present, tally.proxies
    meeting.households_represented = tally.households_represented
    meeting.yes, meeting.no, meeting.abstain = tally.yes, tally.no, tally.abstain
    meeting.quorum_met = quorum_met
    meeting.decided_at = now
    return {
        "members": tally.members,
        "present": tally.present,
        "proxies": tally.proxies,
        "households": tally.households_total,
        "represented": tally.households_represented,
        "yes": tally.yes,
        "no": tally.no,
        "abstain": tally.abstain,
    }


def _close_without_quorum(
    session: Session,
    actor: Actor,
    meeting: Meeting,
    quorum: Check,
    counts: dict[str, int],
    *,
    now: datetime,
) -> None:
    """End the meeting NO_QUORUM: nothing decided, the matter stays at its stage."""
    meeting.state = move(MEETING_ALLOWED, meeting.state, MeetingState.NO_QUORUM, "meeting")
    meeting.outcome = None
    meeting.explanation = json.dumps({"quorum": _explain(quorum)}, ensure_ascii=False)
    summary = {**counts, "matter": meeting.matter_id, "quorum": quorum.text()}
    record_about(
        session, actor, "deliberation.meeting_no_quorum", meeting, now=now, summary=summary
    )


def explanation_of(text: str) -> dict[str, dict[str, Any]]:
    """A stored explanation (meeting or step): {part: {message, params}}; {} if none."""
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    if not isinstance(value, dict):
        return {}
    if "message" in value:
        return {"note": value}
    return {k: v for k, v in value.items() if isinstance(v, dict) and "message" in v}
