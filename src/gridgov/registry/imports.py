"""Spreadsheet imports of the register: buildings, households, residents, organisations
and people's roles, from the CSV and XLSX files a district office already keeps.

One documented column template per kind (``TEMPLATES``): each column has an English
key, a Chinese header (the one templates carry), more Chinese headers accepted as
aliases, and an English header. Enumerated columns accept the Chinese words an office
types (男/女, 户主, 党支部, 网格员...) as well as the English values.

An import is all or nothing. Every row is checked first, against the other rows of
the file and against the database; the ``ImportReport`` lists every problem as (row as
the spreadsheet shows it, column header as in the file, the value, the reason), with ID
numbers and phones masked. Only a file without problems is written, in the caller's
transaction, with one ``registry.imported`` audit row. ``dry_run`` checks and writes
nothing.

Messages are English catalogue ids with ``%(name)s`` placeholders, carried by
``Problem``s so ``make messages`` extracts them.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from enum import StrEnum
from pathlib import PurePath
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from gridgov.accounts.rules import SCOPE_LENGTHS, Role, may_access
from gridgov.audit.service import Actor, record
from gridgov.clock import local_today
from gridgov.errors import Forbidden, InvalidInput, Problem
from gridgov.fields import mask_id, mask_phone
from gridgov.guard import rules as guard
from gridgov.registry import documents, service
from gridgov.registry.documents import DocumentType
from gridgov.registry.models import Building, Household, Organisation, PersonRoleRow, Resident
from gridgov.registry.rules import OrgKind, PersonRole, Relation, Sex, Tag
from gridgov.territory import service as territory
from gridgov.territory.rules import Level

BATCH = 1000
ACTION = "registry.imported"
IMPORT_ROLES = frozenset({Role.ADMIN, Role.GRID_WORKER})
GRID_LEVELS = frozenset({Level.GRID.value, Level.MICRO_GRID.value})
MASKED = {"id_number": mask_id, "phone": mask_phone}

ProgressCallback = Callable[[int, int], None]


class Kind(StrEnum):
    BUILDINGS = "buildings"
    HOUSEHOLDS = "households"
    RESIDENTS = "residents"
    ORGANISATIONS = "organisations"
    ROLES = "roles"


SHEET_NAMES = {
    Kind.BUILDINGS: "楼栋",
    Kind.HOUSEHOLDS: "住户",
    Kind.RESIDENTS: "居民",
    Kind.ORGANISATIONS: "组织",
    Kind.ROLES: "人员角色",
}

# ---------------------------------------------------------------- Chinese words

DOC_TYPE_WORDS: dict[str, str] = {
    "居民身份证": DocumentType.MAINLAND_ID,
    "身份证": DocumentType.MAINLAND_ID,
    "港澳居民来往内地通行证": DocumentType.HK_MACAU_PERMIT,
    "回乡证": DocumentType.HK_MACAU_PERMIT,
    "台湾居民来往大陆通行证": DocumentType.TAIWAN_PERMIT,
    "台胞证": DocumentType.TAIWAN_PERMIT,
    "港澳台居民居住证": DocumentType.HMT_RESIDENCE,
    "护照": DocumentType.PASSPORT,
    "其他证件": DocumentType.OTHER,
    "其他": DocumentType.OTHER,
}
SEX_WORDS: dict[str, str] = {"男": Sex.MALE, "女": Sex.FEMALE, "m": Sex.MALE, "f": Sex.FEMALE}
RELATION_WORDS: dict[str, str] = {
    "户主": Relation.HOUSEHOLDER,
    "本人": Relation.HOUSEHOLDER,
    "配偶": Relation.SPOUSE,
    "子女": Relation.CHILD,
    "父母": Relation.PARENT,
    "孙子女": Relation.GRANDCHILD,
    "祖父母": Relation.GRANDPARENT,
    "兄弟姐妹": Relation.SIBLING,
    "其他亲属": Relation.OTHER_RELATIVE,
    "租客": Relation.TENANT,
    "其他": Relation.OTHER,
}
TAG_WORDS: dict[str, str] = {
    "独居老人": Tag.ELDERLY_ALONE,
    "残疾人": Tag.DISABILITY,
    "境外人员": Tag.FOREIGN_RESIDENT,
    "低保": Tag.LOW_INCOME,
    "低保户": Tag.LOW_INCOME,
    "退役军人": Tag.VETERAN,
    "留守儿童": Tag.LEFT_BEHIND_CHILD,
    "流动人口": Tag.FLOATING,
    "孕产妇": Tag.PREGNANT,
    "慢性病": Tag.CHRONIC_ILLNESS,
}
ORG_KIND_WORDS: dict[str, str] = {
    "党委": OrgKind.PARTY_COMMITTEE,
    "党工委": OrgKind.PARTY_COMMITTEE,
    "党总支": OrgKind.GENERAL_BRANCH,
    "党支部": OrgKind.PARTY_BRANCH,
    "党小组": OrgKind.PARTY_GROUP,
    "职能部门": OrgKind.DEPARTMENT,
    "街道办事处": OrgKind.STREET_OFFICE,
    "社区居委会": OrgKind.COMMUNITY_OFFICE,
    "居委会": OrgKind.COMMUNITY_OFFICE,
    "村委会": OrgKind.COMMUNITY_OFFICE,
    "社会组织": OrgKind.SOCIAL_ORG,
    "企业": OrgKind.ENTERPRISE,
}
ROLE_WORDS: dict[str, str] = {
    "网格员": PersonRole.GRID_WORKER,
    "党员": PersonRole.PARTY_MEMBER,
    "党员中心户": PersonRole.CENTRAL_HOUSEHOLD,
    "志愿者": PersonRole.VOLUNTEER,
    "议事代表": PersonRole.DELIBERATION_REP,
}
NATIONALITY_WORDS: dict[str, str] = {"中国": "CHN", "中华人民共和国": "CHN"}
TRUE_WORDS = frozenset({"是", "yes", "y", "true", "1", "√", "✓"})
FALSE_WORDS = frozenset({"否", "no", "n", "false", "0", "×"})


def first_sheet(workbook: Workbook) -> Worksheet:
    """The sheet a new workbook opens on (openpyxl types it as optional)."""
    sheet = workbook.active
    if not isinstance(sheet, Worksheet):
        raise TypeError("the workbook has no worksheet")
    return sheet


def label_of(words: dict[str, str], value: str) -> str:
    """The first Chinese word for an English value (for ledgers); the value if none."""
    for word, english in words.items():
        if english == value and not word.isascii():
            return word
    return value


# ---------------------------------------------------------------- templates


@dataclass(frozen=True)
class Column:
    """One column of an import template."""

    key: str
    header: str  # the Chinese header the templates carry
    english: str
    description: str  # English, for the template's second sheet and the docs
    example: str
    required: bool = False
    aliases: tuple[str, ...] = ()  # more Chinese headers accepted
    choices: tuple[str, ...] = ()  # offered as a drop-down in the XLSX template
    text: bool = False  # formatted as text in the XLSX template (long numbers, codes)

    @property
    def accepted(self) -> tuple[str, ...]:
        return (self.header, *self.aliases, self.english, self.key)


def _words(words: dict[str, str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(w for w in words if not w.isascii()))


_GRID = Column(
    "grid_code",
    "网格编码",
    "Grid code",
    "The 14- or 15-digit code of the grid. Optional: found from the longitude and "
    "latitude when empty.",
    "44051200100101",
    text=True,
)
_LON = Column("lon", "经度", "Longitude", "WGS84 longitude in decimal degrees.", "116.7052")
_LAT = Column("lat", "纬度", "Latitude", "WGS84 latitude in decimal degrees.", "23.2851")
_YES_NO = ("是", "否")

TEMPLATES: dict[Kind, tuple[Column, ...]] = {
    Kind.BUILDINGS: (
        Column(
            "code",
            "楼栋编号",
            "Building code",
            "A code unique in the district, up to 32 characters.",
            "QL-B001",
            required=True,
            text=True,
        ),
        Column("name", "名称", "Name", "The building's name.", "青篮花园1栋", True, ("楼栋名称",)),
        Column("address", "地址", "Address", "Street address.", "濠江区达濠街道青篮路1号", True),
        replace(_LON, required=True),
        replace(_LAT, required=True),
        _GRID,
    ),
    Kind.HOUSEHOLDS: (
        Column(
            "number",
            "户号",
            "Household number",
            "A number unique in the district, up to 32 characters.",
            "QL-0001",
            required=True,
            text=True,
        ),
        Column("address", "地址", "Address", "The household's address.", "青篮路1号101房", True),
        replace(_LON, description="WGS84 longitude; with the latitude, locates the grid."),
        replace(_LAT, description="WGS84 latitude; with the longitude, locates the grid."),
        replace(
            _GRID,
            description="Optional: found from the longitude and latitude, or taken from "
            "the building, when empty.",
        ),
        Column(
            "building_code",
            "楼栋编号",
            "Building code",
            "Optional: a building already registered.",
            "QL-B001",
            aliases=("所属楼栋",),
            text=True,
        ),
    ),
    Kind.RESIDENTS: (
        Column("name", "姓名", "Name", "Full name as on the document.", "陈晓明", True),
        Column(
            "doc_type",
            "证件类型",
            "Document type",
            "居民身份证 when empty; or 港澳居民来往内地通行证, 台湾居民来往大陆通行证, "
            "港澳台居民居住证, 护照, 其他证件.",
            "居民身份证",
            choices=_words(DOC_TYPE_WORDS),
        ),
        Column(
            "id_number",
            "证件号码",
            "ID number",
            "The document number; an 18-character identity number is checked digit by "
            "digit. Format the column as text in Excel.",
            "440512199003150019",
            required=True,
            aliases=("身份证号码", "身份证号", "公民身份号码"),
            text=True,
        ),
        Column(
            "phone",
            "手机号码",
            "Phone",
            "A mainland mobile, or another number of 5 to 15 digits with an optional +.",
            "13812345678",
            aliases=("联系电话", "电话"),
            text=True,
        ),
        Column(
            "birth_date",
            "出生日期",
            "Birth date",
            "YYYY-MM-DD; taken from the identity number when empty.",
            "1990-03-15",
        ),
        Column(
            "sex",
            "性别",
            "Sex",
            "男 or 女 (male or female); taken from the identity number when empty.",
            "男",
            choices=("男", "女"),
        ),
        Column(
            "nationality",
            "国籍",
            "Nationality",
            "Three-letter ISO 3166 code; CHN when empty.",
            "CHN",
        ),
        Column("language", "语言", "Language", "BCP 47 language tag, if not Mandarin.", "yue"),
        Column(
            "household_number",
            "户号",
            "Household number",
            "A household already registered; gives the grid when the grid code is empty.",
            "QL-0001",
            text=True,
        ),
        Column(
            "relation",
            "与户主关系",
            "Relation",
            "Relation to the householder.",
            "户主",
            choices=_words(RELATION_WORDS),
        ),
        Column(
            "tags",
            "标签",
            "Tags",
            "Any of 独居老人, 残疾人, 境外人员, 低保, 退役军人, 留守儿童, 流动人口, separated "
            "by 、 or commas.",
            "独居老人、低保",
        ),
        replace(
            _GRID,
            description="Optional when a household number is given: the household's grid is used.",
        ),
    ),
    Kind.ORGANISATIONS: (
        Column(
            "code",
            "组织编码",
            "Organisation code",
            "A code unique in the district, up to 32 characters.",
            "QL-DZB",
            required=True,
            text=True,
        ),
        Column(
            "name",
            "名称",
            "Name",
            "The organisation's name.",
            "青篮社区党支部",
            True,
            ("组织名称",),
        ),
        Column(
            "kind",
            "类型",
            "Kind",
            "党委, 党总支, 党支部, 党小组, 职能部门, 街道办事处, 社区居委会 (村委会), 社会组织 "
            "or 企业.",
            "党支部",
            required=True,
            aliases=("组织类型",),
            choices=_words(ORG_KIND_WORDS),
        ),
        Column(
            "parent_code",
            "上级组织编码",
            "Parent code",
            "Optional: an organisation already registered or on an earlier row.",
            "DH-DGW",
            text=True,
        ),
        Column(
            "region_code",
            "所属区域编码",
            "Region code",
            "The region (district, street, community or grid) the organisation belongs to.",
            "440512001001",
            required=True,
            aliases=("区域编码",),
            text=True,
        ),
        Column(
            "macau_funded",
            "澳资",
            "Macau funded",
            "是 or 否 (yes or no); 否 when empty.",
            "否",
            aliases=("是否澳资",),
            choices=_YES_NO,
        ),
        Column(
            "credit_code",
            "统一社会信用代码",
            "Credit code",
            "The 18-character unified social credit code, check character verified.",
            "91350100M000100Y43",
            text=True,
        ),
    ),
    Kind.ROLES: (
        Column(
            "doc_type",
            "证件类型",
            "Document type",
            "The resident's document type; 居民身份证 when empty.",
            "居民身份证",
            choices=_words(DOC_TYPE_WORDS),
        ),
        Column(
            "id_number",
            "证件号码",
            "ID number",
            "The document number of a resident already registered.",
            "440512199003150019",
            required=True,
            aliases=("身份证号码", "身份证号", "公民身份号码"),
            text=True,
        ),
        Column(
            "name",
            "姓名",
            "Name",
            "Optional: checked against the register's name for the document number.",
            "陈晓明",
        ),
        Column(
            "role",
            "角色",
            "Role",
            "网格员, 党员, 党员中心户, 志愿者 or 议事代表.",
            "网格员",
            required=True,
            choices=_words(ROLE_WORDS),
        ),
        Column(
            "region_code",
            "区域编码",
            "Region code",
            "Where the role is held: a grid, community, street or the district.",
            "44051200100101",
            required=True,
            text=True,
        ),
        Column(
            "organisation_code",
            "组织编码",
            "Organisation code",
            "Optional: an organisation already registered.",
            "QL-DZB",
            text=True,
        ),
        Column("since", "起始日期", "Since", "YYYY-MM-DD.", "2024-01-01"),
        Column(
            "full_time",
            "专职",
            "Full time",
            "是 or 否 (yes or no); 否 when empty.",
            "是",
            choices=_YES_NO,
        ),
    ),
}


def normalise_header(text: str) -> str:
    """How headers are compared: full-width folded, case, spaces, ``_``, ``-`` and a
    required-marker (``*``, ``(必填)``) ignored."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    folded = re.sub(r"\((必填|选填|required|optional)\)|\*", "", folded)
    return re.sub(r"[\s_\-]+", "", folded)


