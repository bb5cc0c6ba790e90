"""Pure registry rules: the kinds of things the register holds, and phone checks."""

from __future__ import annotations

import re
from enum import StrEnum

from gridgov.errors import Problem


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"


class Relation(StrEnum):
    """Relation to the householder (与户主关系)."""

    HOUSEHOLDER = "householder"  # 户主
    SPOUSE = "spouse"  # 配偶
    CHILD = "child"  # 子女
    PARENT = "parent"  # 父母
    GRANDCHILD = "grandchild"  # 孙子女
    GRANDPARENT = "grandparent"  # 祖父母
    SIBLING = "sibling"  # 兄弟姐妹
    OTHER_RELATIVE = "other_relative"  # 其他亲属
    TENANT = "tenant"  # 租客
    OTHER = "other"


class Tag(StrEnum):
    """Care and service tags on a resident."""

    ELDERLY_ALONE = "elderly_alone"  # 独居老人
    DISABILITY = "disability"  # 残疾人
    FOREIGN_RESIDENT = "foreign_resident"  # 境外人员
    LOW_INCOME = "low_income"  # 低保
    VETERAN = "veteran"  # 退役军人
    LEFT_BEHIND_CHILD = "left_behind_child"  # 留守儿童
    FLOATING = "floating"  # 流动人口
    PREGNANT = "pregnant"  # 孕产妇 (sensitive: crisis check-ins only)
    CHRONIC_ILLNESS = "chronic_illness"  # 慢性病 (sensitive: crisis check-ins only)


class OrgKind(StrEnum):
    PARTY_COMMITTEE = "party_committee"  # 党委 / 党工委
    GENERAL_BRANCH = "general_branch"  # 党总支
    PARTY_BRANCH = "party_branch"  # 党支部
    PARTY_GROUP = "party_group"  # 党小组
    DEPARTMENT = "department"  # 职能部门
    STREET_OFFICE = "street_office"  # 街道办事处
    COMMUNITY_OFFICE = "community_office"  # 社区居委会 / 村委会
    SOCIAL_ORG = "social_org"  # 社会组织
    ENTERPRISE = "enterprise"  # 企业


PARTY_KINDS = frozenset(
    {OrgKind.PARTY_COMMITTEE, OrgKind.GENERAL_BRANCH, OrgKind.PARTY_BRANCH, OrgKind.PARTY_GROUP}
)


class PersonRole(StrEnum):
    GRID_WORKER = "grid_worker"  # 网格员
    PARTY_MEMBER = "party_member"  # 党员
    CENTRAL_HOUSEHOLD = "central_household"  # 党员中心户
    VOLUNTEER = "volunteer"  # 志愿者
    DELIBERATION_REP = "deliberation_rep"  # 议事代表


_MAINLAND_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_OTHER_PHONE = re.compile(r"\+?[0-9]{5,15}")


def normalise_phone(phone: str) -> str:
    cleaned = re.sub(r"[\s()-]", "", phone)
    if cleaned.startswith("+86") and len(cleaned) == 14:
        cleaned = cleaned[3:]
    return cleaned


def phone_problem(phone: str) -> Problem | None:
    """Mainland mobiles (11 digits, 1[3-9]…), or other numbers of 5–15 digits with an
    optional + (landlines, Macau +853, Hong Kong +852, foreign numbers)."""
    if _MAINLAND_MOBILE.fullmatch(phone) or _OTHER_PHONE.fullmatch(phone):
        return None
    return Problem("phone", "A phone number has 5 to 15 digits, optionally after a +.")
