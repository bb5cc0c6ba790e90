"""The discussion loop (讨论 → 献策 → 治理 → 监督): residents and staff open discussions
and submit proposals in their own language; the community answers each proposal
(accepted: a governance action tracked as an implementation record; merged into another
proposal of the same community; not adopted), always with a public reason; supervision
comments attach to any stage of a matter, a notice or an implementation record.

Moderation: any signed-in reader reports; moderators (staff in scope) hide with a public
reason or dismiss the reports; suspected spam is held until a moderator releases it.

``check_*`` validates and authorises, ``do_*`` changes state in the caller's transaction
and appends an audit row; ``now`` is always passed in.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from gridgov.accounts.models import User
from gridgov.accounts.rules import Role, may_access, scope_clause
from gridgov.audit.service import Actor, record
from gridgov.cases import service as cases
from gridgov.deliberation import service
from gridgov.deliberation.models import (
    Comment,
    ContentReport,
    Discussion,
    Implementation,
    Matter,
    Milestone,
    Notice,
    Proposal,
)
from gridgov.deliberation.rules import ProposalState, mask_personal_data
from gridgov.errors import Conflict, Forbidden, InvalidInput, NotFound, Problem
from gridgov.territory import service as territory
from gridgov.territory.models import Region
from gridgov.territory.rules import Level

FLOOD_WINDOW = timedelta(minutes=10)
FLOOD_LIMIT = 5  # posts per account within the window; the next one is held
TITLE_MAX = 200
BODY_MAX = 5000
COMMENT_MAX = 2000
REASON_MAX = 200  # hidden_reason's column
REPORT_MAX = 500
ANSWER_MAX = 4000

# Who may write: residents in their own community, staff within their scope. Auditors
# read and supervise; they do not take part.
WRITER_ROLES = frozenset(Role) - {Role.AUDITOR}
# The community's answer to a proposal.
ANSWER_ROLES = frozenset({Role.BRANCH_SECRETARY, Role.LEADER, Role.ADMIN, Role.UNIT_STAFF})
# Moderators: staff in scope (not auditors, not residents).
MODERATOR_ROLES = WRITER_ROLES - {Role.RESIDENT}
# Supervision comments: residents of the community and supervising staff.
SUPERVISOR_ROLES = frozenset({Role.RESIDENT, Role.LEADER, Role.AUDITOR, Role.ADMIN})


class Target(StrEnum):
    """What a comment, a report or a moderator's action points at."""

    DISCUSSION = "discussion"
    PROPOSAL = "proposal"
    COMMENT = "comment"  # reports and moderation only
    MATTER = "matter"  # supervision, with a stage
    NOTICE = "notice"  # supervision
    IMPLEMENTATION = "implementation"  # supervision


COMMENT_TARGETS = frozenset({Target.DISCUSSION, Target.PROPOSAL})
SUPERVISION_TARGETS = frozenset(
    {Target.DISCUSSION, Target.PROPOSAL, Target.MATTER, Target.NOTICE, Target.IMPLEMENTATION}
)
MODERATED = frozenset({Target.DISCUSSION, Target.PROPOSAL, Target.COMMENT})


class Answer(StrEnum):
    ACCEPTED = ProposalState.ACCEPTED.value
    MERGED = ProposalState.MERGED.value
    NOT_ADOPTED = ProposalState.NOT_ADOPTED.value


Content = Discussion | Proposal | Comment


# ---------------------------------------------------------------- pure rules


_TAG = re.compile(r"([A-Za-z]{2,3})(?:[-_]([A-Za-z]{4}))?(?:[-_]([A-Za-z]{2}|[0-9]{3}))?")


def normalise_language(code: str) -> str | None:
    """A BCP-47 language tag (language, optional script, optional region) in the app's
    spelling — ``ko``, ``pt_BR``, ``zh_Hant`` — or None when it is not one.

    ``zh-hant``, ``ZH_Hant`` and ``zh_Hant`` are the same tag; the app's own languages
    keep their catalogue spelling."""
    match = _TAG.fullmatch(code.strip())
    if match is None:
        return None
    language, script, region = match.groups()
    parts = [language.lower()]
    if script:
        parts.append(script.title())
    if region:
        parts.append(region.upper())
    return "_".join(parts)


