"""A grid's ledger (台账) as an XLSX workbook, the way a district office files it.

Four sheets, Chinese headers (the import templates' where they apply, so a sheet can
be copied into a template): 住户 households, 居民 residents, 组织 organisations,
人员角色 roles. ID numbers and phones appear only masked. Everything whose region code
starts with the grid's code is included, so a grid's micro-grids come with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from gridgov.audit.service import Actor
from gridgov.registry.imports import (
    DOC_TYPE_WORDS,
    ORG_KIND_WORDS,
    RELATION_WORDS,
    ROLE_WORDS,
    SEX_WORDS,
    TAG_WORDS,
    display_width,
    first_sheet,
    format_sheet,
    label_of,
    workbook_bytes,
)
from gridgov.registry.models import Building, Household, Organisation, PersonRoleRow, Resident
from gridgov.registry.rules import Relation
from gridgov.territory import service as territory

DATE_FORMAT = "yyyy-mm-dd"

HOUSEHOLD_HEADERS = ("户号", "地址", "楼栋编号", "经度", "纬度", "网格编码", "户主", "人数")
RESIDENT_HEADERS = (
    "姓名",
    "证件类型",
    "证件号码",
    "手机号码",
    "出生日期",
    "性别",
    "国籍",
    "语言",
    "户号",
    "与户主关系",
    "标签",
    "网格编码",
)
ORGANISATION_HEADERS = (
    "组织编码",
    "名称",
    "类型",
    "上级组织编码",
    "所属区域编码",
    "澳资",
    "统一社会信用代码",
)
ROLE_HEADERS = (
    "姓名",
    "证件类型",
    "证件号码",
    "角色",
    "区域编码",
    "组织编码",
    "起始日期",
    "专职",
)


def export_ledger_xlsx(session: Session, *, grid_code: str, viewer: Actor) -> bytes:
    """The ledger of ``grid_code``; NotFound when it is missing or outside the viewer's
    scope (the two are not told apart)."""
    region = territory.get_region(session, code=grid_code, viewer=viewer)
    title = f"{region.name}（{region.code}）台账"
    workbook = Workbook()
    workbook.properties.title = title
    workbook.remove(first_sheet(workbook))
    _sheet(workbook, "住户", HOUSEHOLD_HEADERS, _households(session, grid_code), title)
    _sheet(workbook, "居民", RESIDENT_HEADERS, _residents(session, grid_code), title)
    _sheet(workbook, "组织", ORGANISATION_HEADERS, _organisations(session, grid_code), title)
    _sheet(workbook, "人员角色", ROLE_HEADERS, _roles(session, grid_code), title)
    return workbook_bytes(workbook)


def _sheet(
    workbook: Any,
    name: str,
    headers: Sequence[str],
    rows: list[list[Any]],
    title: str,
) -> None:
    sheet = workbook.create_sheet(name)
    sheet.append(list(headers))
    widths = [display_width(h) + 2 for h in headers]
    for values in rows:
        sheet.append(values)
        for index, value in enumerate(values):
            shown = value.isoformat() if isinstance(value, date) else str(value or "")
            widths[index] = max(widths[index], display_width(shown) + 2)
    for column, header in enumerate(headers, start=1):
        if header in ("出生日期", "起始日期"):
            for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
                cell.number_format = DATE_FORMAT
    format_sheet(sheet, headers, widths=widths, title=f"{title} — {name}")


def _yes_no(value: bool) -> str:
    return "是" if value else "否"


def _tags(tags: str) -> str:
    return "、".join(label_of(TAG_WORDS, tag) for tag in tags.split(",") if tag)


def _households(session: Session, code: str) -> list[list[Any]]:
    members = (
        select(Resident.household_id, func.count().label("members"))
        .where(Resident.household_id.is_not(None))
        .group_by(Resident.household_id)
        .subquery()
    )
    head = aliased(Resident)
    query = (
        select(Household, Building.code, head.name, members.c.members)
        .outerjoin(Building, Building.id == Household.building_id)
        .outerjoin(
            head,
            (head.household_id == Household.id) & (head.relation == Relation.HOUSEHOLDER.value),
        )
        .outerjoin(members, members.c.household_id == Household.id)
        .where(Household.grid_code.startswith(code, autoescape=True))
        .order_by(Household.number)
    )
    return [
        [
            household.number,
            household.address,
            building_code or "",
            household.lon,
            household.lat,
            household.grid_code,
            head_name or "",
            count or 0,
        ]
        for household, building_code, head_name, count in session.execute(query)
    ]


def _residents(session: Session, code: str) -> list[list[Any]]:
    query = (
        select(Resident, Household.number)
        .outerjoin(Household, Household.id == Resident.household_id)
        .where(Resident.grid_code.startswith(code, autoescape=True))
        .order_by(Household.number.is_(None), Household.number, Resident.name, Resident.id)
    )
    return [
        [
            resident.name,
            _doc_type(resident.doc_type),
            resident.id_number_masked,
            resident.phone_masked or "",
            resident.birth_date,
            label_of(SEX_WORDS, resident.sex) if resident.sex else "",
            resident.nationality,
            resident.language or "",
            number or "",
            label_of(RELATION_WORDS, resident.relation) if resident.relation else "",
            _tags(resident.tags),
            resident.grid_code,
        ]
        for resident, number in session.execute(query)
    ]


def _doc_type(value: str) -> str:
    return label_of(DOC_TYPE_WORDS, value)


def _organisations(session: Session, code: str) -> list[list[Any]]:
    parent = aliased(Organisation)
    query = (
        select(Organisation, parent.code)
        .outerjoin(parent, parent.id == Organisation.parent_id)
        .where(Organisation.region_code.startswith(code, autoescape=True))
        .order_by(Organisation.code)
    )
    return [
        [
            organisation.code,
            organisation.name,
            label_of(ORG_KIND_WORDS, organisation.kind),
            parent_code or "",
            organisation.region_code,
            _yes_no(organisation.macau_funded),
            organisation.credit_code or "",
        ]
        for organisation, parent_code in session.execute(query)
    ]


def _roles(session: Session, code: str) -> list[list[Any]]:
    query = (
        select(PersonRoleRow, Resident, Organisation.code)
        .join(Resident, Resident.id == PersonRoleRow.resident_id)
        .outerjoin(Organisation, Organisation.id == PersonRoleRow.organisation_id)
        .where(PersonRoleRow.region_code.startswith(code, autoescape=True))
        .order_by(PersonRoleRow.region_code, PersonRoleRow.role, Resident.name)
    )
    return [
        [
            resident.name,
            _doc_type(resident.doc_type),
            resident.id_number_masked,
            label_of(ROLE_WORDS, role.role),
            role.region_code,
            organisation_code or "",
            role.since,
            _yes_no(role.full_time),
        ]
        for role, resident, organisation_code in session.execute(query)
    ]