def accepted_headers(kind: Kind) -> str:
    """``姓名 (name), 证件类型 (doc_type), ...``: for messages and docs."""
    return ", ".join(f"{c.header} ({c.key})" for c in TEMPLATES[kind])


# ---------------------------------------------------------------- reading files


@dataclass(frozen=True)
class Table:
    """A file's first sheet: its header row and the non-empty rows below it, each with
    its row number as the spreadsheet shows it (counting from 1)."""

    headers: list[str]
    header_row: int
    rows: list[tuple[int, list[str]]]


def read_table(data: bytes, *, filename: str) -> Table:
    """Read CSV (UTF-8 with or without BOM, else GB18030) or XLSX (first sheet), within
    the size, row and column caps of ``gridgov.guard.rules`` (checked before the whole
    file is parsed; an XLSX's zip directory is checked before anything is unpacked)."""
    if len(data) > guard.MAX_SHEET_BYTES:
        raise InvalidInput(
            "The file is larger than %(n)s MB.", params={"n": guard.MAX_SHEET_BYTES // 2**20}
        )
    if data.startswith(b"PK\x03\x04"):
        return _table(_capped(_xlsx_rows(data)))
    if data.startswith(b"\xd0\xcf\x11\xe0") or filename.lower().endswith(".xls"):
        raise InvalidInput("Old .xls workbooks are not read: save the file as .xlsx or .csv.")
    if filename.lower().endswith((".xlsx", ".xlsm")):
        raise InvalidInput("The file is not a readable XLSX workbook.")
    return _table(_capped(_csv_rows(data)))


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise InvalidInput("The file is neither UTF-8 nor GB18030 text.") from exc


def _csv_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    text = _decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    try:
        for number, cells in enumerate(
            csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1
        ):
            yield number, [_cell_text(cell) for cell in cells]
    except csv.Error as exc:
        raise InvalidInput(
            "The CSV file cannot be read: %(reason)s", params={"reason": str(exc)}
        ) from exc


def _capped(rows: Iterator[tuple[int, list[str]]]) -> Iterator[tuple[int, list[str]]]:
    for count, (number, cells) in enumerate(rows, start=1):
        if count > guard.MAX_SHEET_ROWS:
            raise InvalidInput(
                "The file has more than %(n)s rows: split it.", params={"n": guard.MAX_SHEET_ROWS}
            )
        if len(cells) > guard.MAX_SHEET_COLUMNS and any(cells[guard.MAX_SHEET_COLUMNS :]):
            raise InvalidInput(
                "Row %(row)s has more than %(n)s columns.",
                params={"row": number, "n": guard.MAX_SHEET_COLUMNS},
            )
        yield number, cells[: guard.MAX_SHEET_COLUMNS]


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = [(i.filename, i.compress_size, i.file_size) for i in archive.infolist()]
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InvalidInput("The file is not a readable XLSX workbook.") from exc
    if guard.xlsx_bomb(entries):
        raise InvalidInput("The workbook unpacks to far more than its size: refused.")
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise InvalidInput("The file is not a readable XLSX workbook.") from exc
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some producers write a wrong <dimension>
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_cell_text(value) for value in values]
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # Excel keeps 15 significant digits: a longer whole number has lost digits and
        # is left in exponent form so it is reported instead of silently altered.
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    text = str(value).strip().strip("\ufeff\u200b").strip()
    return text.removeprefix("'")