def language_problem(code: str) -> Problem | None:
    if normalise_language(code) is None:
        return Problem(
            "language",
            "Choose a language, or write its code (ko, ja, pt, zh_Hant…).",
        )
    return None


def spam_signals(text: str, *, recent_posts: int) -> list[str]:
    """Why a post is held for review: the case intake's text signals (links, keyword
    stuffing, a wall of one sign) plus a flood of posts from one account."""
    signals = cases.spam_signals(text)
    if recent_posts >= FLOOD_LIMIT:
        signals.append("flood")
    return signals


def text_problems(
    *, title: str | None, body: str, body_max: int, body_field: str = "body"
) -> list[Problem]:
    problems: list[Problem] = []
    if title is not None:
        if len(title.strip()) < 2:
            problems.append(Problem("title", "Give it a title."))
        elif len(title.strip()) > TITLE_MAX:
            problems.append(Problem("title", "At most %(n)s characters.", n=TITLE_MAX))
    if not body.strip():
        problems.append(Problem(body_field, "Write something first."))
    elif len(body.strip()) > body_max:
        problems.append(Problem(body_field, "At most %(n)s characters.", n=body_max))
    return problems


# ---------------------------------------------------------------- who may do what


def community_of(session: Session, code: str) -> Region | None:
    """The community (or village) containing region ``code``, or None."""
    region = territory.find_region(session, code=code)
    while region is not None and region.level != Level.COMMUNITY.value:
        if region.parent_code is None or region.level in (Level.DISTRICT, Level.STREET):
            return None
        region = territory.find_region(session, code=region.parent_code)
    return region


def _is(user: User | None, roles: frozenset[Role]) -> bool:
    return user is not None and user.is_active and user.role_enum in roles


def may_write_in(user: User, region_code: str) -> bool:
    """A resident writes where they live; staff where their scope reaches."""
    if not _is(user, WRITER_ROLES):
        return False
    if user.role_enum is Role.RESIDENT:
        return bool(user.scope) and user.scope.startswith(region_code)
    return may_access(user.scope, region_code)


def may_moderate(user: User | None, region_code: str) -> bool:
    return user is not None and _is(user, MODERATOR_ROLES) and may_access(user.scope, region_code)


def may_answer(user: User | None, region_code: str) -> bool:
    return user is not None and _is(user, ANSWER_ROLES) and may_access(user.scope, region_code)


def may_supervise(user: User | None, region_code: str) -> bool:
    if user is None or not _is(user, SUPERVISOR_ROLES):
        return False
    if user.role_enum is Role.RESIDENT:
        return bool(user.scope) and user.scope.startswith(region_code)
    return may_access(user.scope, region_code)


def _community(session: Session, region_code: str) -> Region:
    region = territory.find_region(session, code=region_code)
    if region is None or region.level != Level.COMMUNITY.value:
        raise NotFound("There is no community %(code)s.", params={"code": region_code})
    return region


def _require_writer(user: User, region_code: str) -> None:
    if not may_write_in(user, region_code):
        if user.role_enum is Role.RESIDENT:
            raise Forbidden("Residents take part in their own community only.")
        raise Forbidden("This community is outside your area.")


def _language(code: str, fallback: str | None) -> str:
    chosen = code.strip() or (fallback or "")
    normalised = normalise_language(chosen)
    if normalised is None:
        problem = language_problem(chosen)
        raise InvalidInput("The language is not recognised.", details=[problem] if problem else [])
    return normalised


def _author_name(user: User) -> str:
    return (user.display_name or user.username)[:64]


def recent_posts(session: Session, user_id: int, *, now: datetime) -> int:
    """Discussions, proposals and comments the account wrote within the flood window."""
    since = now - FLOOD_WINDOW
    total = 0
    for model in (Discussion, Proposal, Comment):
        total += (
            session.scalar(
                select(func.count())
                .select_from(model)
                .where(model.author_user_id == user_id, model.created_at >= since)
            )
            or 0
        )
    return total


def _held(session: Session, user: User, text: str, *, now: datetime) -> list[str]:
    """Spam signals for a post; staff posts (the moderators' own) are not held."""
    if user.role_enum is not Role.RESIDENT:
        return []
    return spam_signals(text, recent_posts=recent_posts(session, user.id, now=now))


