"""The leader's dashboard and the monthly report, scoped by the viewer's region code.

``/dashboard``: open and overdue cases now, this month's rates and their six-month
trend, the commonest problems, the units most overdue, the programmes' overdue tasks
(from ``outreach.public``, the most overdue first), a map of the grids coloured by
any indicator of any computed snapshot (colours from ``/dashboard/map.json``) and the
best and worst grids of the latest three-rate ranking. ``?screen=wall`` is the dark
large-screen layout that refreshes itself every minute.

``/indicators/report/{period}``: the month's report for printing on A4: case figures,
the three-rate league tables, the organisational-strength index and overdue units.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from gridgov.accounts.models import User
from gridgov.accounts.rules import Role
from gridgov.cases import figures
from gridgov.clock import local_today
from gridgov.indicators import service
from gridgov.indicators.kinds import LEAGUE_AND_BAND_LABELS
from gridgov.indicators.models import IndicatorScore, IndicatorSnapshot
from gridgov.indicators.rules import Indicator, PeriodKind, Tree, parse_period, period_containing
from gridgov.outreach import public as outreach
from gridgov.web.deps import SessionDep, require_roles
from gridgov.web.render import language_of, render
from gridgov.web.toolkit import Desk, desk

router = APIRouter(include_in_schema=False)

VIEWERS = (Role.LEADER, Role.ADMIN, Role.AUDITOR, Role.DISPATCHER, Role.BRANCH_SECRETARY)
DashboardPage = Annotated[User, Depends(require_roles(*VIEWERS, page=True))]
DashboardDesk = Annotated[Desk, Depends(desk(DashboardPage, name="dashboard_desk"))]
DashboardUser = Annotated[User, Depends(require_roles(*VIEWERS))]
Key = Annotated[str, Query(max_length=48)]
PeriodKey = Annotated[str, Query(max_length=8)]

RATES_TREE = "three_rates"
STRENGTH_TREE = "org_strength"
DASHBOARD_TOP = 5
OVERDUE_TASKS_TOP = 8
REPORT_TOP = 10
# Roles for which /cases has the "overdue" view.
OVERDUE_VIEW = frozenset({Role.LEADER.value, Role.ADMIN.value, Role.DISPATCHER.value})

# Catalogue ids of the values these pages show through ``_(value)``.
LABELS = LEAGUE_AND_BAND_LABELS


def localised(language: str, name_zh: str, name_en: str) -> str:
    """A bilingual name in the reader's language (Chinese for both Chinese scripts)."""
    return name_zh if language.startswith("zh") else (name_en or name_zh)


def percent(rate: float | None) -> float | None:
    return None if rate is None else round(rate * 100, 1)


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    depth: int = 0


def indicator_options(tree: Tree, language: str) -> list[Option]:
    """Every node of the tree, depth first, for the map's indicator select."""
    options: list[Option] = []

    def walk(node: Indicator, depth: int) -> None:
        options.append(Option(node.id, localised(language, node.name_zh, node.name_en), depth))
        for child in node.children:
            walk(child, depth + 1)

    for top in tree.indicators:
        walk(top, 0)
    return options


def top_and_bottom(
    rows: list[IndicatorScore], size: int
) -> tuple[list[IndicatorScore], list[IndicatorScore]]:
    """The first ``size`` and the last ``size`` rows, without showing a row twice."""
    return rows[:size], rows[max(size, len(rows) - size) :]


# ---------------------------------------------------------------- the dashboard


@dataclass(frozen=True)
class MapChoice:
    trees: list[Option]
    tree: str
    periods: list[str]
    period: str
    indicators: list[Option]
    indicator: str


def map_choice(
    session: Session, language: str, tree: str, period: str, indicator: str
) -> MapChoice | None:
    """The map's selects and what is chosen: the asked tree, period and indicator when
    they exist, else the three-rate tree, its newest period and the total."""
    found = service.trees(session)
    if not found:
        return None
    keys = [row.key for row, _tree in found]
    chosen = tree if tree in keys else (RATES_TREE if RATES_TREE in keys else keys[0])
    parsed = next(parsed for row, parsed in found if row.key == chosen)
    computed = service.periods(session, chosen)
    indicators = indicator_options(parsed, language)
    ids = {option.value for option in indicators}
    return MapChoice(
        trees=[Option(row.key, localised(language, row.name_zh, row.name_en)) for row, _t in found],
        tree=chosen,
        periods=computed,
        period=period if period in computed else (computed[0] if computed else ""),
        indicators=indicators,
        indicator=indicator if indicator in ids else "total",
    )


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard_page(
    desk: DashboardDesk,
    tree: Key = "",
    period: PeriodKey = "",
    indicator: Key = "",
    screen: Annotated[str, Query(max_length=8)] = "",
) -> HTMLResponse:
    """One screen for a leader: the numbers that matter now, the trend, the map."""
    request, session, user, now = desk.request, desk.session, desk.user, desk.now
    language = language_of(request)
    tz = ZoneInfo(desk.tz)
    scope = user.effective_scope
    board = service.dashboard(session, scope=scope, now=now, tz=tz)
    trend = {
        "labels": [key for key, _figures in board.trend],
        "response": [percent(f.response_rate if f else None) for _k, f in board.trend],
        "resolution": [percent(f.resolution_rate if f else None) for _k, f in board.trend],
        "satisfaction": [percent(f.satisfaction_rate if f else None) for _k, f in board.trend],
        "on_time": [percent(f.on_time_closure_rate if f else None) for _k, f in board.trend],
    }
    categories = [
        {"code": code, "name": localised(language, zh, en), "count": n}
        for code, zh, en, n in board.top_categories
    ]
    this_month = period_containing(PeriodKind.MONTH, now.astimezone(tz).date())
    # Rank on the last complete month: a few days of the running one rank nobody fairly.
    latest = service.snapshot_for(
        session, RATES_TREE, this_month.previous().key
    ) or service.latest_snapshot(session, RATES_TREE)
    if latest is not None and latest.period == this_month.key:
        latest = None
    grids = service.league_table(session, latest, "grid", scope) if latest else []
    best, worst = top_and_bottom(grids, DASHBOARD_TOP)
    if not period:
        period = this_month.previous().key
    report_period = latest.period if latest else this_month.previous().key
    late_tasks, most_late_tasks = outreach.overdue_tasks(
        session, scope=scope, today=local_today(now, tz), limit=OVERDUE_TASKS_TOP
    )
    return render(
        request,
        "indicators/dashboard.html",
        {
            "board": board,
            "month": board.month,
            "month_key": this_month.key,
            "trend": trend,
            "categories": categories,
            "overdue_link": user.role in OVERDUE_VIEW,
            "late_tasks": late_tasks,
            "most_late_tasks": most_late_tasks,
            "choice": map_choice(session, language, tree, period, indicator),
            "scope": scope or "",
            "scope_name": service.region_names(session, [scope or ""]).get(scope or "", ""),
            "latest": latest,
            "best": best,
            "worst": worst,
            "report_period": report_period,
            "wall": screen == "wall",
            "tile_url": desk.state.settings.map_tile_url or "",
            "tile_attribution": desk.state.settings.map_tile_attribution,
        },
    )


