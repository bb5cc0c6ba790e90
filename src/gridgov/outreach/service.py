"""Contact groups and visits: make, refit and hand-edit a scheme (every move kept in
its history),  log visits, turn an opinion into a case, list the
households not visited within the period, and the coverage figures.

Spreadsheets are in ``spreadsheets.py``, pledges in ``pledges.py``, the member
pipeline in ``pipeline.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol, TypeVar

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from gridgov.accounts.rules import Role, may_access, scope_clause, within_view
from gridgov.audit.service import Actor, AuditSubject, add_and_record, record_about
from gridgov.cases import service as cases
from gridgov.cases.rules import Channel
from gridgov.db import rows, visible_row
from gridgov.errors import Forbidden, InvalidInput, NotFound, Problem
from gridgov.msgids import N_
from gridgov.outreach import partition as part
from gridgov.outreach.models import (
    ContactChange,
    ContactGroup,
    ContactHousehold,
    ContactScheme,
    Pledge,
    Visit,
)
from gridgov.outreach.rules import (
    MAX_NOTE,
    VISIT_PERIOD_DAYS,
    ChangeReason,
    OpinionOutcome,
    VisitKind,
    coverage,
)
from gridgov.registry import service as registry

WRITE_ROLES = frozenset({Role.ADMIN, Role.BRANCH_SECRETARY, Role.GRID_WORKER})
SCHEME_ROLES = frozenset({Role.ADMIN, Role.BRANCH_SECRETARY})


def check_scope(
    actor: Actor,
    region_code: str,
    roles: frozenset[Role] = WRITE_ROLES,
    refusal: str = N_("Your role may not do this."),
) -> None:
    """Outreach's one guard: the system passes; outside the actor's area is 404; inside
    it, a role not in ``roles`` is refused with ``refusal`` (a catalogue id)."""
    if actor.role == "system":
        return
    if not may_access(actor.scope, region_code):
        raise NotFound("Not found.")
    if actor.role not in roles:
        raise Forbidden(refusal)


class Movable(AuditSubject, Protocol):
    """A row with a state of its own (a pledge, an enterprise's request)."""

    state: str
    updated_at: datetime


_State = TypeVar("_State", bound=StrEnum)


def move_state(
    session: Session,
    actor: Actor,
    kind: str,
    row: Movable,
    target: _State,
    transition: Callable[[_State, _State], _State],
    now: datetime,
    summary: dict[str, Any],
) -> None:
    """``row`` moved to ``target`` as ``transition`` allows (a refusal raises), audited
    as ``<kind>.<target>``."""
    row.state = transition(type(target)(row.state), target).value
    row.updated_at = now
    record_about(session, actor, f"{kind}.{target.value}", row, now=now, summary=summary)


# ---------------------------------------------------------------- schemes


def _homes(session: Session, region_code: str) -> list[part.Home]:
    return [
        part.Home(p.id, p.lon, p.lat, f"b{p.building_id}" if p.building_id else None, p.number)
        for p in registry.household_places(session, region_code=region_code)
    ]


def _members(session: Session, region_code: str, member_max: int) -> list[part.Member]:
    return [
        part.Member(resident.id, household, member_max)
        for resident, household in registry.party_members_in(session, region_code=region_code)
    ]


def do_create_scheme(
    session: Session,
    *,
    actor: Actor,
    region_code: str,
    name: str,
    groups: int,
    now: datetime,
    member_max: int = 15,
    households: list[int] | None = None,
) -> tuple[ContactScheme, part.Quality]:
    """Cut the region's households (or the listed ones) into ``groups`` contact groups."""
    check_scope(actor, region_code, SCHEME_ROLES)
    name = name.strip()
    problems: list[Problem] = []
    if not 1 <= len(name) <= 128:
        problems.append(Problem("name", "A name of 1 to 128 characters is required."))
    homes = _homes(session, region_code)
    if households is not None:
        wanted = set(households)
        homes = [h for h in homes if h.id in wanted]
    if not 1 <= groups <= max(1, len(homes)):
        problems.append(Problem("groups", "Between 1 and %(n)s groups.", n=max(1, len(homes))))
    if not 1 <= member_max <= 200:
        problems.append(Problem("member_max", "Between 1 and %(n)s households.", n=200))
    if problems:
        raise InvalidInput("The contact groups were not made.", details=problems)
    band = part.Band.for_count(len(homes), groups)
    result = part.partition(homes, band, _members(session, region_code, member_max))
    scheme = ContactScheme(
        region_code=region_code,
        name=name,
        groups=groups,
        size_low=band.low,
        size_high=band.high,
        member_max=member_max,
        created_at=now,
        updated_at=now,
        version=1,
    )
    session.add(scheme)
    session.flush()
    _store(session, scheme, result, {}, ChangeReason.GENERATED, actor, now)
    # The count is the office's to choose: cut as asked, and note how many groups
    # counting forces outside the band (the scheme page words it, with a better count).
    floor = part.fewest_outside(part.block_sizes(homes), band)
    summary = {
        "groups": groups,
        "households": len(homes),
        **_figures(result.quality),
        "fewest_outside": floor,
    }
    record_about(session, actor, "contact_scheme.created", scheme, now=now, summary=summary)
    return scheme, result.quality


def _figures(q: part.Quality) -> dict[str, float | int]:
    return {
        "smallest": q.smallest,
        "largest": q.largest,
        "buildings_split": q.buildings_split,
        "largest_distance_m": q.largest_distance_m,
        "moved": q.moved,
    }


def _store(
    session: Session,
    scheme: ContactScheme,
    result: part.Partition,
    before: dict[int, int],
    reason: ChangeReason,
    actor: Actor,
    now: datetime,
) -> None:
    """Write the groups and households of ``result``; a history row per change."""
    existing = {
        g.number: g
        for g in session.scalars(select(ContactGroup).where(ContactGroup.scheme_id == scheme.id))
    }
    for index, member in enumerate(result.members):
        number = index + 1
        group = existing.get(number)
        if group is None:
            group = ContactGroup(scheme_id=scheme.id, number=number, region_code=scheme.region_code)
            session.add(group)
            existing[number] = group
        group.member_id = member
    session.flush()
    rows = {
        r.household_id: r
        for r in session.scalars(
            select(ContactHousehold).where(ContactHousehold.scheme_id == scheme.id)
        )
    }
    after = {h: g + 1 for g, homes in enumerate(result.groups) for h in homes}
    changes: list[tuple[int, int | None, int | None]] = []
    for household_id, number in after.items():
        old = before.get(household_id)
        if old == number:
            continue
        row = rows.get(household_id)
        if row is None:
            session.add(
                ContactHousehold(
                    scheme_id=scheme.id, group_id=existing[number].id, household_id=household_id
                )
            )
        else:
            row.group_id = existing[number].id
        changes.append((household_id, old, number))
    for household_id, old in before.items():
        if household_id not in after:
            session.delete(rows[household_id])
            changes.append((household_id, old, None))
    log_changes(session, scheme, changes, reason, actor, now)


def log_changes(
    session: Session,
    scheme: ContactScheme,
    changes: list[tuple[int, int | None, int | None]],
    reason: ChangeReason,
    actor: Actor,
    now: datetime,
) -> None:
    """A history row per change: (household id, group number before, after)."""
    if changes:
        session.execute(
            insert(ContactChange),
            [
                {
                    "scheme_id": scheme.id,
                    "household_id": h,
                    "from_number": old,
                    "to_number": new,
                    "reason": reason.value,
                    "actor": actor.username,
                    "at": now,
                }
                for h, old, new in changes
            ],
        )


def _groups(session: Session, scheme: ContactScheme) -> list[ContactGroup]:
    """The groups of ``scheme``, by number."""
    return rows(
        session, ContactGroup, ContactGroup.scheme_id == scheme.id, order_by=(ContactGroup.number,)
    )


def placements(session: Session, scheme: ContactScheme) -> dict[int, int]:
    """Household id → group number (1-based)."""
    rows = session.execute(
        select(ContactHousehold.household_id, ContactGroup.number)
        .join(ContactGroup, ContactGroup.id == ContactHousehold.group_id)
        .where(ContactHousehold.scheme_id == scheme.id)
    )
    return {h: n for h, n in rows}


def do_refresh_scheme(
    session: Session, *, actor: Actor, scheme: ContactScheme, now: datetime
) -> part.Quality:
    """Refit to the register as it is now: households that moved in or out, with as few
    other households changing group as the sizes allow."""
    check_scope(actor, scheme.region_code, SCHEME_ROLES)
    before = placements(session, scheme)
    homes = [h for h in _homes(session, scheme.region_code)]
    if len(before) < len(homes):  # a scheme over part of the region keeps to its part
        covered = set(before)
        buildings = {h.block for h in homes if h.id in covered and h.block}
        homes = [h for h in homes if h.id in covered or (h.block and h.block in buildings)]
    band = part.Band(scheme.groups, scheme.size_low, scheme.size_high)
    seats = [g.member_id for g in _groups(session, scheme)]
    previous = {h: n - 1 for h, n in before.items()}
    result = part.update(
        previous, homes, band, _members(session, scheme.region_code, scheme.member_max), seats
    )
    _store(session, scheme, result, before, ChangeReason.UPDATED, actor, now)
    scheme.updated_at = now
    scheme.version += 1
    summary = _figures(result.quality)
    record_about(session, actor, "contact_scheme.refreshed", scheme, now=now, summary=summary)
    return result.quality


def do_move_household(
    session: Session,
    *,
    actor: Actor,
    scheme: ContactScheme,
    household_id: int,
    to_number: int,
    now: datetime,
) -> None:
    """Move one household by hand (the whole building goes with it)."""
    check_scope(actor, scheme.region_code, SCHEME_ROLES)
    before = placements(session, scheme)
    if household_id not in before:
        raise NotFound("Not found.")
    if not 1 <= to_number <= scheme.groups:
        problem = Problem("group", "Between 1 and %(n)s groups.", n=scheme.groups)
        raise InvalidInput("The contact groups were not changed.", details=[problem])
    household = registry.get_household(session, household_id=household_id)
    same_building = {
        p.id
        for p in registry.household_places(session, region_code=scheme.region_code)
        if household is not None
        and household.building_id
        and p.building_id == household.building_id
    } or {household_id}
    target = session.scalar(
        select(ContactGroup).where(
            ContactGroup.scheme_id == scheme.id, ContactGroup.number == to_number
        )
    )
    if target is None:  # pragma: no cover - groups 1..n always exist
        raise NotFound("Not found.")
    rows = session.scalars(
        select(ContactHousehold).where(
            ContactHousehold.scheme_id == scheme.id,
            ContactHousehold.household_id.in_(same_building),
        )
    )
    changes: list[tuple[int, int | None, int | None]] = []
    for row in rows:
        old = before[row.household_id]
        if old == to_number:
            continue
        row.group_id = target.id
        changes.append((row.household_id, old, to_number))
    log_changes(session, scheme, changes, ChangeReason.HAND, actor, now)
    scheme.updated_at = now
    scheme.version += 1
    summary = {"household": household_id, "to": to_number, "households": len(changes)}
    record_about(session, actor, "contact_scheme.household_moved", scheme, now=now, summary=summary)


_InScope = TypeVar("_InScope", ContactScheme, Visit, Pledge)


def get_in_scope(session: Session, model: type[_InScope], row_id: int, viewer: Actor) -> _InScope:
    """The row, when the viewer's scope covers its region; NotFound otherwise."""
    return visible_row(
        session, model, row_id, lambda row: viewer.covers(row.region_code), missing=N_("Not found.")
    )


def get_scheme(session: Session, *, scheme_id: int, viewer: Actor) -> ContactScheme:
    return get_in_scope(session, ContactScheme, scheme_id, viewer)


def list_schemes(session: Session, *, viewer: Actor) -> list[ContactScheme]:
    query = select(ContactScheme).order_by(ContactScheme.region_code, ContactScheme.id)
    query = within_view(query, viewer, ContactScheme.region_code)
    return list(session.scalars(query))


@dataclass(frozen=True)
class GroupRow:
    number: int
    member_name: str
    households: int
    visited: int


def group_rows(session: Session, scheme: ContactScheme, *, today: date) -> list[GroupRow]:
    since = today - timedelta(days=VISIT_PERIOD_DAYS)
    sizes = dict(
        session.execute(
            select(ContactGroup.number, func.count(ContactHousehold.id))
            .join(ContactHousehold, ContactHousehold.group_id == ContactGroup.id)
            .where(ContactGroup.scheme_id == scheme.id)
            .group_by(ContactGroup.number)
        ).all()
    )
    visited = dict(
        session.execute(
            select(ContactGroup.number, func.count(func.distinct(Visit.household_id)))
            .join(ContactHousehold, ContactHousehold.group_id == ContactGroup.id)
            .join(Visit, Visit.household_id == ContactHousehold.household_id)
            .where(ContactGroup.scheme_id == scheme.id, Visit.visited_on >= since)
            .group_by(ContactGroup.number)
        ).all()
    )
    groups = _groups(session, scheme)
    names = _member_names(session, groups)
    return [
        GroupRow(
            group.number,
            names.get(group.number, ""),
            int(sizes.get(group.number, 0)),
            int(visited.get(group.number, 0)),
        )
        for group in groups
    ]


def _member_names(session: Session, groups: list[ContactGroup]) -> dict[int, str]:
    """Group number → the name of the member serving it (one query for all)."""
    people = registry.residents_by_id(
        session, ids=sorted({g.member_id for g in groups if g.member_id is not None})
    )
    return {
        g.number: people[g.member_id].name
        for g in groups
        if g.member_id is not None and g.member_id in people
    }


def _layout(
    session: Session, scheme: ContactScheme
) -> tuple[dict[int, int], list[part.Home], list[list[int]], part.Band]:
    """The scheme as it stands: placements, the located homes it holds, its groups'
    household ids (group n at index n − 1) and its band."""
    placed = placements(session, scheme)
    homes = [h for h in _homes(session, scheme.region_code) if h.id in placed]
    located = {h.id for h in homes}
    groups: list[list[int]] = [[] for _ in range(scheme.groups)]
    for household, number in placed.items():
        if household in located and 1 <= number <= scheme.groups:
            groups[number - 1].append(household)
    return placed, homes, groups, part.Band(scheme.groups, scheme.size_low, scheme.size_high)


def scheme_quality(session: Session, scheme: ContactScheme) -> part.Quality:
    _placed, homes, groups, band = _layout(session, scheme)
    return part.measure(groups, homes, band)


@dataclass(frozen=True)
class MapGroup:
    """A group as the map beside the hand edit shows it."""

    number: int
    size: int
    largest_distance_m: float
    member_name: str


@dataclass(frozen=True)
class MapPoint:
    """A building (or a household standing alone) on that map: where, how many
    households, and how many of them are in each group (a tall building may fill
    several); ``number`` is a household of it, which the move form takes."""

    key: str
    lon: float
    lat: float
    number: str
    households: int
    groups: dict[int, int]

    @property
    def group(self) -> int:
        """The group holding most of its households (the lowest number on a tie)."""
        return min(self.groups, key=lambda n: (-self.groups[n], n))


@dataclass(frozen=True)
class SchemeMap:
    quality: part.Quality
    band: part.Band
    groups: list[MapGroup]
    points: list[MapPoint]
    # The fewest groups outside the band any partition splitting no building leaves,
    # and the nearest count with none forced outside (None: no located households).
    advice: part.CountAdvice | None = None


def scheme_map(session: Session, scheme: ContactScheme) -> SchemeMap:
    """The groups' buildings as points coloured by group, each group's size and largest
    in-group distance, and the scheme's quality: what the map beside the hand edit
    draws. A fixed number of queries, whatever the size of the scheme."""
    placed, homes, groups, band = _layout(session, scheme)
    by_id = {h.id: h for h in homes}
    blocks: dict[str, list[part.Home]] = {}
    for home in homes:
        blocks.setdefault(home.block or f"h{home.id}", []).append(home)
    points = []
    for key, members in blocks.items():
        counts: dict[int, int] = {}
        for home in members:
            counts[placed[home.id]] = counts.get(placed[home.id], 0) + 1
        first = min(members, key=lambda h: (h.order, h.id))
        points.append(
            MapPoint(
                key,
                round(sum(h.lon for h in members) / len(members), 6),
                round(sum(h.lat for h in members) / len(members), 6),
                first.order,
                len(members),
                dict(sorted(counts.items())),
            )
        )
    rows = _groups(session, scheme)
    names = _member_names(session, rows)
    one = part.Band(1, band.low, band.high)
    map_groups = [
        MapGroup(
            number,
            len(ids),
            part.measure([ids], [by_id[h] for h in ids], one).largest_distance_m if ids else 0.0,
            names.get(number, ""),
        )
        for number, ids in enumerate(groups, start=1)
    ]
    advice = part.count_advice(part.block_sizes(homes), band) if homes else None
    return SchemeMap(part.measure(groups, homes, band), band, map_groups, points, advice)


# ---------------------------------------------------------------- visits


def group_of_household(session: Session, household_id: int) -> ContactGroup | None:
    return session.scalar(
        select(ContactGroup)
        .join(ContactHousehold, ContactHousehold.group_id == ContactGroup.id)
        .where(ContactHousehold.household_id == household_id)
        .order_by(ContactGroup.id.desc())
        .limit(1)
    )


def do_record_visit(
    session: Session,
    *,
    actor: Actor,
    household_id: int,
    visited_on: date,
    kind: VisitKind,
    heard: str,
    now: datetime,
    today: date,
    visitor_id: int | None = None,
    photo: tuple[str, bytes] | None = None,
) -> Visit:
    household = registry.get_household(session, household_id=household_id)
    if household is None:
        raise NotFound("Not found.")
    check_scope(actor, household.grid_code)
    heard = heard.strip()
    problems: list[Problem] = []
    if len(heard) > MAX_NOTE:
        problems.append(Problem("heard", "At most %(n)s characters.", n=MAX_NOTE))
    if visited_on > today:
        problems.append(Problem("visited_on", "A visit cannot be dated in the future."))
    if visited_on < today - timedelta(days=366):
        problems.append(Problem("visited_on", "A visit is recorded within a year."))
    if photo is not None:
        problems.extend(cases.photo_problems([photo]))
    if problems:
        raise InvalidInput("The visit was not recorded.", details=problems)
    if photo is not None:
        photo = cases.kept_photo(*photo)
    group = group_of_household(session, household_id)
    visit = Visit(
        household_id=household_id,
        group_id=group.id if group else None,
        region_code=household.grid_code,
        visited_on=visited_on,
        kind=kind.value,
        visitor_id=visitor_id if visitor_id is not None else (group.member_id if group else None),
        recorded_by=actor.username,
        heard=heard,
        outcome=OpinionOutcome.NONE.value,
        photo=photo[1] if photo else None,
        photo_type=photo[0] if photo else "",
        created_at=now,
    )
    summary = {"household": household_id, "kind": kind.value}
    return add_and_record(session, actor, "visit.recorded", visit, now=now, summary=summary)


def get_visit(session: Session, *, visit_id: int, viewer: Actor) -> Visit:
    return get_in_scope(session, Visit, visit_id, viewer)


def do_visit_to_case(
    session: Session, *, actor: Actor, visit: Visit, now: datetime, tz: str = "Asia/Shanghai"
) -> int:
    """The opinion heard becomes a case through intake; the visit keeps the link."""
    check_scope(actor, visit.region_code)
    if visit.case_id is not None:
        return visit.case_id
    if len(visit.heard.strip()) < 4:
        problem = Problem("heard", "Describe the problem in a few words.")
        raise InvalidInput("The visit was not turned into a case.", details=[problem])
    household = registry.get_household(session, household_id=visit.household_id)
    intake = cases.do_intake(
        session,
        actor=actor,
        value=cases.IntakeInput(
            description=visit.heard,
            channel=Channel.STAFF,
            lon=household.lon if household else None,
            lat=household.lat if household else None,
            address=household.address if household else "",
            grid_code=visit.region_code,
            source=f"visit:{visit.id}",
            idempotency_key=f"outreach-visit-{visit.id}",
        ),
        now=now,
        tz=tz,
    )
    visit.case_id = intake.case.id
    visit.outcome = OpinionOutcome.CASE.value
    record_about(
        session, actor, "visit.case_opened", visit, now=now, summary={"case": intake.case.id}
    )
    return intake.case.id


def list_visits(
    session: Session, *, viewer: Actor, region_code: str | None = None, limit: int = 50
) -> list[Visit]:
    query = select(Visit).order_by(Visit.visited_on.desc(), Visit.id.desc())
    query = within_view(query, viewer, Visit.region_code)
    if region_code:
        query = query.where(scope_clause(region_code, Visit.region_code))
    return list(session.scalars(query.limit(limit)))


def not_visited(
    session: Session, *, scheme: ContactScheme, today: date, number: int | None = None
) -> list[tuple[int, int]]:
    """(household id, group number) of households not visited within the period."""
    since = today - timedelta(days=VISIT_PERIOD_DAYS)
    recent = select(Visit.household_id).where(Visit.visited_on >= since)
    query = (
        select(ContactHousehold.household_id, ContactGroup.number)
        .join(ContactGroup, ContactGroup.id == ContactHousehold.group_id)
        .where(
            ContactHousehold.scheme_id == scheme.id,
            ContactHousehold.household_id.not_in(recent),
        )
        .order_by(ContactGroup.number, ContactHousehold.household_id)
    )
    if number is not None:
        query = query.where(ContactGroup.number == number)
    return [(h, n) for h, n in session.execute(query)]


def visit_coverage(session: Session, *, region_code: str, today: date) -> float:
    """Share of a region's grouped households visited within the period (an indicator)."""
    since = today - timedelta(days=VISIT_PERIOD_DAYS)
    grouped = (
        session.scalar(
            select(func.count(func.distinct(ContactHousehold.household_id)))
            .join(ContactGroup, ContactGroup.id == ContactHousehold.group_id)
            .where(scope_clause(region_code, ContactGroup.region_code))
        )
        or 0
    )
    visited = (
        session.scalar(
            select(func.count(func.distinct(Visit.household_id))).where(
                scope_clause(region_code, Visit.region_code), Visit.visited_on >= since
            )
        )
        or 0
    )
    return coverage(min(visited, grouped), grouped)


VISIT_METRICS = ("households_grouped", "households_visited", "visits_made")


def visit_figures(session: Session, *, start: date, end: date) -> dict[str, dict[str, float]]:
    """For the indicator trees, by grid: households in a contact group, households
    visited in [start, end), and visits made then."""
    figures: dict[str, dict[str, float]] = {}

    def put(code: str, metric: str, value: float) -> None:
        figures.setdefault(code, dict.fromkeys(VISIT_METRICS, 0.0))[metric] += value

    grouped = select(ContactHousehold.household_id).distinct().scalar_subquery()
    for code, n in registry.households_by_grid(session, ids=grouped):
        put(code, "households_grouped", float(n))
    rows = session.execute(
        select(
            Visit.region_code,
            func.count(func.distinct(Visit.household_id)),
            func.count(),
        )
        .where(Visit.visited_on >= start, Visit.visited_on < end)
        .group_by(Visit.region_code)
    )
    for code, households, visits in rows:
        put(code, "households_visited", float(households))
        put(code, "visits_made", float(visits))
    return figures