def visible(user: User | None, item: Content, region_code: str) -> bool:
    """Held content is seen by its author and the moderators only; hidden content is
    seen by everyone as its reason, never its text (the templates see to that)."""
    if not item.held:
        return True
    if user is None:
        return False
    return item.author_user_id == user.id or may_moderate(user, region_code)


# ---------------------------------------------------------------- discussions


@dataclass(frozen=True)
class Post:
    title: str
    body: str
    language: str


def check_post(
    session: Session, *, user: User, region_code: str, title: str, body: str, language: str
) -> tuple[Region, Post]:
    region = _community(session, region_code)
    _require_writer(user, region.code)
    problems = text_problems(title=title, body=body, body_max=BODY_MAX)
    if problem := language_problem(language.strip() or (user.language or "")):
        problems.append(problem)
    if problems:
        raise InvalidInput("Nothing was posted.", details=problems)
    return region, Post(
        title=mask_personal_data(title.strip()),
        body=mask_personal_data(body.strip()),
        language=_language(language, user.language),
    )


def do_open_discussion(
    session: Session,
    *,
    user: User,
    actor: Actor,
    region_code: str,
    title: str,
    body: str,
    language: str,
    now: datetime,
) -> Discussion:
    """Open a discussion in a community; suspected spam is held for the moderators."""
    region, post = check_post(
        session, user=user, region_code=region_code, title=title, body=body, language=language
    )
    signals = _held(session, user, f"{post.title}\n{post.body}", now=now)
    row = Discussion(
        region_code=region.code,
        title=post.title,
        body=post.body,
        language=post.language,
        author_name=_author_name(user),
        author_user_id=user.id,
        created_at=now,
        closed=False,
        held=bool(signals),
    )
    session.add(row)
    session.flush()
    record(
        session,
        actor=actor,
        action="deliberation.discussion_opened",
        object_type="discussion",
        object_id=row.id,
        region_code=row.region_code,
        now=now,
        summary={"language": row.language, "held": row.held, "signals": signals},
    )
    return row


def get_discussion(session: Session, discussion_id: int, *, viewer: User | None) -> Discussion:
    row = session.get(Discussion, discussion_id)
    if row is None or not visible(viewer, row, row.region_code):
        raise NotFound("There is no such discussion.")
    return row


# ---------------------------------------------------------------- proposals


def do_submit_proposal(
    session: Session,
    *,
    user: User,
    actor: Actor,
    title: str,
    body: str,
    language: str,
    now: datetime,
    region_code: str | None = None,
    discussion_id: int | None = None,
) -> Proposal:
    """Submit a proposal (献策) in a community, from a discussion or on its own."""
    discussion = None
    if discussion_id is not None:
        discussion = get_discussion(session, discussion_id, viewer=user)
        if discussion.hidden_reason is not None or discussion.held:
            raise Conflict("This discussion is not open for proposals.")
        if region_code and region_code != discussion.region_code:
            raise InvalidInput("The discussion belongs to another community.")
        region_code = discussion.region_code
    if not region_code:
        raise InvalidInput("Choose the community.", details=[Problem("region", "Required.")])
    region, post = check_post(
        session, user=user, region_code=region_code, title=title, body=body, language=language
    )
    signals = _held(session, user, f"{post.title}\n{post.body}", now=now)
    row = Proposal(
        region_code=region.code,
        discussion_id=discussion.id if discussion else None,
        title=post.title,
        body=post.body,
        language=post.language,
        author_name=_author_name(user),
        author_user_id=user.id,
        created_at=now,
        state=ProposalState.SUBMITTED.value,
        answer="",
        held=bool(signals),
    )
    session.add(row)
    session.flush()
    record(
        session,
        actor=actor,
        action="deliberation.proposal_submitted",
        object_type="proposal",
        object_id=row.id,
        region_code=row.region_code,
        now=now,
        summary={
            "discussion": row.discussion_id,
            "language": row.language,
            "held": row.held,
            "signals": signals,
        },
    )
    return row


def get_proposal(session: Session, proposal_id: int, *, viewer: User | None) -> Proposal:
    row = session.get(Proposal, proposal_id)
    if row is None or not visible(viewer, row, row.region_code):
        raise NotFound("There is no such proposal.")
    return row


@dataclass(frozen=True)
class Answered:
    proposal: Proposal
    implementation: Implementation | None
    merged_into: Proposal | None