def _table(rows: Iterable[tuple[int, list[str]]]) -> Table:
    """The header is the first non-empty row, passing over title rows above it (rows
    with a single filled cell, such as a merged 居民信息登记表): every template has at
    least two required columns."""
    lines = [(n, c) for n, c in rows if any(c)]
    if not lines:
        raise InvalidInput("The file is empty: it has no header row.")
    start = next((i for i, (_, c) in enumerate(lines) if sum(1 for x in c if x) >= 2), 0)
    number, headers = lines[start]
    headers = list(headers)
    while headers and not headers[-1]:
        headers.pop()
    return Table(headers, number, lines[start + 1 :])


# ---------------------------------------------------------------- the report


@dataclass
class RowProblem:
    """One problem: the row as the spreadsheet shows it, the column header as in the
    file, the value (ID numbers and phones masked) and an English message id."""

    row: int
    column: str
    value: str
    message: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def reason(self) -> str:
        return self.message % self.params if self.params else self.message


@dataclass
class ImportReport:
    kind: Kind
    file: str
    rows: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    written: int = 0
    located: int = 0  # rows whose grid was found from their longitude and latitude
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


# ---------------------------------------------------------------- pure checks


@dataclass
class BuildingInput:
    code: str
    name: str
    address: str
    lon: float | None
    lat: float | None
    grid_code: str = ""


@dataclass
class HouseholdInput:
    number: str
    address: str
    lon: float | None = None
    lat: float | None = None
    grid_code: str = ""
    building_code: str = ""


@dataclass
class OrganisationInput:
    code: str
    name: str
    kind: str
    region_code: str
    parent_code: str = ""
    macau_funded: bool = False
    credit_code: str = ""


@dataclass
class RoleInput:
    doc_type: str
    id_number: str
    role: str
    region_code: str
    name: str = ""
    organisation_code: str = ""
    since: date | None = None
    full_time: bool = False


_CODE = re.compile(r"[^\s]{1,32}")
_CREDIT_CHARACTERS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def _text_problems(name: str, value: str, *, limit: int, required: str | None) -> list[Problem]:
    if not value:
        return [Problem(name, required)] if required else []
    if len(value) > limit:
        return [Problem(name, "At most %(n)s characters.", n=limit)]
    return []


def code_problems(name: str, value: str, *, required: str) -> list[Problem]:
    """A register code: 1 to 32 characters without spaces."""
    if not value:
        return [Problem(name, required)]
    if not _CODE.fullmatch(value):
        return [Problem(name, "A code has 1 to 32 characters and no spaces.")]
    return []


def point_problems(lon: float | None, lat: float | None, *, required: bool) -> list[Problem]:
    """Longitude and latitude: both or neither (both when ``required``), in range."""
    if lon is None and lat is None:
        if required:
            return [
                Problem("lon", "A longitude is required."),
                Problem("lat", "A latitude is required."),
            ]
        return []
    if lon is None:
        return [Problem("lon", "Give both a longitude and a latitude.")]
    if lat is None:
        return [Problem("lat", "Give both a longitude and a latitude.")]
    if abs(lat) > 90 and abs(lon) <= 90:
        return [Problem("lat", "The longitude and latitude look swapped.")]
    problems: list[Problem] = []
    if not -180 <= lon <= 180:
        problems.append(Problem("lon", "A longitude is between -180 and 180."))
    if not -90 <= lat <= 90:
        problems.append(Problem("lat", "A latitude is between -90 and 90."))
    return problems