@router.get("/dashboard/map.json")
def dashboard_map(
    user: DashboardUser,
    session: SessionDep,
    tree: Key = RATES_TREE,
    period: PeriodKey = "",
    indicator: Key = "total",
) -> dict[str, dict[str, Any]]:
    """Grid code → value, band and name of the chosen indicator, for the viewer's grids."""
    service.get_tree(session, tree)  # 404 for a tree that does not exist
    snapshot: IndicatorSnapshot | None = (
        service.snapshot_for(session, tree, period)
        if period
        else service.latest_snapshot(session, tree)
    )
    if snapshot is None:
        return {}
    values = service.grid_values(session, snapshot, indicator or "total", user.effective_scope)
    return {
        code: {"value": v.value, "band": v.band, "name": v.name, "unit": v.unit}
        for code, v in values.items()
    }


# ---------------------------------------------------------------- the monthly report


@dataclass(frozen=True)
class Ranking:
    """One league of a snapshot: all of it, or its top and bottom."""

    league: str
    rows: list[IndicatorScore]
    bottom: list[IndicatorScore]
    size: int  # how many units the league has in the viewer's area


def ranking(
    session: Session,
    snapshot: IndicatorSnapshot,
    league: str,
    scope: str | None,
    *,
    top: int | None = None,
) -> Ranking:
    rows = service.league_table(session, snapshot, league, scope)
    if top is None:
        return Ranking(league, rows, [], len(rows))
    best, worst = top_and_bottom(rows, top)
    return Ranking(league, best, worst, len(rows))


@router.get("/indicators/report/{period}", response_class=HTMLResponse)
def report_page(desk: DashboardDesk, period: Annotated[str, Path(max_length=8)]) -> HTMLResponse:
    """The month's report of the viewer's area, laid out for A4."""
    request, session, user, now = desk.request, desk.session, desk.user, desk.now
    language = language_of(request)
    tz = ZoneInfo(desk.tz)
    scope = user.effective_scope
    month = parse_period(PeriodKind.MONTH, period)
    start, end = month.bounds(tz)
    overall = figures.compute(session, start=start, end=end, now=now, group="all", scope=scope)
    streets = figures.compute(session, start=start, end=end, now=now, group="street", scope=scope)
    names = service.region_names(session, [scope or "", *(f.group for f in streets)])
    rates = service.snapshot_for(session, RATES_TREE, month.key)
    rate_tables: list[Ranking] = []
    if rates is not None:
        rate_tables = [
            ranking(session, rates, "street", scope),
            ranking(session, rates, "community", scope),
            ranking(session, rates, "grid", scope, top=REPORT_TOP),
            ranking(session, rates, "department", scope),
        ]
    strength = service.snapshot_for(session, STRENGTH_TREE, month.key)
    strength_tables: list[Ranking] = []
    if strength is not None:
        strength_tables = [
            ranking(session, strength, league, scope, top=REPORT_TOP)
            for league in sorted(service.leagues(session, strength, scope), key=_party_order)
        ]
    board = service.dashboard(session, scope=scope, now=now, tz=tz, months=1)
    tree_names = {
        row.key: localised(language, row.name_zh, row.name_en) for row, _t in service.trees(session)
    }
    return render(
        request,
        "indicators/report.html",
        {
            "period": month.key,
            "previous": month.previous().key,
            "next": period_containing(PeriodKind.MONTH, month.last + timedelta(days=1)).key,
            "scope": scope or "",
            "scope_name": names.get(scope or "", ""),
            "overall": overall[0] if overall else None,
            "streets": [(f, names.get(f.group, "")) for f in streets],
            "rates": rates,
            "rate_tables": [t for t in rate_tables if t.size],
            "strength": strength,
            "strength_tables": [t for t in strength_tables if t.size],
            "tree_names": tree_names,
            "most_overdue": board.most_overdue,
            "printed": now.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
            "rates_tree": RATES_TREE,
            "strength_tree": STRENGTH_TREE,
        },
    )


PARTY_ORDER = ("party_district", "party_street", "party_community", "party_grid")


def _party_order(league: str) -> tuple[int, str]:
    """Party organisations from the district committee down to the grid branches."""
    return (PARTY_ORDER.index(league) if league in PARTY_ORDER else len(PARTY_ORDER), league)
