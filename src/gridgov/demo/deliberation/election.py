"""A representatives' election (横琴's practice: Macau residents vote and stand), in the
community of the demo's ``demo-secretary`` when it has Macau residents (so that account
runs it and ``demo-unit`` clerks it), else where most Macau residents live: two
constituencies (grids), 3 + 2 seats, eight nominees (a Macau resident among them, one
refused at review: too young), a few hundred paper ballots recorded by the clerk over
the voting window and one online vote by ``demo-resident`` (linked to a neighbour in the
register), counted and published with its objection window still open at ``now``."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.accounts import service as accounts
from gridgov.accounts.models import User
from gridgov.audit.service import Actor
from gridgov.deliberation import elections, notices
from gridgov.deliberation.models import Candidate, Election
from gridgov.demo.deliberation import common
from gridgov.demo.deliberation.common import (
    DEMO_CLERK,
    DEMO_RESIDENT,
    DEMO_SECRETARY,
    Clock,
    Counts,
    Person,
    png,
)
from gridgov.errors import DomainError
from gridgov.registry.models import Resident
from gridgov.territory.models import Region

ELECTION_RULES = """\
# 横琴's practice: Macau residents living in the community vote and stand.
eligibility:
  min_age: 18
  residence_in_region: true
  include_macau_residents: true
  include_foreign_residents: false
