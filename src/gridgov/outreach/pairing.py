"""Pairing (结对共建): an organ's party branch paired with a village or community, the
agreement, joint activities and the problems they solved, members of the branch
enrolled as part-time grid workers of the paired grids, and the pairing's record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov.accounts.rules import Role, within_view
from gridgov.audit.service import Actor, add_and_record, record_about
from gridgov.db import counts_by
from gridgov.errors import Conflict, InvalidInput, NotFound, Problem
from gridgov.outreach.models import JointActivity, PairedWorker, Pairing
from gridgov.outreach.service import check_scope
from gridgov.registry import service as registry
from gridgov.registry.rules import PARTY_KINDS, OrgKind, PersonRole

PAIRING_ROLES = frozenset({Role.ADMIN, Role.BRANCH_SECRETARY, Role.UNIT_STAFF})


def do_pair(
    session: Session,
    *,
    actor: Actor,
    branch_id: int,
    region_code: str,
    agreement: str,
    signed_on: date,
    today: date,
    now: datetime,
) -> Pairing:
    check_scope(actor, region_code, PAIRING_ROLES)
    branch = registry.get_organisation(session, organisation_id=branch_id)
    if branch is None or OrgKind(branch.kind) not in PARTY_KINDS:
        raise NotFound("Not found.")
    problems: list[Problem] = []
    agreement = agreement.strip()
    if len(agreement) > 4000:
        problems.append(Problem("agreement", "At most %(n)s characters.", n=4000))
    if signed_on > today:
        problems.append(Problem("signed_on", "A date in the future is not allowed."))
    if problems:
        raise InvalidInput("The pairing was not recorded.", details=problems)
    if session.scalar(
        select(Pairing.id).where(Pairing.branch_id == branch_id, Pairing.region_code == region_code)
    ):
        raise Conflict("This branch is already paired with this place.")
    pairing = Pairing(
        branch_id=branch_id,
        region_code=region_code,
        agreement=agreement,
        signed_on=signed_on,
        created_at=now,
    )
    return add_and_record(
        session, actor, "pairing.created", pairing, now=now, summary={"branch": branch_id}
    )


def get_pairing(session: Session, *, pairing_id: int, viewer: Actor) -> Pairing:
    pairing = session.get(Pairing, pairing_id)
    if pairing is None:
        raise NotFound("Not found.")
    check_scope(viewer, pairing.region_code, frozenset(Role))
    return pairing


def do_record_activity(
    session: Session,
    *,
    actor: Actor,
    pairing: Pairing,
    held_on: date,
    title: str,
    participants: int,
    problems_solved: int,
    today: date,
    now: datetime,
) -> JointActivity:
    check_scope(actor, pairing.region_code, PAIRING_ROLES)
    problems: list[Problem] = []
    title = title.strip()
    if not 1 <= len(title) <= 200:
        problems.append(Problem("title", "A title of 1 to 200 characters is required."))
    if held_on > today:
        problems.append(Problem("held_on", "A date in the future is not allowed."))
    if not 0 <= participants <= 10_000 or not 0 <= problems_solved <= 1_000:
        problems.append(Problem("participants", "A number out of range."))
    if problems:
        raise InvalidInput("The activity was not recorded.", details=problems)
    activity = JointActivity(
        pairing_id=pairing.id,
        held_on=held_on,
        title=title,
        participants=participants,
        problems_solved=problems_solved,
        recorded_by=actor.username,
        created_at=now,
    )
    session.add(activity)
    session.flush()
    summary = {"activity": activity.id, "problems_solved": problems_solved}
    record_about(session, actor, "pairing.activity_recorded", pairing, now=now, summary=summary)
    return activity


def do_enrol_worker(
    session: Session,
    *,
    actor: Actor,
    pairing: Pairing,
    resident_id: int,
    grid_code: str,
    since: date,
    now: datetime,
) -> PairedWorker:
    """A member of the organ branch becomes a part-time grid worker of a paired grid:
    a grid-worker role in the register (their cases and visits count for the grid) and
    the pairing's own record (they count for the branch)."""
    check_scope(actor, pairing.region_code, PAIRING_ROLES)
    if not grid_code.startswith(pairing.region_code) or grid_code == pairing.region_code:
        problem = Problem("grid_code", "A grid of the paired place is required.")
        raise InvalidInput("The worker was not enrolled.", details=[problem])
    if registry.get_resident(session, resident_id=resident_id) is None:
        raise NotFound("Not found.")
    registry.do_add_role(
        session,
        actor=actor,
        resident_id=resident_id,
        role=PersonRole.GRID_WORKER,
        region_code=grid_code,
        organisation_id=pairing.branch_id,
        since=since,
        now=now,
    )
    worker = PairedWorker(
        pairing_id=pairing.id, resident_id=resident_id, grid_code=grid_code, since=since
    )
    session.add(worker)
    session.flush()
    return worker


@dataclass(frozen=True)
class PairingRecord:
    pairing: Pairing
    branch_name: str
    activities: int
    participants: int
    problems_solved: int
    workers: int


def pairing_records(session: Session, *, viewer: Actor) -> list[PairingRecord]:
    """Every pairing in scope with its record: activities, people, problems solved,
    enrolled grid workers (the report and the index read this)."""
    query = select(Pairing).order_by(Pairing.region_code, Pairing.id)
    query = within_view(query, viewer, Pairing.region_code)
    pairings = list(session.scalars(query.limit(2000)))
    ids = [p.id for p in pairings]
    sums: dict[int, tuple[int, int, int]] = {}
    workers = counts_by(session, PairedWorker.pairing_id, ids)
    if ids:
        for pid, n, people, solved in session.execute(
            select(
                JointActivity.pairing_id,
                func.count(),
                func.coalesce(func.sum(JointActivity.participants), 0),
                func.coalesce(func.sum(JointActivity.problems_solved), 0),
            )
            .where(JointActivity.pairing_id.in_(ids))
            .group_by(JointActivity.pairing_id)
        ):
            sums[pid] = (int(n), int(people), int(solved))
    records = []
    for p in pairings:
        branch = registry.get_organisation(session, organisation_id=p.branch_id)
        n, people, solved = sums.get(p.id, (0, 0, 0))
        records.append(
            PairingRecord(p, branch.name if branch else "", n, people, solved, workers.get(p.id, 0))
        )
    return records