def credit_code_problem(code: str) -> Problem | None:
    """GB 32100-2015 unified social credit code: 18 characters, MOD 31 check character."""
    if len(code) != 18:
        return Problem(
            "credit_code", "A unified social credit code has 18 characters, not %(n)s.", n=len(code)
        )
    if any(character not in _CREDIT_CHARACTERS for character in code):
        return Problem(
            "credit_code",
            "A unified social credit code has digits and capital letters other than "
            "I, O, S, V and Z.",
        )
    total = sum(
        _CREDIT_CHARACTERS.index(c) * w for c, w in zip(code[:17], _CREDIT_WEIGHTS, strict=True)
    )
    expected = _CREDIT_CHARACTERS[(31 - total % 31) % 31]
    if code[17] != expected:
        return Problem(
            "credit_code", "The check character should be %(expected)s.", expected=expected
        )
    return None


def building_problems(value: BuildingInput) -> list[Problem]:
    problems = code_problems("code", value.code, required="A building code is required.")
    problems += _text_problems("name", value.name, limit=128, required="A name is required.")
    problems += _text_problems(
        "address", value.address, limit=256, required="An address is required."
    )
    problems += point_problems(value.lon, value.lat, required=True)
    return problems


def household_problems(value: HouseholdInput) -> list[Problem]:
    problems = code_problems("number", value.number, required="A household number is required.")
    problems += _text_problems(
        "address", value.address, limit=256, required="An address is required."
    )
    problems += point_problems(value.lon, value.lat, required=False)
    if not (value.grid_code or value.building_code or value.lon is not None):
        problems.append(
            Problem(
                "grid_code", "A grid code, a longitude and latitude, or a building is required."
            )
        )
    return problems


def organisation_problems(value: OrganisationInput) -> list[Problem]:
    problems = code_problems("code", value.code, required="An organisation code is required.")
    problems += _text_problems("name", value.name, limit=128, required="A name is required.")
    if not value.kind:
        problems.append(Problem("kind", "A kind is required."))
    elif value.kind not in {k.value for k in OrgKind}:
        problems.append(Problem("kind", "Unknown organisation kind %(value)s.", value=value.kind))
    if not value.region_code:
        problems.append(Problem("region_code", "A region code is required."))
    if value.parent_code and value.parent_code == value.code:
        problems.append(Problem("parent_code", "An organisation cannot be its own parent."))
    if value.credit_code and (problem := credit_code_problem(value.credit_code)):
        problems.append(problem)
    return problems


def role_problems(value: RoleInput, *, today: date) -> list[Problem]:
    problems: list[Problem] = []
    try:
        doc_type = DocumentType(value.doc_type or DocumentType.MAINLAND_ID.value)
    except ValueError:
        problems.append(
            Problem("doc_type", "Unknown document type %(value)s.", value=value.doc_type)
        )
    else:
        value.doc_type = doc_type.value
        value.id_number = documents.normalise(doc_type, value.id_number)
        problems += documents.document_problems(doc_type, value.id_number, today=today)
    if not value.role:
        problems.append(Problem("role", "A role is required."))
    elif value.role not in {r.value for r in PersonRole}:
        problems.append(Problem("role", "Unknown role %(value)s.", value=value.role))
    if not value.region_code:
        problems.append(Problem("region_code", "A region code is required."))
    if value.since and value.since > today:
        problems.append(Problem("since", "The date is in the future."))
    return problems


# ---------------------------------------------------------------- parsing cells

_DATE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?")
_EXPONENT = re.compile(r"[0-9](\.[0-9]+)?[eE]\+?[0-9]+")
_TAG_SEPARATORS = re.compile(r"[,，;；、]")


def parse_date(text: str) -> date:
    """``1990-03-15``, ``1990/3/15``, ``1990.3.15``, ``19900315``, ``1990年3月15日``, with
    an optional time after a space. Raises ValueError."""
    value = unicodedata.normalize("NFKC", text).strip().split(" ", 1)[0]
    if re.fullmatch(r"[0-9]{8}", value):
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    match = _DATE.fullmatch(value)
    if match is None:
        raise ValueError(text)
    return date(int(match[1]), int(match[2]), int(match[3]))


def _word(words: dict[str, str], text: str) -> str:
    """The English value of a Chinese (or English) word; unknown text as typed."""
    value = text.strip()
    return words.get(value) or words.get(value.casefold()) or value.casefold()


# ---------------------------------------------------------------- the import


@dataclass
class _Row:
    number: int
    cells: dict[str, str]

    def get(self, key: str) -> str:
        return self.cells.get(key, "")


