"""One documented column template per kind (``TEMPLATES``): an English key, the
Chinese header templates carry, accepted aliases, and an English header."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace

from gridgov.registry.imports.vocabulary import (
    DOC_TYPE_WORDS,
    ORG_KIND_WORDS,
    RELATION_WORDS,
    ROLE_WORDS,
    Kind,
)


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
_DOC_TYPE = Column(
    "doc_type",
    "证件类型",
    "Document type",
    "居民身份证 when empty; or 港澳居民来往内地通行证, 台湾居民来往大陆通行证, "
    "港澳台居民居住证, 护照, 其他证件.",
    "居民身份证",
    choices=_words(DOC_TYPE_WORDS),
)
_ID_NUMBER = Column(
    "id_number",
    "证件号码",
    "ID number",
    "The document number; an 18-character identity number is checked digit by "
    "digit. Format the column as text in Excel.",
    "440512199003150019",
    required=True,
    aliases=("身份证号码", "身份证号", "公民身份号码"),
    text=True,
)
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
        _DOC_TYPE,
        _ID_NUMBER,
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
        replace(_DOC_TYPE, description="The resident's document type; 居民身份证 when empty."),
        replace(_ID_NUMBER, description="The document number of a resident already registered."),
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
