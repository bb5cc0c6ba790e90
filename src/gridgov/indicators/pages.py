"""Indicator pages: the league tables of a computed tree, a unit's scorecard, the
downloads (XLSX, CSV), and the reviewers' manual assessments.

Every staff role may look, within the viewer's region code; leaders and administrators
compute a period; leaders, administrators and auditors score manual items, and a second
of them confirms each score (docs/indicators.md).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, TypeVar
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, File, Form, Path, Query, UploadFile
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov.accounts.models import User
from gridgov.accounts.rules import STAFF_ROLES, may_access
from gridgov.errors import DomainError, InvalidInput, NotFound, Problem
from gridgov.indicators import export, service
from gridgov.indicators.kinds import LEAGUE_AND_BAND_LABELS, MANUAL_LABEL, METRIC_LABELS
from gridgov.indicators.models import Assessment, IndicatorScore, IndicatorSnapshot
from gridgov.indicators.rules import Indicator, Method, Tree, recent_periods
from gridgov.msgids import N_
from gridgov.web import i18n
from gridgov.web.deps import AppState, CsrfChecked, in_scope, require_roles
from gridgov.web.render import (
    download,
    language_of,
    local_time,
    no_store,
    render,
    render_form,
    sniff,
)
from gridgov.web.toolkit import Desk, desk

router = APIRouter(include_in_schema=False)

StaffPage = Annotated[User, Depends(require_roles(*sorted(STAFF_ROLES), page=True))]
ComputerPage = Annotated[User, Depends(require_roles(*sorted(service.COMPUTERS), page=True))]
ReviewerPage = Annotated[User, Depends(require_roles(*sorted(service.REVIEWERS), page=True))]
TreeKey = Annotated[str, Path(max_length=48)]
PeriodKey = Annotated[str, Path(max_length=8)]
UnitKey = Annotated[str, Path(max_length=32)]

MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
HISTORY = 12  # periods of a unit's totals on its scorecard
CHOICES = 12  # recent periods offered by the compute and assessment forms
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_SAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


class TreePeriod(BaseModel):
    """The tree and the period a page shows or a form acts on (blank: the page's
    choice): a page's query, or fields of a form."""

    tree: str = Field(default="", max_length=48)
    period: str = Field(default="", max_length=8)


# Catalogue ids of values these pages show through ``_(value)``: leagues, bands, the
# notes of leaves without data, the states of assessments.
LABELS = (
    *LEAGUE_AND_BAND_LABELS,
    N_("no data: league mean"),
    N_("no data: full"),
    N_("no data: zero"),
    N_("new entry"),
    N_("not_scored"),
    N_("pending"),
    N_("confirmed"),
    N_("rejected"),
)
# The words of a leaf's formula (rules.Indicator.formula), translated where it is shown.
FORMULA_WORDS = (N_("raw"), N_("else"), N_("from #%(n)s"))
_FORMULA_WORD = re.compile(r"\b(raw|else)\b|from #(\d+)")
_METRIC_KEY = re.compile(r"[a-z_][a-z0-9_]*")


# ---------------------------------------------------------------- helpers


ComputerDesk = Annotated[Desk, Depends(desk(ComputerPage, name="computer_desk"))]
ReviewerDesk = Annotated[Desk, Depends(desk(ReviewerPage, name="reviewer_desk"))]
StaffDesk = Annotated[Desk, Depends(desk(StaffPage, name="staff_desk"))]


def _tz(state: AppState) -> ZoneInfo:
    return ZoneInfo(state.settings.timezone)


def name_in(language: str, zh: str, en: str) -> str:
    """A tree's or an indicator's name in the reader's language."""
    return zh if language.startswith("zh") else en


def metric_label(metric: str, derived: dict[str, str], gettext: Callable[[str], str]) -> str:
    """A leaf's metric in the reader's words: its label; a tree's own derived metric as
    the labels of the counts it is made of; its key when it has neither."""
    # a manual leaf reads "manual" for its metric (service.reading)
    label = MANUAL_LABEL if metric == "manual" else METRIC_LABELS.get(metric)
    if label is not None:
        return gettext(label)
    if metric in derived:
        return _METRIC_KEY.sub(
            lambda key: gettext(METRIC_LABELS.get(key[0], key[0])), derived[metric]
        ).replace("*", "×")
    return metric


