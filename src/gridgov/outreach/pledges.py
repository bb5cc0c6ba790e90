"""Public pledges (亮身份、亮作为、亮承诺): a member's pledge for the year, the branch's
review, fulfilment with evidence, the public board of a village or community (only
members who consented), and residents' comments (rate-limited, spam held)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.accounts.rules import Role, scope_clause, within_view
from gridgov.audit.service import Actor, add_and_record, record_about
from gridgov.cases import service as cases
from gridgov.db import count_rows
from gridgov.errors import InvalidInput, NotFound, Problem, TooManyRequests
from gridgov.outreach.enterprise_rules import text_problems
from gridgov.outreach.models import Pledge, PledgeComment
from gridgov.outreach.rules import PUBLIC_PLEDGE_STATES, PledgeState, pledge_transition
from gridgov.outreach.service import check_scope, get_in_scope, move_state
from gridgov.registry import service as registry

POST_ROLES = frozenset({Role.ADMIN, Role.BRANCH_SECRETARY, Role.GRID_WORKER})
REVIEW_ROLES = frozenset({Role.ADMIN, Role.BRANCH_SECRETARY})
COMMENT_WINDOW = timedelta(hours=1)
COMMENT_LIMIT = 5  # comments per source per hour
MAX_TITLE = 200
MAX_TEXT = 2000
MAX_COMMENT = 500


def _text(value: str, name: str, limit: int, problems: list[Problem], required: bool) -> str:
    """``text_problems`` gathering into ``problems``: the stripped text."""
    value, found = text_problems(value, name, limit, required=required)
    problems += found
    return value


def do_post_pledge(
    session: Session,
    *,
    actor: Actor,
    member_id: int,
    year: int,
    title: str,
    deliverables: str,
    public: bool,
    now: datetime,
) -> Pledge:
    member = registry.get_resident(session, resident_id=member_id)
    if member is None:
        raise NotFound("Not found.")
    check_scope(actor, member.grid_code, POST_ROLES)
    problems: list[Problem] = []
    title = _text(title, "title", MAX_TITLE, problems, required=True)
    deliverables = _text(deliverables, "deliverables", MAX_TEXT, problems, required=False)
    if not 2000 <= year <= 2100:
        problems.append(Problem("year", "A year between 2000 and 2100."))
    if problems:
        raise InvalidInput("The pledge was not posted.", details=problems)
    pledge = Pledge(
        member_id=member_id,
        region_code=member.grid_code,
        year=year,
        title=title,
        deliverables=deliverables,
        public=public,
        state=PledgeState.SUBMITTED.value,
        created_at=now,
        updated_at=now,
    )
    summary = {"member": member_id, "year": year, "public": public}
    return add_and_record(session, actor, "pledge.posted", pledge, now=now, summary=summary)


def get_pledge(session: Session, *, pledge_id: int, viewer: Actor) -> Pledge:
    return get_in_scope(session, Pledge, pledge_id, viewer)


def do_review_pledge(
    session: Session, *, actor: Actor, pledge: Pledge, approve: bool, note: str, now: datetime
) -> None:
    check_scope(actor, pledge.region_code, REVIEW_ROLES)
    problems: list[Problem] = []
    note = _text(note, "note", MAX_TEXT, problems, required=not approve)
    if problems:
        raise InvalidInput("The pledge was not reviewed.", details=problems)
    pledge.review_note = note
    pledge.reviewed_by = actor.username
    target = PledgeState.APPROVED if approve else PledgeState.RETURNED
    move_state(
        session, actor, "pledge", pledge, target, pledge_transition, now, {"approved": approve}
    )


def do_resubmit_pledge(
    session: Session, *, actor: Actor, pledge: Pledge, title: str, deliverables: str, now: datetime
) -> None:
    check_scope(actor, pledge.region_code, POST_ROLES)
    problems: list[Problem] = []
    pledge.title = _text(title, "title", MAX_TITLE, problems, required=True)
    pledge.deliverables = _text(deliverables, "deliverables", MAX_TEXT, problems, required=False)
    if problems:
        raise InvalidInput("The pledge was not posted.", details=problems)
    move_state(session, actor, "pledge", pledge, PledgeState.SUBMITTED, pledge_transition, now, {})


def do_fulfil_pledge(
    session: Session,
    *,
    actor: Actor,
    pledge: Pledge,
    evidence: str,
    on: date,
    today: date,
    now: datetime,
) -> None:
    check_scope(actor, pledge.region_code, REVIEW_ROLES)
    problems: list[Problem] = []
    evidence = _text(evidence, "evidence", MAX_TEXT, problems, required=True)
    if on > today:
        problems.append(Problem("on", "A date in the future is not allowed."))
    if problems:
        raise InvalidInput("The fulfilment was not recorded.", details=problems)
    pledge.evidence = evidence
    pledge.fulfilled_on = on
    summary = {"on": on.isoformat()}
    move_state(
        session, actor, "pledge", pledge, PledgeState.FULFILLED, pledge_transition, now, summary
    )


def list_pledges(
    session: Session, *, viewer: Actor, region_code: str | None = None, year: int | None = None
) -> list[Pledge]:
    query = select(Pledge).order_by(Pledge.region_code, Pledge.id)
    query = within_view(query, viewer, Pledge.region_code)
    if region_code:
        query = query.where(scope_clause(region_code, Pledge.region_code))
    if year:
        query = query.where(Pledge.year == year)
    return list(session.scalars(query.limit(500)))


@dataclass(frozen=True)
class BoardEntry:
    pledge: Pledge
    member_name: str
    comments: list[PledgeComment]


def public_board(session: Session, *, region_code: str, year: int) -> list[BoardEntry]:
    """What the public board shows: approved and fulfilled pledges of members who
    consented, with the comments not held."""
    pledges = session.scalars(
        select(Pledge)
        .where(
            scope_clause(region_code, Pledge.region_code),
            Pledge.year == year,
            Pledge.public.is_(True),
            Pledge.state.in_([s.value for s in PUBLIC_PLEDGE_STATES]),
        )
        .order_by(Pledge.id)
        .limit(500)
    ).all()
    comments: dict[int, list[PledgeComment]] = {}
    if pledges:
        for comment in session.scalars(
            select(PledgeComment)
            .where(
                PledgeComment.pledge_id.in_([p.id for p in pledges]),
                PledgeComment.held.is_(False),
            )
            .order_by(PledgeComment.id)
        ):
            comments.setdefault(comment.pledge_id, []).append(comment)
    entries = []
    for pledge in pledges:
        member = registry.get_resident(session, resident_id=pledge.member_id)
        entries.append(
            BoardEntry(pledge, member.name if member else "", comments.get(pledge.id, []))
        )
    return entries


def do_comment(
    session: Session,
    *,
    actor: Actor,
    pledge_id: int,
    text: str,
    source: str,
    now: datetime,
) -> PledgeComment:
    """A resident's comment on a public pledge: at most COMMENT_LIMIT an hour from one
    source; a spammy text is kept but held from the board."""
    pledge = session.get(Pledge, pledge_id)
    if (
        pledge is None
        or not pledge.public
        or pledge.state not in {s.value for s in PUBLIC_PLEDGE_STATES}
    ):
        raise NotFound("Not found.")
    problems: list[Problem] = []
    text = _text(text, "text", MAX_COMMENT, problems, required=True)
    if problems:
        raise InvalidInput("The comment was not posted.", details=problems)
    recent = count_rows(
        session,
        PledgeComment,
        PledgeComment.source == source,
        PledgeComment.created_at >= now - COMMENT_WINDOW,
    )
    if recent >= COMMENT_LIMIT:
        raise TooManyRequests("Too many comments; try again later.")
    comment = PledgeComment(
        pledge_id=pledge.id,
        author=actor.username if actor.role != "anonymous" else "",
        text=text,
        held=bool(cases.spam_signals(text)),
        source=source[:128],
        created_at=now,
    )
    session.add(comment)
    session.flush()
    summary = {"comment": comment.id, "held": comment.held}
    record_about(session, actor, "pledge.commented", pledge, now=now, summary=summary)
    return comment
