"""Deliberation services shared by every part of the domain: procedure templates as
stored revisions, files (scans, photos), and implementation records.

Matters and meetings build on these below; notices live in ``notices.py``, the
discussion loop in ``discussion.py``, elections in ``elections.py``.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import lru_cache
from importlib import resources
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gridgov import clock, revisions
from gridgov.accounts.rules import may_access, scope_clause
from gridgov.audit.service import Actor, record
from gridgov.datafiles import DataFileError
from gridgov.deliberation.models import (
    BallotReceipt,
    BodyMember,
    Comment,
    DeliberationFile,
    Implementation,
    ImplementationUpdate,
    Matter,
    MatterStep,
    Meeting,
    MeetingMember,
    MeetingVote,
    Milestone,
    Notice,
    ProcedureTemplate,
    SecretBallot,
)
from gridgov.deliberation.rules import (
    AnyOf,
    Basis,
    Check,
    Choice,
    ImplementationState,
    MatterState,
    MeetingState,
    NoticeKind,
    NoticeState,
    Outcome,
    Procedure,
    Roster,
    Rule,
    Stage,
    StageKind,
    Tally,
    Voting,
    check_tally,
    earliest_meeting,
    effective_procedure,
    evaluate_decision,
    evaluate_quorum,
    held_by,
    load_procedure,
    next_stage,
)
from gridgov.deliberation.states import MATTER_ALLOWED, MEETING_ALLOWED, move
from gridgov.errors import Conflict, Forbidden, InvalidInput, NotFound, Problem
from gridgov.msgids import N_
from gridgov.registry.models import Household, PersonRoleRow, Resident
from gridgov.territory import service as territory

SHIPPED_TEMPLATES = ("si_yi_liang_gong_kai", "community_council")
FILE_LIMIT = 10 * 1024 * 1024
FILE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/heic", "application/pdf"})


# -- procedure templates -----------------------------------------------------------


def shipped_template(key: str) -> str:
    return (resources.files("gridgov.deliberation") / "data" / f"{key}.yaml").read_text("utf-8")


@lru_cache(maxsize=64)
def parse_template(source: str) -> Procedure:
    return load_procedure(source)


def check_template(text: str) -> Procedure:
    """Validate a procedure file; InvalidInput names the line of the first problem."""
    try:
        return load_procedure(text)
    except DataFileError as exc:
        raise InvalidInput(
            "The procedure is refused at line %(line)s: %(reason)s",
            params={"line": exc.line, "reason": exc.problem.text()},
            details=[exc.problem],
        ) from exc


def latest_template(session: Session, key: str) -> ProcedureTemplate | None:
    return revisions.latest(session, ProcedureTemplate, key)


def do_load_template(
    session: Session, *, text: str, actor: Actor, now: datetime
) -> ProcedureTemplate:
    """Store a procedure file as its key's next revision; the same text is a no-op."""
    procedure = check_template(text)
    return revisions.do_store(
        session,
        ProcedureTemplate,
        key=procedure.id,
        names=(procedure.names.zh_Hans, procedure.names.en),
        text=text,
        actor=actor,
        now=now,
        action="deliberation.template_loaded",
    )


def ensure_shipped_templates(session: Session, *, now: datetime) -> None:
    for key in SHIPPED_TEMPLATES:
        if latest_template(session, key) is None:
            do_load_template(session, text=shipped_template(key), actor=Actor.system(), now=now)


def get_template(session: Session, key: str) -> tuple[ProcedureTemplate, Procedure]:
    row = latest_template(session, key)
    if row is None:
        raise NotFound("There is no procedure %(key)s.", params={"key": key})
    return row, parse_template(row.source)


def template_by_id(session: Session, template_id: int) -> tuple[ProcedureTemplate, Procedure]:
    row = session.get(ProcedureTemplate, template_id)
    if row is None:
        raise NotFound("There is no procedure %(key)s.", params={"key": template_id})
    return row, parse_template(row.source)


# -- files -------------------------------------------------------------------------