def check_answer(
    session: Session,
    *,
    user: User,
    proposal: Proposal,
    decision: str,
    reason: str,
    merged_into_id: int | None,
) -> tuple[Answer, str, Proposal | None]:
    if not may_answer(user, proposal.region_code):
        raise Forbidden("Only the community's secretary, leaders or units answer proposals.")
    problems: list[Problem] = []
    try:
        answer = Answer(decision)
    except ValueError:
        problems.append(Problem("decision", "Choose accepted, merged or not adopted."))
        answer = Answer.NOT_ADOPTED
    reason = reason.strip()
    if not reason:
        problems.append(Problem("reason", "Give the reason: it is published with the answer."))
    elif len(reason) > ANSWER_MAX:
        problems.append(Problem("reason", "At most %(n)s characters.", n=ANSWER_MAX))
    if problems:
        raise InvalidInput("The proposal was not answered.", details=problems)
    if proposal.held:
        raise Conflict("This proposal is held for review: release it before answering.")
    if proposal.state != ProposalState.SUBMITTED.value:
        raise Conflict(
            "This proposal has already been answered (%(state)s).",
            params={"state": proposal.state},
        )
    target = None
    if answer is Answer.MERGED:
        if merged_into_id is None:
            raise InvalidInput(
                "The proposal was not answered.",
                details=[Problem("merged_into", "Name the proposal it is merged into.")],
            )
        target = session.get(Proposal, merged_into_id)
        if target is None or target.held:
            raise NotFound("There is no proposal #%(id)s.", params={"id": merged_into_id})
        if target.id == proposal.id:
            raise InvalidInput("A proposal cannot be merged into itself.")
        if target.region_code != proposal.region_code:
            raise InvalidInput("A proposal is merged only into a proposal of the same community.")
        if target.state == ProposalState.MERGED.value:
            raise Conflict(
                "Proposal #%(id)s was itself merged into #%(into)s: merge into that one.",
                params={"id": target.id, "into": target.merged_into_id},
            )
    elif merged_into_id is not None:
        raise InvalidInput("Only a merged proposal names another proposal.")
    return answer, reason, target


def do_answer_proposal(
    session: Session,
    *,
    user: User,
    actor: Actor,
    proposal_id: int,
    decision: str,
    reason: str,
    now: datetime,
    merged_into_id: int | None = None,
) -> Answered:
    """The community's public answer. Accepted opens a governance action (an
    implementation record); merged names the proposal it went into. Once only: a second
    answer, even a concurrent one, is refused."""
    proposal = session.get(Proposal, proposal_id)
    if proposal is None:
        raise NotFound("There is no such proposal.")
    answer, reason, target = check_answer(
        session,
        user=user,
        proposal=proposal,
        decision=decision,
        reason=reason,
        merged_into_id=merged_into_id,
    )
    claimed = session.execute(
        update(Proposal)
        .where(Proposal.id == proposal.id, Proposal.state == ProposalState.SUBMITTED.value)
        .values(
            state=answer.value,
            answer=reason,
            answered_by=actor.username,
            answered_at=now,
            merged_into_id=target.id if target else None,
        )
        .execution_options(synchronize_session=False)
    )
    if int(getattr(claimed, "rowcount", 0)) != 1:
        raise Conflict("This proposal has already been answered.")
    session.refresh(proposal)
    implementation = None
    if answer is Answer.ACCEPTED:
        implementation = service.do_start_implementation(
            session,
            actor=actor,
            region_code=proposal.region_code,
            title=proposal.title,
            now=now,
            proposal_id=proposal.id,
        )
    record(
        session,
        actor=actor,
        action="deliberation.proposal_answered",
        object_type="proposal",
        object_id=proposal.id,
        region_code=proposal.region_code,
        now=now,
        summary={
            "answer": answer.value,
            "merged_into": target.id if target else None,
            "implementation": implementation.id if implementation else None,
        },
    )
    return Answered(proposal, implementation, target)


def implementation_of(
    session: Session, proposal: Proposal
) -> tuple[Implementation | None, list[Milestone]]:
    """The governance action of an accepted proposal, with its milestones in order."""
    row = session.scalars(
        select(Implementation).where(Implementation.proposal_id == proposal.id)
    ).first()
    if row is None:
        return None, []
    milestones = session.scalars(
        select(Milestone)
        .where(Milestone.implementation_id == row.id)
        .order_by(Milestone.position, Milestone.due_on, Milestone.id)
    )
    return row, list(milestones)