@dataclass
class _Context:
    session: Session
    actor: Actor
    now: datetime
    kind: Kind
    headers: dict[str, str]  # key -> header as in the file
    order: dict[str, int]  # key -> column position, for sorting the report
    report: ImportReport
    progress: ProgressCallback | None
    total: int
    bad: set[int] = field(default_factory=set)
    regions: dict[str, tuple[str, str] | None] = field(default_factory=dict)
    region_codes: set[str] = field(default_factory=set)
    _last_tick: int = 0

    def problem(self, row: _Row, problem: Problem, *, value: str | None = None) -> None:
        column = self.headers.get(problem.field) or _header_of(self.kind, problem.field)
        shown = row.get(problem.field) if value is None else value
        if problem.field in MASKED and shown:
            shown = MASKED[problem.field](shown)
        self.report.problems.append(
            RowProblem(row.number, column, shown, problem.message, dict(problem.params))
        )
        self.bad.add(row.number)

    def tick(self, done: int, *, force: bool = False) -> None:
        step = max(1, self.total // 200)
        if self.progress is not None and (force or done - self._last_tick >= step):
            self._last_tick = done
            self.progress(done, self.total)

    def region(self, code: str) -> tuple[str, str] | None:
        """(level, name) of a region, cached for the import."""
        if code not in self.regions:
            found = territory.find_region(self.session, code=code)
            self.regions[code] = (found.level, found.name) if found else None
        return self.regions[code]

    def may_write(self, code: str) -> bool:
        return self.actor.role == "system" or may_access(self.actor.scope, code)

    def check_region(self, row: _Row, key: str, code: str, *, grid: bool) -> bool:
        """The region exists (is a grid when ``grid``) and is within the actor's scope."""
        found = self.region(code)
        if found is None:
            self.problem(row, Problem(key, "No region with code %(code)s.", code=code))
            return False
        if grid and found[0] not in GRID_LEVELS:
            self.problem(
                row, Problem(key, "%(code)s is a %(level)s, not a grid.", code=code, level=found[0])
            )
            return False
        if not self.may_write(code):
            self.problem(row, Problem(key, "%(code)s is outside your area.", code=code))
            return False
        self.region_codes.add(code)
        return True

    def number(self, row: _Row, key: str) -> float | None:
        text = unicodedata.normalize("NFKC", row.get(key)).strip()
        if not text:
            return None
        try:
            value = float(text)
        except ValueError:
            value = float("nan")
        if value != value or value in (float("inf"), float("-inf")):
            self.problem(row, Problem(key, "%(value)s is not a number.", value=text))
            return None
        return value

    def date(self, row: _Row, key: str) -> date | None:
        text = row.get(key)
        if not text:
            return None
        try:
            return parse_date(text)
        except ValueError:
            self.problem(row, Problem(key, "%(value)s is not a date (YYYY-MM-DD).", value=text))
            return None

    def flag(self, row: _Row, key: str) -> bool:
        text = unicodedata.normalize("NFKC", row.get(key)).strip().casefold()
        if not text or text in FALSE_WORDS:
            return False
        if text in TRUE_WORDS:
            return True
        self.problem(row, Problem(key, "Write 是 or 否 (yes or no), not %(value)s.", value=text))
        return False

    def code(self, row: _Row, key: str) -> str:
        return unicodedata.normalize("NFKC", row.get(key)).strip()


def _header_of(kind: Kind, key: str) -> str:
    for column in TEMPLATES[kind]:
        if column.key == key:
            return column.header
    return key


def _check_may_import(actor: Actor) -> None:
    if actor.role != "system" and actor.role not in IMPORT_ROLES:
        raise Forbidden("You may not change the register outside your area.")


def do_import(
    session: Session,
    *,
    actor: Actor,
    kind: Kind,
    data: bytes,
    filename: str,
    now: datetime,
    dry_run: bool = False,
    progress: ProgressCallback | None = None,
) -> ImportReport:
    """Read, check and (when every row is right and not ``dry_run``) write a file.

    Returns the report either way: ``report.ok`` tells whether rows were written. Raises
    ``InvalidInput`` for a file that cannot be read at all and ``Forbidden`` for a role
    that may not change the register."""
    _check_may_import(actor)
    table = read_table(data, filename=filename)
    return import_table(
        session,
        actor=actor,
        kind=kind,
        table=table,
        filename=filename,
        now=now,
        dry_run=dry_run,
        progress=progress,
    )


def import_table(
    session: Session,
    *,
    actor: Actor,
    kind: Kind,
    table: Table,
    filename: str,
    now: datetime,
    dry_run: bool = False,
    progress: ProgressCallback | None = None,
) -> ImportReport:
    """``do_import`` on a table already read. ``progress(done, total)`` counts each row
    twice, checked then written; when nothing is written it jumps to the end."""
    _check_may_import(actor)
    kind = Kind(kind)
    name = PurePath(filename).name
    report = ImportReport(kind=kind, file=name, rows=len(table.rows), dry_run=dry_run)
    total = 2 * len(table.rows)
    mapping = _map_headers(kind, table, report)
    if mapping is None:
        _finish(progress, total)
        return report
    headers = {key: table.headers[index] for key, index in mapping.items()}
    ctx = _Context(
        session, actor, now, kind, headers, dict(mapping), report, progress, max(total, 1)
    )
    rows: list[_Row] = []
    known = set(mapping.values())
    for number, cells in table.rows:
        row = _Row(number, {key: cells[i] if i < len(cells) else "" for key, i in mapping.items()})
        for index, cell in enumerate(cells):
            if cell and index not in known:
                ctx.problem(
                    row, Problem("", "This cell is in a column without a header."), value=cell
                )
        rows.append(row)
    if not rows:
        report.problems.append(
            RowProblem(table.header_row + 1, "", "", "The file has no rows below the header.")
        )
    if report.problems:
        _finish(progress, total)
        return report
    writer = _CHECKERS[kind](ctx, rows)
    report.problems.sort(key=lambda p: (p.row, _position(ctx, p.column)))
    if report.problems or dry_run:
        _finish(progress, total)
        return report
    writer()
    report.written = len(rows)
    record(
        session,
        actor=actor,
        action=ACTION,
        object_type=kind.value,
        region_code=_common_scope(ctx.region_codes),
        now=now,
        summary={"rows": len(rows), "file": name},
    )
    ctx.tick(total, force=True)
    return report


def _finish(progress: ProgressCallback | None, total: int) -> None:
    if progress is not None:
        progress(total, total)


def _position(ctx: _Context, column: str) -> int:
    for key, header in ctx.headers.items():
        if header == column:
            return ctx.order[key]
    return 10_000


def _common_scope(codes: set[str]) -> str | None:
    """The longest region code prefix shared by every row, cut to a scope length, so the
    audit row shows to everyone whose area covers the whole import."""
    if not codes:
        return None
    first, last = min(codes), max(codes)
    length = 0
    while length < min(len(first), len(last)) and first[length] == last[length]:
        length += 1
    fitting = [n for n in SCOPE_LENGTHS if n <= length]
    return first[: max(fitting)] if fitting else None


def _map_headers(kind: Kind, table: Table, report: ImportReport) -> dict[str, int] | None:
    """key -> column index; None (with problems reported) when the headers are wrong."""
    columns = TEMPLATES[kind]
    lookup = {normalise_header(name): c for c in columns for name in c.accepted}
    mapping: dict[str, int] = {}
    row = table.header_row
    for index, header in enumerate(table.headers):
        if not header:
            continue
        column = lookup.get(normalise_header(header))
        if column is None:
            report.problems.append(
                RowProblem(
                    row,
                    header,
                    header,
                    "Unknown column %(header)s. The accepted columns are: %(accepted)s.",
                    {"header": header, "accepted": accepted_headers(kind)},
                )
            )
        elif column.key in mapping:
            report.problems.append(
                RowProblem(
                    row,
                    header,
                    header,
                    "Column %(header)s repeats column %(other)s.",
                    {"header": header, "other": table.headers[mapping[column.key]]},
                )
            )
        else:
            mapping[column.key] = index
    for column in columns:
        if column.required and column.key not in mapping:
            report.problems.append(
                RowProblem(
                    row,
                    column.header,
                    "",
                    "The required column %(header)s (%(key)s) is missing.",
                    {"header": column.header, "key": column.key},
                )
            )
    return None if report.problems else mapping


def _chunks(values: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(values), BATCH):
        yield values[start : start + BATCH]


def _existing(session: Session, column: Any, values: Iterable[str]) -> set[str]:
    unique = sorted(set(values))
    found: set[str] = set()
    for chunk in _chunks(unique):
        found.update(session.scalars(select(column).where(column.in_(chunk))))
    return found


def _duplicates(
    ctx: _Context,
    items: Sequence[tuple[_Row, str]],
    key: str,
    message: str,
) -> dict[str, int]:
    """value -> first row; later rows with the same value get ``message`` (``%(row)s``)."""
    first: dict[str, int] = {}
    for row, value in items:
        if not value:
            continue
        if value in first:
            ctx.problem(row, Problem(key, message, row=first[value]))
        else:
            first[value] = row.number
    return first


def _insert(ctx: _Context, model: type[Any], values: list[dict[str, Any]]) -> None:
    done = len(values)  # the first half of the progress counted the checks
    for start in range(0, len(values), BATCH):
        batch = values[start : start + BATCH]
        ctx.session.execute(insert(model), batch)
        done += len(batch)
        ctx.tick(done)


def _locate(ctx: _Context, pending: list[tuple[_Row, Any]]) -> None:
    """Set ``grid_code`` of each (row, input with lon/lat) from the territory locator;
    report points outside every grid with the nearest grid and its distance."""
    if not pending:
        return
    locator = territory.get_locator(ctx.session)
    batch = locator.locate_many([v.lon for _, v in pending], [v.lat for _, v in pending])
    for i, (row, value) in enumerate(pending):
        shown = f"{row.get('lon')}, {row.get('lat')}"
        index = int(batch.index[i])
        if index >= 0:
            value.grid_code = locator.grids[index].code
            if ctx.check_region(row, "lon", value.grid_code, grid=True):
                ctx.report.located += 1
            continue
        nearest = int(batch.nearest[i])
        if nearest < 0:
            ctx.problem(
                row,
                Problem("lon", "The point is outside every grid, and no grid has a boundary yet."),
                value=shown,
            )
            continue
        grid = locator.grids[nearest]
        ctx.problem(
            row,
            Problem(
                "lon",
                "The point is outside every grid; the nearest is %(code)s %(name)s, "
                "%(distance)s m away.",
                code=grid.code,
                name=grid.name,
                distance=f"{float(batch.distance_m[i]):,.0f}",
            ),
            value=shown,
        )


Writer = Callable[[], None]


# ---------------------------------------------------------------- buildings


def _check_buildings(ctx: _Context, rows: list[_Row]) -> Writer:
    items: list[tuple[_Row, BuildingInput]] = []
    for done, row in enumerate(rows, start=1):
        value = BuildingInput(
            code=ctx.code(row, "code"),
            name=row.get("name"),
            address=row.get("address"),
            lon=ctx.number(row, "lon"),
            lat=ctx.number(row, "lat"),
            grid_code=ctx.code(row, "grid_code"),
        )
        for problem in building_problems(value):
            ctx.problem(row, problem)
        items.append((row, value))
        ctx.tick(done)
    _duplicates(
        ctx, [(r, v.code) for r, v in items], "code", "The same code is also on row %(row)s."
    )
    _already(ctx, items, Building.code, "code", "Building %(code)s is already registered.")
    pending = []
    for row, value in items:
        if row.number in ctx.bad:
            continue
        if value.grid_code:
            ctx.check_region(row, "grid_code", value.grid_code, grid=True)
        else:
            pending.append((row, value))
    _locate(ctx, pending)

    def write() -> None:
        _insert(
            ctx,
            Building,
            [
                {
                    "code": v.code,
                    "name": v.name,
                    "address": v.address,
                    "lon": v.lon,
                    "lat": v.lat,
                    "grid_code": v.grid_code,
                }
                for _, v in items
            ],
        )

    return write


def _already(
    ctx: _Context, items: Sequence[tuple[_Row, Any]], column: Any, key: str, message: str
) -> None:
    """Report rows whose ``key`` value is already in the database."""
    values = [getattr(v, key) for _, v in items if getattr(v, key)]
    existing = _existing(ctx.session, column, values)
    for row, value in items:
        if getattr(value, key) in existing:
            ctx.problem(row, Problem(key, message, code=getattr(value, key)))


# ---------------------------------------------------------------- households


def _check_households(ctx: _Context, rows: list[_Row]) -> Writer:
    items: list[tuple[_Row, HouseholdInput]] = []
    for done, row in enumerate(rows, start=1):
        value = HouseholdInput(
            number=ctx.code(row, "number"),
            address=row.get("address"),
            lon=ctx.number(row, "lon"),
            lat=ctx.number(row, "lat"),
            grid_code=ctx.code(row, "grid_code"),
            building_code=ctx.code(row, "building_code"),
        )
        for problem in household_problems(value):
            ctx.problem(row, problem)
        items.append((row, value))
        ctx.tick(done)
    _duplicates(
        ctx, [(r, v.number) for r, v in items], "number", "The same number is also on row %(row)s."
    )
    _already(ctx, items, Household.number, "number", "Household %(code)s is already registered.")
    buildings: dict[str, tuple[int, str, float, float]] = {}
    codes = sorted({v.building_code for _, v in items if v.building_code})
    for chunk in _chunks(codes):
        for code, building_id, grid_code, lon, lat in ctx.session.execute(
            select(
                Building.code, Building.id, Building.grid_code, Building.lon, Building.lat
            ).where(Building.code.in_(chunk))
        ):
            buildings[code] = (building_id, grid_code, lon, lat)
    building_ids: dict[int, int | None] = {}
    pending = []
    for row, value in items:
        if value.building_code and value.building_code not in buildings:
            ctx.problem(
                row,
                Problem(
                    "building_code", "No building with code %(code)s.", code=value.building_code
                ),
            )
        if row.number in ctx.bad:
            continue
        building = buildings.get(value.building_code)
        building_ids[row.number] = building[0] if building else None
        if value.grid_code:
            ctx.check_region(row, "grid_code", value.grid_code, grid=True)
        elif value.lon is not None:
            pending.append((row, value))
        elif building is not None:
            value.grid_code, value.lon, value.lat = building[1], building[2], building[3]
            ctx.check_region(row, "building_code", value.grid_code, grid=True)
    _locate(ctx, pending)

    def write() -> None:
        _insert(
            ctx,
            Household,
            [
                {
                    "number": v.number,
                    "address": v.address,
                    "building_id": building_ids.get(r.number),
                    "lon": v.lon,
                    "lat": v.lat,
                    "grid_code": v.grid_code,
                }
                for r, v in items
            ],
        )

    return write


# ---------------------------------------------------------------- residents


def _resident_input(ctx: _Context, row: _Row) -> tuple[service.ResidentInput, bool]:
    """The resident of a row, and whether its number lost digits in a spreadsheet."""
    tags = tuple(
        dict.fromkeys(
            _word(TAG_WORDS, part)
            for part in _TAG_SEPARATORS.split(row.get("tags"))
            if part.strip()
        )
    )
    nationality = row.get("nationality")
    number = row.get("id_number")
    return service.ResidentInput(
        name=row.get("name"),
        doc_type=_word(DOC_TYPE_WORDS, row.get("doc_type")) if row.get("doc_type") else "",
        id_number=number,
        phone=row.get("phone"),
        birth_date=ctx.date(row, "birth_date"),
        sex=_word(SEX_WORDS, row.get("sex")) if row.get("sex") else "",
        nationality=NATIONALITY_WORDS.get(nationality, nationality),
        language=row.get("language"),
        household_number=ctx.code(row, "household_number"),
        relation=_word(RELATION_WORDS, row.get("relation")) if row.get("relation") else "",
        tags=tags,
        grid_code=ctx.code(row, "grid_code"),
    ), bool(_EXPONENT.fullmatch(number))


def _check_residents(ctx: _Context, rows: list[_Row]) -> Writer:
    today = local_today(ctx.now)
    items: list[tuple[_Row, service.ResidentInput]] = []
    for done, row in enumerate(rows, start=1):
        value, lost_digits = _resident_input(ctx, row)
        given_birth, given_sex = value.birth_date, value.sex
        problems = service.resident_problems(value, today=today)
        if lost_digits:
            problems = [p for p in problems if p.field != "id_number"]
            problems.append(
                Problem(
                    "id_number",
                    "The spreadsheet stored this number as a number and lost its last digits: "
                    "format the column as text and type the numbers again.",
                )
            )
        if len(value.language) > 16:
            problems.append(Problem("language", "At most %(n)s characters.", n=16))
        if not problems:
            problems += _consistency_problems(value, given_birth, given_sex)
        for problem in problems:
            ctx.problem(row, problem)
        items.append((row, value))
        ctx.tick(done)
    _duplicates(
        ctx,
        [(r, v.id_number) for r, v in items],
        "id_number",
        "The same document number is also on row %(row)s.",
    )
    cipher = service.cipher_of(ctx.session)
    indexes = {
        r.number: cipher.blind_index(v.id_number, field=service.ID_FIELD)
        for r, v in items
        if v.id_number
    }
    existing = _existing(ctx.session, Resident.id_number_index, indexes.values())
    for row, _value in items:
        if indexes.get(row.number) in existing:
            ctx.problem(row, Problem("id_number", "This document number is already registered."))
    households = _households(ctx, {v.household_number for _, v in items if v.household_number})
    household_ids: dict[int, int | None] = {}
    for row, value in items:
        household = households.get(value.household_number)
        if value.household_number and household is None:
            ctx.problem(
                row,
                Problem(
                    "household_number",
                    "No household numbered %(value)s.",
                    value=value.household_number,
                ),
            )
            continue
        household_ids[row.number] = household[0] if household else None
        if value.grid_code:
            if ctx.check_region(row, "grid_code", value.grid_code, grid=True) and (
                household and household[1] != value.grid_code
            ):
                ctx.problem(
                    row,
                    Problem(
                        "grid_code",
                        "Household %(number)s is in grid %(grid)s, not %(code)s.",
                        number=value.household_number,
                        grid=household[1],
                        code=value.grid_code,
                    ),
                )
        elif household is not None:
            value.grid_code = household[1]
            ctx.check_region(row, "household_number", value.grid_code, grid=True)
        else:
            ctx.problem(row, Problem("grid_code", "A grid or a household is required."))
    _check_householders(ctx, items, households)

    def write() -> None:
        now = ctx.now
        values: list[dict[str, Any]] = []
        for row, value in items:
            resident = service.new_resident(
                cipher, value, household_id=household_ids.get(row.number), now=now
            )
            values.append({name: getattr(resident, name) for name in _RESIDENT_COLUMNS})
        _insert(ctx, Resident, values)

    return write


_RESIDENT_COLUMNS = tuple(column.key for column in Resident.__table__.columns if column.key != "id")


def _consistency_problems(
    value: service.ResidentInput, given_birth: date | None, given_sex: str
) -> list[Problem]:
    """A birth date or sex typed beside an identity number must agree with it."""
    problems: list[Problem] = []
    doc_type = DocumentType(value.doc_type)
    derived_birth = documents.birth_date_of(doc_type, value.id_number)
    if given_birth and derived_birth and given_birth != derived_birth:
        problems.append(
            Problem("birth_date", "The birth date differs from the one in the ID number.")
        )
    derived_sex = documents.sex_of(doc_type, value.id_number)
    if given_sex and derived_sex and given_sex != derived_sex:
        problems.append(Problem("sex", "The sex differs from the one the ID number shows."))
    return problems


def _households(ctx: _Context, numbers: set[str]) -> dict[str, tuple[int, str]]:
    found: dict[str, tuple[int, str]] = {}
    for chunk in _chunks(sorted(numbers)):
        for number, household_id, grid_code in ctx.session.execute(
            select(Household.number, Household.id, Household.grid_code).where(
                Household.number.in_(chunk)
            )
        ):
            found[number] = (household_id, grid_code)
    return found


def _check_householders(
    ctx: _Context,
    items: list[tuple[_Row, service.ResidentInput]],
    households: dict[str, tuple[int, str]],
) -> None:
    """One householder per household, in the file and with the register."""
    heads = [
        (r, v.household_number)
        for r, v in items
        if v.relation == Relation.HOUSEHOLDER.value and v.household_number in households
    ]
    _duplicates(ctx, heads, "relation", "This household already has a householder on row %(row)s.")
    ids = sorted({households[number][0] for _, number in heads})
    with_head: set[int] = set()
    for start in range(0, len(ids), BATCH):
        with_head.update(
            i
            for i in ctx.session.scalars(
                select(Resident.household_id).where(
                    Resident.household_id.in_(ids[start : start + BATCH]),
                    Resident.relation == Relation.HOUSEHOLDER.value,
                )
            )
            if i is not None
        )
    for row, number in heads:
        if households[number][0] in with_head:
            ctx.problem(
                row,
                Problem(
                    "relation",
                    "Household %(number)s already has a householder in the register.",
                    number=number,
                ),
            )


# ---------------------------------------------------------------- organisations


def _check_organisations(ctx: _Context, rows: list[_Row]) -> Writer:
    items: list[tuple[_Row, OrganisationInput]] = []
    for done, row in enumerate(rows, start=1):
        kind = row.get("kind")
        value = OrganisationInput(
            code=ctx.code(row, "code"),
            name=row.get("name"),
            kind=_word(ORG_KIND_WORDS, kind) if kind else "",
            region_code=ctx.code(row, "region_code"),
            parent_code=ctx.code(row, "parent_code"),
            macau_funded=ctx.flag(row, "macau_funded"),
            credit_code=ctx.code(row, "credit_code").upper(),
        )
        for problem in organisation_problems(value):
            ctx.problem(row, problem)
        items.append((row, value))
        ctx.tick(done)
    in_file = _duplicates(
        ctx, [(r, v.code) for r, v in items], "code", "The same code is also on row %(row)s."
    )
    _already(ctx, items, Organisation.code, "code", "Organisation %(code)s is already registered.")
    parents: dict[str, int] = {}
    codes = sorted({v.parent_code for _, v in items if v.parent_code})
    for chunk in _chunks(codes):
        for code, org_id in ctx.session.execute(
            select(Organisation.code, Organisation.id).where(Organisation.code.in_(chunk))
        ):
            parents[code] = org_id
    for row, value in items:
        if value.region_code:
            ctx.check_region(row, "region_code", value.region_code, grid=False)
        parent = value.parent_code
        if not parent or parent in parents or parent == value.code:
            continue
        if parent not in in_file:
            ctx.problem(
                row,
                Problem(
                    "parent_code",
                    "No organisation with code %(code)s in the register or on an earlier row.",
                    code=parent,
                ),
            )
        elif in_file[parent] > row.number:
            ctx.problem(
                row,
                Problem(
                    "parent_code",
                    "The parent %(code)s must be on an earlier row (it is on row %(row)s).",
                    code=parent,
                    row=in_file[parent],
                ),
            )

    def write() -> None:
        created: dict[str, Organisation] = {}
        for start in range(0, len(items), BATCH):
            batch = []
            for _, v in items[start : start + BATCH]:
                organisation = Organisation(
                    code=v.code,
                    name=v.name,
                    kind=v.kind,
                    parent_id=parents.get(v.parent_code),
                    region_code=v.region_code,
                    macau_funded=v.macau_funded,
                    credit_code=v.credit_code or None,
                    note="",
                )
                created[v.code] = organisation
                batch.append(organisation)
            ctx.session.add_all(batch)
            ctx.session.flush()
            ctx.tick(len(items) + start + len(batch))
        for _, v in items:
            if v.parent_code and v.parent_code not in parents:
                created[v.code].parent_id = created[v.parent_code].id
        ctx.session.flush()

    return write


# ---------------------------------------------------------------- roles


def _check_roles(ctx: _Context, rows: list[_Row]) -> Writer:
    today = local_today(ctx.now)
    items: list[tuple[_Row, RoleInput, int]] = []
    for done, row in enumerate(rows, start=1):
        doc_type, role = row.get("doc_type"), row.get("role")
        value = RoleInput(
            doc_type=_word(DOC_TYPE_WORDS, doc_type) if doc_type else "",
            id_number=row.get("id_number"),
            role=_word(ROLE_WORDS, role) if role else "",
            region_code=ctx.code(row, "region_code"),
            name=row.get("name"),
            organisation_code=ctx.code(row, "organisation_code"),
            since=ctx.date(row, "since"),
            full_time=ctx.flag(row, "full_time"),
        )
        problems = role_problems(value, today=today)
        for problem in problems:
            ctx.problem(row, problem)
        ctx.tick(done)
        if any(p.field in ("doc_type", "id_number") for p in problems):
            continue
        resident = service.find_resident_by_id_number(
            ctx.session, doc_type=value.doc_type, number=value.id_number
        )
        if resident is None:
            ctx.problem(
                row, Problem("id_number", "No resident with this document number is registered.")
            )
            continue
        if value.name and value.name != resident.name:
            ctx.problem(
                row, Problem("name", "The register has another name for this document number.")
            )
        items.append((row, value, resident.id))
    organisations: dict[str, int] = {}
    codes = sorted({v.organisation_code for _, v, _ in items if v.organisation_code})
    for chunk in _chunks(codes):
        for code, org_id in ctx.session.execute(
            select(Organisation.code, Organisation.id).where(Organisation.code.in_(chunk))
        ):
            organisations[code] = org_id
    for row, value, _ in items:
        if value.region_code:
            ctx.check_region(row, "region_code", value.region_code, grid=False)
        if value.organisation_code and value.organisation_code not in organisations:
            ctx.problem(
                row,
                Problem(
                    "organisation_code",
                    "No organisation with code %(code)s.",
                    code=value.organisation_code,
                ),
            )
    _duplicates(
        ctx,
        [(r, f"{rid}|{v.role}|{v.region_code}") for r, v, rid in items],
        "role",
        "The same person, role and region are also on row %(row)s.",
    )
    held: set[tuple[int, str, str]] = set()
    ids = sorted({rid for _, _, rid in items})
    for start in range(0, len(ids), BATCH):
        for resident_id, role, region_code in ctx.session.execute(
            select(PersonRoleRow.resident_id, PersonRoleRow.role, PersonRoleRow.region_code).where(
                PersonRoleRow.resident_id.in_(ids[start : start + BATCH])
            )
        ):
            held.add((resident_id, role, region_code))
    for row, value, resident_id in items:
        if (resident_id, value.role, value.region_code) in held:
            ctx.problem(
                row,
                Problem(
                    "role",
                    "This person already holds this role in %(code)s.",
                    code=value.region_code,
                ),
            )

    def write() -> None:
        _insert(
            ctx,
            PersonRoleRow,
            [
                {
                    "resident_id": resident_id,
                    "role": v.role,
                    "region_code": v.region_code,
                    "organisation_id": organisations.get(v.organisation_code),
                    "since": v.since,
                    "full_time": v.full_time,
                }
                for _, v, resident_id in items
            ],
        )

    return write


_CHECKERS: dict[Kind, Callable[[_Context, list[_Row]], Writer]] = {
    Kind.BUILDINGS: _check_buildings,
    Kind.HOUSEHOLDS: _check_households,
    Kind.RESIDENTS: _check_residents,
    Kind.ORGANISATIONS: _check_organisations,
    Kind.ROLES: _check_roles,
}


# ---------------------------------------------------------------- workbooks

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
REQUIRED_FILL = PatternFill("solid", fgColor="FCE4D6")
TEMPLATE_ROWS = 5000


def display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: CJK characters count double."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def format_sheet(
    sheet: Any,
    headers: Sequence[str],
    *,
    widths: Sequence[int] | None = None,
    title: str = "",
) -> None:
    """Bold frozen header row, column widths, autofilter, and A4 landscape printing
    with the header repeated on every page."""
    for index, header in enumerate(headers, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        width = widths[index - 1] if widths else display_width(header) + 2
        sheet.column_dimensions[get_column_letter(index)].width = max(8, min(width, 50))
    sheet.freeze_panes = "A2"
    if headers:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(sheet.max_row, 1)}"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.gridLines = True
    if title:
        sheet.oddHeader.center.text = title
    sheet.oddFooter.center.text = "&P / &N"