def formula_words(formula: str, gettext: Callable[[str], str]) -> str:
    """A leaf's formula with its words (raw, else, from #n) in the reader's language."""

    def word(found: re.Match[str]) -> str:
        if found[2]:
            return gettext("from #%(n)s") % {"n": found[2]}
        return gettext(found[1])

    return _FORMULA_WORD.sub(word, formula)


def points(value: float) -> str:
    """Points and totals, always with two decimals so a column lines up."""
    return f"{value:.2f}"


def plain(value: float) -> str:
    """A number without trailing zeros: 40, 6.67."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def raw_value(metric: str, raw: float | None) -> str:
    """A leaf's raw value; rates as percentages; empty without data."""
    if raw is None:
        return ""
    if metric.endswith("_rate"):
        return f"{raw * 100:.1f}%"
    return plain(raw)


def movement(score: IndicatorScore) -> tuple[str, str]:
    """(css class, text) of the places gained since the last period."""
    if score.previous_rank is None:
        return "move-new", "new"
    gained = score.previous_rank - score.rank
    if gained > 0:
        return "move-up", f"▲{gained}"
    if gained < 0:
        return "move-down", f"▼{-gained}"
    return "move-same", "–"


def _filename(*parts: str) -> str:
    return "-".join(_SAFE_NAME.sub("_", part) for part in parts)


@dataclass(frozen=True)
class TreeChoice:
    key: str
    name: str
    tree: Tree


def tree_choices(session: Session, language: str) -> list[TreeChoice]:
    """The latest revision of every stored tree, the shipped ones first; the shipped
    files themselves while nothing is stored (computing loads them)."""
    stored = [tree for _row, tree in service.trees(session)]
    if not stored:
        stored = [service.parse(service.shipped_text(key)) for key in service.SHIPPED]
    order = {key: n for n, key in enumerate(service.SHIPPED)}
    stored.sort(key=lambda tree: (order.get(tree.key, len(order)), tree.key))
    return [TreeChoice(t.key, name_in(language, t.name_zh, t.name_en), t) for t in stored]


def recent(tree: Tree, now: datetime, tz: ZoneInfo) -> list[str]:
    """The latest periods up to the current one, newest first."""
    return [p.key for p in recent_periods(tree.period, now.astimezone(tz).date(), CHOICES)][::-1]


def _pick_tree(choices: Sequence[TreeChoice], key: str) -> TreeChoice | None:
    return next((c for c in choices if c.key == key), choices[0] if choices else None)


Scored = TypeVar("Scored", IndicatorScore, Assessment)


def _within_scope(desk: Desk, found: Scored | None, object_type: str, object_id: str) -> Scored:
    """``found`` if its unit's region lies within the viewer's scope; 404 (audited when
    hidden) otherwise."""
    scope = desk.user.effective_scope
    return in_scope(
        desk.request,
        desk.session,
        desk.now,
        desk.user,
        found,
        visible=lambda row: may_access(scope, row.region_code),
        object_type=object_type,
        object_id=object_id,
    )


def _scoped_score(
    desk: Desk,
    snapshot: IndicatorSnapshot,
    unit: str,
) -> IndicatorScore:
    """The unit's score if the viewer may see it; 404 (audited when hidden) otherwise."""
    found = desk.session.scalars(
        select(IndicatorScore).where(
            IndicatorScore.snapshot_id == snapshot.id, IndicatorScore.unit == unit
        )
    ).first()
    return _within_scope(
        desk, found, "indicator_score", f"{snapshot.tree_key}/{snapshot.period}/{unit}"
    )


def _snapshot(session: Session, key: str, period: str) -> IndicatorSnapshot:
    snapshot = service.snapshot_for(session, key, period)
    if snapshot is None:
        raise NotFound("Not found, or outside your area.")
    return snapshot


# ---------------------------------------------------------------- rankings