def merged_here(session: Session, proposal: Proposal) -> list[Proposal]:
    """The proposals merged into this one (not held)."""
    return list(
        session.scalars(
            select(Proposal)
            .where(Proposal.merged_into_id == proposal.id, Proposal.held.is_(False))
            .order_by(Proposal.id)
        )
    )


# ---------------------------------------------------------------- comments


def target_region(session: Session, target_type: str, target_id: int) -> str:
    """The region of what a comment, report or moderation points at; NotFound if none."""
    try:
        kind = Target(target_type)
    except ValueError as exc:
        raise InvalidInput("Unknown kind of item: %(kind)s.", params={"kind": target_type}) from exc
    model: Any = {
        Target.DISCUSSION: Discussion,
        Target.PROPOSAL: Proposal,
        Target.MATTER: Matter,
        Target.NOTICE: Notice,
        Target.IMPLEMENTATION: Implementation,
        Target.COMMENT: Comment,
    }[kind]
    row = session.get(model, target_id)
    if row is None:
        raise NotFound("There is no such %(kind)s.", params={"kind": kind.value})
    if isinstance(row, Comment):
        return target_region(session, row.target_type, row.target_id)
    region: str = row.region_code
    return region


def _check_stage(session: Session, matter_id: int, stage_id: str | None) -> str:
    matter = session.get(Matter, matter_id)
    if matter is None:
        raise NotFound("There is no such %(kind)s.", params={"kind": Target.MATTER.value})
    if not stage_id:
        raise InvalidInput(
            "Name the stage of the matter.",
            details=[Problem("stage_id", "Name the stage of the matter.")],
        )
    _, procedure = service.template_by_id(session, matter.template_id)
    if stage_id not in {stage.id for stage in procedure.stages}:
        raise NotFound(
            "The procedure %(procedure)s has no stage %(stage)s.",
            params={"procedure": procedure.id, "stage": stage_id},
        )
    return stage_id


def do_comment(
    session: Session,
    *,
    user: User,
    actor: Actor,
    target_type: str,
    target_id: int,
    text: str,
    language: str,
    now: datetime,
    supervision: bool = False,
    stage_id: str | None = None,
) -> Comment:
    """Comment on a discussion or a proposal; or, as supervision (监督), on any stage of
    a matter, a notice or an implementation record."""
    try:
        kind = Target(target_type)
    except ValueError as exc:
        raise InvalidInput("Unknown kind of item: %(kind)s.", params={"kind": target_type}) from exc
    allowed = SUPERVISION_TARGETS if supervision else COMMENT_TARGETS
    if kind not in allowed:
        raise InvalidInput(
            "Comments on a %(kind)s are supervision comments.", params={"kind": kind.value}
        )
    region_code = target_region(session, kind.value, target_id)
    if kind is Target.DISCUSSION:
        discussion = get_discussion(session, target_id, viewer=user)
        if discussion.held or discussion.hidden_reason is not None:
            raise Conflict("This discussion is not open for comments.")
    elif kind is Target.PROPOSAL:
        proposal = get_proposal(session, target_id, viewer=user)
        if proposal.held or proposal.hidden_reason is not None:
            raise Conflict("This proposal is not open for comments.")
    if kind is Target.MATTER:
        stage_id = _check_stage(session, target_id, stage_id)
    elif stage_id:
        raise InvalidInput("Only a matter has stages.")
    if supervision:
        if not may_supervise(user, region_code):
            raise Forbidden("Supervision comments come from residents and supervisors here.")
    else:
        _require_writer(user, region_code)
    problems = text_problems(title=None, body=text, body_max=COMMENT_MAX, body_field="text")
    if problem := language_problem(language.strip() or (user.language or "")):
        problems.append(problem)
    if problems:
        raise InvalidInput("The comment was not posted.", details=problems)
    masked = mask_personal_data(text.strip())
    signals = _held(session, user, masked, now=now)
    row = Comment(
        target_type=kind.value,
        target_id=target_id,
        stage_id=stage_id,
        supervision=supervision,
        text=masked,
        language=_language(language, user.language),
        author_name=_author_name(user),
        author_user_id=user.id,
        author_role=user.role,
        created_at=now,
        held=bool(signals),
    )
    session.add(row)
    session.flush()
    record(
        session,
        actor=actor,
        action="deliberation.supervision_commented" if supervision else "deliberation.commented",
        object_type="comment",
        object_id=row.id,
        region_code=region_code,
        now=now,
        summary={
            "target": f"{kind.value}:{target_id}",
            "stage": stage_id,
            "language": row.language,
            "held": row.held,
            "signals": signals,
        },
    )
    return row