def do_attach_file(
    session: Session,
    *,
    actor: Actor,
    owner_type: str,
    owner_id: int,
    purpose: str,
    name: str,
    content_type: str,
    data: bytes,
    now: datetime,
    region_code: str | None = None,
) -> DeliberationFile:
    """Keep a scan or photo (a signed sign-in sheet, minutes, the notice on the board)."""
    if content_type not in FILE_TYPES:
        raise InvalidInput(
            "Attach a photo (JPEG, PNG, WebP, HEIC) or a PDF, not %(type)s.",
            params={"type": content_type or "?"},
        )
    if not data:
        raise InvalidInput("The file is empty.")
    if len(data) > FILE_LIMIT:
        raise InvalidInput(
            "A file may be at most %(mb)s MB.", params={"mb": FILE_LIMIT // (1024 * 1024)}
        )
    row = DeliberationFile(
        owner_type=owner_type,
        owner_id=owner_id,
        purpose=purpose,
        name=(name or "file")[:128],
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
        uploaded_by=actor.username,
        uploaded_at=now,
    )
    session.add(row)
    session.flush()
    record(
        session,
        actor=actor,
        action="deliberation.file_attached",
        object_type=owner_type,
        object_id=owner_id,
        region_code=region_code,
        now=now,
        summary={"file": row.id, "purpose": purpose, "sha256": row.sha256, "size": row.size},
    )
    return row


def files_of(session: Session, owner_type: str, owner_id: int) -> list[DeliberationFile]:
    return list(
        session.scalars(
            select(DeliberationFile)
            .where(DeliberationFile.owner_type == owner_type, DeliberationFile.owner_id == owner_id)
            .order_by(DeliberationFile.id)
        )
    )


# -- implementation records --------------------------------------------------------


def do_start_implementation(
    session: Session,
    *,
    actor: Actor,
    region_code: str,
    title: str,
    now: datetime,
    matter_id: int | None = None,
    proposal_id: int | None = None,
    owner: str = "",
) -> Implementation:
    """Open the implementation record of an adopted matter or an accepted proposal (a
    governance action). One per matter or proposal: starting again returns it."""
    if (matter_id is None) == (proposal_id is None):
        raise ValueError("an implementation belongs to a matter or to a proposal")
    existing = session.scalars(
        select(Implementation).where(
            Implementation.matter_id == matter_id
            if matter_id is not None
            else Implementation.proposal_id == proposal_id
        )
    ).first()
    if existing is not None:
        return existing
    row = Implementation(
        region_code=region_code,
        matter_id=matter_id,
        proposal_id=proposal_id,
        title=title[:200],
        owner=owner,
        state=ImplementationState.NOT_STARTED.value,
        progress=0,
        created_at=now,
    )
    session.add(row)
    session.flush()
    record(
        session,
        actor=actor,
        action="deliberation.implementation_started",
        object_type="implementation",
        object_id=row.id,
        region_code=region_code,
        now=now,
        summary={"matter": matter_id, "proposal": proposal_id, "title": row.title},
    )
    return row


# -- who may ------------------------------------------------------------------------
#
# Matters and meetings are run by the village's branch secretary, the community office's
# staff (unit_staff scoped to the village: the clerk who convenes and keeps the sign-in
# sheet), leaders and administrators, each within their scope. Every staff role may read
# matters in its scope. The supervision committee (村务监督委员会) reads through auditor
# accounts scoped to its village; leaders, administrators and branch secretaries see the
# same supervision view.

RUN_ROLES = frozenset({"branch_secretary", "unit_staff", "leader", "admin"})
READ_ROLES = frozenset(
    {"grid_worker", "dispatcher", "unit_staff", "branch_secretary", "leader", "auditor", "admin"}
)
SUPERVISION_ROLES = frozenset({"auditor", "leader", "admin", "branch_secretary"})
OPEN_MEETING_STATES = frozenset({MeetingState.CONVENED.value, MeetingState.IN_SESSION.value})
TITLE_LIMIT = 200
TEXT_LIMIT = 20_000
TIMEZONE = "Asia/Shanghai"


def may_read(actor: Actor, region_code: str) -> bool:
    if actor.role == "system":
        return True
    return actor.role in READ_ROLES and may_access(actor.scope, region_code)


def may_run(actor: Actor, region_code: str) -> bool:
    if actor.role == "system":
        return True
    return actor.role in RUN_ROLES and may_access(actor.scope, region_code)


def may_supervise(actor: Actor, region_code: str) -> bool:
    if actor.role == "system":
        return True
    return actor.role in SUPERVISION_ROLES and may_access(actor.scope, region_code)


def check_may_run(actor: Actor, region_code: str) -> None:
    if not may_run(actor, region_code):
        if actor.role in READ_ROLES and may_access(actor.scope, region_code):
            raise Forbidden("Your role may not run this village's matters and meetings.")
        raise NotFound("Not found, or outside your area.")


def _explain(check: Check) -> dict[str, Any]:
    return {"message": check.message, "params": check.params}


def local_date(moment: datetime, tz: str | None = None) -> date:
    """The calendar day of ``moment`` in the district's time zone (the office clock's,
    ``gridgov.clock``, unless one is given)."""
    return clock.local_date(moment, tz)


def _clean(text: str, field: str, limit: int, *, required: bool = True) -> str:
    value = (text or "").strip()
    if required and not value:
        raise InvalidInput(
            "%(field)s is required.",
            params={"field": field},
            details=[Problem(field, "This is required.")],
        )
    if len(value) > limit:
        raise InvalidInput(
            "%(field)s is too long: at most %(n)s characters.",
            params={"field": field, "n": limit},
            details=[Problem(field, "At most %(n)s characters.", n=limit)],
        )
    return value


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
    matter = session.get(Matter, matter_id)
    if matter is None or not may_read(viewer, matter.region_code):
        raise NotFound("Not found, or outside your area.")
    return matter


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
            "The procedure %(key)s does not let a one-person chair (一肩挑) merge stages.",
            params={"key": template_key},
            details=[Problem("one_person", "This procedure has no stages to merge.")],
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
    session.add(matter)
    session.flush()
    record(
        session,
        actor=actor,
        action="deliberation.matter_opened",
        object_type="matter",
        object_id=matter.id,
        region_code=region_code,
        now=now,
        summary={
            "title": matter.title,
            "template": row.key,
            "revision": row.revision,
            "one_person": one_person,
            "stage": matter.stage_id,
            "merged": list(held.first.merged_from),
            "proposal": proposal_id,
        },
    )
    return matter


def matter_steps(session: Session, matter_id: int) -> list[MatterStep]:
    return list(
        session.scalars(
            select(MatterStep).where(MatterStep.matter_id == matter_id).order_by(MatterStep.id)
        )
    )


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
    from gridgov.deliberation import notices  # written alongside; imported when needed

    kind = _disclosure_kind(procedure, stage)
    # The draft follows from the stage's outcome, whoever recorded it (the clerk may not
    # draft notices himself): the system drafts it; the step's audit row names the person.
    drafter = replace(Actor.system("deliberation"), request_id=actor.request_id, ip=actor.ip)
    notice = notices.do_draft(
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
    notice_id = getattr(notice, "id", None)
    return notice_id if isinstance(notice_id, int) else None


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
    record(
        session,
        actor=actor,
        action="deliberation.matter_step",
        object_type="matter",
        object_id=matter.id,
        region_code=matter.region_code,
        now=now,
        summary={
            "stage": stage.id,
            "outcome": outcome.value,
            "next": target,
            "meeting": meeting_id,
            "notice": notice_id,
            "state": matter.state,
        },
    )
    _enter_stage(session, actor=actor, matter=matter, procedure=procedure, target=target, now=now)
    return step


def do_withdraw_matter(
    session: Session, *, actor: Actor, matter_id: int, reason: str, now: datetime
) -> Matter:
    matter = get_matter(session, matter_id=matter_id, viewer=actor)
    check_may_run(actor, matter.region_code)
    if matter.state != MatterState.OPEN.value:
        raise Conflict("The matter is no longer open.")
    reason = _clean(reason, "reason", 2000)
    _bump(session, Matter, matter.id, matter.version)
    session.refresh(matter, attribute_names=["version"])
    matter.state = move(MATTER_ALLOWED, matter.state, MatterState.WITHDRAWN, "matter")
    matter.updated_at = now
    # Nothing of a withdrawn matter stays open: its meetings are cancelled, its notices
    # withdrawn (each audited), so no sweep tries to close them ever after.
    for meeting in session.scalars(
        select(Meeting)
        .where(Meeting.matter_id == matter.id, Meeting.state.in_(OPEN_MEETING_STATES))
        .order_by(Meeting.id)
    ):
        do_cancel_meeting(
            session, actor=actor, meeting_id=meeting.id, reason=reason or "withdrawn", now=now
        )
    from gridgov.deliberation import notices

    notices.withdraw_for_matter(session, actor=actor, matter_id=matter.id, now=now)
    record(
        session,
        actor=actor,
        action="deliberation.matter_withdrawn",
        object_type="matter",
        object_id=matter.id,
        region_code=matter.region_code,
        now=now,
        summary={"stage": matter.stage_id, "reason": reason},
    )
    return matter


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


# -- rosters ------------------------------------------------------------------------


@dataclass(frozen=True)
class RosterEntry:
    resident_id: int | None
    name: str
    household_id: int | None


_BODIES_OF_ROSTER: dict[Roster, tuple[str, ...]] = {
    Roster.BRANCH_COMMITTEE_MEMBERS: ("branch_committee",),
    Roster.TWO_COMMITTEES_MEMBERS: ("branch_committee", "residents_committee"),
    Roster.COUNCIL_MEMBERS: ("deliberation_council",),
}
_ROLE_OF_ROSTER: dict[Roster, str] = {
    Roster.PARTY_MEMBERS: "party_member",
    Roster.REPRESENTATIVES: "deliberation_rep",
}


def adult_cutoff(day: date, age: int = 18) -> date:
    """Born on or before this date: ``age`` or older on ``day`` (29 February counts from
    28 February in a common year)."""
    try:
        return day.replace(year=day.year - age)
    except ValueError:
        return day.replace(year=day.year - age, day=28)


def roster_of(session: Session, roster: Roster, region_code: str, day: date) -> list[RosterEntry]:
    """Whom ``roster`` names in ``region_code`` on ``day``, each person once, by name."""
    like = Resident.grid_code.startswith(region_code, autoescape=True)
    if roster in _ROLE_OF_ROSTER:
        query = (
            select(Resident.id, Resident.name, Resident.household_id)
            .join(PersonRoleRow, PersonRoleRow.resident_id == Resident.id)
            .where(
                PersonRoleRow.role == _ROLE_OF_ROSTER[roster],
                PersonRoleRow.region_code.startswith(region_code, autoescape=True),
            )
            .distinct()
        )
    elif roster in _BODIES_OF_ROSTER:
        query = (
            select(Resident.id, Resident.name, Resident.household_id)
            .join(BodyMember, BodyMember.resident_id == Resident.id)
            .where(
                BodyMember.body.in_(_BODIES_OF_ROSTER[roster]),
                BodyMember.region_code.startswith(region_code, autoescape=True),
            )
            .distinct()
        )
    elif roster is Roster.VILLAGERS_18_PLUS:
        query = select(Resident.id, Resident.name, Resident.household_id).where(
            like, Resident.birth_date.is_not(None), Resident.birth_date <= adult_cutoff(day)
        )
    else:  # households: one row per household, its householder when known
        households = session.execute(
            select(Household.id, Household.number)
            .where(Household.grid_code.startswith(region_code, autoescape=True))
            .order_by(Household.number)
        ).all()
        heads: dict[int, tuple[int, str]] = {}
        # Only the householders of this region's households, not every one in the database.
        for resident_id, name, household_id in session.execute(
            select(Resident.id, Resident.name, Resident.household_id)
            .join(Household, Household.id == Resident.household_id)
            .where(
                Resident.relation == "householder",
                Household.grid_code.startswith(region_code, autoescape=True),
            )
            .order_by(Resident.id)
        ):
            if household_id is not None:
                heads.setdefault(household_id, (resident_id, name))
        return [
            RosterEntry(heads[hid][0], heads[hid][1], hid)
            if hid in heads
            else RosterEntry(None, number, hid)
            for hid, number in households
        ]
    rows = session.execute(query).all()
    return sorted(
        (RosterEntry(rid, name, hid) for rid, name, hid in rows),
        key=lambda e: (e.name, e.resident_id or 0),
    )


def households_of(session: Session, region_code: str) -> int:
    return (
        session.scalar(
            select(func.count(Household.id)).where(
                Household.grid_code.startswith(region_code, autoescape=True)
            )
        )
        or 0
    )


def _needs_households(stage: Stage) -> bool:
    def uses(rule: Any) -> bool:
        thresholds = rule.alternatives if isinstance(rule, AnyOf) else (rule,)
        return any(t.of is Basis.HOUSEHOLDS for t in thresholds if t is not None)

    return stage.roster is Roster.HOUSEHOLDS or (stage.quorum is not None and uses(stage.quorum))


# -- meetings -----------------------------------------------------------------------


def get_meeting(session: Session, *, meeting_id: int, viewer: Actor) -> Meeting:
    meeting = session.get(Meeting, meeting_id)
    if meeting is None or not may_read(viewer, meeting.region_code):
        raise NotFound("Not found, or outside your area.")
    return meeting


def held_stage(session: Session, meeting: Meeting) -> Stage:
    """The stage a meeting holds, as held by its body (村民会议 instead of 代表会议…)."""
    if meeting.matter_id is None or meeting.stage_id is None:
        raise Conflict("This meeting holds no stage of a matter.")
    matter = session.get(Matter, meeting.matter_id)
    if matter is None:
        raise NotFound("Not found, or outside your area.")
    return held_by(procedure_of(session, matter).stage(meeting.stage_id), meeting.body)


def meetings_of(session: Session, matter_id: int) -> list[Meeting]:
    return list(
        session.scalars(select(Meeting).where(Meeting.matter_id == matter_id).order_by(Meeting.id))
    )


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
    return list(
        session.scalars(
            select(MeetingMember)
            .where(MeetingMember.meeting_id == meeting_id)
            .order_by(MeetingMember.name, MeetingMember.id)
        )
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
            "Unknown way of voting %(value)s.",
            params={"value": voting},
            details=[Problem("voting", "Unknown way of voting %(value)s.", value=voting)],
        ) from None
    for name, moment in (("notified_at", notified_at), ("starts_at", starts_at)):
        if moment.tzinfo is None:
            raise InvalidInput(
                "%(field)s needs a time zone.",
                params={"field": name},
                details=[Problem(name, "A time with its time zone is required.")],
            )
    if notified_at > now:
        raise InvalidInput(
            "Notice cannot be given in the future.",
            details=[Problem("notified_at", "Notice cannot be given in the future.")],
        )
    earliest = earliest_meeting(held, local_date(notified_at, tz))
    if starts_at < notified_at or local_date(starts_at, tz) < earliest:
        raise Conflict(
            "The %(body)s needs %(days)s days' notice: given on %(notified)s, it may sit "
            "from %(earliest)s, not on %(day)s.",
            params={
                "body": held.body.value,
                "days": held.notice_days,
                "notified": local_date(notified_at, tz).isoformat(),
                "earliest": earliest.isoformat(),
                "day": local_date(starts_at, tz).isoformat(),
            },
            details=[Problem("starts_at", "Too soon after the notice.")],
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
    entries = roster_of(session, held.roster, matter.region_code, local_date(starts_at, tz))
    if not entries:
        raise Conflict(
            "The roster %(roster)s of %(region)s is empty: nobody to convene.",
            params={"roster": held.roster.value, "region": matter.region_code},
        )
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
    record(
        session,
        actor=actor,
        action="deliberation.meeting_convened",
        object_type="meeting",
        object_id=meeting.id,
        region_code=meeting.region_code,
        now=now,
        summary={
            "matter": matter.id,
            "stage": meeting.stage_id,
            "body": meeting.body,
            "roster": held.roster.value,
            "members": meeting.members,
            "households": meeting.households_total,
            "voting": voting,
            "notified_at": notified_at.isoformat(),
            "starts_at": starts_at.isoformat(),
        },
    )
    return meeting


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
    record(
        session,
        actor=actor,
        action="deliberation.signed_in",
        object_type="meeting",
        object_id=meeting.id,
        region_code=meeting.region_code,
        now=now,
        summary={"member": member.id, "resident": member.resident_id, "proxy": proxy_holder_id},
    )
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
    record(
        session,
        actor=actor,
        action="deliberation.sign_in_undone",
        object_type="meeting",
        object_id=meeting.id,
        region_code=meeting.region_code,
        now=now,
        summary={"member": member.id},
    )
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


def live_count(session: Session, meeting: Meeting) -> LiveCount:
    stage = held_stage(session, meeting)
    seen = attendance(session, meeting)
    yes, no, abstain = counted_votes(session, meeting)
    tally = Tally(
        members=seen.members,
        present=seen.present,
        households_total=seen.households_total,
        households_represented=seen.households_represented,
        yes=yes,
        no=no,
        abstain=abstain,
        proxies=seen.proxies,
    )
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
    Tally(
        members=seen.members,
        present=seen.present,
        households_total=seen.households_total,
        households_represented=seen.households_represented,
        yes=yes,
        no=no,
        abstain=abstain,
        proxies=seen.proxies,
    )
    _bump(
        session,
        Meeting,
        meeting.id,
        meeting.version if expected_version is None else expected_version,
    )
    session.refresh(meeting)
    meeting.yes, meeting.no, meeting.abstain = yes, no, abstain
    meeting.state = move(MEETING_ALLOWED, meeting.state, MeetingState.IN_SESSION, "meeting")
    record(
        session,
        actor=actor,
        action="deliberation.totals_recorded",
        object_type="meeting",
        object_id=meeting.id,
        region_code=meeting.region_code,
        now=now,
        summary={"present": seen.present, "yes": yes, "no": no, "abstain": abstain},
    )
    return meeting


def _choice(choice: str) -> Choice:
    try:
        return Choice(choice)
    except ValueError:
        raise InvalidInput(
            "A vote is yes, no or abstain, not %(value)s.",
            params={"value": choice},
            details=[Problem("choice", "A vote is yes, no or abstain.")],
        ) from None


def _present_member(session: Session, meeting: Meeting, member_id: int) -> MeetingMember:
    member = _member(session, meeting, member_id)
    if member.signed_in_at is None:
        raise Conflict(
            "%(name)s is not signed in: only members present vote.", params={"name": member.name}
        )
    return member


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
    meeting = _open_meeting(session, actor, meeting_id)
    if meeting.voting != Voting.ROLL_CALL.value:
        raise Conflict("This meeting votes by %(voting)s.", params={"voting": meeting.voting})
    value = _choice(choice)
    member = _present_member(session, meeting, member_id)
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
    record(
        session,
        actor=actor,
        action="deliberation.vote_recorded",
        object_type="meeting",
        object_id=meeting.id,
        region_code=meeting.region_code,
        now=now,
        summary={"member": member.id, "resident": member.resident_id, "choice": value.value},
    )
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
    meeting = _open_meeting(session, actor, meeting_id)
    if meeting.voting != Voting.SECRET_BALLOT.value:
        raise Conflict("This meeting votes by %(voting)s.", params={"voting": meeting.voting})
    value = _choice(choice)
    member = _present_member(session, meeting, member_id)
    box = ballot_box(meeting.id)
    try:
        with session.begin_nested():
            session.add(BallotReceipt(box=box, voter=f"member:{member.id}", at=now))
            session.flush()
    except IntegrityError:
        raise Conflict(ALREADY_VOTED, params={"name": member.name}) from None
    for _attempt in range(5):
        try:
            with session.begin_nested():
                session.add(
                    SecretBallot(
                        id=_BALLOT_IDS + secrets.randbelow(_BALLOT_IDS),
                        box=box,
                        choices=value.value,
                    )
                )
                session.flush()
            break
        except IntegrityError:  # pragma: no cover - a one-in-a-billion id collision
            continue
    else:  # pragma: no cover
        raise Conflict("The ballot could not be stored; try again.")
    record(
        session,
        actor=actor,
        action="deliberation.ballot_cast",
        object_type="meeting",
        object_id=meeting.id,
        region_code=meeting.region_code,
        now=now,
        summary={"box": box, "member": member.id},
    )


_BALLOT_IDS = 1 << 30  # ballot ids are drawn from [2**30, 2**31)


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
    _bump(
        session,
        Meeting,
        meeting.id,
        meeting.version if expected_version is None else expected_version,
    )
    session.refresh(meeting)
    meeting.minutes = text
    record(
        session,
        actor=actor,
        action="deliberation.minutes_edited",
        object_type="meeting",
        object_id=meeting.id,
        region_code=meeting.region_code,
        now=now,
        summary={"sha256": hashlib.sha256(text.encode()).hexdigest(), "length": len(text)},
    )
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
    record(
        session,
        actor=actor,
        action="deliberation.meeting_cancelled",
        object_type="meeting",
        object_id=meeting.id,
        region_code=meeting.region_code,
        now=now,
        summary={"reason": reason},
    )
    return meeting


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
    _bump(
        session,
        Meeting,
        meeting.id,
        meeting.version if expected_version is None else expected_version,
    )
    session.refresh(meeting)
    seen = attendance(session, meeting)
    yes, no, abstain = counted_votes(session, meeting)
    tally = Tally(
        members=seen.members,
        present=seen.present,
        households_total=seen.households_total,
        households_represented=seen.households_represented,
        yes=yes,
        no=no,
        abstain=abstain,
        proxies=seen.proxies,
    )
    check_tally(stage, tally)
    quorum = evaluate_quorum(quorum_rule, tally)
    meeting.present, meeting.proxies = seen.present, seen.proxies
    meeting.households_represented = seen.households_represented
    meeting.yes, meeting.no, meeting.abstain = yes, no, abstain
    meeting.quorum_met = quorum.passed
    meeting.decided_at = now
    counts = {
        "members": seen.members,
        "present": seen.present,
        "proxies": seen.proxies,
        "households": seen.households_total,
        "represented": seen.households_represented,
        "yes": yes,
        "no": no,
        "abstain": abstain,
    }
    if not quorum.passed:
        meeting.state = move(MEETING_ALLOWED, meeting.state, MeetingState.NO_QUORUM, "meeting")
        meeting.outcome = None
        meeting.explanation = json.dumps({"quorum": _explain(quorum)}, ensure_ascii=False)
        record(
            session,
            actor=actor,
            action="deliberation.meeting_no_quorum",
            object_type="meeting",
            object_id=meeting.id,
            region_code=meeting.region_code,
            now=now,
            summary={**counts, "matter": meeting.matter_id, "quorum": quorum.text()},
        )
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
    record(
        session,
        actor=actor,
        action="deliberation.meeting_decided",
        object_type="meeting",
        object_id=meeting.id,
        region_code=meeting.region_code,
        now=now,
        summary={
            **counts,
            "matter": meeting.matter_id,
            "outcome": outcome.value,
            "quorum": quorum.text(),
            "decision": decision.text(),
        },
    )
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


# -- implementation records ---------------------------------------------------------


def get_implementation(
    session: Session, *, implementation_id: int, viewer: Actor
) -> Implementation:
    row = session.get(Implementation, implementation_id)
    if row is None or not may_read(viewer, row.region_code):
        raise NotFound("Not found, or outside your area.")
    return row


def milestones_of(session: Session, implementation_id: int) -> list[Milestone]:
    return list(
        session.scalars(
            select(Milestone)
            .where(Milestone.implementation_id == implementation_id)
            .order_by(Milestone.position, Milestone.due_on, Milestone.id)
        )
    )


def implementation_updates(session: Session, implementation_id: int) -> list[ImplementationUpdate]:
    return list(
        session.scalars(
            select(ImplementationUpdate)
            .where(ImplementationUpdate.implementation_id == implementation_id)
            .order_by(ImplementationUpdate.at, ImplementationUpdate.id)
        )
    )


def _writable_implementation(
    session: Session, actor: Actor, implementation_id: int
) -> Implementation:
    row = get_implementation(session, implementation_id=implementation_id, viewer=actor)
    check_may_run(actor, row.region_code)
    if row.state == ImplementationState.DONE.value:
        raise Conflict("The implementation is done; it can no longer change.")
    return row


def do_add_milestone(
    session: Session,
    *,
    actor: Actor,
    implementation_id: int,
    title: str,
    due_on: date,
    now: datetime,
) -> Milestone:
    row = _writable_implementation(session, actor, implementation_id)
    clean = _clean(title, "title", TITLE_LIMIT)
    position = len(milestones_of(session, row.id))
    milestone = Milestone(
        implementation_id=row.id, title=clean, due_on=due_on, done_on=None, position=position
    )
    session.add(milestone)
    session.flush()
    record(
        session,
        actor=actor,
        action="deliberation.milestone_added",
        object_type="implementation",
        object_id=row.id,
        region_code=row.region_code,
        now=now,
        summary={"milestone": milestone.id, "title": clean, "due_on": due_on.isoformat()},
    )
    return milestone


def do_mark_milestone_done(
    session: Session,
    *,
    actor: Actor,
    milestone_id: int,
    done_on: date,
    now: datetime,
    tz: str = TIMEZONE,
) -> Milestone:
    milestone = session.get(Milestone, milestone_id)
    if milestone is None:
        raise NotFound("Not found, or outside your area.")
    row = _writable_implementation(session, actor, milestone.implementation_id)
    if done_on > local_date(now, tz):
        raise InvalidInput(
            "A milestone cannot be done in the future.",
            details=[Problem("done_on", "A milestone cannot be done in the future.")],
        )
    if milestone.done_on is not None:
        return milestone
    milestone.done_on = done_on
    if row.state == ImplementationState.NOT_STARTED.value:
        row.state = ImplementationState.IN_PROGRESS.value
    record(
        session,
        actor=actor,
        action="deliberation.milestone_done",
        object_type="implementation",
        object_id=row.id,
        region_code=row.region_code,
        now=now,
        summary={"milestone": milestone.id, "done_on": done_on.isoformat()},
    )
    return milestone


def do_post_update(
    session: Session,
    *,
    actor: Actor,
    implementation_id: int,
    text: str,
    progress: int,
    now: datetime,
) -> ImplementationUpdate:
    """A dated progress update (0-100 %); the record's progress follows it."""
    row = _writable_implementation(session, actor, implementation_id)
    clean = _clean(text, "text", TEXT_LIMIT)
    if isinstance(progress, bool) or not 0 <= progress <= 100:
        raise InvalidInput(
            "Progress is a percentage from 0 to 100.",
            details=[Problem("progress", "Progress is a percentage from 0 to 100.")],
        )
    entry = ImplementationUpdate(
        implementation_id=row.id, at=now, author=actor.username, text=clean, progress=progress
    )
    session.add(entry)
    row.progress = progress
    if row.state == ImplementationState.NOT_STARTED.value:
        row.state = ImplementationState.IN_PROGRESS.value
    session.flush()
    record(
        session,
        actor=actor,
        action="deliberation.implementation_updated",
        object_type="implementation",
        object_id=row.id,
        region_code=row.region_code,
        now=now,
        summary={"update": entry.id, "progress": progress},
    )
    return entry


def do_complete_implementation(
    session: Session, *, actor: Actor, implementation_id: int, now: datetime, note: str = ""
) -> Implementation:
    """Done: every milestone done, progress 100 %. A matter waiting at its result
    disclosure gets the result notice drafted now."""
    row = _writable_implementation(session, actor, implementation_id)
    open_milestones = [m.title for m in milestones_of(session, row.id) if m.done_on is None]
    if open_milestones:
        raise Conflict(
            "%(n)s milestones are not done yet: %(titles)s.",
            params={"n": len(open_milestones), "titles": ", ".join(open_milestones)},
        )
    if note.strip():
        session.add(
            ImplementationUpdate(
                implementation_id=row.id,
                at=now,
                author=actor.username,
                text=_clean(note, "note", TEXT_LIMIT),
                progress=100,
            )
        )
    row.state = ImplementationState.DONE.value
    row.progress = 100
    row.completed_at = now
    session.flush()
    record(
        session,
        actor=actor,
        action="deliberation.implementation_done",
        object_type="implementation",
        object_id=row.id,
        region_code=row.region_code,
        now=now,
        summary={"matter": row.matter_id, "proposal": row.proposal_id},
    )
    if row.matter_id is not None:
        matter = session.get(Matter, row.matter_id)
        if matter is not None and matter.state == MatterState.OPEN.value and matter.stage_id:
            procedure = procedure_of(session, matter)
            stage = procedure.stage(matter.stage_id)
            if (
                stage.kind is StageKind.DISCLOSURE
                and _disclosure_kind(procedure, stage) is NoticeKind.RESULT
            ):
                _draft_disclosure(
                    session,
                    actor=actor,
                    matter=matter,
                    procedure=procedure,
                    stage=stage,
                    now=now,
                )
    return row


def overdue_milestones(
    session: Session, *, viewer: Actor, today: date, region_code: str | None = None
) -> list[tuple[Milestone, Implementation]]:
    """Milestones due before ``today`` and not done, in the viewer's area, oldest first."""
    query = (
        select(Milestone, Implementation)
        .join(Implementation, Implementation.id == Milestone.implementation_id)
        .where(Milestone.done_on.is_(None), Milestone.due_on < today)
        .order_by(Milestone.due_on, Milestone.id)
    )
    if viewer.role != "system":
        query = query.where(scope_clause(viewer.scope, Implementation.region_code))
    if region_code:
        query = query.where(Implementation.region_code.startswith(region_code, autoescape=True))
    return [(row[0], row[1]) for row in session.execute(query).all()]


# -- supervision --------------------------------------------------------------------


def supervision_comments(session: Session, matter_ids: list[int]) -> dict[int, list[Comment]]:
    """Supervision comments (监督) on matters, by matter, oldest first; hidden ones left
    out."""
    if not matter_ids:
        return {}
    rows = session.scalars(
        select(Comment)
        .where(
            Comment.supervision.is_(True),
            Comment.target_type == "matter",
            Comment.target_id.in_(matter_ids),
            Comment.hidden_reason.is_(None),
            Comment.held.is_(False),
        )
        .order_by(Comment.created_at, Comment.id)
    )
    result: dict[int, list[Comment]] = {}
    for comment in rows:
        result.setdefault(comment.target_id, []).append(comment)
    return result


def notices_of(session: Session, matter_id: int) -> list[Notice]:
    return list(
        session.scalars(select(Notice).where(Notice.matter_id == matter_id).order_by(Notice.id))
    )


@dataclass(frozen=True)
class SupervisionView:
    matters: list[Matter]
    stages: dict[int, Stage | None]
    no_quorum: list[Meeting]
    overdue: list[tuple[Milestone, Implementation]]
    disclosures_due: list[tuple[Matter, Notice | None]]  # at a disclosure, notice not closed
    comments: dict[int, list[Comment]]


def supervision_view(
    session: Session, *, viewer: Actor, today: date, region_code: str | None = None
) -> SupervisionView:
    """What the village supervision committee watches: every matter with its stage,
    meetings that ended without a quorum, overdue milestones, disclosures that are due
    (a matter at a disclosure stage whose notice is not posted or not closed yet), and
    the supervision comments."""
    if viewer.role != "system" and viewer.role not in SUPERVISION_ROLES:
        raise Forbidden("Your role may not do this.")
    matters = list_matters(session, viewer=viewer, region_code=region_code)
    if viewer.role == "auditor":  # auditors read matters too, through this view
        query = select(Matter).where(scope_clause(viewer.scope, Matter.region_code))
        if region_code:
            query = query.where(Matter.region_code.startswith(region_code, autoescape=True))
        matters = list(session.scalars(query.order_by(Matter.updated_at.desc(), Matter.id)))
    stages = {m.id: current_stage(session, m) for m in matters}
    ids = [m.id for m in matters]
    no_quorum = (
        list(
            session.scalars(
                select(Meeting)
                .where(Meeting.matter_id.in_(ids), Meeting.state == MeetingState.NO_QUORUM.value)
                .order_by(Meeting.starts_at.desc())
            )
        )
        if ids
        else []
    )
    due: list[tuple[Matter, Notice | None]] = []
    for matter in matters:
        stage = stages[matter.id]
        if stage is None or stage.kind is not StageKind.DISCLOSURE:
            continue
        pending = [
            n
            for n in notices_of(session, matter.id)
            if n.state in (NoticeState.DRAFT.value, NoticeState.POSTED.value)
        ]
        due.append((matter, pending[-1] if pending else None))
    return SupervisionView(
        matters=matters,
        stages=stages,
        no_quorum=no_quorum,
        overdue=overdue_milestones(session, viewer=viewer, today=today, region_code=region_code),
        disclosures_due=due,
        comments=supervision_comments(session, ids),
    )


def implementation_of(session: Session, matter_id: int) -> Implementation | None:
    """The implementation record of an adopted matter, if any."""
    return _implementation_of(session, matter_id)
