"""Discussion loop API: discussions and proposals of a community, comments (and
supervision comments), the community's answer to a proposal, reports and moderation.

Every route needs a signed-in caller; what a caller may write follows the same rules as
the pages (residents in their own community, staff within their scope). Hidden items
come back with their reason and without their text.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path

from gridgov.accounts.models import User
from gridgov.accounts.rules import Role, may_access
from gridgov.deliberation import discussion
from gridgov.deliberation.discussion import Target
from gridgov.deliberation.models import Comment, ContentReport, Discussion, Proposal
from gridgov.deliberation.schemas.discussion import (
    AnsweredOut,
    AnswerIn,
    CommentIn,
    CommentOut,
    DiscussionDetailOut,
    DiscussionOut,
    HideIn,
    ImplementationOut,
    MilestoneOut,
    ModeratedOut,
    PostIn,
    ProposalDetailOut,
    ProposalIn,
    ProposalOut,
    QueueItemOut,
    ReleaseIn,
    ReportIn,
    ReportOut,
)
from gridgov.fields import mask_name
from gridgov.guard.rules import Write
from gridgov.web.deps import CurrentUser, SessionDep
from gridgov.web.toolkit import CurrentDesk, filled

router = APIRouter(tags=["deliberation"])

RegionCode = Annotated[str, Path(pattern=r"^[0-9]{12}$")]
ItemId = Annotated[int, Path(ge=1, le=2**31 - 1)]


# ---------------------------------------------------------------- shaping


def _staff(user: User) -> str | None:
    """The scope within which the caller sees residents' full names: staff their own
    area; residents none."""
    return None if user.role == Role.RESIDENT else user.effective_scope


def _name(name: str, scope: str | None, region: str | None) -> str:
    """A resident's name in full for staff whose scope holds ``region``; masked for
    everyone else, staff of other areas included."""
    full = scope is not None and region is not None and may_access(scope, region)
    return name if full else mask_name(name)


def _discussion_out(
    row: Discussion, counts: tuple[int, int, int] = (0, 0, 0), *, staff: str | None = None
) -> DiscussionOut:
    hidden = row.hidden_reason is not None
    return filled(
        DiscussionOut,
        row,
        title=None if hidden else row.title,
        body=None if hidden else row.body,
        author_name=_name(row.author_name, staff, row.region_code),
        proposals=counts[0],
        answered=counts[1],
        comments=counts[2],
    )


def _proposal_out(
    row: Proposal, implementation_id: int | None = None, *, staff: str | None = None
) -> ProposalOut:
    hidden = row.hidden_reason is not None
    return filled(
        ProposalOut,
        row,
        title=None if hidden else row.title,
        body=None if hidden else row.body,
        author_name=_name(row.author_name, staff, row.region_code),
        implementation_id=implementation_id,
    )


def _comment_out(
    row: Comment, *, staff: str | None = None, region: str | None = None
) -> CommentOut:
    return filled(
        CommentOut,
        row,
        text=None if row.hidden_reason is not None else row.text,
        author_name=row.author_name
        if row.author_role != Role.RESIDENT
        else _name(row.author_name, staff, region),
    )


def _report_out(row: ContentReport) -> ReportOut:
    return filled(ReportOut, row)


def _moderated(kind: str, row: Any) -> ModeratedOut:
    return ModeratedOut(
        target_type=kind, target_id=row.id, held=row.held, hidden_reason=row.hidden_reason
    )


# ---------------------------------------------------------------- discussions


@router.get(
    "/deliberation/communities/{region_code}/discussions", response_model=list[DiscussionOut]
)
def list_discussions(
    region_code: RegionCode, session: SessionDep, user: CurrentUser
) -> list[DiscussionOut]:
    """A community's discussions, newest first, with counts of proposals, answered
    proposals and comments."""
    return [
        _discussion_out(s.discussion, (s.proposals, s.answered, s.comments), staff=_staff(user))
        for s in discussion.list_discussions(session, region_code, viewer=user)
    ]


@router.post(
    "/deliberation/communities/{region_code}/discussions",
    response_model=DiscussionOut,
    status_code=201,
)
def open_discussion(region_code: RegionCode, body: PostIn, desk: CurrentDesk) -> DiscussionOut:
    """Open a discussion in the author's language; suspected spam comes back held."""
    row = desk.commit(
        discussion.do_open_discussion, user=desk.user, region_code=region_code, **body.model_dump()
    )
    return _discussion_out(row, staff=_staff(desk.user))


@router.get("/deliberation/discussions/{discussion_id}", response_model=DiscussionDetailOut)
def get_discussion(
    discussion_id: ItemId, session: SessionDep, user: CurrentUser
) -> DiscussionDetailOut:
    row = discussion.get_discussion(session, discussion_id, viewer=user)
    proposals = discussion.list_proposals(
        session, row.region_code, viewer=user, discussion_id=row.id
    )
    comments = discussion.comments_of(
        session, Target.DISCUSSION.value, row.id, viewer=user, region_code=row.region_code
    )
    return DiscussionDetailOut(
        **_discussion_out(row, staff=_staff(user)).model_dump(),
        proposal_list=[_proposal_out(p, staff=_staff(user)) for p in proposals],
        comment_list=[
            _comment_out(c, staff=_staff(user), region=row.region_code) for c in comments
        ],
    )


# ---------------------------------------------------------------- proposals


@router.get("/deliberation/communities/{region_code}/proposals", response_model=list[ProposalOut])
def list_proposals(
    region_code: RegionCode, session: SessionDep, user: CurrentUser
) -> list[ProposalOut]:
    return [
        _proposal_out(p, staff=_staff(user))
        for p in discussion.list_proposals(session, region_code, viewer=user)
    ]


