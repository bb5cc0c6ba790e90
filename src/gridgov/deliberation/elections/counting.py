"""Counting (计票) with its ties and runoffs, and publishing the result as a notice."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.audit.service import Actor, record_about
from gridgov.deliberation import rules
from gridgov.deliberation.elections.common import (
    TZ,
    _move,
    ballot_box_of,
    check_may_run,
    rules_of,
    state_of,
    transition,
)
from gridgov.deliberation.elections.roll import (
    candidates_of,
    constituencies_of,
    get_election,
    receipts_count,
    result_of,
)
from gridgov.deliberation.models import (
    Candidate,
    Constituency,
    Election,
    Notice,
    SecretBallot,
)
from gridgov.deliberation.noticeboard import drafting, posting
from gridgov.deliberation.rules import (
    CandidateState,
    ElectionRules,
    ElectionState,
    NoticeKind,
)
from gridgov.errors import Conflict
from gridgov.registry.models import Resident

# --------------------------------------------------------------------------- counting


def _ensure(condition: bool, what: str) -> None:
    """A count that does not add up is a bug, never a result: stop before storing it."""
    if not condition:
        raise RuntimeError(f"election count does not add up: {what}")


def do_count(session: Session, *, actor: Actor, election_id: int, now: datetime) -> Election:
    """Count each constituency once voting has closed; store each candidate's votes and
    whether elected, and the whole count (with a lot's seed and draw) on the election."""
    election = get_election(session, election_id, lock=True)
    check_may_run(actor, election.region_code)
    transition(state_of(election), ElectionState.COUNTED)
    if now < election.voting_closes_at:
        raise Conflict(
            "Counting starts after voting closes at %(closes)s.",
            params={
                "closes": election.voting_closes_at.astimezone(ZoneInfo(TZ)).strftime(
                    "%Y-%m-%d %H:%M"
                )
            },
        )
    election_rules = rules_of(election)
    candidates = candidates_of(session, election.id)
    residents = {
        r.id: r
        for r in session.scalars(
            select(Resident).where(Resident.id.in_([c.resident_id for c in candidates]))
        )
    }
    counted: list[dict[str, Any]] = []
    ballots_total = 0
    for constituency in constituencies_of(session, election.id):
        stored, item = _count_constituency(
            session, election, election_rules, constituency, candidates, residents
        )
        ballots_total += stored
        counted.append(item)
    receipts = receipts_count(session, election.id)
    _ensure(receipts == ballots_total, "every receipt has its ballot")
    share = election_rules.winning_share
    election.result = json.dumps(
        {
            "counted_at": now.isoformat(),
            "receipts": receipts,
            "ballots": ballots_total,
            "tie_break": election_rules.tie_break.value,
            "winning_share": f"{share.numerator}/{share.denominator}" if share else None,
            "constituencies": counted,
        },
        ensure_ascii=False,
    )
    election.counted_at = now
    _move(election, ElectionState.COUNTED)
    summary = {
        "ballots": ballots_total,
        "elected": [e for item in counted for e in item["elected"]],
        "runoff": [e for item in counted for e in item["runoff"]],
        "seeds": [item["seed"] for item in counted if item["seed"]],
    }
    record_about(session, actor, "election.counted", election, now=now, summary=summary)
    return election


def _count_constituency(
    session: Session,
    election: Election,
    election_rules: ElectionRules,
    constituency: Constituency,
    candidates: list[Candidate],
    residents: dict[int, Resident],
) -> tuple[int, dict[str, Any]]:
    """Count one constituency's stored ballots and mark its candidates' votes and who is
    elected: how many ballots were stored, and the count as the election records it."""
    standing = [
        c
        for c in candidates
        if c.constituency_id == constituency.id and c.state == CandidateState.ELIGIBLE.value
    ]
    # Read in choice order, never in insertion order.
    stored = list(
        session.scalars(
            select(SecretBallot.choices)
            .where(SecretBallot.box == ballot_box_of(election.id, constituency.id))
            .order_by(SecretBallot.choices)
        )
    )
    ballots = [[str(choice) for choice in json.loads(text)] for text in stored]
    result = rules.count_votes(
        election_id=str(election.id) + "/" + str(constituency.id),
        seats=constituency.seats,
        candidates=[
            rules.Candidate(str(c.id), residents[c.resident_id].birth_date) for c in standing
        ],
        ballots=ballots,
        tie_break=election_rules.tie_break,
        winning_share=election_rules.winning_share,
    )
    # Tallies equal the stored ballots: every stored ballot was counted, every mark
    # on it is a vote for a candidate and every unused choice a blank.
    marked = sum(len(b) for b in ballots)
    blanks = sum(constituency.seats - len(b) for b in ballots)
    _ensure(result.ballots_cast == len(stored), "every stored ballot is counted")
    _ensure(result.balanced, "votes and blanks fill every valid ballot's seats")
    _ensure(
        result.invalid_ballots > 0
        or marked + blanks == sum(result.votes.values()) + result.blank_choices,
        "the choices on the ballots equal the votes and blanks counted",
    )
    elected = set(result.elected)
    for c in standing:
        c.votes = result.votes[str(c.id)]
        c.elected = str(c.id) in elected
    return len(stored), {
        "constituency": constituency.id,
        "name": constituency.name,
        "region_code": constituency.region_code,
        "seats": constituency.seats,
        "ballots_cast": result.ballots_cast,
        "valid_ballots": result.valid_ballots,
        "invalid_ballots": result.invalid_ballots,
        "blank_choices": result.blank_choices,
        "votes": {k: v for k, v in result.votes.items()},
        "elected": [int(c) for c in result.elected],
        "tied": [int(c) for c in result.tied],
        "runoff": [int(c) for c in result.runoff],
        "runoff_seats": result.runoff_seats,
        "unfilled": result.unfilled,
        "tie_break": result.tie_break.value,
        "seed": result.seed,
        "draw": [int(c) for c in result.draw],
    }


# --------------------------------------------------------------------------- publishing


def result_notice_text(
    election: Election, constituencies: Sequence[Constituency], candidates: Sequence[Candidate]
) -> tuple[str, str]:
    """The result notice (选举结果公告), in Chinese as posted on the board."""
    result = result_of(election) or {"constituencies": []}
    by_id = {c.id: c for c in candidates}
    lines = [f"{election.title}投票已于计票结束，现将选举结果公告如下：", ""]
    for item in result["constituencies"]:
        lines.append(
            f"【{item['name']}】应选{item['seats']}名；收回选票{item['ballots_cast']}张，"
            f"有效{item['valid_ballots']}张，无效{item['invalid_ballots']}张。"
        )
        for key, votes in item["votes"].items():
            candidate = by_id.get(int(key))
            if candidate is None:
                continue
            mark = "（当选）" if int(key) in item["elected"] else ""
            lines.append(f"  {candidate.name}：{votes}票{mark}")
        if item["draw"]:
            drawn = "、".join(by_id[c].name for c in item["draw"] if c in by_id)
            lines.append(f"  得票相等，经抽签确定顺序：{drawn}（种子 {item['seed']}）。")
        if item["runoff"]:
            tied = "、".join(by_id[c].name for c in item["runoff"] if c in by_id)
            lines.append(f"  {tied}得票相等，{item['runoff_seats']}个名额另行选举。")
        if item["unfilled"]:
            lines.append(f"  {item['unfilled']}个名额无人当选，另行选举。")
        lines.append("")
    lines.append("对选举结果有异议的，请在公示期内提出。")
    del constituencies
    return f"{election.title}选举结果公告", "\n".join(lines)


def do_publish(session: Session, *, actor: Actor, election_id: int, now: datetime) -> Notice:
    """Publish the count as an election-result notice with its objection window."""
    election = get_election(session, election_id, lock=True)
    check_may_run(actor, election.region_code)
    transition(state_of(election), ElectionState.PUBLISHED)
    title, body = result_notice_text(
        election, constituencies_of(session, election.id), candidates_of(session, election.id)
    )
    notice = drafting.do_draft(
        session,
        actor=actor,
        region_code=election.region_code,
        kind=NoticeKind.ELECTION_RESULT,
        title=title,
        body=body,
        now=now,
        election_id=election.id,
    )
    posting.do_post(session, actor=actor, notice_id=notice.id, now=now)
    _move(election, ElectionState.PUBLISHED)
    record_about(
        session, actor, "election.published", election, now=now, summary={"notice": notice.id}
    )
    return notice
