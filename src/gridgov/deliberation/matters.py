"""Matters (议题): opening one, its steps through the procedure's stages, and the
disclosure notices the procedure asks for (drafted through the notice board).
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from gridgov.accounts.rules import scope_clause
from gridgov.audit.service import Actor, add_and_record, record_about
from gridgov.db import rows, visible_row
from gridgov.deliberation.access import (
    READ_ROLES,
    TEXT_LIMIT,
    TITLE_LIMIT,
    _clean,
    check_may_run,
    local_date,
    may_read,
)
from gridgov.deliberation.implementation import do_start_implementation, implementation_updates
from gridgov.deliberation.models import (
    Implementation,
    Matter,
    MatterStep,
    Meeting,
    Notice,
    ProcedureTemplate,
)
from gridgov.deliberation.noticeboard import drafting
from gridgov.deliberation.procedures import ensure_shipped_templates, get_template, template_by_id
from gridgov.deliberation.rules import (
    ImplementationState,
    MatterState,
    NoticeKind,
    Outcome,
    Procedure,
    Stage,
    StageKind,
    effective_procedure,
    next_stage,
)
from gridgov.deliberation.states import MATTER_ALLOWED, move
from gridgov.errors import Conflict, InvalidInput, NotFound, Problem
from gridgov.msgids import N_
from gridgov.territory import service as territory

# -- matters ------------------------------------------------------------------------


def procedure_of(session: Session, matter: Matter) -> Procedure:
    """The matter's procedure as held: its template revision, with 一肩挑 applied."""
    _, procedure = template_by_id(session, matter.template_id)
    return effective_procedure(procedure, matter.one_person)


def current_stage(session: Session, matter: Matter) -> Stage | None:
    if matter.stage_id is None:
        return None
    return procedure_of(session, matter).stage(matter.stage_id)


def get_matter(session: Session, *, matter_id: int, viewer: Actor) -> Matter:
    return visible_row(session, Matter, matter_id, lambda row: may_read(viewer, row.region_code))


def list_matters(
    session: Session, *, viewer: Actor, region_code: str | None = None, state: str | None = None
) -> list[Matter]:
    query = select(Matter).order_by(Matter.updated_at.desc(), Matter.id.desc())
    if viewer.role != "system":
        if viewer.role not in READ_ROLES:
            return []
        query = query.where(scope_clause(viewer.scope, Matter.region_code))
    if region_code:
        query = query.where(Matter.region_code.startswith(region_code, autoescape=True))
    if state:
        query = query.where(Matter.state == state)
    return list(session.scalars(query))


def check_open_matter(
    session: Session,
    *,
    actor: Actor,
    region_code: str,
    title: str,
    description: str,
    template_key: str,
    one_person: bool,
) -> tuple[ProcedureTemplate, Procedure, str, str]:
    check_may_run(actor, region_code)
    region = territory.find_region(session, code=region_code)
    if region is None:
        raise InvalidInput(
            "There is no region %(code)s.",
            params={"code": region_code},
            details=[Problem("region_code", "There is no region %(code)s.", code=region_code)],
        )
    clean_title = _clean(title, "title", TITLE_LIMIT)
    clean_description = _clean(description, "description", TEXT_LIMIT, required=False)
    row, procedure = get_template(session, template_key)
    if one_person and not any(s.merge_when_one_person for s in procedure.stages):
        raise InvalidInput(
            N_("The procedure %(key)s does not let a one-person chair (一肩挑) merge stages."),
            params={"key": template_key},
            details=[Problem("one_person", N_("This procedure has no stages to merge."))],
        )
    return row, procedure, clean_title, clean_description


def do_open_matter(
    session: Session,
    *,
    actor: Actor,
    region_code: str,
    title: str,
    description: str,
    template_key: str = "si_yi_liang_gong_kai",
    one_person: bool = False,
    proposal_id: int | None = None,
    now: datetime,
) -> Matter:
    """Open a matter at the first stage of its procedure as held (with ``one_person``,
    一肩挑, the proposal merges into the two committees' deliberation where the template
    allows it). Run by branch secretaries, the community office (unit_staff), leaders
    and administrators within their scope."""
    ensure_shipped_templates(session, now=now)
    row, procedure, clean_title, clean_description = check_open_matter(
        session,
        actor=actor,
        region_code=region_code,
        title=title,
        description=description,
        template_key=template_key,
        one_person=one_person,
    )
    held = effective_procedure(procedure, one_person)
    matter = Matter(
        region_code=region_code,
        title=clean_title,
        description=clean_description,
        template_id=row.id,
        one_person=one_person,
        stage_id=held.first.id,
        state=MatterState.OPEN.value,
        proposal_id=proposal_id,
        created_by=actor.username,
        created_at=now,
        updated_at=now,
        version=1,
    )
    summary = {
        "title": matter.title,
        "template": row.key,
        "revision": row.revision,
        "one_person": one_person,
        "stage": matter.stage_id,
        "merged": list(held.first.merged_from),
        "proposal": proposal_id,
    }
    return add_and_record(
        session, actor, "deliberation.matter_opened", matter, now=now, summary=summary
    )


