"""The member pipeline (发展党员) of a branch: candidates, their steps, promotions by
the statutory intervals and branch votes, reminders of steps due, the funnel, and
reserve cadres (后备干部) with their plans.

Sensitive: only officers of the branch itself (a branch secretary or administrator
whose scope covers the branch's region) see or change it, and every read of a
branch's list is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.accounts.rules import Role, scope_clause
from gridgov.audit.service import Actor, add_and_record, record, record_about
from gridgov.deliberation.rules import Tally
from gridgov.errors import InvalidInput, NotFound, Problem
from gridgov.msgids import N_
from gridgov.outreach.models import Candidate, CandidateStep
from gridgov.outreach.rules import (
    PIPELINE,
    Stage,
    Step,
    StepDone,
    branch_vote,
    check_promotion,
    check_step,
    earliest_promotion,
    funnel,
    missing_steps,
)
from gridgov.outreach.service import check_scope
from gridgov.registry import public as register
from gridgov.registry import service as registry
from gridgov.registry.rules import PARTY_KINDS, OrgKind

OFFICER_ROLES = frozenset({Role.BRANCH_SECRETARY, Role.ADMIN})


def check_officer(actor: Actor, region_code: str) -> None:
    """Only the branch's own officers; anyone else is refused (404 outside the scope)."""
    check_scope(
        actor,
        region_code,
        OFFICER_ROLES,
        N_("Only the branch's own officers may see its member pipeline."),
    )


def _branch(session: Session, branch_id: int) -> tuple[int, str]:
    branch = registry.get_organisation(session, organisation_id=branch_id)
    if branch is None or OrgKind(branch.kind) not in PARTY_KINDS:
        raise NotFound("Not found.")
    return branch.id, branch.region_code


def do_add_candidate(
    session: Session,
    *,
    actor: Actor,
    branch_id: int,
    name: str,
    applied_on: date,
    today: date,
    now: datetime,
    resident_id: int | None = None,
    willing_only: bool = False,
) -> Candidate:
    """An applicant (with the application as their first step), or with
    ``willing_only`` someone who has said they wish to join, counted before applying."""
    branch, region = _branch(session, branch_id)
    check_officer(actor, region)
    name = name.strip()
    problems: list[Problem] = []
    if not 1 <= len(name) <= 128:
        problems.append(Problem("name", "A name of 1 to 128 characters is required."))
    if applied_on > today:
        problems.append(Problem("applied_on", "A date in the future is not allowed."))
    if problems:
        raise InvalidInput("The applicant was not added.", details=problems)
    candidate = Candidate(
        branch_id=branch,
        region_code=region,
        resident_id=resident_id,
        name=name,
        stage=(Stage.WILLING if willing_only else Stage.APPLICANT).value,
        stage_since=applied_on,
        reserve_cadre=False,
        plan="",
        created_at=now,
    )
    session.add(candidate)
    session.flush()
    if not willing_only:
        session.add(
            CandidateStep(
                candidate_id=candidate.id,
                stage=Stage.APPLICANT.value,
                step=Step.APPLICATION.value,
                done_on=applied_on,
                recorded_by=actor.username,
            )
        )
    record_about(
        session, actor, "pipeline.candidate_added", candidate, now=now, summary={"branch": branch}
    )
    return candidate


def get_candidate(session: Session, *, candidate_id: int, actor: Actor) -> Candidate:
    candidate = session.get(Candidate, candidate_id)
    if candidate is None:
        raise NotFound("Not found.")
    check_officer(actor, candidate.region_code)
    return candidate


def _done(session: Session, candidate: Candidate) -> list[StepDone]:
    return [
        StepDone(Step(s.step), s.done_on, s.hours, s.adopted)
        for s in session.scalars(
            select(CandidateStep)
            .where(CandidateStep.candidate_id == candidate.id)
            .order_by(CandidateStep.done_on, CandidateStep.id)
        )
        if s.stage == candidate.stage
    ]