tie_break: runoff
winning_share: "1/2"
"""
R = TypeVar("R")
SEATS = (3, 2)
STATEMENTS = (
    "在社区居住二十多年，熟悉街坊情况，愿意为大家反映意见、跑腿办事。",
    "退休教师，希望推动社区四点半课堂和长者饭堂建设。",
    "在澳门工作、在社区安家，愿意做澳门居民和社区之间的桥梁。",
    "个体经营户，关注农贸市场周边环境和停车秩序。",
    "社区志愿者服务队队长，参与防台风、疫苗接种等志愿服务五年。",
    "物业小区业委会成员，关注老旧小区加装电梯和消防通道。",
    "年轻党员，愿意用线上方式多听年轻租户的声音。",
)


def _permit_holders(session: Session) -> list[Person]:
    """Everyone on a Hong Kong and Macau travel permit (回乡证), by id."""
    return common.residents(session, Resident.doc_type == "hk_macau_permit")


def _is_macau(session: Session, person: Person) -> bool:
    resident = session.get(Resident, person.id)
    return resident is not None and elections.voter_of(session, resident).macau_resident


def election(
    session: Session,
    *,
    rng: random.Random,
    clock: Clock,
    counts: Counts,
    avoid: set[str],
) -> int | None:
    """A community with two grids or more elects its deliberation representatives: two
    constituencies (its first two grids), 3 + 2 seats. The demo's own branch secretary
    runs it where their community qualifies (so signing in as ``demo-secretary`` shows
    it), with ``demo-unit`` as the clerk; otherwise the community with the most Macau
    residents, with accounts of its own."""
    demo_secretary = common.existing(session, DEMO_SECRETARY, "branch_secretary")
    macau_adults: dict[str, list[Person]] = {}
    for person in _permit_holders(session):
        if 25 <= common.age(person, clock.today) <= 68 and _is_macau(session, person):
            macau_adults.setdefault(person.grid_code[:12], []).append(person)
    choices = []
    for region in common.communities(session):
        grids = common.grids(session, region.code)
        if len(grids) < 2:
            continue
        here = macau_adults.get(region.code, [])
        mine = demo_secretary is not None and demo_secretary.scope == region.code
        choices.append(
            (not (mine and here), region.code in avoid, -len(here), region.code, region.name)
        )
    if not choices:
        return None
    *_ranks, code, name = min(choices)
    grids = common.grids(session, code)
    # Two constituencies: a grid where Macau residents live, the demo resident's grid
    # (so that their account has voted), then the others by code.
    resident = common.existing(session, DEMO_RESIDENT, "resident")
    theirs = [resident.scope] if resident is not None and resident.scope in grids else []
    macau_grids = [p.grid_code for p in macau_adults.get(code, [])][:1]
    ordered = list(dict.fromkeys(macau_grids + theirs + grids))
    first, second = sorted(g for g in ordered[:2])
    start = clock.day(24, 9)
    secretary, clerk = (
        accounts.actor_for(
            common.staff(
                session,
                demo=demo,
                username=f"{prefix}-{code}",
                role=role,
                code=code,
                display_name=f"{name}{title}",
                now=start,
                counts=counts,
            )
        )
        for demo, prefix, role, title in (
            (DEMO_SECRETARY, "demo-secretary", "branch_secretary", "党委书记"),
            (DEMO_CLERK, "demo-clerk", "unit_staff", "选举工作人员"),
        )
    )
    grid_names = {
        str(grid): str(grid_name)
        for grid, grid_name in session.execute(
            select(Region.code, Region.name).where(Region.code.in_([first, second]))
        )
    }
    opens, closes = clock.day(6, 8), clock.day(5, 18)
    election = elections.do_create_election(
        session,
        actor=secretary,
        draft=elections.ElectionDraft(
            region_code=code,
            title=f"{name}第一届居民议事代表选举",
            constituencies=[
                elections.ConstituencyInput(f"第一选区（{grid_names[first]}）", first, SEATS[0]),
                elections.ConstituencyInput(f"第二选区（{grid_names[second]}）", second, SEATS[1]),
            ],
            voting_opens_at=opens,
            voting_closes_at=closes,
        ),
        rules_yaml=ELECTION_RULES,
        now=start,
    )
    counts.add("elections")

    def run(command: Callable[..., R], /, **kwargs: Any) -> R:
        """A step of the election's life, by its secretary."""
        return command(session, actor=secretary, election_id=election.id, **kwargs)

    constituencies = elections.constituencies_of(session, election.id)
    by_grid = {c.region_code: c for c in constituencies}
    day = elections.election_day(election)
    people = [p for p in common.people(session, code) if p.grid_code in by_grid]
    adults = [p for p in people if 25 <= common.age(p, day) <= 68 and p.doc_type != "passport"]
    macau = [p for p in adults if p.doc_type == "hk_macau_permit" and _is_macau(session, p)]
    locals_ = [p for p in adults if p.doc_type == "mainland_id"]
    nominees: list[tuple[Person, int]] = []  # (person, constituency id)
    for grid, seats in ((first, SEATS[0]), (second, SEATS[1])):
        constituency = by_grid[grid]
        here_macau = [p for p in macau if p.grid_code == grid][:1]
        here = [p for p in locals_ if p.grid_code == grid]
        picks = here_macau + rng.sample(here, min(len(here), seats + 1 - len(here_macau)))
        nominees += [(p, constituency.id) for p in picks]
    # One nominee is refused at review: too young on election day (or, failing that,
    # a foreign resident, whom these rules leave out).
    minors = sorted(
        (p for p in people if 0 <= common.age(p, day) < 18 and p.grid_code == first),
        key=lambda p: (p.birth_date or day, p.id),
    )
    refused = minors or [p for p in people if p.doc_type == "passport"]
    # (nominee, constituency id, statement, when), in the order they are nominated
    nominations: list[tuple[Person, int, str, datetime]] = []
    nominated_ids: set[int] = set()
    for n, (person, constituency_id) in enumerate(nominees):
        if person.grid_code not in by_grid or person.id in nominated_ids:
            continue
        statement = STATEMENTS[n % len(STATEMENTS)]
        nominations.append((person, constituency_id, statement, clock.day(22 - n % 5, 10, 5 * n)))
        nominated_ids.add(person.id)
    if refused:
        young = refused[0]
        statement = "高三学生，想为社区青少年发声。"
        nominations.append((young, by_grid[young.grid_code].id, statement, clock.day(18, 16)))
    for person, constituency_id, statement, moment in nominations:
        run(
            elections.do_nominate,
            constituency_id=constituency_id,
            resident_id=person.id,
            statement=statement,
            now=moment,
        )
        counts.add("candidates")
    run(elections.do_open_review, now=clock.day(14, 9))
    counts.add(
        "candidates_refused",
        sum(1 for c in elections.candidates_of(session, election.id) if c.state == "ineligible"),
    )
    run(elections.do_open_voting, now=clock.day(8, 9))
    _ballots(session, election, people, rng=rng, clerk=clerk, counts=counts)
    run(elections.do_count, now=closes + timedelta(hours=1))
    notice = run(elections.do_publish, now=clock.day(4, 10))
    notices.do_attach_board_photo(
        session,
        actor=secretary,
        notice_id=notice.id,
        name="选举结果公告.png",
        content_type="image/png",
        data=png(rng),
        now=clock.day(4, 11),
    )
    counts.add("notices_posted")
    counts.add("files")
    return election.id