def matter_steps(session: Session, matter_id: int) -> list[MatterStep]:
    return rows(session, MatterStep, MatterStep.matter_id == matter_id, order_by=(MatterStep.id,))


def _bump(session: Session, model: type[Matter] | type[Meeting], row_id: int, seen: int) -> int:
    """Optimistic concurrency: move ``version`` on from ``seen``; Conflict when another
    request moved it first."""
    result = session.execute(
        update(model)
        .where(model.id == row_id, model.version == seen)
        .values(version=seen + 1)
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        raise Conflict("Someone else changed this meanwhile. Reload and try again.")
    return seen + 1


def _disclosure_kind(procedure: Procedure, stage: Stage) -> NoticeKind:
    """The first disclosure of a chain discloses the resolution; later ones the result."""
    disclosures = [s.id for s in procedure.stages if s.kind is StageKind.DISCLOSURE]
    return NoticeKind.RESOLUTION if disclosures[:1] == [stage.id] else NoticeKind.RESULT


def _implementation_of(session: Session, matter_id: int) -> Implementation | None:
    return session.scalars(
        select(Implementation).where(Implementation.matter_id == matter_id)
    ).first()


def _notice_body(session: Session, matter: Matter, kind: NoticeKind) -> str:
    """The notice as a village posts it (in Chinese, the notice's language): the matter,
    then each meeting that adopted it with its attendance and vote, as minutes put it."""
    procedure = procedure_of(session, matter)
    stages = {stage.id: stage for stage in procedure.stages}
    lines = [matter.title, "", matter.description, ""]
    for step in matter_steps(session, matter.id):
        if step.outcome == Outcome.ADOPTED.value and step.meeting_id is not None:
            meeting = session.get(Meeting, step.meeting_id)
            if meeting is not None:
                stage = stages.get(step.stage_id)
                name = stage.names.zh_Hans if stage else step.stage_id
                lines.append(
                    f"{name}（{local_date(meeting.starts_at).isoformat()}，{meeting.title}）："
                    f"应到{meeting.members}人，实到{meeting.present}人；"
                    f"赞成{meeting.yes}，反对{meeting.no}，弃权{meeting.abstain}，通过。"
                )
    if kind is NoticeKind.RESULT:
        implementation = _implementation_of(session, matter.id)
        if implementation is not None:
            lines.append("")
            lines.append(f"{implementation.title}: {implementation.progress}%")
            for update_row in implementation_updates(session, implementation.id):
                lines.append(f"{local_date(update_row.at).isoformat()} {update_row.text}")
    return "\n".join(lines).strip()


def _draft_disclosure(
    session: Session,
    *,
    actor: Actor,
    matter: Matter,
    procedure: Procedure,
    stage: Stage,
    now: datetime,
) -> int | None:
    """Draft the disclosure notice of ``stage`` through the notices service."""
    kind = _disclosure_kind(procedure, stage)
    # The draft follows from the stage's outcome, whoever recorded it (the clerk may not
    # draft notices himself): the system drafts it; the step's audit row names the person.
    drafter = replace(Actor.system("deliberation"), request_id=actor.request_id, ip=actor.ip)
    notice = drafting.do_draft(
        session,
        actor=drafter,
        region_code=matter.region_code,
        kind=kind,
        title=f"{stage.names.zh_Hans}：{matter.title}"[:TITLE_LIMIT],
        body=_notice_body(session, matter, kind),
        now=now,
        matter_id=matter.id,
        posting_days=stage.posting_days,
        objection_days=stage.objection_days,
    )
    return notice.id


def _enter_stage(
    session: Session,
    *,
    actor: Actor,
    matter: Matter,
    procedure: Procedure,
    target: str | None,
    now: datetime,
) -> None:
    """Move the matter to ``target`` (None: the chain ended) and do what that stage
    needs at once: a disclosure's notice is drafted (the result disclosure only once the
    implementation record is done)."""
    matter.stage_id = target
    matter.updated_at = now
    if target is None:
        return
    stage = procedure.stage(target)
    if stage.kind is not StageKind.DISCLOSURE:
        return
    if _disclosure_kind(procedure, stage) is NoticeKind.RESULT:
        implementation = _implementation_of(session, matter.id)
        if implementation is None or implementation.state != ImplementationState.DONE.value:
            return
    _draft_disclosure(
        session, actor=actor, matter=matter, procedure=procedure, stage=stage, now=now
    )


def _record_step(
    session: Session,
    *,
    actor: Actor,
    matter: Matter,
    procedure: Procedure,
    outcome: Outcome,
    now: datetime,
    meeting_id: int | None = None,
    notice_id: int | None = None,
    explanation: dict[str, Any] | None = None,
    note: str = "",
) -> MatterStep:
    """A stage's outcome: the step in the matter's history, and the move it makes (an
    adopted decision opens the implementation record; rejected ends the chain)."""
    if matter.stage_id is None or matter.state != MatterState.OPEN.value:
        raise Conflict("The matter is no longer open.")
    stage = procedure.stage(matter.stage_id)
    target = next_stage(procedure, stage.id, outcome)
    _bump(session, Matter, matter.id, matter.version)
    session.refresh(matter, attribute_names=["version"])
    step = MatterStep(
        matter_id=matter.id,
        stage_id=stage.id,
        outcome=outcome.value,
        next_stage_id=target,
        meeting_id=meeting_id,
        notice_id=notice_id,
        explanation=json.dumps(explanation or {}, ensure_ascii=False),
        note=note,
        actor=actor.username,
        at=now,
    )
    session.add(step)
    session.flush()
    if target is None:
        matter.state = move(
            MATTER_ALLOWED,
            matter.state,
            MatterState.COMPLETED if outcome is Outcome.ADOPTED else MatterState.REJECTED,
            "matter",
        )
    if stage.kind is StageKind.DECISION and outcome is Outcome.ADOPTED:
        do_start_implementation(
            session,
            actor=actor,
            region_code=matter.region_code,
            title=matter.title,
            now=now,
            matter_id=matter.id,
        )
    summary = {
        "stage": stage.id,
        "outcome": outcome.value,
        "next": target,
        "meeting": meeting_id,
        "notice": notice_id,
        "state": matter.state,
    }
    record_about(session, actor, "deliberation.matter_step", matter, now=now, summary=summary)
    _enter_stage(session, actor=actor, matter=matter, procedure=procedure, target=target, now=now)
    return step


def advance_after_disclosure(
    session: Session, *, matter_id: int, notice_id: int, actor: Actor, now: datetime
) -> None:
    """A matter's disclosure notice has closed after its posting period: record the
    disclosure stage as adopted and move on (to the result disclosure, whose notice is
    drafted once the implementation record is done; or to the end: COMPLETED).
    Called by the notices service when it closes a notice. A notice that was already
    counted is a no-op."""
    matter = session.get(Matter, matter_id)
    if matter is None:
        raise NotFound("Not found, or outside your area.")
    if session.scalars(
        select(MatterStep.id).where(
            MatterStep.matter_id == matter_id, MatterStep.notice_id == notice_id
        )
    ).first():
        return
    notice = session.get(Notice, notice_id)
    if notice is None or notice.matter_id != matter_id:
        raise NotFound("Not found, or outside your area.")
    procedure = procedure_of(session, matter)
    stage = current_stage(session, matter)
    if stage is None or matter.state != MatterState.OPEN.value:
        raise Conflict("The matter is no longer open.")
    if stage.kind is not StageKind.DISCLOSURE:
        raise Conflict(
            "The matter is at the %(stage)s stage, not at a disclosure.",
            params={"stage": stage.id},
        )
    if _disclosure_kind(procedure, stage) is NoticeKind.RESULT:
        implementation = _implementation_of(session, matter.id)
        if implementation is None or implementation.state != ImplementationState.DONE.value:
            raise Conflict("The result is disclosed only once the implementation is done.")
    _record_step(
        session,
        actor=actor,
        matter=matter,
        procedure=procedure,
        outcome=Outcome.ADOPTED,
        now=now,
        notice_id=notice_id,
        explanation={
            "message": N_("Posted for the full period of %(days)s days."),
            "params": {"days": notice.posting_days},
        },
    )


def do_record_disclosure_draft(
    session: Session, *, actor: Actor, matter_id: int, now: datetime
) -> int | None:
    """Draft the current disclosure's notice again (when the first draft was withdrawn);
    returns the notice id, or None when the stage waits for the implementation."""
    matter = get_matter(session, matter_id=matter_id, viewer=actor)
    check_may_run(actor, matter.region_code)
    stage = current_stage(session, matter)
    if stage is None or stage.kind is not StageKind.DISCLOSURE:
        raise Conflict("The matter is not at a disclosure.")
    procedure = procedure_of(session, matter)
    if _disclosure_kind(procedure, stage) is NoticeKind.RESULT:
        implementation = _implementation_of(session, matter.id)
        if implementation is None or implementation.state != ImplementationState.DONE.value:
            raise Conflict("The result is disclosed only once the implementation is done.")
    return _draft_disclosure(
        session, actor=actor, matter=matter, procedure=procedure, stage=stage, now=now
    )
