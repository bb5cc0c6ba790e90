"""The demo's enterprise desk in a small world: two streets' enterprises, their street
offices' staff, an organ branch paired with a community and 头村-less fallbacks. The
simulation records services across the priorities, leaves requests in every state
(some overdue, some late), makes the paired members the organ branch's party members
and gives the organ branch a brand, all as the accounts whose job it is."""

from __future__ import annotations

import random
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select

from gridgov.audit.models import AuditEvent
from gridgov.db import Database
from gridgov.demo import enterprises as demo
from gridgov.outreach import brands
from gridgov.outreach.enterprise_models import Brand, EnterpriseRequest, ServiceRecord
from gridgov.outreach.enterprise_rules import RequestState, is_overdue
from gridgov.outreach.models import PairedWorker, Pairing
from gridgov.registry import service as registry
from gridgov.registry.models import Organisation
from tests.conftest import FIXED_NOW
from tests.factories import SYSTEM, mainland_id, make_territory, make_user

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 11, 30)


def _org(code: str, name: str, kind: str, region: str, macau: bool = False) -> dict[str, Any]:
    return {
        "code": code,
        "name": name,
        "kind": kind,
        "region_code": region,
        "macau_funded": macau,
        "note": "",
    }


def test_the_demo_serves_enterprises_and_leaves_requests_in_every_state(db: Database) -> None:
    make_territory(db)
    make_user(db, "staff-s440512001", "unit_staff", "440512001")
    make_user(db, "staff-s440512002", "unit_staff", "440512002")
    with db.transaction() as session:
        rows = [
            _org(f"E{n:03d}", f"汕头澳资企业{n}有限公司", "enterprise", street, macau=n <= 6)
            for n, street in enumerate(["440512001", "440512002"] * 5, start=1)
        ]
        rows += [
            _org("P440512001", "中共达濠街道工作委员会", "party_committee", "440512001"),
            _org("PD011", "汕头市濠江区市场监督管理局机关党支部", "party_branch", "440512"),
        ]
        session.execute(insert(Organisation), rows)
        organ = session.scalar(select(Organisation.id).where(Organisation.code == "PD011"))
        assert organ is not None
        member = registry.do_create_resident(
            session,
            actor=SYSTEM,
            value=registry.ResidentInput(
                name="郑干部",
                doc_type="mainland_id",
                id_number=mainland_id("19850505", "031"),
                grid_code="44051200100101",
            ),
            now=FIXED_NOW,
        )
        pairing = Pairing(
            branch_id=organ,
            region_code="440512001001",
            signed_on=date(2026, 2, 1),
            created_at=FIXED_NOW,
        )
        session.add(pairing)
        session.flush()
        session.add(
            PairedWorker(
                pairing_id=pairing.id,
                resident_id=member.id,
                grid_code="44051200100101",
                since=date(2026, 3, 1),
            )
        )
    counts = demo.simulate(db, rng=random.Random(5), now=FIXED_NOW, tz=SHANGHAI)
    assert counts["organ_members"] == 1
    assert counts["brands"] == 1
    with db.session() as session:
        served_by = dict(
            session.execute(select(ServiceRecord.region_code, ServiceRecord.served_by)).all()
        )
        assert served_by == {"440512001": "staff-s440512001", "440512002": "staff-s440512002"}
        assert (
            session.scalar(select(func.count()).select_from(ServiceRecord))
            == counts["enterprise_services"]
        )
        requests = session.scalars(select(EnterpriseRequest)).all()
        states = {r.state for r in requests}
        assert states == {s.value for s in RequestState}
        assert any(is_overdue(RequestState(r.state), r.due_on, TODAY) for r in requests)
        assert all(r.closed_on is None or r.closed_on <= TODAY for r in requests)
        assert {r.recorded_by for r in requests} <= {"staff-s440512001", "staff-s440512002"}
        audited = session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "enterprise_request.received")
        )
        assert audited == len(requests)
        brand = session.scalars(select(Brand)).one()
        assert brand.branch_id == organ
        assert brand.updated_by == "demo-admin"
        figures = brands.figures(session, branch_id=organ, today=TODAY)
        assert figures.members == 1
        taken = [r for r in requests if r.branch_id == organ and r.state == "resolved"]
        assert figures.requests_resolved == len(
            [r for r in taken if r.closed_on and r.closed_on.year == TODAY.year]
        )