def _ballots(
    session: Session,
    election: Election,
    voters: Sequence[Person],
    *,
    rng: random.Random,
    clerk: Actor,
    counts: Counts,
) -> None:
    """A few hundred paper ballots recorded by the clerk over the voting window; each
    voter marks the candidates they favour, at most the seats, most popular first."""
    election_id, opens, closes = election.id, election.voting_opens_at, election.voting_closes_at
    day = elections.election_day(election)
    candidates = [c for c in elections.candidates_of(session, election_id) if c.state == "eligible"]
    popularity: dict[int, float] = {}
    for constituency in elections.constituencies_of(session, election_id):
        standing = [c for c in candidates if c.constituency_id == constituency.id]
        shares = [0.82, 0.71, 0.63, 0.31, 0.22][: len(standing)]
        if len(standing) <= constituency.seats:
            shares = [0.8] * len(standing)
        else:
            # The last seats are contested: the runners-up well below half.
            shares = [0.82, 0.71, 0.63][: constituency.seats] + [0.31, 0.22, 0.15][
                : len(standing) - constituency.seats
            ]
        order = rng.sample(standing, len(standing))
        for candidate, share in zip(order, shares, strict=True):
            popularity[candidate.id] = share
    by_constituency: dict[int, list[Candidate]] = {}
    for candidate in candidates:
        by_constituency.setdefault(candidate.constituency_id, []).append(candidate)
    seats = {c.id: c.seats for c in elections.constituencies_of(session, election_id)}
    grid_of = {c.region_code: c.id for c in elections.constituencies_of(session, election_id)}
    eligible = [
        p
        for p in voters
        if common.age(p, day) >= 18 and p.doc_type != "passport" and p.grid_code in grid_of
    ]
    standing_ids = {c.resident_id for c in candidates}

    def marks(constituency_id: int) -> list[int]:
        standing = by_constituency.get(constituency_id, [])
        marked = [c for c in standing if rng.random() < popularity[c.id]]
        marked.sort(key=lambda c: -popularity[c.id])
        return [c.id for c in marked[: seats[constituency_id]]]

    # The demo's resident account, linked to a neighbour in its grid, votes online.
    online = common.existing(session, DEMO_RESIDENT, "resident")
    if online is not None and online.scope in grid_of:
        if online.resident_id is None:
            linked = set(
                session.scalars(select(User.resident_id).where(User.resident_id.is_not(None)))
            )
            pick = next(
                (
                    p
                    for p in eligible
                    if p.grid_code == online.scope
                    and p.doc_type == "mainland_id"
                    and p.id not in linked | standing_ids
                ),
                None,
            )
            if pick is not None:
                common.link(session, online, pick.id, opens - timedelta(days=3))
                counts.add("accounts_linked")
        if online.resident_id is not None:
            home = session.get_one(Resident, online.resident_id)
            if home.grid_code in grid_of:
                elections.do_vote(
                    session,
                    actor=accounts.actor_for(online),
                    election_id=election_id,
                    resident_id=online.resident_id,
                    choices=marks(grid_of[home.grid_code]),
                    now=opens + timedelta(hours=3, minutes=12),
                )
                counts.add("ballots")
                eligible = [p for p in eligible if p.id != online.resident_id]
    turnout = min(len(eligible), rng.randint(280, 340))
    chosen = rng.sample(eligible, turnout)
    span = (closes - opens).total_seconds() - 3600
    moments = sorted(opens + timedelta(seconds=rng.uniform(0, span)) for _ in chosen)
    for person, moment in zip(chosen, moments, strict=True):
        try:
            elections.do_record_paper_ballot(
                session,
                actor=clerk,
                election_id=election_id,
                resident_id=person.id,
                choices=marks(grid_of[person.grid_code]),
                now=moment,
            )
        except DomainError:
            continue  # not eligible after all (the register says why): no ballot
        counts.add("ballots")
