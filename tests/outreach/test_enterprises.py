"""The enterprise service desk and branch brands on both engines: service records and
requests scoped by region, the request state machine's refusals, validation, the
list's coverage filters, and a brand's officers, figures and public page."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, insert, select, update

from gridgov.audit.models import AuditEvent
from gridgov.audit.service import Actor
from gridgov.db import Database
from gridgov.errors import Conflict, Forbidden, InvalidInput, NotFound
from gridgov.outreach import brands, enterprises
from gridgov.outreach.enterprise_models import EnterpriseRequest
from gridgov.outreach.enterprise_rules import Priority, RequestState
from gridgov.outreach.models import JointActivity, Pairing, Pledge
from gridgov.registry import service as registry
from gridgov.registry.models import Organisation, PersonRoleRow
from tests.conftest import FIXED_NOW
from tests.factories import mainland_id, make_territory

TODAY = date(2026, 11, 30)
STREET_STAFF = Actor(username="staff-s440512001", role="unit_staff", scope="440512001")
OTHER_STAFF = Actor(username="staff-s440512002", role="unit_staff", scope="440512002")
WORKER = Actor(username="gw-44051200100101", role="grid_worker", scope="44051200100101")
SECRETARY = Actor(username="li.secretary", role="branch_secretary", scope="44051200100101")
ADMIN = Actor(username="demo-admin", role="admin", scope="440512")


def _org(code: str, name: str, kind: str, region: str, **extra: Any) -> dict[str, Any]:
    return {
        "code": code,
        "name": name,
        "kind": kind,
        "region_code": region,
        "macau_funded": False,
        "note": "",
        "parent_id": None,
        **extra,
    }


@pytest.fixture
def ids(db: Database) -> dict[str, int]:
    make_territory(db)
    with db.transaction() as session:
        rows = [
            _org(
                "E001", "汕头澳资达濠海洋食品有限公司", "enterprise", "440512001", macau_funded=True
            ),
            _org("E002", "汕头达濠电子科技有限公司", "enterprise", "440512001"),
            _org(
                "E003", "汕头澳资广澳新能源有限公司", "enterprise", "440512002", macau_funded=True
            ),
            _org("P440512001", "中共达濠街道工作委员会", "party_committee", "440512001"),
            _org("P44051200100101", "青篮社区第1网格党支部", "party_branch", "44051200100101"),
            _org("PD011", "区市场监督管理局机关党支部", "party_branch", "440512"),
            _org("O001", "濠江区青年商会", "social_org", "440512001"),
        ]
        found = session.execute(
            insert(Organisation).returning(Organisation.id, sort_by_parameter_order=True), rows
        ).scalars()
        e1, e2, e3, street, branch, organ, social = found.all()
        session.execute(
            update(Organisation).where(Organisation.id == branch).values(parent_id=street)
        )
        (group,) = session.execute(
            insert(Organisation).returning(Organisation.id),
            [
                _org(
                    "P44051200100101G1",
                    "第一党小组",
                    "party_group",
                    "44051200100101",
                    parent_id=branch,
                )
            ],
        ).scalars()
        members = [
            registry.do_create_resident(
                session,
                actor=Actor.system(),
                value=registry.ResidentInput(
                    name=name,
                    doc_type="mainland_id",
                    id_number=mainland_id("19800101", seq),
                    grid_code="44051200100101",
                ),
                now=FIXED_NOW,
            ).id
            for name, seq in (("陈党员", "011"), ("林党员", "021"), ("黄群众", "031"))
        ]
        session.execute(
            insert(PersonRoleRow),
            [
                {
                    "resident_id": members[0],
                    "role": "party_member",
                    "region_code": "44051200100101",
                    "organisation_id": branch,
                    "full_time": False,
                },
                {
                    "resident_id": members[1],
                    "role": "party_member",
                    "region_code": "44051200100101",
                    "organisation_id": group,
                    "full_time": False,
                },
                {
                    "resident_id": members[2],
                    "role": "volunteer",
                    "region_code": "44051200100101",
                    "organisation_id": branch,
                    "full_time": False,
                },
            ],
        )
        pledge = {
            "region_code": "44051200100101",
            "title": "每月走访",
            "deliverables": "",
            "public": True,
            "review_note": "",
            "evidence": "台账",
            "created_at": FIXED_NOW,
            "updated_at": FIXED_NOW,
        }
        session.execute(
            insert(Pledge),
            [
                {**pledge, "member_id": members[0], "year": 2026, "state": "fulfilled"},
                {**pledge, "member_id": members[1], "year": 2026, "state": "approved"},
                {**pledge, "member_id": members[1], "year": 2025, "state": "fulfilled"},
            ],
        )
        pairing = Pairing(
            branch_id=organ,
            region_code="440512001001",
            signed_on=date(2026, 1, 5),
            created_at=FIXED_NOW,
        )
        session.add(pairing)
        session.flush()
        session.add_all(
            JointActivity(
                pairing_id=pairing.id,
                held_on=held,
                title=title,
                participants=12,
                problems_solved=2,
                recorded_by="demo-admin",
                created_at=FIXED_NOW,
            )
            for held, title in (
                (date(2026, 10, 8), "政策宣讲进企业"),
                (date(2025, 12, 1), "去年的活动"),
            )
        )
    return {
        "e1": e1,
        "e2": e2,
        "e3": e3,
        "street": street,
        "branch": branch,
        "organ": organ,
        "social": social,
    }


def _enterprise(session: Any, ids: dict[str, int], key: str, viewer: Actor = ADMIN) -> Any:
    return enterprises.get_enterprise(session, enterprise_id=ids[key], viewer=viewer)


def _audits(session: Any, prefix: str) -> int:
    return int(
        session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action.startswith(prefix))
        )
    )


def test_street_staff_record_a_service_and_the_year_coverage_shows_it(
    db: Database, ids: dict[str, int]
) -> None:
    with db.transaction() as session:
        e1 = _enterprise(session, ids, "e1", STREET_STAFF)
        record = enterprises.do_record_service(
            session,
            actor=STREET_STAFF,
            enterprise=e1,
            priority=Priority.TALENT_HOUSING,
            served_on=date(2026, 11, 3),
            done="  协助办理人才公寓入住  ",
            outcome="两名澳门员工入住",
            today=TODAY,
            now=FIXED_NOW,
        )
        assert record.done == "协助办理人才公寓入住"
        assert record.served_by == "staff-s440512001"
        assert record.region_code == "440512001"
        enterprises.do_record_service(
            session,
            actor=STREET_STAFF,
            enterprise=e1,
            priority=Priority.POLICY,
            served_on=date(2025, 12, 30),  # last year: not in this year's coverage
            done="讲解跨境办税政策",
            outcome="",
            today=TODAY,
            now=FIXED_NOW,
        )
        assert _audits(session, "enterprise.served") == 2
    with db.session() as session:
        rows = enterprises.enterprise_rows(session, viewer=STREET_STAFF, today=TODAY)
        by_name = {r.enterprise.code: r for r in rows}
        assert set(by_name) == {"E001", "E002"}  # E003 is in another street
        assert by_name["E001"].received == (Priority.TALENT_HOUSING,)
        assert by_name["E001"].services == 1
        macau = enterprises.enterprise_rows(session, viewer=ADMIN, today=TODAY, macau=True)
        assert [r.enterprise.code for r in macau] == ["E001", "E003"]
        lacking = enterprises.enterprise_rows(
            session, viewer=ADMIN, today=TODAY, priority=Priority.TALENT_HOUSING, covered=False
        )
        assert [r.enterprise.code for r in lacking] == ["E002", "E003"]
        having = enterprises.enterprise_rows(
            session, viewer=ADMIN, today=TODAY, priority=Priority.TALENT_HOUSING, covered=True
        )
        assert [r.enterprise.code for r in having] == ["E001"]
        assert [
            r.enterprise.code
            for r in enterprises.enterprise_rows(session, viewer=ADMIN, today=TODAY, q="电子")
        ] == ["E002"]


def test_an_enterprise_outside_the_scope_or_not_an_enterprise_is_not_found(
    db: Database, ids: dict[str, int]
) -> None:
    with db.transaction() as session:
        with pytest.raises(NotFound):
            _enterprise(session, ids, "e3", STREET_STAFF)
        with pytest.raises(NotFound):
            _enterprise(session, ids, "social", ADMIN)  # a social organisation
        e3 = _enterprise(session, ids, "e3", ADMIN)
        with pytest.raises(NotFound):
            enterprises.do_record_service(
                session,
                actor=STREET_STAFF,
                enterprise=e3,
                priority=Priority.SITE,
                served_on=TODAY,
                done="x",
                outcome="",
                today=TODAY,
                now=FIXED_NOW,
            )
        e1 = _enterprise(session, ids, "e1")
        with pytest.raises(Forbidden):  # a grid worker reads, never serves
            enterprises.do_receive_request(
                session,
                actor=Actor(username="w", role="grid_worker", scope="440512001"),
                enterprise=e1,
                priority=Priority.SITE,
                ask="扩建仓库",
                received_on=TODAY,
                today=TODAY,
                now=FIXED_NOW,
            )


def test_a_service_with_nothing_done_or_a_future_date_is_refused(
    db: Database, ids: dict[str, int]
) -> None:
    with db.transaction() as session:
        e1 = _enterprise(session, ids, "e1")
        with pytest.raises(InvalidInput) as refused:
            enterprises.do_record_service(
                session,
                actor=STREET_STAFF,
                enterprise=e1,
                priority=Priority.SITE,
                served_on=date(2026, 12, 1),
                done="   ",
                outcome="x" * 2001,
                today=TODAY,
                now=FIXED_NOW,
            )
        assert sorted(p.field for p in refused.value.details) == ["done", "outcome", "served_on"]


def test_a_request_is_received_accepted_by_a_branch_and_resolved_late(
    db: Database, ids: dict[str, int]
) -> None:
    with db.transaction() as session:
        e1 = _enterprise(session, ids, "e1")
        request = enterprises.do_receive_request(
            session,
            actor=STREET_STAFF,
            enterprise=e1,
            priority=Priority.APPROVAL,
            ask="食品经营许可证延续",
            received_on=date(2026, 11, 10),
            today=TODAY,
            now=FIXED_NOW,
        )
        assert request.due_on == date(2026, 11, 20)
        (view,) = enterprises.view_requests([request], today=TODAY)
        assert view.overdue
        assert not view.late
        with pytest.raises(Conflict):  # resolved only once accepted
            enterprises.do_close_request(
                session,
                actor=STREET_STAFF,
                request=request,
                resolved=True,
                reply="已办结",
                on=TODAY,
                today=TODAY,
                now=FIXED_NOW,
            )
        with pytest.raises(InvalidInput) as refused:  # a grid branch elsewhere
            enterprises.do_accept_request(
                session,
                actor=STREET_STAFF,
                request=request,
                on=date(2026, 11, 9),
                branch_id=ids["social"],
                today=TODAY,
                now=FIXED_NOW,
            )
        assert sorted(p.field for p in refused.value.details) == ["branch_id", "on"]
        enterprises.do_accept_request(
            session,
            actor=STREET_STAFF,
            request=request,
            on=date(2026, 11, 12),
            branch_id=ids["organ"],
            today=TODAY,
            now=FIXED_NOW,
        )
        assert request.state == RequestState.ACCEPTED.value
        assert request.accepted_by == "staff-s440512001"
        with pytest.raises(Conflict):
            enterprises.do_accept_request(
                session, actor=STREET_STAFF, request=request, on=TODAY, today=TODAY, now=FIXED_NOW
            )
        with pytest.raises(InvalidInput) as refused:
            enterprises.do_close_request(
                session,
                actor=STREET_STAFF,
                request=request,
                resolved=True,
                reply="",
                on=date(2026, 11, 11),
                today=TODAY,
                now=FIXED_NOW,
            )
        assert [p.field for p in refused.value.details] == ["reply"]
        enterprises.do_close_request(
            session,
            actor=STREET_STAFF,
            request=request,
            resolved=True,
            reply="已协调市场监管局办结，新证已送达",
            on=date(2026, 11, 24),
            today=TODAY,
            now=FIXED_NOW,
        )
        (view,) = enterprises.view_requests([request], today=TODAY)
        assert not view.overdue
        assert view.late
        assert _audits(session, "enterprise_request.") == 3
        late = session.scalar(
            select(AuditEvent.summary).where(AuditEvent.action == "enterprise_request.resolved")
        )
        assert json.loads(late or "{}")["late"] is True
        with pytest.raises(Conflict):
            enterprises.do_close_request(
                session,
                actor=STREET_STAFF,
                request=request,
                resolved=False,
                reply="不予受理",
                on=TODAY,
                today=TODAY,
                now=FIXED_NOW,
            )
    with db.session() as session:
        figures = brands.figures(session, branch_id=ids["organ"], today=TODAY)
        assert figures.requests_resolved == 1


def test_a_received_request_may_be_declined_and_others_cannot_touch_it(
    db: Database, ids: dict[str, int]
) -> None:
    with db.transaction() as session:
        e1 = _enterprise(session, ids, "e1")
        request = enterprises.do_receive_request(
            session,
            actor=ADMIN,
            enterprise=e1,
            priority=Priority.FINANCING,
            ask="申请贴息贷款",
            received_on=TODAY,
            today=TODAY,
            now=FIXED_NOW,
        )
        request_id = request.id
        with pytest.raises(NotFound):
            enterprises.get_request(session, request_id=request_id, viewer=OTHER_STAFF)
        with pytest.raises(NotFound):
            enterprises.do_close_request(
                session,
                actor=OTHER_STAFF,
                request=request,
                resolved=False,
                reply="x",
                on=TODAY,
                today=TODAY,
                now=FIXED_NOW,
            )
        enterprises.do_close_request(
            session,
            actor=STREET_STAFF,
            request=request,
            resolved=False,
            reply="不符合贴息条件，已推荐其他产品",
            on=TODAY,
            today=TODAY,
            now=FIXED_NOW,
        )
    with db.session() as session:
        stored = session.get(EnterpriseRequest, request_id)
        assert stored is not None
        assert stored.state == "declined"
        assert stored.closed_by == "staff-s440512001"
        rows = enterprises.enterprise_rows(session, viewer=ADMIN, today=TODAY, macau=True)
        assert all(r.open_requests == 0 for r in rows)


def test_a_brand_is_kept_by_its_own_officers_and_shows_its_figures(
    db: Database, ids: dict[str, int]
) -> None:
    with db.transaction() as session:
        branch = brands.get_branch(session, branch_id=ids["branch"])
        with pytest.raises(NotFound):
            brands.get_branch(session, branch_id=ids["e1"])
        with pytest.raises(Forbidden):
            brands.do_save_brand(
                session,
                actor=WORKER,
                branch=branch,
                name="红色网格",
                slogan="",
                description="",
                published=True,
                now=FIXED_NOW,
            )
        with pytest.raises(NotFound):
            brands.do_save_brand(
                session,
                actor=Actor(username="wu", role="branch_secretary", scope="44051200100102"),
                branch=branch,
                name="红色网格",
                slogan="",
                description="",
                published=True,
                now=FIXED_NOW,
            )
        with pytest.raises(InvalidInput) as refused:
            brands.do_save_brand(
                session,
                actor=SECRETARY,
                branch=branch,
                name=" ",
                slogan="x" * 129,
                description="",
                published=False,
                now=FIXED_NOW,
            )
        assert sorted(p.field for p in refused.value.details) == ["name", "slogan"]
        brand = brands.do_save_brand(
            session,
            actor=SECRETARY,
            branch=branch,
            name="红色网格·暖心青篮",
            slogan="支部建在网格上",
            description="党员联系户全覆盖",
            published=False,
            now=FIXED_NOW,
        )
        with pytest.raises(NotFound):  # not published yet
            brands.public_brand(session, code="P44051200100101")
        brands.do_save_brand(
            session,
            actor=SECRETARY,
            branch=branch,
            name="红色网格·暖心青篮",
            slogan="支部建在网格上",
            description="党员联系户全覆盖",
            published=True,
            now=FIXED_NOW,
        )
        assert brand.published
        summaries = [
            (a, str(s))
            for a, s in session.execute(
                select(AuditEvent.action, AuditEvent.summary)
                .where(AuditEvent.action.startswith("brand."))
                .order_by(AuditEvent.seq)
            )
        ]
        assert [a for a, _ in summaries] == ["brand.created", "brand.updated"]
        assert "published" in summaries[1][1]
        assert "slogan" not in summaries[1][1]
    with db.session() as session:
        found, shown = brands.public_brand(session, code="P44051200100101")
        assert shown.name == "红色网格·暖心青篮"
        assert found.id == ids["branch"]
        figures = brands.figures(session, branch_id=ids["branch"], today=TODAY)
        # two members (one in the branch, one in its party group; the volunteer is not),
        # one pledge fulfilled this year (last year's does not count)
        assert (figures.members, figures.pledges_fulfilled) == (2, 1)
        # the street's committee counts the members of the branches under it
        assert brands.figures(session, branch_id=ids["street"], today=TODAY).members == 2
        organ = brands.figures(session, branch_id=ids["organ"], today=TODAY)
        assert organ.activities == 1
        featured = brands.featured_activities(session, branch_id=ids["organ"])
        assert [a.title for a in featured] == ["政策宣讲进企业", "去年的活动"]
        assert [b.name for b, _ in brands.list_brands(session, viewer=SECRETARY)] == [
            "红色网格·暖心青篮"
        ]
        assert brands.list_brands(session, viewer=OTHER_STAFF) == []
        with pytest.raises(NotFound):
            brands.public_brand(session, code="NOPE")
