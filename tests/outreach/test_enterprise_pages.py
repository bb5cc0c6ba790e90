"""Enterprise and brand pages through the app: the list scoped by region and filtered,
an enterprise's page in Chinese, a request taken from received to resolved through the
forms, refusals shown on the page, a brand edited by its officers and read by anyone
once published."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert, select, update

from gridgov.accounts.models import User
from gridgov.db import Database
from gridgov.outreach.enterprise_models import EnterpriseRequest, ServiceRecord
from gridgov.registry.models import Organisation
from tests.conftest import FIXED_NOW
from tests.factories import csrf_of, make_territory, make_user, page_login


def _org(code: str, name: str, kind: str, region: str, macau: bool = False) -> dict[str, Any]:
    return {
        "code": code,
        "name": name,
        "kind": kind,
        "region_code": region,
        "macau_funded": macau,
        "note": "",
    }


@pytest.fixture
def ids(db: Database) -> dict[str, int]:
    make_territory(db)
    make_user(db, "staff-s440512001", "unit_staff", "440512001")
    make_user(db, "staff-s440512002", "unit_staff", "440512002")
    make_user(db, "li.secretary", "branch_secretary", "44051200100101")
    make_user(db, "wang.worker", "grid_worker", "44051200100101")
    with db.transaction() as session:
        session.execute(
            update(User)
            .where(User.username == "staff-s440512001")
            .values(display_name="达濠街道办事处工作人员")
        )
        found = session.execute(
            insert(Organisation).returning(Organisation.id, sort_by_parameter_order=True),
            [
                _org("E001", "汕头澳资达濠海洋食品有限公司", "enterprise", "440512001", True),
                _org("E002", "汕头达濠电子科技有限公司", "enterprise", "440512001"),
                _org("E003", "汕头澳资广澳新能源有限公司", "enterprise", "440512002", True),
                _org("P440512001", "中共达濠街道工作委员会", "party_committee", "440512001"),
                _org("P44051200100101", "青篮社区第1网格党支部", "party_branch", "44051200100101"),
            ],
        ).scalars()
        e1, e2, e3, street, branch = found.all()
    return {"e1": e1, "e2": e2, "e3": e3, "street": street, "branch": branch}


def test_street_staff_serve_an_enterprise_and_handle_its_request(
    client: TestClient, db: Database, ids: dict[str, int]
) -> None:
    page_login(client, "staff-s440512001")
    listing = client.get("/outreach/enterprises")
    assert listing.status_code == 200
    assert "汕头澳资达濠海洋食品有限公司" in listing.text
    assert "汕头澳资广澳新能源有限公司" not in listing.text  # another street
    assert '<span class="badge">澳资</span>' in listing.text
    page = f"/outreach/enterprises/{ids['e1']}"
    token = csrf_of(client, page)
    response = client.post(
        page + "/services",
        data={
            "priority": "talent_housing",
            "served_on": "2026-11-20",
            "done": "协助两名澳门员工办理人才公寓入住",
            "outcome": "已入住",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    shown = client.get(page)
    assert "人才安居优先" in shown.text
    assert "服务已记录。" in shown.text
    assert "达濠街道办事处工作人员" in shown.text  # who served, by name
    assert "staff-s440512001" not in shown.text
    assert "talent_housing" not in shown.text.replace('value="talent_housing"', "")
    response = client.post(
        page + "/requests",
        data={
            "priority": "approval",
            "received_on": "2026-11-10",
            "ask": "食品经营许可证延续",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    with db.session() as session:
        request = session.scalars(select(EnterpriseRequest)).one()
        assert str(request.due_on) == "2026-11-20"
    shown = client.get(page)
    assert "已超期" in shown.text  # due 20 November, today is 30 November
    # resolving before accepting is refused on the page, in Chinese
    response = client.post(
        f"/outreach/enterprise-requests/{request.id}/close",
        data={"on": "2026-11-30", "resolved": "true", "reply": "已办结", "csrf_token": token},
    )
    assert response.status_code == 409
    assert "诉求当前状态为已接收，不能变为已处置。" in response.text
    assert "食品经营许可证延续" in response.text
    response = client.post(  # an id past any column's range is refused, not a 500
        f"/outreach/enterprise-requests/{request.id}/accept",
        data={"on": "2026-11-30", "branch_id": "99999999999", "csrf_token": token},
    )
    assert response.status_code == 422
    response = client.post(
        f"/outreach/enterprise-requests/{request.id}/accept",
        data={"on": "2026-11-30", "branch_id": str(ids["street"]), "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    response = client.post(
        f"/outreach/enterprise-requests/{request.id}/close",
        data={"on": "2026-11-30", "resolved": "true", "reply": "", "csrf_token": token},
    )
    assert response.status_code == 422
    assert "此项必填。" in response.text
    response = client.post(
        f"/outreach/enterprise-requests/{request.id}/close",
        data={
            "on": "2026-11-30",
            "resolved": "true",
            "reply": "新证已送达企业",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    with db.session() as session:
        stored = session.get(EnterpriseRequest, request.id)
        assert stored is not None
        assert stored.state == "resolved"
        assert stored.branch_id == ids["street"]
    shown = client.get(page)
    assert "逾期答复" in shown.text
    covered = client.get("/outreach/enterprises?macau=yes&priority=talent_housing&covered=yes")
    assert "汕头澳资达濠海洋食品有限公司" in covered.text
    assert "汕头达濠电子科技有限公司" not in covered.text
    lacking = client.get("/outreach/enterprises?priority=talent_housing&covered=no")
    assert "汕头达濠电子科技有限公司" in lacking.text
    assert "汕头澳资达濠海洋食品有限公司" not in lacking.text
    assert client.get("/outreach/enterprises?priority=bogus").status_code == 422


def test_outside_the_street_an_enterprise_and_its_requests_are_not_found(
    client: TestClient, db: Database, ids: dict[str, int]
) -> None:
    with db.transaction() as session:
        session.add(
            ServiceRecord(
                enterprise_id=ids["e1"],
                region_code="440512001",
                priority="site",
                served_on=date(2026, 11, 2),
                served_by="staff-s440512001",
                done="协调仓储用地",
                outcome="",
                created_at=FIXED_NOW,
            )
        )
    page_login(client, "staff-s440512002")
    assert client.get(f"/outreach/enterprises/{ids['e1']}").status_code == 404
    assert client.get(f"/outreach/enterprises/{ids['street']}").status_code == 404
    token = csrf_of(client, "/outreach/enterprises")
    response = client.post(
        f"/outreach/enterprises/{ids['e1']}/services",
        data={"priority": "site", "served_on": "2026-11-20", "done": "x", "csrf_token": token},
    )
    assert response.status_code == 404
    client.cookies.clear()
    page_login(client, "wang.worker")
    token = csrf_of(client, "/outreach/enterprises")
    response = client.post(
        f"/outreach/enterprises/{ids['e1']}/services",
        data={"priority": "site", "served_on": "2026-11-20", "done": "x", "csrf_token": token},
    )
    assert response.status_code == 404  # outside the grid worker's area before any role


def test_a_secretary_publishes_the_branch_brand_and_anyone_reads_it(
    client: TestClient, db: Database, ids: dict[str, int]
) -> None:
    assert client.get("/brand/P44051200100101").status_code == 404
    page_login(client, "li.secretary")
    page = f"/outreach/brands/{ids['branch']}"
    token = csrf_of(client, page)
    response = client.post(page, data={"name": "", "slogan": "支部建在网格上", "csrf_token": token})
    assert response.status_code == 422
    assert 'value="支部建在网格上"' in response.text
    response = client.post(
        page,
        data={
            "name": "红色网格·暖心青篮",
            "slogan": "支部建在网格上",
            "description": "党员联系户全覆盖",
            "published": "true",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    assert "红色网格·暖心青篮" in client.get("/outreach/brands").text
    # the street's committee is above the secretary's grid: not theirs to see
    assert client.get(f"/outreach/brands/{ids['street']}").status_code == 404
    client.cookies.clear()
    public = client.get("/brand/P44051200100101")
    assert public.status_code == 200
    assert "红色网格·暖心青篮" in public.text
    assert "党员人数" in public.text
    client.cookies.clear()
    page_login(client, "wang.worker")
    token = csrf_of(client, page)
    response = client.post(page, data={"name": "改名", "csrf_token": token})
    assert response.status_code == 403