def comments_of(
    session: Session,
    target_type: str,
    target_id: int,
    *,
    viewer: User | None,
    region_code: str,
    supervision: bool | None = None,
) -> list[Comment]:
    """Comments on an item in order, without the held ones the viewer may not see.
    ``supervision`` None gives both kinds."""
    query = select(Comment).where(
        Comment.target_type == target_type, Comment.target_id == target_id
    )
    if supervision is not None:
        query = query.where(Comment.supervision.is_(supervision))
    rows = session.scalars(query.order_by(Comment.created_at, Comment.id))
    return [c for c in rows if visible(viewer, c, region_code)]


# ---------------------------------------------------------------- lists


@dataclass(frozen=True)
class DiscussionSummary:
    discussion: Discussion
    proposals: int
    answered: int
    comments: int


def list_discussions(
    session: Session, region_code: str, *, viewer: User | None, limit: int = 200
) -> list[DiscussionSummary]:
    """A community's discussions, newest first, with counts of proposals, of answered
    proposals and of comments (held items are not counted)."""
    rows = [
        d
        for d in session.scalars(
            select(Discussion)
            .where(Discussion.region_code == region_code)
            .order_by(Discussion.created_at.desc(), Discussion.id.desc())
            .limit(limit)
        )
        if visible(viewer, d, region_code)
    ]
    ids = [d.id for d in rows]
    proposals: dict[int, int] = {}
    answered: dict[int, int] = {}
    comments: dict[int, int] = {}
    if ids:
        for discussion_id, state, count in session.execute(
            select(Proposal.discussion_id, Proposal.state, func.count())
            .where(Proposal.discussion_id.in_(ids), Proposal.held.is_(False))
            .group_by(Proposal.discussion_id, Proposal.state)
        ):
            if discussion_id is None:
                continue
            proposals[discussion_id] = proposals.get(discussion_id, 0) + count
            if state != ProposalState.SUBMITTED.value:
                answered[discussion_id] = answered.get(discussion_id, 0) + count
        for target_id, count in session.execute(
            select(Comment.target_id, func.count())
            .where(
                Comment.target_type == Target.DISCUSSION.value,
                Comment.target_id.in_(ids),
                Comment.held.is_(False),
            )
            .group_by(Comment.target_id)
        ):
            comments[target_id] = count
    return [
        DiscussionSummary(d, proposals.get(d.id, 0), answered.get(d.id, 0), comments.get(d.id, 0))
        for d in rows
    ]


def list_proposals(
    session: Session,
    region_code: str,
    *,
    viewer: User | None,
    discussion_id: int | None = None,
    standalone: bool = False,
    limit: int = 200,
) -> list[Proposal]:
    """Proposals of a community (or of one discussion, or those without one)."""
    query = select(Proposal).where(Proposal.region_code == region_code)
    if discussion_id is not None:
        query = query.where(Proposal.discussion_id == discussion_id)
    elif standalone:
        query = query.where(Proposal.discussion_id.is_(None))
    rows = session.scalars(
        query.order_by(Proposal.created_at.desc(), Proposal.id.desc()).limit(limit)
    )
    return [p for p in rows if visible(viewer, p, region_code)]


def proposals_awaiting(session: Session, *, user: User, limit: int = 200) -> list[Proposal]:
    """Proposals in the user's scope that await the community's answer, oldest first."""
    if not _is(user, ANSWER_ROLES):
        return []
    return list(
        session.scalars(
            select(Proposal)
            .where(
                scope_clause(user.scope, Proposal.region_code),
                Proposal.state == ProposalState.SUBMITTED.value,
                Proposal.held.is_(False),
            )
            .order_by(Proposal.created_at, Proposal.id)
            .limit(limit)
        )
    )