def _rankings_page(
    desk: Desk,
    *,
    tree_key: str,
    period: str,
    league: str,
    error: DomainError | None = None,
) -> HTMLResponse:
    session = desk.session
    language = language_of(desk.request)
    tz = _tz(desk.state)
    scope = desk.user.effective_scope
    choices = tree_choices(session, language)
    chosen = _pick_tree(choices, tree_key)
    computed = service.periods(session, chosen.key) if chosen else []
    the_period = period if period in computed else (computed[0] if computed else "")
    snapshot = service.snapshot_for(session, chosen.key, the_period) if chosen else None
    leagues = service.leagues(session, snapshot, scope) if snapshot else []
    the_league = league if league in leagues else (leagues[0] if leagues else "")
    tree = service.snapshot_tree(session, snapshot)[1] if snapshot else None
    tops = list(tree.indicators) if tree else []
    rows = []
    if snapshot is not None and the_league:
        for score in service.league_table(session, snapshot, the_league, scope):
            nodes = json.loads(score.detail)["nodes"]
            move_class, move_text = movement(score)
            rows.append(
                {
                    "score": score,
                    "total": points(score.total),
                    "move_class": move_class,
                    "move": move_text,
                    "tops": [points(nodes.get(top.id, 0.0)) for top in tops],
                }
            )
    may_compute = desk.user.role_enum in service.COMPUTERS
    compute_periods = recent(chosen.tree, desk.now, tz) if chosen and may_compute else []
    wanted = period or (compute_periods[1] if len(compute_periods) > 1 else "")
    context = {
        "choices": choices,
        "tree": chosen,
        "periods": computed,
        "period": the_period,
        "snapshot": snapshot,
        "computed_at": local_time(snapshot.computed_at, tz) if snapshot else "",
        "leagues": leagues,
        "league": the_league,
        "tops": [name_in(language, top.name_zh, top.name_en) for top in tops],
        "rows": rows,
        "may_compute": may_compute,
        "compute_periods": compute_periods,
        "compute_period": wanted if wanted in compute_periods else the_period,
    }
    return no_store(render_form(desk.request, "indicators/rankings.html", context, error))


@router.get("/indicators", response_class=HTMLResponse)
def rankings_page(
    desk: StaffDesk,
    asked: Annotated[TreePeriod, Query()],
    league: Annotated[str, Query(max_length=24)] = "",
) -> HTMLResponse:
    """A tree's league table for a computed period, within the viewer's area."""
    return _rankings_page(desk, tree_key=asked.tree, period=asked.period, league=league)


@router.post("/indicators/compute", dependencies=[CsrfChecked])
def compute_submit(desk: ComputerDesk, asked: Annotated[TreePeriod, Form()]) -> Response:
    """Compute (or recompute, while provisional) a tree for a period; back to its table."""
    tree, period = asked.tree, asked.period
    return desk.form(
        desk.action(service.compute, key=tree, period=period, tz=_tz(desk.state)),
        to=lambda snapshot: (
            "/indicators?" + urlencode({"tree": snapshot.tree_key, "period": snapshot.period})
        ),
        on_error=lambda exc: _rankings_page(
            desk, tree_key=tree, period=period, league="", error=exc
        ),
    )


# ---------------------------------------------------------------- assessments


@dataclass(frozen=True)
class Item:
    unit: service.Unit
    leaf: Indicator
    leaf_name: str
    evidence: str
    assessment: Assessment | None
    scored_at: str
    reviewed_at: str

    @property
    def state(self) -> str:
        return self.assessment.state if self.assessment else "not_scored"


def _assessments_page(
    desk: Desk,
    *,
    tree_key: str,
    period: str,
    error: DomainError | None = None,
) -> HTMLResponse:
    session, user = desk.session, desk.user
    language = language_of(desk.request)
    tz = _tz(desk.state)
    scope = user.effective_scope
    choices = [
        c
        for c in tree_choices(session, language)
        if any(leaf.method is Method.MANUAL for leaf in c.tree.leaves())
    ]
    chosen = _pick_tree(choices, tree_key)
    items: list[Item] = []
    offered: list[str] = []
    the_period = ""
    if chosen is not None:
        computed = service.periods(session, chosen.key)
        offered = sorted(set(recent(chosen.tree, desk.now, tz)) | set(computed), reverse=True)
        fallback = computed[0] if computed else recent(chosen.tree, desk.now, tz)[1]
        the_period = period if period in offered else fallback
        if the_period not in offered:
            offered.insert(0, the_period)
        found = {
            (a.unit, a.indicator_id): a
            for a in service.assessments(
                session, tree_key=chosen.key, period=the_period, scope=scope
            )
        }
        manual = [leaf for leaf in chosen.tree.leaves() if leaf.method is Method.MANUAL]
        for unit in service.units_of(session, chosen.tree):
            if not may_access(scope, unit.region_code):
                continue
            for leaf in manual:
                row = found.get((unit.key, leaf.id))
                items.append(
                    Item(
                        unit,
                        leaf,
                        name_in(language, leaf.name_zh, leaf.name_en),
                        name_in(language, leaf.evidence, leaf.evidence_en),
                        row,
                        local_time(row.scored_at, tz) if row else "",
                        local_time(row.reviewed_at, tz) if row else "",
                    )
                )
    context = {
        "choices": choices,
        "tree": chosen,
        "periods": offered,
        "period": the_period,
        "items": items,
        "reviewer": user.role_enum in service.REVIEWERS,
        "username": user.username,
        "max_mb": MAX_ATTACHMENT_BYTES // (1024 * 1024),
    }
    return no_store(render_form(desk.request, "indicators/assessments.html", context, error))


