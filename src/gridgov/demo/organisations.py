"""The demo district's organisations: the party's committees, branches and groups from
the district committee down to every grid, departments, street and community offices,
social organisations and enterprises (some Macau-funded)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from gridgov.demo.bulk import insert_returning
from gridgov.demo.geography import DISTRICT_CODE, Area, Territory
from gridgov.registry.models import Organisation

DEPARTMENTS = (
    "区城市管理和综合执法局",
    "区住房和城乡建设局",
    "区公安分局",
    "区卫生健康局",
    "区民政局",
    "区应急管理局",
    "区市场监督管理局",
    "区生态环境分局",
    "区交通运输局",
    "区水务局",
    "区教育局",
    "区人力资源和社会保障局",
    "区退役军人事务局",
    "区政务服务数据管理局",
)
SOCIAL_ORGS = (
    "濠江区志愿者联合会",
    "濠江区社会工作服务中心",
    "濠江区慈善会",
    "达濠古城文化促进会",
    "濠江区老年人协会",
    "濠江区青年商会",
    "濠江区残疾人联合会服务站",
    "澳门街坊会联合总会濠江服务站",
    "濠江区外籍人士服务中心",
    "濠江区家庭教育指导中心",
    "濠江区红十字会",
    "濠江区渔民协会",
)
ENTERPRISE_WORDS = (
    "港口物流",
    "海洋食品",
    "新能源",
    "精密制造",
    "文旅发展",
    "电子科技",
    "纺织服装",
    "供应链",
)


@dataclass
class Orgs:
    all_ids: list[int]
    grid_branch: dict[str, int]  # grid code → its party branch
    branch_groups: dict[str, list[int]]  # grid code → its party groups


def _org(
    code: str,
    name: str,
    kind: str,
    region: str,
    parent: int | None = None,
    macau: bool = False,
    note: str = "",
) -> dict[str, Any]:
    return {
        "code": code,
        "name": name,
        "kind": kind,
        "parent_id": parent,
        "region_code": region,
        "macau_funded": macau,
        "credit_code": None,
        "note": note,
    }


def _org_level(
    session: Session, areas: list[Area], name: str, kind: str, parents: dict[str, int]
) -> dict[str, int]:
    """One party organisation per area, under its parent area's; area code → id."""
    rows = [
        _org(f"P{a.code}", name.format(name=a.name), kind, a.code, parents[a.parent_code or ""])
        for a in areas
    ]
    ids = insert_returning(session, Organisation, rows)
    return dict(zip((a.code for a in areas), ids, strict=True))


def organisations(session: Session, land: Territory, rng: random.Random) -> Orgs:
    ids: list[int] = []
    (committee,) = insert_returning(
        session,
        Organisation,
        [_org("P440512", "中共汕头市濠江区委员会", "party_committee", DISTRICT_CODE)],
    )
    ids.append(committee)
    street_ids = _org_level(
        session, land.streets, "中共{name}工作委员会", "party_committee", {DISTRICT_CODE: committee}
    )
    community_ids = _org_level(
        session, land.communities, "中共{name}委员会", "party_committee", street_ids
    )
    grid_branch = _org_level(session, land.grids, "{name}党支部", "party_branch", community_ids)
    ids += [*street_ids.values(), *community_ids.values(), *grid_branch.values()]
    group_rows = [
        _org(
            f"P{g.code}G{n}",
            f"{g.name}党支部第{'一二'[n - 1]}党小组",
            "party_group",
            g.code,
            grid_branch[g.code],
        )
        for g in land.grids
        for n in (1, 2)
    ]
    group_ids = insert_returning(session, Organisation, group_rows)
    ids.extend(group_ids)
    branch_groups = {g.code: group_ids[2 * i : 2 * i + 2] for i, g in enumerate(land.grids)}
    others = [
        _org(f"D{n:03d}", f"汕头市濠江{name}", "department", DISTRICT_CODE)
        for n, name in enumerate(DEPARTMENTS, start=1)
    ]
    others += [_org(f"S{s.code}", f"{s.name}办事处", "street_office", s.code) for s in land.streets]
    others += [
        _org(f"C{c.code}", f"{c.name}居民委员会", "community_office", c.code)
        for c in land.communities
    ]
    others += [
        _org(f"O{n:03d}", name, "social_org", rng.choice(land.streets).code, macau="澳门" in name)
        for n, name in enumerate(SOCIAL_ORGS, start=1)
    ]
    for n in range(1, 41):
        macau = n <= 15
        street = rng.choice(land.streets)
        word = rng.choice(ENTERPRISE_WORDS)
        prefix = "澳资" if macau else ""
        others.append(
            _org(
                f"E{n:03d}",
                f"汕头{prefix}{street.name[:2]}{word}有限公司",
                "enterprise",
                street.code,
                macau=macau,
                note="七个优先" if macau else "",
            )
        )
    ids.extend(insert_returning(session, Organisation, others))
    return Orgs(ids, grid_branch, branch_groups)
