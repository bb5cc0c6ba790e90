"""Deliberation API: matters and their chain of stages, meetings (convene, sign-in,
show-of-hands totals, roll-call votes, secret ballots, close and decide), and the
supervision committee's view. Thin: the service checks, changes and audits.

Running a matter or a meeting needs a run role (branch secretary, community office
staff, leader, admin) within scope; every staff role may read within scope.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from gridgov.accounts.models import User
from gridgov.accounts.rules import Role
from gridgov.deliberation import service
from gridgov.deliberation.models import Matter, Meeting, MeetingMember
from gridgov.deliberation.rules import Check
from gridgov.deliberation.schemas.matters import (
    CloseIn,
    CommentOut,
    ConveneIn,
    ExplainedOut,
    ImplementationOut,
    LiveOut,
    MatterDetailOut,
    MatterIn,
    MatterOut,
    MeetingDetailOut,
    MeetingOut,
    MemberOut,
    OverdueOut,
    SignInIn,
    StageOut,
    StepOut,
    SupervisionOut,
    TotalsIn,
    VoteIn,
)
from gridgov.errors import InvalidInput
from gridgov.web.deps import SessionDep, actor_of, require_roles
from gridgov.web.toolkit import Desk, desk, filled

router = APIRouter(tags=["deliberation"])

RUN = tuple(Role(r) for r in sorted(service.RUN_ROLES))
READ = tuple(Role(r) for r in sorted(service.READ_ROLES))
SUPERVISE = tuple(Role(r) for r in sorted(service.SUPERVISION_ROLES))
Runner = Annotated[User, Depends(require_roles(*RUN))]
Reader = Annotated[User, Depends(require_roles(*READ))]
Supervisor = Annotated[User, Depends(require_roles(*SUPERVISE))]


ReaderDesk = Annotated[Desk, Depends(desk(Reader, name="reader_desk"))]
RunnerDesk = Annotated[Desk, Depends(desk(Runner, name="runner_desk"))]
SupervisorDesk = Annotated[Desk, Depends(desk(Supervisor, name="supervisor_desk"))]


def _explained(text: str) -> dict[str, ExplainedOut]:
    return {
        key: ExplainedOut(
            message=value["message"],
            params=value.get("params", {}),
            text=value["message"] % value.get("params", {}),
        )
        for key, value in service.explanation_of(text).items()
    }


def _matter_out(matter: Matter) -> MatterOut:
    return MatterOut.model_validate(matter, from_attributes=True)


def _meeting_out(meeting: Meeting) -> MeetingOut:
    return filled(MeetingOut, meeting, explanation=_explained(meeting.explanation))


def _member_out(member: MeetingMember) -> MemberOut:
    return filled(MemberOut, member, proxy_holder_id=member.proxy_for_id)


def _check(check: Check) -> ExplainedOut:
    return ExplainedOut(message=check.message, params=check.params, text=check.text())


@router.get("/deliberation/matters", response_model=list[MatterOut])
def list_matters(
    request: Request,
    session: SessionDep,
    user: Reader,
    region_code: str | None = None,
    state: str | None = None,
) -> list[MatterOut]:
    actor = actor_of(request, user)
    rows = service.list_matters(session, viewer=actor, region_code=region_code, state=state)
    return [_matter_out(m) for m in rows]


@router.post("/deliberation/matters", response_model=MatterDetailOut, status_code=201)
def open_matter(body: MatterIn, desk: RunnerDesk) -> MatterDetailOut:
    matter = desk.commit(service.do_open_matter, **body.model_dump())
    return _matter_detail(desk.session, matter)


def _matter_detail(session: Any, matter: Matter) -> MatterDetailOut:
    procedure = service.procedure_of(session, matter)
    implementation = service.implementation_of(session, matter.id)
    return MatterDetailOut(
        **_matter_out(matter).model_dump(),
        stages=[
            StageOut(
                id=s.id,
                kind=s.kind.value,
                name_zh=s.names.zh_Hans,
                name_en=s.names.en,
                body=s.body.value,
                alternative_bodies=[a.body.value for a in s.alternatives],
                merged_from=list(s.merged_from),
            )
            for s in procedure.stages
        ],
        steps=[
            filled(StepOut, s, explanation=_explained(s.explanation))
            for s in service.matter_steps(session, matter.id)
        ],
        meetings=[_meeting_out(m) for m in service.meetings_of(session, matter.id)],
        implementation=ImplementationOut.model_validate(implementation, from_attributes=True)
        if implementation
        else None,
        notice_ids=[n.id for n in service.notices_of(session, matter.id)],
    )


@router.get("/deliberation/matters/{matter_id}", response_model=MatterDetailOut)
def get_matter(matter_id: int, desk: ReaderDesk) -> MatterDetailOut:
    matter = service.get_matter(desk.session, matter_id=matter_id, viewer=desk.actor)
    return _matter_detail(desk.session, matter)


@router.post(
    "/deliberation/matters/{matter_id}/meetings", response_model=MeetingDetailOut, status_code=201
)
def convene(matter_id: int, body: ConveneIn, desk: RunnerDesk) -> MeetingDetailOut:
    meeting = desk.commit(
        service.do_convene,
        matter_id=matter_id,
        **body.model_dump(exclude={"voting"}),
        voting=body.voting.value,
    )
    return _meeting_detail(desk.session, meeting)


def _meeting_detail(session: Any, meeting: Meeting) -> MeetingDetailOut:
    live = None
    if meeting.state in service.OPEN_MEETING_STATES:
        count = service.live_count(session, meeting)
        live = filled(
            LiveOut,
            count.attendance,
            yes=count.yes,
            no=count.no,
            abstain=count.abstain,
            quorum=_check(count.quorum),
            decision=_check(count.decision) if count.decision else None,
        )
    return MeetingDetailOut(
        **_meeting_out(meeting).model_dump(),
        roster=[_member_out(m) for m in service.members_of(session, meeting.id)],
        live=live,
    )


@router.get("/deliberation/meetings/{meeting_id}", response_model=MeetingDetailOut)
def get_meeting(meeting_id: int, desk: ReaderDesk) -> MeetingDetailOut:
    meeting = service.get_meeting(desk.session, meeting_id=meeting_id, viewer=desk.actor)
    return _meeting_detail(desk.session, meeting)


@router.post("/deliberation/meetings/{meeting_id}/sign-in", response_model=MemberOut)
def sign_in(meeting_id: int, body: SignInIn, desk: RunnerDesk) -> MemberOut:
    member = desk.commit(service.do_sign_in, meeting_id=meeting_id, **body.model_dump())
    return _member_out(member)


@router.post("/deliberation/meetings/{meeting_id}/totals", response_model=MeetingDetailOut)
def record_totals(meeting_id: int, body: TotalsIn, desk: RunnerDesk) -> MeetingDetailOut:
    meeting = desk.commit(
        service.do_record_totals,
        meeting_id=meeting_id,
        yes=body.yes,
        no=body.no,
        abstain=body.abstain,
        expected_version=body.version,
    )
    return _meeting_detail(desk.session, meeting)


@router.post("/deliberation/meetings/{meeting_id}/votes", status_code=201)
def record_vote(meeting_id: int, body: VoteIn, desk: RunnerDesk) -> dict[str, Any]:
    """A roll-call vote recorded by the clerk: one per member (409 the second time)."""
    if body.member_id is None:
        raise InvalidInput("Say whose vote this is: member_id.")
    vote = desk.commit(
        service.do_record_vote,
        meeting_id=meeting_id,
        member_id=body.member_id,
        choice=body.choice.value,
    )
    return {"id": vote.id, "member_id": vote.member_id, "choice": vote.choice}


@router.post("/deliberation/meetings/{meeting_id}/ballots", status_code=201)
def cast_ballot(meeting_id: int, body: VoteIn, desk: RunnerDesk) -> dict[str, Any]:
    """A secret ballot handed in through the clerk: a receipt for the member, the choice
    kept apart with nothing linking them. One per member (409 the second time)."""
    if body.member_id is None:
        raise InvalidInput("Say whose ballot this is: member_id.")
    desk.commit(
        service.do_cast_ballot,
        meeting_id=meeting_id,
        member_id=body.member_id,
        choice=body.choice.value,
    )
    return {"box": service.ballot_box(meeting_id), "voted": True}


@router.post("/deliberation/meetings/{meeting_id}/close", response_model=MeetingDetailOut)
def close_meeting(meeting_id: int, body: CloseIn, desk: RunnerDesk) -> MeetingDetailOut:
    """Close and decide by the stage's rules; without a quorum the meeting ends
    ``no_quorum`` (200) and the matter stays at its stage."""
    meeting = desk.commit(
        service.do_close_meeting,
        meeting_id=meeting_id,
        returned=body.returned,
        expected_version=body.version,
    )
    return _meeting_detail(desk.session, meeting)


@router.get("/deliberation/supervision", response_model=SupervisionOut)
def supervision(desk: SupervisorDesk, region_code: str | None = None) -> SupervisionOut:
    view = service.supervision_view(
        desk.session,
        viewer=desk.actor,
        today=service.local_date(desk.now),
        region_code=region_code,
    )
    return SupervisionOut(
        matters=[_matter_out(m) for m in view.matters],
        stages={k: (v.id if v else None) for k, v in view.stages.items()},
        no_quorum_meeting_ids=[m.id for m in view.no_quorum],
        overdue=[
            OverdueOut(
                milestone_id=m.id,
                title=m.title,
                due_on=m.due_on,
                implementation_id=i.id,
                implementation=i.title,
                matter_id=i.matter_id,
            )
            for m, i in view.overdue
        ],
        disclosures_due=[
            {"matter_id": m.id, "notice_id": n.id if n else None} for m, n in view.disclosures_due
        ],
        comments={
            k: [CommentOut.model_validate(c, from_attributes=True) for c in v]
            for k, v in view.comments.items()
        },
    )