def merge_candidates_of(session: Session, proposals: list[Proposal]) -> dict[int, list[Proposal]]:
    """``merge_candidates`` for several proposals, one query per community, not per row."""
    by_region: dict[str, list[Proposal]] = {}
    for code in {p.region_code for p in proposals}:
        by_region[code] = list(
            session.scalars(
                select(Proposal)
                .where(
                    Proposal.region_code == code,
                    Proposal.held.is_(False),
                    Proposal.state != ProposalState.MERGED.value,
                )
                .order_by(Proposal.id.desc())
                .limit(101)
            )
        )
    return {p.id: [c for c in by_region[p.region_code] if c.id != p.id][:100] for p in proposals}


def merge_candidates(session: Session, proposal: Proposal) -> list[Proposal]:
    """Where a proposal may be merged: others of its community, not held or merged."""
    return list(
        session.scalars(
            select(Proposal)
            .where(
                Proposal.region_code == proposal.region_code,
                Proposal.id != proposal.id,
                Proposal.held.is_(False),
                Proposal.state != ProposalState.MERGED.value,
            )
            .order_by(Proposal.id.desc())
            .limit(100)
        )
    )


# ---------------------------------------------------------------- moderation


def _content(session: Session, target_type: str, target_id: int) -> tuple[Target, Content, str]:
    try:
        kind = Target(target_type)
    except ValueError as exc:
        raise InvalidInput("Unknown kind of item: %(kind)s.", params={"kind": target_type}) from exc
    if kind not in MODERATED:
        raise InvalidInput(
            "Only discussions, proposals and comments are moderated here.",
        )
    model: Any = {
        Target.DISCUSSION: Discussion,
        Target.PROPOSAL: Proposal,
        Target.COMMENT: Comment,
    }[kind]
    row: Content | None = session.get(model, target_id)
    if row is None:
        raise NotFound("There is no such %(kind)s.", params={"kind": kind.value})
    return kind, row, target_region(session, kind.value, target_id)


def do_report(
    session: Session,
    *,
    user: User,
    actor: Actor,
    target_type: str,
    target_id: int,
    reason: str,
    now: datetime,
) -> ContentReport:
    """A signed-in reader reports content to the moderators. Reporting the same item
    again while the first report is open returns that report."""
    kind, row, region_code = _content(session, target_type, target_id)
    if not visible(user, row, region_code):
        raise NotFound("There is no such %(kind)s.", params={"kind": kind.value})
    reason = reason.strip()
    if not reason:
        raise InvalidInput(
            "Say what is wrong with it.", details=[Problem("reason", "Say what is wrong.")]
        )
    if len(reason) > REPORT_MAX:
        raise InvalidInput(
            "Say what is wrong with it.",
            details=[Problem("reason", "At most %(n)s characters.", n=REPORT_MAX)],
        )
    existing = session.scalars(
        select(ContentReport).where(
            ContentReport.target_type == kind.value,
            ContentReport.target_id == target_id,
            ContentReport.reporter_user_id == user.id,
            ContentReport.resolved_at.is_(None),
        )
    ).first()
    if existing is not None:
        return existing
    report = ContentReport(
        target_type=kind.value,
        target_id=target_id,
        reason=mask_personal_data(reason),
        reporter_user_id=user.id,
        at=now,
    )
    session.add(report)
    session.flush()
    record(
        session,
        actor=actor,
        action="deliberation.content_reported",
        object_type=kind.value,
        object_id=target_id,
        region_code=region_code,
        now=now,
        summary={"report": report.id},
    )
    return report


def _require_moderator(user: User, region_code: str) -> None:
    if not may_moderate(user, region_code):
        raise Forbidden("Only moderators of this community may do this.")


def _resolve_reports(
    session: Session, kind: Target, target_id: int, actor: Actor, now: datetime
) -> list[int]:
    reports = list(
        session.scalars(
            select(ContentReport).where(
                ContentReport.target_type == kind.value,
                ContentReport.target_id == target_id,
                ContentReport.resolved_at.is_(None),
            )
        )
    )
    for report in reports:
        report.resolved_at = now
        report.resolved_by = actor.username
    return [r.id for r in reports]