def do_record_step(
    session: Session,
    *,
    actor: Actor,
    candidate: Candidate,
    step: Step,
    on: date,
    today: date,
    now: datetime,
    hours: int = 0,
    tally: Tally | None = None,
    note: str = "",
) -> CandidateStep:
    """Record a talk, training hours, a review or a branch vote (refused without its
    quorum, or before the stage's minimum interval)."""
    check_officer(actor, candidate.region_code)
    stage = Stage(candidate.stage)
    check_step(stage, step, candidate.stage_since, on, today)
    if not 0 <= hours <= 200:
        problem = Problem("hours", "Between 0 and 200 hours.")
        raise InvalidInput("The step was not recorded.", details=[problem])
    adopted = False
    if step is Step.BRANCH_VOTE:
        if tally is None:
            problem = Problem("present", "A branch vote needs its tally.")
            raise InvalidInput("The step was not recorded.", details=[problem])
        adopted = branch_vote(tally)
    row = CandidateStep(
        candidate_id=candidate.id,
        stage=stage.value,
        step=step.value,
        done_on=on,
        hours=hours,
        adopted=adopted,
        note=note.strip()[:2000],
        recorded_by=actor.username,
    )
    summary = {"step": step.value, "stage": stage.value, "adopted": adopted}
    return add_and_record(
        session, actor, "pipeline.step_recorded", row, about=candidate, now=now, summary=summary
    )


def do_promote(
    session: Session, *, actor: Actor, candidate: Candidate, on: date, today: date, now: datetime
) -> Stage:
    check_officer(actor, candidate.region_code)
    if on > today:
        raise InvalidInput("A step cannot be dated in the future.")
    stage = Stage(candidate.stage)
    target = check_promotion(stage, candidate.stage_since, _done(session, candidate), on)
    session.add(
        CandidateStep(
            candidate_id=candidate.id,
            stage=stage.value,
            step=Step.PROMOTE.value,
            done_on=on,
            recorded_by=actor.username,
        )
    )
    candidate.stage = target.value
    candidate.stage_since = on
    summary = {"from": stage.value, "to": target.value}
    record_about(session, actor, "pipeline.promoted", candidate, now=now, summary=summary)
    return target


def do_set_reserve(
    session: Session, *, actor: Actor, candidate: Candidate, reserve: bool, plan: str, now: datetime
) -> None:
    check_officer(actor, candidate.region_code)
    candidate.reserve_cadre = reserve
    candidate.plan = plan.strip()[:2000]
    record_about(
        session, actor, "pipeline.reserve_set", candidate, now=now, summary={"reserve": reserve}
    )


@dataclass(frozen=True)
class Due:
    candidate: Candidate
    missing: list[Step]
    earliest: date


def list_candidates(
    session: Session, *, actor: Actor, branch_id: int, now: datetime
) -> list[Candidate]:
    """A branch's candidates; the read itself is audited."""
    _, region = _branch(session, branch_id)
    check_officer(actor, region)
    record(
        session,
        actor=actor,
        action="pipeline.viewed",
        object_type="organisation",
        object_id=branch_id,
        region_code=region,
        now=now,
    )
    return list(
        session.scalars(
            select(Candidate).where(Candidate.branch_id == branch_id).order_by(Candidate.id)
        )
    )


def officer_branches(session: Session, *, actor: Actor) -> list[tuple[int, str]]:
    """The branches with candidates whose pipeline ``actor`` may open (an officer, the
    branch in scope): id and name, by name. Where the outreach page links to them."""
    if actor.role not in OFFICER_ROLES:
        return []
    ids = session.scalars(
        select(Candidate.branch_id)
        .where(scope_clause(actor.scope, Candidate.region_code))
        .distinct()
    ).all()
    names = register.organisation_names(session, ids)
    return sorted(names.items(), key=lambda item: item[1])


def steps_due(session: Session, candidates: list[Candidate], *, today: date) -> list[Due]:
    """Reminders: what each candidate still needs at their stage, and from when the
    next stage may follow."""
    due = []
    for candidate in candidates:
        stage = Stage(candidate.stage)
        if PIPELINE[stage].next is None:
            continue
        missing = missing_steps(stage, candidate.stage_since, _done(session, candidate))
        earliest = earliest_promotion(stage, candidate.stage_since)
        if missing or earliest <= today:
            due.append(Due(candidate, missing, earliest))
    return due


def branch_funnel(candidates: list[Candidate]) -> dict[Stage, int]:
    return funnel([Stage(c.stage) for c in candidates])
