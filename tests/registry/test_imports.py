"""Spreadsheet imports of the register, on both engines: all or nothing, every problem
reported by row and column with personal numbers masked."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from typer.testing import CliRunner

from gridgov.audit.models import AuditEvent
from gridgov.audit.service import Actor
from gridgov.config import Settings
from gridgov.db import Database
from gridgov.errors import Forbidden, InvalidInput
from gridgov.fields import mask_id
from gridgov.i18n import gettext
from gridgov.registry import imports
from gridgov.registry.cli import registry_app
from gridgov.registry.documents import check_digit
from gridgov.registry.imports import TEMPLATES, ImportReport, Kind, checks, first_sheet
from gridgov.registry.models import Building, Household, Organisation, PersonRoleRow, Resident
from gridgov.territory import service as territory
from tests.audit.test_service import _cli_env
from tests.conftest import FIXED_NOW
from tests.factories import SYSTEM

GRID_1 = "44051200100101"
GRID_2 = "44051200100102"
ADMIN = Actor(username="qinglan.admin", role="admin", user_id=7, scope="440512001001")


def _rectangle(west: float, south: float, east: float, north: float) -> dict[str, Any]:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def _feature(code: str, name: str, level: str, geometry: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {"code": code, "name": name, "level": level},
        "geometry": geometry,
    }


WHOLE = _rectangle(116.70, 23.28, 116.72, 23.30)
TERRITORY = {
    "type": "FeatureCollection",
    "features": [
        _feature("440512", "濠江区", "district", WHOLE),
        _feature("440512001", "达濠街道", "street", WHOLE),
        _feature("440512001001", "青篮社区", "community", WHOLE),
        _feature(GRID_1, "青篮第一网格", "grid", _rectangle(116.70, 23.28, 116.71, 23.30)),
        _feature(GRID_2, "青篮第二网格", "grid", _rectangle(116.71, 23.28, 116.72, 23.30)),
    ],
}


def make_territory(db: Database) -> None:
    with db.transaction() as session:
        checked = territory.check_import_geojson(session, document=TERRITORY)
        assert checked.ok, checked.problems
        territory.do_import_geojson(session, actor=SYSTEM, checked=checked, now=FIXED_NOW)


def id_number(birth: str, sequence: int) -> str:
    """A 440512 (Haojiang) identity number with a correct check digit."""
    body = f"440512{birth}{sequence:03d}"
    return body + check_digit(body)


CHEN = id_number("19620308", 11)  # 陈伟雄, male (odd sequence)
LIN = id_number("19650521", 22)  # 林秀英, female (even sequence)
CHEN_SON = id_number("19900115", 31)  # 陈俊杰, male
ZHENG = id_number("19480910", 42)  # 郑月娥, female

HOUSEHOLDS_CSV = (
    "户号,地址,经度,纬度,网格编码\n"
    f"QL-0001,濠江区达濠街道青篮路1号101房,116.7031,23.2912,{GRID_1}\n"
    f"QL-0002,濠江区达濠街道青篮路8号202房,116.7152,23.2876,{GRID_2}\n"
)
RESIDENTS_CSV = (
    "姓名,证件类型,证件号码,手机号码,性别,户号,与户主关系,标签\n"
    f"陈伟雄,居民身份证,{CHEN},13802581234,男,QL-0001,户主,退役军人\n"
    f"林秀英,身份证,{LIN},13902583456,女,QL-0001,配偶,\n"
    f"陈俊杰,,{CHEN_SON},13612345678,,QL-0001,子女,\n"
    f"郑月娥,居民身份证,{ZHENG},13823456789,女,QL-0002,户主,独居老人、低保\n"
)


def run_import(
    db: Database,
    kind: Kind,
    data: bytes | str,
    *,
    filename: str = "import.csv",
    actor: Actor = SYSTEM,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    with db.transaction() as session:
        return imports.do_import(
            session,
            actor=actor,
            kind=kind,
            data=raw,
            filename=filename,
            now=FIXED_NOW,
            dry_run=dry_run,
            progress=progress,
        )


def count(db: Database, model: type[Any]) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def import_events(db: Database) -> list[AuditEvent]:
    with db.session() as session:
        query = select(AuditEvent).where(AuditEvent.action == "registry.imported")
        return list(session.scalars(query.order_by(AuditEvent.seq)))


def xlsx(rows: list[list[Any]]) -> bytes:
    workbook = Workbook()
    sheet = first_sheet(workbook)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def district(db: Database) -> Database:
    make_territory(db)
    return db


@pytest.fixture
def households(district: Database) -> Database:
    assert run_import(district, Kind.HOUSEHOLDS, HOUSEHOLDS_CSV).ok
    return district


# ---------------------------------------------------------------- residents


def test_one_bad_id_number_writes_nothing_and_names_the_row_and_column(
    households: Database,
) -> None:
    bad = LIN[:-1] + ("0" if LIN[-1] != "0" else "1")
    report = run_import(households, Kind.RESIDENTS, RESIDENTS_CSV.replace(LIN, bad))

    assert not report.ok
    assert [(p.row, p.column, p.value) for p in report.problems] == [(3, "证件号码", mask_id(bad))]
    assert "check digit" in report.problems[0].reason
    assert bad not in report.problems[0].value
    assert report.written == 0
    assert count(households, Resident) == 0
    assert len(import_events(households)) == 1  # the households import only


def test_a_good_csv_writes_every_row_and_one_audit_row(households: Database) -> None:
    seen: list[tuple[int, int]] = []
    report = run_import(
        households,
        Kind.RESIDENTS,
        RESIDENTS_CSV,
        filename="/data/青篮社区居民.csv",
        progress=lambda done, total: seen.append((done, total)),
    )

    assert report.ok, report.problems
    assert report.written == 4
    assert seen[-1] == (8, 8)
    with households.session() as session:
        residents = {r.name: r for r in session.scalars(select(Resident))}
        household = session.scalar(select(Household).where(Household.number == "QL-0001"))
    assert household is not None
    assert set(residents) == {"陈伟雄", "林秀英", "陈俊杰", "郑月娥"}
    chen = residents["陈伟雄"]
    assert (chen.sex, chen.relation, chen.tags) == ("male", "householder", "veteran")
    assert chen.household_id == household.id
    assert chen.grid_code == GRID_1  # from the household
    assert chen.id_number_masked == mask_id(CHEN)
    assert chen.phone_masked == "138****1234"
    assert residents["陈俊杰"].sex == "male"  # from the identity number
    assert residents["陈俊杰"].birth_date is not None
    assert residents["郑月娥"].tags == "elderly_alone,low_income"
    events = import_events(households)
    assert len(events) == 2
    event = events[-1]
    assert (event.object_type, event.region_code) == ("residents", "440512001001")
    assert json.loads(event.summary) == {"rows": 4, "file": "青篮社区居民.csv"}
    assert CHEN not in event.summary


def test_xlsx_with_chinese_headers_and_aliases(households: Database) -> None:
    data = xlsx(
        [
            [],
            ["姓名", "身份证号码", "联系电话", "出生日期", "性别", "户号", "与户主关系", "国籍"],
            ["陈伟雄", CHEN, 13802581234, date(1962, 3, 8), "男", "QL-0001", "户主", "中国"],
            ["林秀英", LIN, "139 0258 3456", "1965/5/21", "女", "QL-0001", "配偶", "CHN"],
        ]
    )
    report = run_import(households, Kind.RESIDENTS, data, filename="居民.xlsx")

    assert report.ok, report.problems
    assert count(households, Resident) == 2


def test_problems_carry_the_spreadsheet_row_of_an_xlsx(households: Database) -> None:
    data = xlsx(
        [
            ["居民信息登记表"],  # a title row above the header
            ["姓名", "证件号码", "手机号码", "网格编码"],
            ["陈伟雄", CHEN, "13802581234", GRID_1],
            [],
            ["林秀英", LIN, "13902583456", "44051200100199"],
            ["陈俊杰", 4.40512199001150e17, "", GRID_1],  # typed into a number cell
        ]
    )
    report = run_import(households, Kind.RESIDENTS, data, filename="居民.xlsx")

    assert [(p.row, p.column, p.value) for p in report.problems] == [
        (5, "网格编码", "44051200100199"),
        (6, "证件号码", mask_id(repr(4.40512199001150e17))),
    ]
    assert report.problems[0].reason == "No region with code 44051200100199."
    assert "lost its last digits" in report.problems[1].reason
    assert count(households, Resident) == 0


def test_a_gb18030_csv_is_read(households: Database) -> None:
    report = run_import(households, Kind.RESIDENTS, RESIDENTS_CSV.encode("gb18030"))

    assert report.ok, report.problems
    with households.session() as session:
        assert "郑月娥" in set(session.scalars(select(Resident.name)))


def test_a_csv_with_a_byte_order_mark_is_read(households: Database) -> None:
    report = run_import(households, Kind.RESIDENTS, RESIDENTS_CSV.encode("utf-8-sig"))

    assert report.ok, report.problems


def test_duplicates_within_the_file_and_with_the_register(households: Database) -> None:
    twice = RESIDENTS_CSV + f"陈伟雄,居民身份证,{CHEN},13802581234,男,QL-0001,其他,\n"
    report = run_import(households, Kind.RESIDENTS, twice)
    assert [(p.row, p.column, p.reason) for p in report.problems] == [
        (6, "证件号码", "The same document number is also on row 2."),
    ]
    assert count(households, Resident) == 0

    assert run_import(households, Kind.RESIDENTS, RESIDENTS_CSV).ok
    again = run_import(households, Kind.RESIDENTS, RESIDENTS_CSV)
    assert [p.row for p in again.problems if "already registered" in p.reason] == [2, 3, 4, 5]
    assert all(CHEN not in p.value and CHEN not in p.reason for p in again.problems)


def test_two_householders_of_one_household_are_refused(households: Database) -> None:
    report = run_import(households, Kind.RESIDENTS, RESIDENTS_CSV.replace("配偶", "户主"))

    assert [(p.row, p.column) for p in report.problems] == [(3, "与户主关系")]
    assert "row 2" in report.problems[0].reason


def test_dry_run_checks_and_writes_nothing(households: Database) -> None:
    report = run_import(households, Kind.RESIDENTS, RESIDENTS_CSV, dry_run=True)

    assert report.ok, report.problems
    assert (report.rows, report.written, report.dry_run) == (4, 0, True)
    assert count(households, Resident) == 0
    assert len(import_events(households)) == 1


def test_a_birth_date_or_sex_against_the_id_number_is_refused(households: Database) -> None:
    csv_text = f"姓名,证件号码,出生日期,性别,网格编码\n陈伟雄,{CHEN},1962-03-09,女,{GRID_1}\n"
    report = run_import(households, Kind.RESIDENTS, csv_text)

    assert [p.column for p in report.problems] == ["出生日期", "性别"]


# ---------------------------------------------------------------- households and buildings


def test_households_are_located_from_their_coordinates(district: Database) -> None:
    csv_text = (
        "户号,地址,经度,纬度\n"
        "QL-0101,青篮路3号,116.7042,23.2933\n"
        "QL-0102,青篮路9号,116.7171,23.2851\n"
    )
    report = run_import(district, Kind.HOUSEHOLDS, csv_text)

    assert report.ok, report.problems
    assert report.located == 2
    with district.session() as session:
        grids = dict(session.execute(select(Household.number, Household.grid_code)).all())
    assert grids == {"QL-0101": GRID_1, "QL-0102": GRID_2}


def test_a_point_outside_every_grid_names_the_nearest_grid(district: Database) -> None:
    csv_text = (
        "户号,地址,经度,纬度\nQL-0101,青篮路3号,116.7042,23.2933\nQL-0199,海边,116.73,23.29\n"
    )
    report = run_import(district, Kind.HOUSEHOLDS, csv_text)

    assert [(p.row, p.column, p.value) for p in report.problems] == [(3, "经度", "116.73, 23.29")]
    reason = report.problems[0].reason
    assert GRID_2 in reason
    assert "青篮第二网格" in reason
    assert " m away" in reason
    distance = float(report.problems[0].params["distance"].replace(",", ""))
    assert 1000 < distance < 1050  # 0.01° of longitude at 23.29° N
    assert count(district, Household) == 0


def test_households_take_the_grid_of_their_building(district: Database) -> None:
    buildings = "楼栋编号,名称,地址,经度,纬度\nQL-B001,青篮花园1栋,青篮路1号,116.7152,23.2876\n"
    assert run_import(district, Kind.BUILDINGS, buildings).ok
    report = run_import(
        district, Kind.HOUSEHOLDS, "户号,地址,楼栋编号\nQL-0201,1栋101,QL-B001\nQL-0202,1栋102,B9\n"
    )
    assert [(p.row, p.column, p.value) for p in report.problems] == [(3, "楼栋编号", "B9")]

    assert run_import(district, Kind.HOUSEHOLDS, "户号,地址,楼栋编号\nQL-0201,1栋101,QL-B001\n").ok
    with district.session() as session:
        household = session.scalar(select(Household))
        building = session.scalar(select(Building))
    assert household is not None
    assert building is not None
    assert (household.grid_code, household.building_id) == (GRID_2, building.id)


def test_the_importer_s_scope_bounds_the_rows(district: Database) -> None:
    worker = Actor(username="grid.one", role="grid_worker", user_id=8, scope=GRID_1)
    report = run_import(district, Kind.HOUSEHOLDS, HOUSEHOLDS_CSV, actor=worker)

    assert [(p.row, p.column, p.reason) for p in report.problems] == [
        (3, "网格编码", f"{GRID_2} is outside your area."),
    ]
    resident = Actor(username="resident", role="resident", user_id=9, scope=GRID_1)
    with pytest.raises(Forbidden):
        run_import(district, Kind.HOUSEHOLDS, HOUSEHOLDS_CSV, actor=resident)


def test_unknown_and_missing_columns_list_the_accepted_ones(district: Database) -> None:
    report = run_import(district, Kind.HOUSEHOLDS, "户号,门牌,经度,纬度\nQL-1,1号,116.70,23.29\n")

    assert [(p.row, p.column) for p in report.problems] == [(1, "门牌"), (1, "地址")]
    assert "地址 (address)" in report.problems[0].reason
    assert "required column 地址" in report.problems[1].reason


def test_an_unreadable_file_is_refused(district: Database) -> None:
    with pytest.raises(InvalidInput):
        run_import(district, Kind.HOUSEHOLDS, b"PK\x03\x04 not a zip", filename="x.xlsx")
    with pytest.raises(InvalidInput):
        run_import(district, Kind.HOUSEHOLDS, b"", filename="x.csv")


# ---------------------------------------------------------------- organisations and roles


def test_an_organisation_s_parent_comes_first(district: Database) -> None:
    csv_text = (
        "组织编码,名称,类型,上级组织编码,所属区域编码\n"
        "QL-DXZ,青篮社区第一党小组,党小组,QL-DZB,44051200100101\n"
        "QL-DZB,青篮社区党支部,党支部,,440512001001\n"
        "QL-X,青篮社区某组织,协会,QL-NONE,440512009\n"
    )
    report = run_import(district, Kind.ORGANISATIONS, csv_text)

    assert [(p.row, p.column) for p in report.problems] == [
        (2, "上级组织编码"),
        (4, "类型"),
        (4, "上级组织编码"),
        (4, "所属区域编码"),
    ]
    assert "earlier row" in report.problems[0].reason
    assert count(district, Organisation) == 0


def test_roles_find_residents_by_their_id_number(households: Database) -> None:
    assert run_import(households, Kind.RESIDENTS, RESIDENTS_CSV).ok
    unknown = id_number("19700101", 51)
    csv_text = (
        "证件号码,姓名,角色,区域编码,起始日期,专职\n"
        f"{CHEN},陈伟雄,网格员,{GRID_1},2023-06-01,是\n"
        f"{LIN},林秀英,党员,440512001001,,否\n"
        f"{unknown},王五,志愿者,{GRID_1},,\n"
        f"{CHEN_SON},陈俊,志愿者,{GRID_1},,\n"
    )
    report = run_import(households, Kind.ROLES, csv_text)
    assert [(p.row, p.column, p.value) for p in report.problems] == [
        (4, "证件号码", mask_id(unknown)),
        (5, "姓名", "陈俊"),
    ]

    good = "\n".join(csv_text.splitlines()[:3]) + "\n"
    assert run_import(households, Kind.ROLES, good).ok
    with households.session() as session:
        roles = {
            (r.role, r.region_code, r.full_time) for r in session.scalars(select(PersonRoleRow))
        }
    assert roles == {("grid_worker", GRID_1, True), ("party_member", "440512001001", False)}
    again = run_import(households, Kind.ROLES, good)
    assert [p.reason for p in again.problems] == [
        f"This person already holds this role in {GRID_1}.",
        "This person already holds this role in 440512001001.",
    ]


# ---------------------------------------------------------------- templates and the report


def _filled(kind: Kind, rows: list[list[str]]) -> bytes:
    workbook = load_workbook(io.BytesIO(imports.template_xlsx(kind)))
    assert workbook.sheetnames[1] == "说明"
    notes = [row[1] for row in workbook["说明"].iter_rows(min_row=2, values_only=True)]
    assert notes == [c.key for c in TEMPLATES[kind]]
    sheet = workbook.worksheets[0]
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _example(kind: Kind) -> list[str]:
    return [c.example for c in TEMPLATES[kind]]


def test_every_template_filled_with_its_examples_imports(district: Database) -> None:
    parent = ["DH-DGW", "达濠街道党工委", "党工委", "", "440512001", "否", ""]
    rows: dict[Kind, list[list[str]]] = {
        Kind.BUILDINGS: [_example(Kind.BUILDINGS)],
        Kind.HOUSEHOLDS: [_example(Kind.HOUSEHOLDS)],
        Kind.RESIDENTS: [_example(Kind.RESIDENTS)],
        Kind.ORGANISATIONS: [parent, _example(Kind.ORGANISATIONS)],
        Kind.ROLES: [_example(Kind.ROLES)],
    }
    for kind in Kind:
        report = run_import(district, kind, _filled(kind, rows[kind]), filename=f"{kind}.xlsx")
        assert report.ok, (kind, report.problems)
        assert report.written == len(rows[kind])
    assert [e.object_type for e in import_events(district)] == [k.value for k in Kind]
    with district.session() as session:
        resident = session.scalar(select(Resident))
        organisation = session.scalar(select(Organisation).where(Organisation.code == "QL-DZB"))
    assert resident is not None
    assert resident.tags == "elderly_alone,low_income"
    assert organisation is not None
    assert organisation.parent_id is not None


def test_the_csv_template_round_trips(households: Database) -> None:
    template = imports.template_csv(Kind.RESIDENTS)
    assert template.startswith(b"\xef\xbb\xbf")
    header = template.decode("utf-8-sig").strip()
    assert header.split(",") == [c.header for c in TEMPLATES[Kind.RESIDENTS]]
    row = f"陈伟雄,居民身份证,{CHEN},13802581234,1962-03-08,男,CHN,,QL-0001,户主,退役军人,\n"
    report = run_import(households, Kind.RESIDENTS, template + row.encode())

    assert report.ok, report.problems


def test_the_error_report_opens_and_lists_every_row(households: Database) -> None:
    bad = CHEN[:-1] + ("1" if CHEN[-1] != "1" else "2")
    text = RESIDENTS_CSV.replace(CHEN, bad).replace("13612345678", "12")
    report = run_import(households, Kind.RESIDENTS, text)
    workbook = load_workbook(io.BytesIO(imports.report_xlsx(report)))
    sheet = workbook.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))

    assert rows[0] == ("行", "列", "值", "原因")
    assert [(r[0], r[1], r[2]) for r in rows[1:]] == [
        (2, "证件号码", mask_id(bad)),
        (4, "手机号码", "**"),
    ]
    assert sheet.freeze_panes == "A2"
    assert all(bad not in str(cell) for row in rows for cell in row)


# ---------------------------------------------------------------- pure rules


def test_template_headers_are_unambiguous() -> None:
    for columns in TEMPLATES.values():
        owners: dict[str, set[str]] = {}
        for column in columns:
            for name in column.accepted:
                owners.setdefault(imports.normalise_header(name), set()).add(column.key)
        assert all(len(keys) == 1 for keys in owners.values()), owners
        assert len({c.key for c in columns}) == len(columns)


def test_the_docs_list_every_column() -> None:
    docs = Path(__file__).parents[2] / "docs" / "registry-imports.md"
    text = docs.read_text(encoding="utf-8")
    for kind, columns in TEMPLATES.items():
        section = text.split(f"### `{kind.value}`", 1)[1].split("###", 1)[0]
        for column in columns:
            assert f"| {column.header}" in section, (kind, column.key)
            assert f"`{column.key}`" in section, (kind, column.key)
            assert column.example in section, (kind, column.key)


@pytest.mark.parametrize(
    ("code", "ok"),
    [
        pytest.param("91350100M000100Y43", True, id="published-example"),
        pytest.param("91350100M000100Y44", False, id="check-character"),
        pytest.param("91350100M000100Y4", False, id="length"),
        pytest.param("91350100M000100YO3", False, id="letter-o"),
    ],
)
def test_credit_codes(code: str, ok: bool) -> None:
    assert (imports.credit_code_problem(code) is None) is ok


@pytest.mark.parametrize(
    "text",
    ["1990-03-15", "1990/3/15", "1990.3.15", "19900315", "1990年3月15日", "1990-03-15 00:00:00"],
)
def test_dates_as_offices_type_them(text: str) -> None:
    assert imports.parse_date(text).isoformat() == "1990-03-15"


def test_headers_ignore_case_spaces_and_required_marks() -> None:
    assert imports.normalise_header(" 证件号码* ") == imports.normalise_header("证件号码")
    assert imports.normalise_header("ID Number") == imports.normalise_header("id_number")
    assert imports.normalise_header("姓名（必填）") == imports.normalise_header("姓名")


# ---------------------------------------------------------------- the command


@pytest.fixture
def cli_env(households: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Database:
    _cli_env(monkeypatch, settings)
    return households


def test_the_command_reports_problems_and_writes_the_report(
    cli_env: Database, tmp_path: Path
) -> None:
    runner = CliRunner()
    bad = CHEN[:-1] + ("1" if CHEN[-1] != "1" else "2")
    file = tmp_path / "居民.csv"
    file.write_text(RESIDENTS_CSV.replace(CHEN, bad), encoding="utf-8")

    failed = runner.invoke(registry_app, ["import", "residents", str(file)])
    assert failed.exit_code == 1, failed.output
    assert "nothing imported" in failed.output
    assert bad not in failed.output
    report = tmp_path / "居民.errors.xlsx"
    assert load_workbook(report).worksheets[0].max_row == 2

    file.write_text(RESIDENTS_CSV, encoding="utf-8")
    dry = runner.invoke(registry_app, ["import", "residents", str(file), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "dry run" in dry.output
    done = runner.invoke(registry_app, ["import", "residents", str(file)])
    assert done.exit_code == 0, done.output
    assert "Imported 4 residents" in done.output
    assert count(cli_env, Resident) == 4


def test_the_command_writes_templates(tmp_path: Path) -> None:
    runner = CliRunner()
    for name in ("住户.xlsx", "住户.csv"):
        result = runner.invoke(registry_app, ["template", "households", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
    assert load_workbook(tmp_path / "住户.xlsx").worksheets[0]["A1"].value == "户号"
    assert (tmp_path / "住户.csv").read_bytes().decode("utf-8-sig").startswith("户号,地址")
    refused = runner.invoke(registry_app, ["template", "households", str(tmp_path / "x.txt")])
    assert refused.exit_code == 2


def test_a_row_missing_its_identifiers_is_told_so_in_the_readers_language() -> None:
    # Given a building row and a household row with no code, number or address
    building = checks.BuildingInput(code="", name="", address="", lon=116.7, lat=23.29)
    household = checks.HouseholdInput(number="", address="", grid_code="44051200100101")
    # When they are checked and the problems read in Simplified Chinese
    said = {
        gettext("zh_Hans", p.message, p.params)
        for p in checks.building_problems(building) + checks.household_problems(household)
    }
    # Then each is said in Chinese, not left in English
    assert {"请填写楼栋编码。", "请填写地址。", "请填写户号。"} <= said
