"""A grid's ledger (台账) as XLSX, on both engines: the four sheets, masked personal
numbers only, refused outside the viewer's scope."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook

from gridgov.audit.service import Actor
from gridgov.db import Database
from gridgov.errors import NotFound
from gridgov.fields import mask_id, mask_phone
from gridgov.registry.imports import Kind
from gridgov.registry.ledger import export_ledger_xlsx
from tests.registry.test_imports import (
    CHEN,
    GRID_1,
    GRID_2,
    HOUSEHOLDS_CSV,
    LIN,
    RESIDENTS_CSV,
    ZHENG,
    make_territory,
    run_import,
)

PHONES = ("13802581234", "13902583456", "13612345678", "13823456789")
ORGANISATIONS_CSV = (
    "组织编码,名称,类型,上级组织编码,所属区域编码,澳资,统一社会信用代码\n"
    "QL-DZB,青篮社区党支部,党支部,,440512001001,否,\n"
    f"QL-DXZ1,青篮第一党小组,党小组,QL-DZB,{GRID_1},否,\n"
    f"QL-HX,濠江澳资贸易有限公司,企业,,{GRID_1},是,91350100M000100Y43\n"
)
ROLES_CSV = (
    "证件号码,姓名,角色,区域编码,组织编码,起始日期,专职\n"
    f"{CHEN},陈伟雄,网格员,{GRID_1},,2023-06-01,是\n"
    f"{LIN},林秀英,党员,{GRID_1},QL-DXZ1,2001-07-01,否\n"
    f"{ZHENG},郑月娥,志愿者,{GRID_2},,,\n"
)
QINGLAN = Actor(username="qinglan.admin", role="admin", user_id=7, scope="440512001001")


@pytest.fixture
def register(db: Database) -> Database:
    make_territory(db)
    for kind, text in (
        (Kind.HOUSEHOLDS, HOUSEHOLDS_CSV),
        (Kind.RESIDENTS, RESIDENTS_CSV),
        (Kind.ORGANISATIONS, ORGANISATIONS_CSV),
        (Kind.ROLES, ROLES_CSV),
    ):
        report = run_import(db, kind, text)
        assert report.ok, (kind, report.problems)
    return db


def _sheets(data: bytes) -> dict[str, list[tuple[Any, ...]]]:
    workbook = load_workbook(io.BytesIO(data))
    for sheet in workbook.worksheets:
        assert sheet.freeze_panes == "A2"
        assert sheet.print_title_rows == "$1:$1"
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in workbook.worksheets}


def test_the_ledger_has_four_sheets_and_no_full_numbers(register: Database) -> None:
    with register.session() as session:
        data = export_ledger_xlsx(session, grid_code=GRID_1, viewer=QINGLAN)
    sheets = _sheets(data)

    assert list(sheets) == ["住户", "居民", "组织", "人员角色"]
    households, residents, organisations, roles = sheets.values()
    assert households[0][:3] == ("户号", "地址", "楼栋编号")
    assert [(r[0], r[6], r[7]) for r in households[1:]] == [("QL-0001", "陈伟雄", 3)]
    assert residents[0][:4] == ("姓名", "证件类型", "证件号码", "手机号码")
    assert {r[0] for r in residents[1:]} == {"陈伟雄", "林秀英", "陈俊杰"}  # not 郑月娥 (grid 2)
    chen = next(r for r in residents[1:] if r[0] == "陈伟雄")
    assert chen[1:4] == ("居民身份证", mask_id(CHEN), mask_phone(PHONES[0]))
    assert (chen[5], chen[9], chen[10]) == ("男", "户主", "退役军人")
    assert [(r[0], r[2], r[3], r[5]) for r in organisations[1:]] == [
        ("QL-DXZ1", "党小组", "QL-DZB", "否"),
        ("QL-HX", "企业", None, "是"),
    ]
    assert [(r[0], r[3], r[5], r[7]) for r in roles[1:]] == [
        ("陈伟雄", "网格员", None, "是"),
        ("林秀英", "党员", "QL-DXZ1", "否"),
    ]
    cells = " ".join(str(c) for rows in sheets.values() for row in rows for c in row)
    for secret in (CHEN, LIN, ZHENG, *PHONES):
        assert secret not in cells


def test_a_community_ledger_holds_its_grids(register: Database) -> None:
    with register.session() as session:
        data = export_ledger_xlsx(session, grid_code="440512001001", viewer=QINGLAN)
    sheets = _sheets(data)

    assert len(sheets["居民"]) == 1 + 4
    assert len(sheets["组织"]) == 1 + 3


@pytest.mark.parametrize("code", [GRID_2, "44051200100199"])
def test_a_grid_outside_the_scope_or_unknown_is_not_found(register: Database, code: str) -> None:
    worker = Actor(username="grid.one", role="grid_worker", user_id=8, scope=GRID_1)
    with register.session() as session, pytest.raises(NotFound):
        export_ledger_xlsx(session, grid_code=code, viewer=worker)