@router.get("/indicators/assessments", response_class=HTMLResponse)
def assessments_page(desk: StaffDesk, asked: Annotated[TreePeriod, Query()]) -> HTMLResponse:
    """The manual items of a tree for a period, unit by unit, with their review state."""
    return _assessments_page(desk, tree_key=asked.tree, period=asked.period)


def read_attachment(upload: UploadFile | None) -> tuple[str, str, bytes] | None:
    """(file name, sniffed type, bytes) of the evidence file; None when none was sent."""
    if upload is None:
        return None
    data = upload.file.read(MAX_ATTACHMENT_BYTES + 1)
    if not data and not upload.filename:
        return None
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise InvalidInput(
            N_("The score was not taken."),
            details=[Problem("attachment", N_("An evidence file may be at most 5 MB."))],
        )
    name = (upload.filename or "evidence").replace("\\", "/").rsplit("/", 1)[-1]
    return name[-128:] or "evidence", sniff(data) or "application/octet-stream", data


def _points(text: str) -> float:
    try:
        return float(text.strip())
    except ValueError as exc:
        raise InvalidInput(
            N_("The score was not taken."),
            details=[Problem("points", N_("Points must be a number."))],
        ) from exc


@router.post("/indicators/assessments/score", dependencies=[CsrfChecked])
def score_submit(
    desk: ReviewerDesk,
    asked: Annotated[TreePeriod, Form()],
    indicator: Annotated[str, Form(max_length=48)] = "",
    unit: Annotated[str, Form(max_length=32)] = "",
    points: Annotated[str, Form(max_length=16)] = "",
    evidence: Annotated[str, Form(max_length=4000)] = "",
    attachment: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """A reviewer scores a manual item; it waits for a second reviewer."""
    tree, period = asked.tree, asked.period
    return desk.form(
        lambda: desk.run(
            service.do_score,
            tree_key=tree,
            indicator_id=indicator,
            period=period,
            unit=unit,
            points=_points(points),
            evidence=evidence,
            attachment=read_attachment(attachment),
        ),
        to=_assessments_url(tree, period),
        on_error=_assessments_again(desk, tree, period),
    )


def _assessments_url(tree_key: str, period: str) -> str:
    return "/indicators/assessments?" + urlencode({"tree": tree_key, "period": period})


def _assessments_again(
    desk: Desk, tree_key: str, period: str
) -> Callable[[DomainError], HTMLResponse]:
    """The assessments page again, with a form's refusal."""
    return lambda exc: _assessments_page(desk, tree_key=tree_key, period=period, error=exc)


def _scoped_assessment(desk: Desk, assessment_id: int) -> Assessment:
    found = desk.session.get(Assessment, assessment_id)
    return _within_scope(desk, found, "indicator_assessment", str(assessment_id))


@router.post("/indicators/assessments/{assessment_id}/review", dependencies=[CsrfChecked])
def review_submit(
    assessment_id: int,
    desk: ReviewerDesk,
    decision: Annotated[str, Form(max_length=16)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """A second reviewer confirms a pending score, or sends it back with a reason."""
    row = _scoped_assessment(desk, assessment_id)

    def review() -> Assessment:
        if decision not in ("confirm", "reject"):
            raise InvalidInput("Confirm the score or send it back.")
        return desk.run(
            service.do_review,
            assessment_id=assessment_id,
            confirm=decision == "confirm",
            note=note,
        )

    return desk.form(
        review,
        to=_assessments_url(row.tree_key, row.period),
        on_error=_assessments_again(desk, row.tree_key, row.period),
    )


@router.get("/indicators/assessments/{assessment_id}/attachment")
def assessment_attachment(assessment_id: int, desk: StaffDesk) -> Response:
    """The evidence file of an assessment, as a download, within the viewer's area."""
    row = _scoped_assessment(desk, assessment_id)
    if row.attachment is None:
        raise NotFound("Not found, or outside your area.")
    return download(
        row.attachment,
        row.attachment_name or "evidence",
        row.attachment_type or "application/octet-stream",
    )


# ---------------------------------------------------------------- downloads


@router.get("/indicators/{key}/{period}.xlsx")
def rankings_download(key: TreeKey, period: PeriodKey, desk: StaffDesk) -> Response:
    """Every league of the viewer's area, and the scorecards, as a workbook."""
    snapshot = _snapshot(desk.session, key, period)
    body = export.rankings_xlsx(
        desk.session,
        snapshot,
        desk.user.effective_scope,
        language_of(desk.request),
        tz=_tz(desk.state),
    )
    return download(body, _filename(key, period) + ".xlsx", XLSX)


@router.get("/indicators/{key}/{period}.csv")
def rankings_csv(key: TreeKey, period: PeriodKey, desk: StaffDesk) -> Response:
    """The league tables of the viewer's area as CSV (UTF-8 with a BOM, for Excel)."""
    snapshot = _snapshot(desk.session, key, period)
    text = export.rankings_csv(
        desk.session, snapshot, desk.user.effective_scope, language_of(desk.request)
    )
    return download(
        text.encode(export.CSV_ENCODING), _filename(key, period) + ".csv", "text/csv; charset=utf-8"
    )


@router.get("/indicators/{key}/{period}/{unit}.xlsx")
def scorecard_download(key: TreeKey, period: PeriodKey, unit: UnitKey, desk: StaffDesk) -> Response:
    """One unit's scorecard as a workbook."""
    session = desk.session
    snapshot = _snapshot(session, key, period)
    _scoped_score(desk, snapshot, unit)
    body = export.scorecard_xlsx(
        session, snapshot, unit, desk.actor, language_of(desk.request), tz=_tz(desk.state)
    )
    return download(body, _filename(key, period, unit) + ".xlsx", XLSX)


# ---------------------------------------------------------------- the scorecard


def history(session: Session, key: str, unit: str, scope: str | None) -> list[dict[str, Any]]:
    """The unit's total, rank and band in the latest computed periods, newest first."""
    return [
        {
            "period": snapshot.period,
            "total": points(score.total),
            "rank": score.rank,
            "band": score.band,
            "final": snapshot.final,
        }
        for snapshot, score in reversed(service.unit_history(session, key, unit, scope))
    ][:HISTORY]


@router.get("/indicators/{key}/{period}/{unit}", response_class=HTMLResponse)
def scorecard_page(key: TreeKey, period: PeriodKey, unit: UnitKey, desk: StaffDesk) -> HTMLResponse:
    """A unit's scorecard: every node with its points, every leaf with its working."""
    request, session = desk.request, desk.session
    language = language_of(request)
    gettext = i18n.translations(language).gettext
    snapshot = _snapshot(session, key, period)
    score = _scoped_score(desk, snapshot, unit)
    tree_row, tree = service.snapshot_tree(session, snapshot)
    size = session.scalar(
        select(func.count()).where(
            IndicatorScore.snapshot_id == snapshot.id, IndicatorScore.league == score.league
        )
    )
    lines = [
        {
            "line": line,
            "name": name_in(language, line.name_zh, line.name_en),
            "weight": plain(line.weight),
            "points": points(line.points),
            "raw": raw_value(line.metric, line.raw) if line.leaf else "",
            "label": metric_label(line.metric or "", tree.derived, gettext) if line.leaf else "",
            "formula": formula_words(line.formula, gettext) if line.leaf else "",
        }
        for line in service.expand(tree, score)
    ]
    move_class, move_text = movement(score)
    context = {
        "snapshot": snapshot,
        "tree_name": name_in(language, tree.name_zh, tree.name_en),
        "revision": tree_row.revision,
        "score": score,
        "total": points(score.total),
        "out_of": plain(tree.total),
        "league_size": size,
        "move_class": move_class,
        "move": move_text,
        "lines": lines,
        "history": history(session, key, unit, desk.user.effective_scope),
        "computed_at": local_time(snapshot.computed_at, _tz(desk.state)),
    }
    return no_store(render(request, "indicators/scorecard.html", context))