def do_hide(
    session: Session,
    *,
    user: User,
    actor: Actor,
    target_type: str,
    target_id: int,
    reason: str,
    now: datetime,
) -> Content:
    """Hide content with a public reason; its open reports are resolved. The text stays
    stored (and audited) but is never shown again."""
    kind, row, region_code = _content(session, target_type, target_id)
    _require_moderator(user, region_code)
    reason = reason.strip()
    if not reason:
        raise InvalidInput(
            "Give the reason: it is shown in place of the text.",
            details=[Problem("reason", "Give the reason.")],
        )
    if len(reason) > REASON_MAX:
        raise InvalidInput(
            "Give the reason: it is shown in place of the text.",
            details=[Problem("reason", "At most %(n)s characters.", n=REASON_MAX)],
        )
    if row.hidden_reason is not None:
        raise Conflict("This is already hidden.")
    row.hidden_reason = mask_personal_data(reason)
    resolved = _resolve_reports(session, kind, target_id, actor, now)
    session.flush()
    record(
        session,
        actor=actor,
        action="deliberation.content_hidden",
        object_type=kind.value,
        object_id=target_id,
        region_code=region_code,
        now=now,
        summary={"reason": row.hidden_reason, "reports": resolved, "was_held": row.held},
    )
    return row


def do_release(
    session: Session, *, user: User, actor: Actor, target_type: str, target_id: int, now: datetime
) -> Content:
    """Release held content: it was not spam after all, and is shown from now on."""
    kind, row, region_code = _content(session, target_type, target_id)
    _require_moderator(user, region_code)
    if not row.held:
        raise Conflict("This is not held for review.")
    row.held = False
    session.flush()
    record(
        session,
        actor=actor,
        action="deliberation.content_released",
        object_type=kind.value,
        object_id=target_id,
        region_code=region_code,
        now=now,
        summary={},
    )
    return row


def do_dismiss_report(
    session: Session, *, user: User, actor: Actor, report_id: int, now: datetime
) -> ContentReport:
    """Close a report without hiding anything."""
    report = session.get(ContentReport, report_id)
    if report is None:
        raise NotFound("There is no such report.")
    region_code = target_region(session, report.target_type, report.target_id)
    _require_moderator(user, region_code)
    if report.resolved_at is not None:
        raise Conflict("This report is already closed.")
    report.resolved_at = now
    report.resolved_by = actor.username
    session.flush()
    record(
        session,
        actor=actor,
        action="deliberation.report_dismissed",
        object_type=report.target_type,
        object_id=report.target_id,
        region_code=region_code,
        now=now,
        summary={"report": report.id},
    )
    return report


@dataclass(frozen=True)
class QueueItem:
    """An item for the moderators: reported or held, with its open reports."""

    kind: Target
    item: Content
    region_code: str
    reports: Sequence[ContentReport]


def moderation_queue(session: Session, *, user: User, limit: int = 200) -> list[QueueItem]:
    """Open reports and held items in the moderator's scope, oldest first."""
    if not _is(user, MODERATOR_ROLES):
        return []
    found: dict[tuple[Target, int], QueueItem] = {}
    reports = session.scalars(
        select(ContentReport)
        .where(ContentReport.resolved_at.is_(None))
        .order_by(ContentReport.at, ContentReport.id)
        .limit(limit * 5)
    )
    grouped: dict[tuple[str, int], list[ContentReport]] = {}
    for report in reports:
        grouped.setdefault((report.target_type, report.target_id), []).append(report)
    for (target_type, target_id), items in grouped.items():
        try:
            kind, row, region_code = _content(session, target_type, target_id)
        except (NotFound, InvalidInput):
            continue
        if may_access(user.scope, region_code):
            found[(kind, row.id)] = QueueItem(kind, row, region_code, items)
    for kind, model in (
        (Target.DISCUSSION, Discussion),
        (Target.PROPOSAL, Proposal),
    ):
        held: Any = model
        for row in session.scalars(
            select(held)
            .where(
                held.held.is_(True),
                held.hidden_reason.is_(None),
                scope_clause(user.scope, held.region_code),
            )
            .order_by(held.created_at, held.id)
            .limit(limit)
        ):
            found.setdefault((kind, row.id), QueueItem(kind, row, row.region_code, ()))
    for comment in session.scalars(
        select(Comment)
        .where(Comment.held.is_(True), Comment.hidden_reason.is_(None))
        .order_by(Comment.created_at, Comment.id)
        .limit(limit * 5)
    ):
        region_code = target_region(session, comment.target_type, comment.target_id)
        if may_access(user.scope, region_code):
            found.setdefault(
                (Target.COMMENT, comment.id), QueueItem(Target.COMMENT, comment, region_code, ())
            )
    return list(found.values())[:limit]