@router.post(
    "/deliberation/communities/{region_code}/proposals",
    response_model=ProposalOut,
    status_code=201,
)
def submit_proposal(region_code: RegionCode, body: ProposalIn, desk: CurrentDesk) -> ProposalOut:
    """Submit a proposal, from a discussion (``discussion_id``) or on its own."""
    row = desk.commit(
        discussion.do_submit_proposal, user=desk.user, region_code=region_code, **body.model_dump()
    )
    return _proposal_out(row, staff=_staff(desk.user))


@router.get("/deliberation/proposals/awaiting", response_model=list[ProposalOut])
def proposals_awaiting(session: SessionDep, user: CurrentUser) -> list[ProposalOut]:
    """Proposals in the caller's area awaiting the community's answer (empty for roles
    that do not answer)."""
    return [
        _proposal_out(p, staff=_staff(user))
        for p in discussion.proposals_awaiting(session, user=user)
    ]


@router.get("/deliberation/proposals/{proposal_id}", response_model=ProposalDetailOut)
def get_proposal(proposal_id: ItemId, session: SessionDep, user: CurrentUser) -> ProposalDetailOut:
    """A proposal with its answer, where it was merged, its governance action with
    milestones, comments and supervision comments."""
    row = discussion.get_proposal(session, proposal_id, viewer=user)
    implementation, milestones = discussion.implementation_of(session, row)
    comments = discussion.comments_of(
        session, Target.PROPOSAL.value, row.id, viewer=user, region_code=row.region_code
    )
    supervision = (
        discussion.comments_of(
            session,
            Target.IMPLEMENTATION.value,
            implementation.id,
            viewer=user,
            region_code=row.region_code,
        )
        if implementation
        else []
    )
    return ProposalDetailOut(
        **_proposal_out(
            row, implementation.id if implementation else None, staff=_staff(user)
        ).model_dump(),
        implementation=filled(
            ImplementationOut,
            implementation,
            milestones=[filled(MilestoneOut, m) for m in milestones],
        )
        if implementation
        else None,
        comment_list=[
            _comment_out(c, staff=_staff(user), region=row.region_code) for c in comments
        ],
        supervision=[
            _comment_out(c, staff=_staff(user), region=row.region_code) for c in supervision
        ],
    )


@router.post("/deliberation/proposals/{proposal_id}/answer", response_model=AnsweredOut)
def answer_proposal(proposal_id: ItemId, body: AnswerIn, desk: CurrentDesk) -> AnsweredOut:
    """The community's answer (accepted, merged, not_adopted) with its public reason;
    accepted opens the governance action. Answering twice is refused (409)."""
    answered = desk.commit(
        discussion.do_answer_proposal,
        user=desk.user,
        proposal_id=proposal_id,
        decision=body.decision.value,
        reason=body.reason,
        merged_into_id=body.merged_into_id,
    )
    implementation_id = answered.implementation.id if answered.implementation else None
    return AnsweredOut(
        proposal=_proposal_out(answered.proposal, implementation_id, staff=_staff(desk.user)),
        implementation_id=implementation_id,
    )


# ---------------------------------------------------------------- comments


@router.post("/deliberation/comments", response_model=CommentOut, status_code=201)
def comment(body: CommentIn, desk: CurrentDesk) -> CommentOut:
    """Comment on a discussion or proposal; with ``supervision`` also on a matter's
    stage (``stage_id``), a notice or an implementation record."""
    desk.check_rate(Write.COMMENT, f"{body.target_type}:{body.target_id}")
    row = desk.commit(discussion.do_comment, user=desk.user, **body.model_dump())
    return _comment_out(row, staff=_staff(desk.user))


# ---------------------------------------------------------------- reports and moderation


@router.post("/deliberation/reports", response_model=ReportOut, status_code=201)
def report(body: ReportIn, desk: CurrentDesk) -> ReportOut:
    """Report a discussion, proposal or comment to the moderators."""
    row = desk.commit(discussion.do_report, user=desk.user, **body.model_dump())
    return _report_out(row)


@router.get("/deliberation/moderation", response_model=list[QueueItemOut])
def moderation_queue(session: SessionDep, user: CurrentUser) -> list[QueueItemOut]:
    """Open reports and held items in the caller's area (empty for non-moderators)."""
    return [
        QueueItemOut(
            target_type=q.kind.value,
            target_id=q.item.id,
            region_code=q.region_code,
            held=q.item.held,
            hidden_reason=q.item.hidden_reason,
            reports=[_report_out(r) for r in q.reports],
        )
        for q in discussion.moderation_queue(session, user=user)
    ]


@router.post("/deliberation/moderation/hide", response_model=ModeratedOut)
def hide(body: HideIn, desk: CurrentDesk) -> ModeratedOut:
    """Hide with a public reason (moderators in scope); open reports are closed."""
    row = desk.commit(discussion.do_hide, user=desk.user, **body.model_dump())
    return _moderated(body.target_type, row)


@router.post("/deliberation/moderation/release", response_model=ModeratedOut)
def release(body: ReleaseIn, desk: CurrentDesk) -> ModeratedOut:
    """Release an item held as possible spam (moderators in scope)."""
    row = desk.commit(discussion.do_release, user=desk.user, **body.model_dump())
    return _moderated(body.target_type, row)


@router.post("/deliberation/reports/{report_id}/dismiss", response_model=ReportOut)
def dismiss(report_id: ItemId, desk: CurrentDesk) -> ReportOut:
    row = desk.commit(discussion.do_dismiss_report, user=desk.user, report_id=report_id)
    return _report_out(row)
