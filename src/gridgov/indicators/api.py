"""Indicators API: trees (read, check, load a new revision), computing a period,
rankings and scorecards scoped by the caller's region code, manual assessments, and
the dashboard's figures."""

from __future__ import annotations

import json
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Body, Depends, Query

from gridgov.accounts.models import User
from gridgov.accounts.rules import STAFF_ROLES, Role
from gridgov.errors import NotFound
from gridgov.indicators import service
from gridgov.indicators.models import Assessment, IndicatorScore, IndicatorSnapshot
from gridgov.indicators.rules import Indicator, Tree
from gridgov.indicators.schemas import ReviewIn, ScoreIn
from gridgov.web.deps import Now, SessionDep, StateDep, require_roles
from gridgov.web.toolkit import Desk, desk

router = APIRouter(tags=["indicators"])

Reader = Annotated[User, Depends(require_roles(*STAFF_ROLES))]
Computer = Annotated[User, Depends(require_roles(*service.COMPUTERS))]
Reviewer = Annotated[User, Depends(require_roles(*service.REVIEWERS))]
Admin = Annotated[User, Depends(require_roles(Role.ADMIN))]
TreeText = Annotated[str, Body(media_type="text/yaml", max_length=200_000)]


AdminDesk = Annotated[Desk, Depends(desk(Admin, name="admin_desk"))]
ComputerDesk = Annotated[Desk, Depends(desk(Computer, name="computer_desk"))]
ReaderDesk = Annotated[Desk, Depends(desk(Reader, name="reader_desk"))]
ReviewerDesk = Annotated[Desk, Depends(desk(Reviewer, name="reviewer_desk"))]


def _node(node: Indicator) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": node.id,
        "name_zh": node.name_zh,
        "name_en": node.name_en,
        "weight": node.weight,
    }
    if node.is_leaf:
        out |= {
            "metric": node.metric,
            "method": node.method.value if node.method else None,
            "formula": node.formula(),
            "missing": node.missing.value,
        }
        if node.evidence:
            out["evidence"] = node.evidence
            out["evidence_en"] = node.evidence_en
    else:
        out["children"] = [_node(child) for child in node.children]
    return out


def _tree(revision: int, tree: Tree) -> dict[str, Any]:
    return {
        "key": tree.key,
        "revision": revision,
        "name_zh": tree.name_zh,
        "name_en": tree.name_en,
        "units": [u.value for u in tree.units],
        "period": tree.period.value,
        "total": tree.total,
        "bands": {"green": tree.green, "amber": tree.amber},
        "settle_days": tree.settle_days,
        "derived": tree.derived,
        "indicators": [_node(top) for top in tree.indicators],
    }


@router.get("/indicators/trees")
def list_trees(user: Reader, session: SessionDep) -> list[dict[str, Any]]:
    """The latest revision of every indicator tree, expanded."""
    return [_tree(row.revision, tree) for row, tree in service.trees(session)]


@router.post("/indicators/trees/check")
def check_tree(user: Admin, text: TreeText) -> dict[str, Any]:
    """Validate a tree file (YAML) without storing it; 422 names the line of a mistake."""
    return _tree(0, service.check_tree(text))


@router.post("/indicators/trees", status_code=201)
def load_tree(desk: AdminDesk, text: TreeText) -> dict[str, Any]:
    """Store a tree file as its key's next revision (the same text again changes nothing)."""
    row = desk.commit(service.do_load_tree, text=text)
    return _tree(row.revision, service.parse(row.source))


def _snapshot(session: SessionDep, key: str, period: str) -> IndicatorSnapshot:
    snapshot = service.snapshot_for(session, key, period)
    if snapshot is None:
        raise NotFound(
            "%(key)s has not been computed for %(period)s.", params={"key": key, "period": period}
        )
    return snapshot


def _meta(session: SessionDep, snapshot: IndicatorSnapshot) -> dict[str, Any]:
    row, _ = service.snapshot_tree(session, snapshot)
    return {
        "tree": snapshot.tree_key,
        "revision": row.revision,
        "period": snapshot.period,
        "final": snapshot.final,
        "computed_at": snapshot.computed_at,
        "computed_by": snapshot.computed_by,
        "digest": snapshot.digest,
    }


def _score(score: IndicatorScore) -> dict[str, Any]:
    return {
        "unit": score.unit,
        "name": score.unit_name,
        "region_code": score.region_code,
        "league": score.league,
        "rank": score.rank,
        "previous_rank": score.previous_rank,
        "movement": None if score.previous_rank is None else score.previous_rank - score.rank,
        "total": score.total,
        "band": score.band,
        "nodes": json.loads(score.detail)["nodes"],
    }


