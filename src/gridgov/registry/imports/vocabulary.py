"""The import's words: the kinds of file, their sheet names, and the Chinese words an
office types for enumerated values (男/女, 户主, 党支部, 网格员...)."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from gridgov.accounts.rules import Role
from gridgov.fields import mask_id, mask_phone
from gridgov.registry.documents import DocumentType
from gridgov.registry.rules import OrgKind, PersonRole, Relation, Sex, Tag
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


def label_of(words: dict[str, str], value: str) -> str:
    """The first Chinese word for an English value (for ledgers); the value if none."""
    for word, english in words.items():
        if english == value and not word.isascii():
            return word
    return value