def workbook_bytes(workbook: Any) -> bytes:
    """The workbook as XLSX bytes, every text cell that a spreadsheet would take for a
    formula (``=`` ``+`` ``-`` ``@``, tab, CR) made inert first: whatever a resident typed
    into the register comes back as text, never as a live formula. Every workbook gridgov
    writes goes through here."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and guard.looks_like_formula(cell.value):
                    # A text cell with Excel's quote prefix: shown as typed, never run.
                    cell.data_type = "s"
                    cell.quotePrefix = True
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_xlsx(kind: Kind) -> bytes:
    """An empty template: Chinese headers on the first sheet (required ones shaded, long
    numbers formatted as text, drop-downs for enumerated columns) and a second sheet
    describing each column with its English key and an example."""
    kind = Kind(kind)
    columns = TEMPLATES[kind]
    workbook = Workbook()
    sheet = first_sheet(workbook)
    sheet.title = SHEET_NAMES[kind]
    sheet.append([c.header for c in columns])
    format_sheet(
        sheet,
        [c.header for c in columns],
        widths=[max(display_width(c.header), display_width(c.example)) + 4 for c in columns],
    )
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        if column.required:
            sheet.cell(row=1, column=index).fill = REQUIRED_FILL
        if column.text:
            # A column style: Excel and WPS keep what is typed there as text, so
            # 18-digit numbers keep their last digits.
            sheet.column_dimensions[letter].number_format = "@"
        if column.choices:
            validation = DataValidation(
                type="list", formula1='"' + ",".join(column.choices) + '"', allow_blank=True
            )
            validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS}")
            sheet.add_data_validation(validation)
    notes = workbook.create_sheet("说明")
    headers = [
        "列 column",
        "键 key",
        "English",
        "必填 required",
        "说明 description",
        "示例 example",
    ]
    notes.append(headers)
    for column in columns:
        notes.append(
            [
                column.header,
                column.key,
                column.english,
                "是" if column.required else "否",
                column.description,
                column.example,
            ]
        )
    format_sheet(notes, headers, widths=[16, 20, 20, 14, 70, 24])
    for row in notes.iter_rows(min_row=2):
        row[4].alignment = Alignment(wrap_text=True, vertical="top")
    return workbook_bytes(workbook)


def template_csv(kind: Kind) -> bytes:
    """An empty CSV template: the Chinese header row, UTF-8 with a BOM so Excel opens it
    in Chinese."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow([c.header for c in TEMPLATES[Kind(kind)]])
    return buffer.getvalue().encode("utf-8-sig")


def report_xlsx(
    report: ImportReport, *, translate: Callable[[str, dict[str, Any]], str] | None = None
) -> bytes:
    """The row-by-row error report: 行 (row), 列 (column), 值 (value), 原因 (reason).
    ``translate(message, params)`` renders reasons in the reader's language; English
    otherwise."""
    workbook = Workbook()
    sheet = first_sheet(workbook)
    sheet.title = "错误"
    headers = ["行", "列", "值", "原因"]
    sheet.append(headers)
    for problem in report.problems:
        reason = translate(problem.message, problem.params) if translate else problem.reason
        sheet.append([problem.row, problem.column, problem.value, reason])
    for row in sheet.iter_rows(min_row=2, min_col=3, max_col=3):
        row[0].number_format = "@"
    format_sheet(sheet, headers, widths=[8, 18, 26, 90], title=f"{report.file}: {report.kind}")
    return workbook_bytes(workbook)
