"""The volunteers demo step on a small world: a team per community from the register's
volunteers, an international team of foreign residents, four months of activities
whose sign-ups respect capacity and whose hours never exceed what an activity credits,
one activity ahead, and a certificate — all acting as the community's secretary."""

from __future__ import annotations

import random
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select

from gridgov.audit.models import AuditEvent
from gridgov.audit.service import Actor
from gridgov.db import Database
from gridgov.demo import volunteers as demo
from gridgov.outreach.models import (
    VolunteerActivity,
    VolunteerCertificate,
    VolunteerMember,
    VolunteerSignup,
    VolunteerTeam,
)
from gridgov.registry import service as registry
from gridgov.registry.models import PersonRoleRow
from tests.conftest import FIXED_NOW
from tests.factories import mainland_id, make_territory

SHANGHAI = ZoneInfo("Asia/Shanghai")
GRID = "44051200100101"


def test_the_demo_makes_teams_activities_and_hours_within_the_rules(db: Database) -> None:
    # Given a community with eight volunteers in the register and five foreign residents
    make_territory(db)
    with db.transaction() as session:
        locals_ = [
            registry.do_create_resident(
                session,
                actor=Actor.system(),
                value=registry.ResidentInput(
                    name=f"志愿者{n}",
                    doc_type="mainland_id",
                    id_number=mainland_id("19800101", f"{n:03d}"),
                    grid_code=GRID,
                ),
                now=FIXED_NOW,
            ).id
            for n in range(1, 9)
        ]
        session.execute(
            insert(PersonRoleRow),
            [
                {"resident_id": rid, "role": "volunteer", "region_code": GRID, "full_time": False}
                for rid in locals_
            ],
        )
        for n in range(5):
            registry.do_create_resident(
                session,
                actor=Actor.system(),
                value=registry.ResidentInput(
                    name=f"Foreigner {n}",
                    doc_type="passport",
                    id_number=f"E1234567{n}",
                    nationality="USA",
                    tags=("foreign_resident",),
                    grid_code=GRID,
                ),
                now=FIXED_NOW,
            )
    # when the step runs
    counts = demo.simulate(db, rng=random.Random(5), now=FIXED_NOW, tz=SHANGHAI)
    # then there is a community team and an international one, each with a leader
    with db.transaction() as session:
        teams = list(session.scalars(select(VolunteerTeam).order_by(VolunteerTeam.id)))
        assert [(t.name, t.international) for t in teams] == [
            ("青篮社区志愿服务队", False),
            ("青篮社区国际志愿服务队", True),
        ]
        assert all(t.leader_id is not None for t in teams)
        assert {t.created_by for t in teams} == {"demo-secretary-440512001001"}
        intl_members = session.scalar(
            select(func.count()).where(VolunteerMember.team_id == teams[1].id)
        )
        assert intl_members == 5 + demo.INTERNATIONAL_LOCALS
        # and the foreign residents now hold volunteer roles in the register
        assert (
            session.scalar(
                select(func.count()).where(
                    PersonRoleRow.role == "volunteer", PersonRoleRow.region_code == "440512001001"
                )
            )
            == 5
        )
        # and ten activities a team (nine fortnightly, one ahead without attendance)
        assert counts["activities"] == 2 * 10
        over = session.execute(
            select(VolunteerActivity.capacity, func.count(VolunteerSignup.id))
            .join(VolunteerSignup, VolunteerSignup.activity_id == VolunteerActivity.id)
            .group_by(VolunteerActivity.id, VolunteerActivity.capacity)
        ).all()
        assert all(n <= capacity for capacity, n in over)
        assert session.scalar(select(func.max(VolunteerSignup.minutes))) == 120
        ahead = session.scalar(
            select(func.count())
            .select_from(VolunteerSignup)
            .join(VolunteerActivity, VolunteerActivity.id == VolunteerSignup.activity_id)
            .where(
                VolunteerActivity.starts_at > FIXED_NOW, VolunteerSignup.checked_in_at.is_not(None)
            )
        )
        assert ahead == 0
        assert counts["signups"] >= 2 * 10 * 3
        certificate = session.scalars(select(VolunteerCertificate)).one()
        assert certificate.team_id == teams[1].id
        assert certificate.minutes > 0
        loaded = session.scalar(
            select(func.count()).where(AuditEvent.action == "volunteer_team.demo_loaded")
        )
        assert loaded == 2
