"""The command centre's workbook of an incident: the board per community and grid,
then every household in the viewer's area, vulnerable first. Headers in Chinese, as
the offices' ledgers are; times in the office's time zone."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from openpyxl import Workbook
from sqlalchemy.orm import Session

from gridgov import clock
from gridgov.audit.service import Actor
from gridgov.crisis import checkins, rules, service
from gridgov.crisis.models import Incident
from gridgov.crisis.rules import CheckinStatus
from gridgov.registry import service as registry
from gridgov.registry.imports import first_sheet, workbook_bytes

STATUS_ZH = {
    "unreached": "未联系",
    "reached": "已联系",
    "safe": "平安",
    "needs_help": "需要帮助",
    "absent": "不在家",
    "refused": "拒绝",
}
NEED_ZH = {"medicine": "药品", "food": "食物", "transport": "交通", "medical": "就医"}
FLAG_ZH = {
    "elderly_alone": "独居老人",
    "disability": "残疾人",
    "pregnant": "孕产妇",
    "chronic_illness": "慢性病",
}


def _zh(values: str, names: dict[str, str]) -> str:
    return "、".join(names.get(v, v) for v in rules.split(values))


def workbook(session: Session, *, incident: Incident, viewer: Actor, tz: str) -> bytes:
    zone = ZoneInfo(tz)
    book = Workbook()
    sheet = first_sheet(book)
    sheet.title = "看板"
    statuses = [s.value for s in CheckinStatus]
    sheet.append(["区域代码", "名称", "户数", *[STATUS_ZH[s] for s in statuses], "未联系的重点户"])
    for by in ("community", "grid"):
        for row in checkins.board(session, incident=incident, viewer=viewer, by=by):
            sheet.append(
                [
                    row.code,
                    row.name,
                    row.total,
                    *[row.counts.get(s, 0) for s in statuses],
                    row.vulnerable_waiting,
                ]
            )
    households = book.create_sheet("入户情况")
    households.append(
        ["户号", "地址", "网格", "状态", "需求", "重点人群", "备注", "更新时间", "更新人", "已上报"]
    )
    offset = 0
    while True:
        rows = checkins.list_checkins(
            session, incident=incident, viewer=viewer, limit=1000, offset=offset
        )
        if not rows:
            break
        found = registry.households_by_id(session, ids=[r.household_id for r in rows])
        for r in rows:
            household = found.get(r.household_id)
            sees = service.may_see_household(viewer, r.grid_code) and not r.anonymised
            households.append(
                [
                    household.number if household else "",
                    household.address if household else "",
                    r.grid_code,
                    STATUS_ZH.get(r.status, r.status),
                    _zh(r.needs, NEED_ZH),
                    _zh(r.flags, FLAG_ZH) if sees else "",
                    r.note if sees else "",
                    clock.local_minute(r.updated_at, zone),
                    r.updated_by,
                    "是" if r.escalated_at else "",
                ]
            )
        offset += len(rows)
    return workbook_bytes(book)