@router.get("/indicators/{key}/periods")
def list_periods(key: str, user: Reader, session: SessionDep) -> list[str]:
    """Periods computed for a tree, newest first."""
    service.get_tree(session, key)
    return service.periods(session, key)


@router.post("/indicators/{key}/{period}/compute")
def compute(key: str, period: str, desk: ComputerDesk) -> dict[str, Any]:
    """Compute the period (a final period returns its stored numbers unchanged)."""
    snapshot = desk.commit(service.compute, key=key, period=period, tz=ZoneInfo(desk.tz))
    return _meta(desk.session, snapshot)


@router.get("/indicators/{key}/{period}")
def rankings(
    key: str,
    period: str,
    user: Reader,
    session: SessionDep,
    league: Annotated[str | None, Query(max_length=24)] = None,
) -> dict[str, Any]:
    """League tables of the period, only units in the caller's area; ``league`` picks one."""
    snapshot = _snapshot(session, key, period)
    scope = user.effective_scope
    names = [league] if league else service.leagues(session, snapshot, scope)
    return {
        **_meta(session, snapshot),
        "leagues": {
            name: [_score(s) for s in service.league_table(session, snapshot, name, scope)]
            for name in names
        },
    }


@router.get("/indicators/{key}/{period}/units/{unit}")
def scorecard(key: str, period: str, unit: str, desk: ReaderDesk) -> dict[str, Any]:
    """One unit's scorecard: every node's points; leaves with raw value and formula."""
    session = desk.session
    snapshot = _snapshot(session, key, period)
    score = service.score_of(session, snapshot, unit, desk.actor)
    _row, tree = service.snapshot_tree(session, snapshot)
    return {
        **_meta(session, snapshot),
        **_score(score),
        "lines": [line.__dict__ for line in service.expand(tree, score)],
    }


def _assessment(row: Assessment) -> dict[str, Any]:
    return {
        "id": row.id,
        "tree": row.tree_key,
        "indicator": row.indicator_id,
        "period": row.period,
        "unit": row.unit,
        "points": row.points,
        "evidence": row.evidence,
        "attachment": row.attachment_name or None,
        "state": row.state,
        "scored_by": row.scored_by,
        "scored_at": row.scored_at,
        "reviewed_by": row.reviewed_by,
        "reviewed_at": row.reviewed_at,
        "review_note": row.review_note,
    }


@router.get("/indicators/assessments")
def list_assessments(
    user: Reviewer,
    session: SessionDep,
    tree: Annotated[str, Query(max_length=48)],
    period: Annotated[str, Query(max_length=8)],
) -> list[dict[str, Any]]:
    """Manual assessments of a period in the caller's area."""
    rows = service.assessments(session, tree_key=tree, period=period, scope=user.effective_scope)
    return [_assessment(row) for row in rows]


@router.post("/indicators/assessments", status_code=201)
def score(body: ScoreIn, desk: ReviewerDesk) -> dict[str, Any]:
    """Score a manual item with evidence; it counts once a second reviewer confirms."""
    row = desk.commit(
        service.do_score,
        tree_key=body.tree,
        indicator_id=body.indicator,
        period=body.period,
        unit=body.unit,
        points=body.points,
        evidence=body.evidence,
    )
    return _assessment(row)


@router.post("/indicators/assessments/{assessment_id}/review")
def review(assessment_id: int, body: ReviewIn, desk: ReviewerDesk) -> dict[str, Any]:
    """Confirm another reviewer's score, or send it back with a reason."""
    row = desk.commit(
        service.do_review,
        assessment_id=assessment_id,
        confirm=body.confirm,
        note=body.note,
    )
    return _assessment(row)


@router.get("/dashboard")
def dashboard(user: Reader, session: SessionDep, state: StateDep, now: Now) -> dict[str, Any]:
    """The leader's figures for the caller's area: open and overdue cases, this month's
    rates and their six-month trend, top categories, the most overdue units."""
    data = service.dashboard(
        session, scope=user.effective_scope, now=now, tz=ZoneInfo(state.settings.timezone)
    )
    return {
        "open_cases": data.open_cases,
        "overdue_cases": data.overdue_cases,
        "month": data.month.as_dict() if data.month else None,
        "trend": [
            {"period": period, "figures": figures.as_dict() if figures else None}
            for period, figures in data.trend
        ],
        "top_categories": [
            {"code": code, "name_zh": zh, "name_en": en, "cases": n}
            for code, zh, en, n in data.top_categories
        ],
        "most_overdue": [
            {"unit": unit, "name": name, "overdue": n} for unit, name, n in data.most_overdue
        ],
    }
