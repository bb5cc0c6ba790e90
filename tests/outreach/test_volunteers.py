"""Volunteers on both engines: an international team of register residents, an
activity with a capacity, sign-ups (refused when full or twice), check-in and check-out
with hours bounded by the activity, hours per volunteer and per team, a certificate
with its verification code, and scope."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from gridgov.audit.models import AuditEvent
from gridgov.audit.service import Actor
from gridgov.db import Database
from gridgov.errors import Conflict, Forbidden, InvalidInput, NotFound
from gridgov.outreach import volunteers
from gridgov.outreach.models import VolunteerTeam
from gridgov.outreach.rules import ActivityDraft
from gridgov.outreach.volunteers import Acting
from gridgov.registry import service as registry
from gridgov.registry.rules import PersonRole
from tests.factories import mainland_id, make_territory

COMMUNITY = "440512001001"
GRID = "44051200100101"
TZ = "Asia/Shanghai"
WORKER = Actor(username="wang.worker", role="grid_worker", scope=COMMUNITY)
OUTSIDER = Actor(username="wu.worker", role="grid_worker", scope="440512002001")
CREATED = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)
STARTS = datetime(2026, 11, 14, 1, 0, tzinfo=UTC)  # Saturday 09:00 in Shanghai
ENDS = STARTS + timedelta(hours=3)
AFTER = ENDS + timedelta(hours=2)


def _resident(session: object, name: str, number: str, **kw: object) -> int:
    value = registry.ResidentInput(
        name=name, doc_type="mainland_id", id_number=number, grid_code=GRID
    )
    for key, item in kw.items():
        setattr(value, key, item)
    return registry.do_create_resident(
        session,  # type: ignore[arg-type]
        actor=Actor.system(),
        value=value,
        now=CREATED,
    ).id


@pytest.fixture
def people(db: Database) -> dict[str, int]:
    make_territory(db)
    with db.transaction() as session:
        return {
            "chen": _resident(session, "陈志愿", mainland_id("19800101", "011")),
            "lin": _resident(session, "林热心", mainland_id("19900202", "022")),
            "park": _resident(
                session,
                "Park Seo-yeon",
                "M12345678",
                doc_type="passport",
                nationality="KOR",
                tags=("foreign_resident",),
            ),
        }


def _team(db: Database, people: dict[str, int]) -> int:
    with db.transaction() as session:
        team = volunteers.do_create_team(
            session,
            actor=WORKER,
            region_code=COMMUNITY,
            name="头村国际志愿服务队",
            international=True,
            leader_id=people["chen"],
            today=date(2026, 11, 1),
            now=CREATED,
        )
        for key in ("lin", "park"):
            volunteers.do_add_member(
                session,
                acting=Acting(WORKER),
                team=team,
                resident_id=people[key],
                today=date(2026, 11, 1),
                now=CREATED,
            )
        return team.id


def _activity(db: Database, team_id: int, capacity: int = 2, minutes: int = 120) -> int:
    with db.transaction() as session:
        team = volunteers.get_team(session, team_id=team_id, acting=Acting(WORKER))
        return volunteers.do_create_activity(
            session,
            acting=Acting(WORKER),
            team=team,
            draft=ActivityDraft(
                title="敬老院陪伴",
                place="头村养老院",
                starts_at=STARTS,
                ends_at=ENDS,
                capacity=capacity,
                credit_minutes=minutes,
            ),
            now=CREATED,
        ).id


def test_an_international_team_takes_foreign_residents_who_become_volunteers(
    db: Database, people: dict[str, int]
) -> None:
    # Given an international team made from the register, led by 陈志愿
    team_id = _team(db, people)
    with db.transaction() as session:
        team = session.get(VolunteerTeam, team_id)
        assert team is not None
        assert team.international
        assert team.leader_id == people["chen"]
        names = [r.name for r in volunteers.team_members(session, team)]
        assert names == ["Park Seo-yeon", "林热心", "陈志愿"]
        # then each member holds a volunteer role in the register
        assert all(
            registry.has_role(session, resident_id=rid, role=PersonRole.VOLUNTEER)
            for rid in people.values()
        )
        # and a second joining is refused with the person's name
        with pytest.raises(Conflict) as refused:
            volunteers.do_add_member(
                session,
                acting=Acting(WORKER),
                team=team,
                resident_id=people["lin"],
                today=date(2026, 11, 2),
                now=CREATED,
            )
        assert str(refused.value) == "林热心 is already in this team."
        # and a worker of another community cannot see the team
        with pytest.raises(NotFound):
            volunteers.get_team(session, team_id=team_id, acting=Acting(OUTSIDER))
        assert volunteers.list_teams(session, acting=Acting(OUTSIDER)) == []


def test_sign_ups_respect_capacity_and_refuse_duplicates(
    db: Database, people: dict[str, int]
) -> None:
    team_id = _team(db, people)
    activity_id = _activity(db, team_id, capacity=2)
    with db.transaction() as session:
        activity, team = volunteers.get_activity(
            session, activity_id=activity_id, acting=Acting(WORKER)
        )
        # Given the volunteer signs themselves up, and the worker signs up another
        park = Acting(Actor(username="park", role="resident", scope=GRID), people["park"])
        volunteers.do_sign_up(
            session,
            acting=park,
            activity=activity,
            team=team,
            resident_id=people["park"],
            now=CREATED,
        )
        volunteers.do_sign_up(
            session,
            acting=Acting(WORKER),
            activity=activity,
            team=team,
            resident_id=people["chen"],
            now=CREATED,
        )
        # when Park signs up twice, then the message names them
        with pytest.raises(Conflict) as twice:
            volunteers.do_sign_up(
                session,
                acting=park,
                activity=activity,
                team=team,
                resident_id=people["park"],
                now=CREATED,
            )
        assert str(twice.value) == "Park Seo-yeon is already signed up for this activity."
        # when a third signs up for two places, then it is full
        with pytest.raises(Conflict) as full:
            volunteers.do_sign_up(
                session,
                acting=Acting(WORKER),
                activity=activity,
                team=team,
                resident_id=people["lin"],
                now=CREATED,
            )
        assert str(full.value) == "This activity is full: 2 places, all taken."
        # and a volunteer who does not lead cannot sign up someone else
        with pytest.raises(Forbidden):
            volunteers.do_sign_up(
                session,
                acting=park,
                activity=activity,
                team=team,
                resident_id=people["lin"],
                now=CREATED,
            )


def test_hours_are_credited_at_check_out_bounded_and_certified(
    db: Database, people: dict[str, int]
) -> None:
    team_id = _team(db, people)
    activity_id = _activity(db, team_id, capacity=5, minutes=120)
    with db.transaction() as session:
        activity, team = volunteers.get_activity(
            session, activity_id=activity_id, acting=Acting(WORKER)
        )
        signups = {
            key: volunteers.do_sign_up(
                session,
                acting=Acting(WORKER),
                activity=activity,
                team=team,
                resident_id=people[key],
                now=CREATED,
            )
            for key in ("chen", "park")
        }
        # Given 陈志愿 stays the whole three hours and Park 1 h 30 min
        stays = {
            "chen": (STARTS, ENDS),
            "park": (STARTS + timedelta(minutes=30), STARTS + timedelta(hours=2)),
        }
        for key, (arrived, left) in stays.items():
            with pytest.raises(InvalidInput):  # not yet checked in
                volunteers.do_check_out(
                    session,
                    acting=Acting(WORKER),
                    activity=activity,
                    team=team,
                    signup_id=signups[key].id,
                    at=left,
                    now=AFTER,
                )
            volunteers.do_check_in(
                session,
                acting=Acting(WORKER),
                activity=activity,
                team=team,
                signup_id=signups[key].id,
                at=arrived,
                now=AFTER,
            )
            volunteers.do_check_out(
                session,
                acting=Acting(WORKER),
                activity=activity,
                team=team,
                signup_id=signups[key].id,
                at=left,
                now=AFTER,
            )
        # then the activity's two hours bound 陈志愿's three, and Park gets 90 minutes
        assert (signups["chen"].minutes, signups["park"].minutes) == (120, 90)
    with db.transaction() as session:
        rows = volunteers.hours(
            session, acting=Acting(WORKER), start=date(2026, 11, 1), end=date(2026, 11, 30), tz=TZ
        )
        assert [(r.name, r.activities, r.hours) for r in rows] == [
            ("陈志愿", 1, "2.0"),
            ("Park Seo-yeon", 1, "1.5"),
        ]
        assert [(t.team_name, t.volunteers, t.hours) for t in volunteers.hours_by_team(rows)] == [
            ("头村国际志愿服务队", 2, "3.5")
        ]
        # a period that ends the day before has nothing
        assert (
            volunteers.hours(
                session,
                acting=Acting(WORKER),
                start=date(2026, 11, 1),
                end=date(2026, 11, 13),
                tz=TZ,
            )
            == []
        )
        # a volunteer sees only their own hours
        park = Acting(Actor(username="park", role="resident", scope=GRID), people["park"])
        mine = volunteers.hours(
            session, acting=park, start=date(2026, 11, 1), end=date(2026, 11, 30), tz=TZ
        )
        assert [r.name for r in mine] == ["Park Seo-yeon"]
        team = volunteers.get_team(session, team_id=team_id, acting=Acting(WORKER))
        # when the worker issues Park's certificate for November
        certificate = volunteers.do_issue_certificate(
            session,
            acting=Acting(WORKER),
            team=team,
            resident_id=people["park"],
            start=date(2026, 11, 1),
            end=date(2026, 11, 30),
            tz=TZ,
            now=AFTER,
        )
        assert (certificate.minutes, certificate.activities, certificate.issuer) == (
            90,
            1,
            "青篮社区",
        )
        # then its code finds it, in any case, and a wrong code finds nothing
        assert volunteers.verify_certificate(session, code=certificate.code.lower()) is certificate
        assert volunteers.verify_certificate(session, code="AAAAAAAAAAAA") is None
        assert volunteers.certificate_name(session, certificate) == "P***"
        # and a period without hours certifies nothing
        with pytest.raises(Conflict):
            volunteers.do_issue_certificate(
                session,
                acting=Acting(WORKER),
                team=team,
                resident_id=people["lin"],
                start=date(2026, 11, 1),
                end=date(2026, 11, 30),
                tz=TZ,
                now=AFTER,
            )
        # and a worker of another community cannot read it
        with pytest.raises(NotFound):
            volunteers.get_certificate(
                session, certificate_id=certificate.id, acting=Acting(OUTSIDER)
            )
        actions = dict(
            session.execute(
                select(AuditEvent.action, func.count())
                .where(AuditEvent.action.startswith("volunteer"))
                .group_by(AuditEvent.action)
            ).all()
        )
        assert actions == {
            "volunteer_team.created": 1,
            "volunteer_team.leader_set": 1,
            "volunteer_team.member_added": 3,
            "volunteer_activity.created": 1,
            "volunteer_activity.signed_up": 2,
            "volunteer_activity.checked_in": 2,
            "volunteer_activity.checked_out": 2,
            "volunteer_certificate.issued": 1,
        }


def test_the_leader_organises_their_own_team_and_no_other(
    db: Database, people: dict[str, int]
) -> None:
    team_id = _team(db, people)
    activity_id = _activity(db, team_id)
    leader = Acting(Actor(username="chen", role="resident", scope=GRID), people["chen"])
    member = Acting(Actor(username="lin", role="resident", scope=GRID), people["lin"])
    with db.transaction() as session:
        activity, team = volunteers.get_activity(session, activity_id=activity_id, acting=leader)
        signup = volunteers.do_sign_up(
            session,
            acting=leader,
            activity=activity,
            team=team,
            resident_id=people["lin"],
            now=CREATED,
        )
        volunteers.do_check_in(
            session,
            acting=leader,
            activity=activity,
            team=team,
            signup_id=signup.id,
            at=STARTS,
            now=AFTER,
        )
        # a member who does not lead may not check anyone in
        with pytest.raises(Forbidden):
            volunteers.do_check_in(
                session,
                acting=member,
                activity=activity,
                team=team,
                signup_id=signup.id,
                at=STARTS,
                now=AFTER,
            )
        # and a resident of no team sees none
        stranger = Acting(Actor(username="x", role="resident", scope=GRID), None)
        assert volunteers.list_teams(session, acting=stranger) == []
        with pytest.raises(NotFound):
            volunteers.get_team(session, team_id=team_id, acting=stranger)
