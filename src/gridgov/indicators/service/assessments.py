"""Manual assessments: a reviewer scores an item by hand with evidence, a second
reviewer confirms it or sends it back; a final period's assessments no longer change."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.accounts.rules import Role, may_access, scope_clause
from gridgov.audit.service import Actor, record_about
from gridgov.db import rows
from gridgov.errors import Conflict, Forbidden, InvalidInput, NotFound
from gridgov.indicators.models import Assessment
from gridgov.indicators.rules import AssessmentState, Method, parse_period
from gridgov.indicators.service.counting import find_unit
from gridgov.indicators.service.reading import snapshot_for
from gridgov.indicators.service.trees import ensure_shipped, get_tree

REVIEWERS = frozenset({Role.LEADER, Role.ADMIN, Role.AUDITOR})


def do_score(
    session: Session,
    *,
    actor: Actor,
    tree_key: str,
    indicator_id: str,
    period: str,
    unit: str,
    points: float,
    evidence: str,
    now: datetime,
    attachment: tuple[str, str, bytes] | None = None,
) -> Assessment:
    """A reviewer scores a manual item with evidence; a second reviewer confirms it."""
    if actor.role not in REVIEWERS:
        raise Forbidden("Only leaders, administrators and auditors score assessments.")
    ensure_shipped(session, now=now)
    _row, tree = get_tree(session, tree_key)
    indicator = tree.find(indicator_id)
    if indicator is None or indicator.method is not Method.MANUAL:
        raise InvalidInput(
            "%(indicator)s is not an item scored by hand.", params={"indicator": indicator_id}
        )
    the_period = parse_period(tree.period, period)
    target = find_unit(session, tree, unit)
    if not may_access(actor.scope, target.region_code):
        raise Forbidden("This unit is outside your area.")
    if not 0 <= points <= indicator.weight:
        raise InvalidInput(
            "Points must be between 0 and %(weight)s.", params={"weight": f"{indicator.weight:g}"}
        )
    if not evidence.strip():
        raise InvalidInput("Describe the evidence for the score.")
    _refuse_final(session, tree_key, the_period.key)
    existing = session.scalars(
        select(Assessment).where(
            Assessment.tree_key == tree_key,
            Assessment.indicator_id == indicator_id,
            Assessment.period == the_period.key,
            Assessment.unit == unit,
        )
    ).first()
    if existing is not None and existing.state == AssessmentState.CONFIRMED.value:
        raise Conflict("This item is confirmed already; its score stands.")
    row = existing or Assessment(
        tree_key=tree_key, indicator_id=indicator_id, period=the_period.key, unit=unit
    )
    row.region_code = target.region_code
    row.points, row.evidence = points, evidence.strip()
    if attachment is not None:
        row.attachment_name, row.attachment_type, row.attachment = attachment
    row.state = AssessmentState.PENDING.value
    row.scored_by, row.scored_at = actor.username, now
    row.reviewed_by, row.reviewed_at, row.review_note = None, None, ""
    if existing is None:
        session.add(row)
    session.flush()
    summary = {
        "tree": tree_key,
        "indicator": indicator_id,
        "period": row.period,
        "unit": unit,
        "points": points,
        "attachment": row.attachment_name or None,
    }
    record_about(session, actor, "indicators.assessment_scored", row, now=now, summary=summary)
    return row


def do_review(
    session: Session,
    *,
    actor: Actor,
    assessment_id: int,
    confirm: bool,
    note: str,
    now: datetime,
) -> Assessment:
    """A second reviewer confirms the score, or sends it back with a reason."""
    if actor.role not in REVIEWERS:
        raise Forbidden("Only leaders, administrators and auditors review assessments.")
    row = session.get(Assessment, assessment_id, with_for_update=True)
    if row is None or not may_access(actor.scope, row.region_code):
        raise NotFound("There is no assessment %(id)s.", params={"id": assessment_id})
    if row.state != AssessmentState.PENDING.value:
        raise Conflict("Only a pending assessment can be reviewed.")
    if row.scored_by == actor.username:
        raise Conflict("A second reviewer confirms: you scored this item yourself.")
    _refuse_final(session, row.tree_key, row.period)
    if not confirm and not note.strip():
        raise InvalidInput("Say why the score is sent back.")
    row.state = (AssessmentState.CONFIRMED if confirm else AssessmentState.REJECTED).value
    row.reviewed_by, row.reviewed_at, row.review_note = actor.username, now, note.strip()
    summary = {"points": row.points, "scored_by": row.scored_by, "note": row.review_note}
    record_about(
        session,
        actor,
        "indicators.assessment_confirmed" if confirm else "indicators.assessment_rejected",
        row,
        now=now,
        summary=summary,
    )
    return row


def _refuse_final(session: Session, tree_key: str, period: str) -> None:
    """A final period's scores no longer change, so neither do its assessments."""
    snapshot = snapshot_for(session, tree_key, period)
    if snapshot is not None and snapshot.final:
        raise Conflict(
            "%(period)s is final: its scores, and the assessments behind them, no longer change.",
            params={"period": period},
        )


def assessments(
    session: Session, *, tree_key: str, period: str, scope: str | None
) -> list[Assessment]:
    return rows(
        session,
        Assessment,
        Assessment.tree_key == tree_key,
        Assessment.period == period,
        scope_clause(scope, Assessment.region_code),
        order_by=(Assessment.unit, Assessment.indicator_id),
    )
