"""One branch, one brand (一支部一品牌): a party organisation's brand name, slogan and
description, kept by the branch's own officers (a branch secretary or administrator
whose scope covers it), with its featured activities (the joint activities of its
pairings) and figures (members, pledges fulfilled this year, enterprise requests it
took on and resolved this year). Once published, anyone reads it at ``/brand/{code}``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import ClassVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov.accounts.rules import within_view
from gridgov.audit.service import Actor, record_about
from gridgov.db import count_rows
from gridgov.errors import InvalidInput, NotFound
from gridgov.outreach.enterprise_models import Brand, EnterpriseRequest
from gridgov.outreach.enterprise_rules import (
    MAX_BRAND_NAME,
    MAX_DESCRIPTION,
    MAX_SLOGAN,
    RequestState,
    text_problems,
)
from gridgov.outreach.models import JointActivity, Pairing, Pledge
from gridgov.outreach.pipeline import check_officer
from gridgov.outreach.rules import PledgeState
from gridgov.registry import public as register
from gridgov.registry import service as registry
from gridgov.registry.rules import PARTY_KINDS, OrgKind

FEATURED = 5  # joint activities shown


@dataclass(frozen=True)
class Branch:
    audit_type: ClassVar[str] = "organisation"  # its audited actions are "brand.*"
    id: int
    code: str
    name: str
    region_code: str


def get_branch(session: Session, *, branch_id: int) -> Branch:
    """A party organisation of the register (404 for anything else)."""
    org = registry.get_organisation(session, organisation_id=branch_id)
    if org is None or OrgKind(org.kind) not in PARTY_KINDS:
        raise NotFound("Not found.")
    return Branch(org.id, org.code, org.name, org.region_code)


def may_see_branch(viewer: Actor, branch: Branch) -> bool:
    return viewer.covers(branch.region_code)


def get_brand(session: Session, *, branch_id: int) -> Brand | None:
    return session.scalar(select(Brand).where(Brand.branch_id == branch_id))


def do_save_brand(
    session: Session,
    *,
    actor: Actor,
    branch: Branch,
    name: str,
    slogan: str,
    description: str,
    published: bool,
    now: datetime,
) -> Brand:
    """Make or change the branch's brand; only its own officers."""
    check_officer(actor, branch.region_code)
    name, problems = text_problems(name, "name", MAX_BRAND_NAME)
    slogan, more = text_problems(slogan, "slogan", MAX_SLOGAN, required=False)
    description, rest = text_problems(description, "description", MAX_DESCRIPTION, required=False)
    problems += more + rest
    if problems:
        raise InvalidInput("The brand was not saved.", details=problems)
    brand = get_brand(session, branch_id=branch.id)
    action = "brand.updated"
    if brand is None:
        action = "brand.created"
        brand = Brand(branch_id=branch.id, region_code=branch.region_code, created_at=now)
        session.add(brand)
        changed = ["name", "slogan", "description", "published"]
    else:
        before = (brand.name, brand.slogan, brand.description, brand.published)
        after = (name, slogan, description, published)
        fields = ("name", "slogan", "description", "published")
        changed = [f for f, old, new in zip(fields, before, after, strict=True) if old != new]
    brand.name = name
    brand.slogan = slogan
    brand.description = description
    brand.published = published
    brand.updated_by = actor.username
    brand.updated_at = now
    session.flush()
    summary = {"brand": brand.id, "changed": changed, "published": published}
    record_about(session, actor, action, branch, now=now, summary=summary)
    return brand


@dataclass(frozen=True)
class Figures:
    members: int
    pledges_fulfilled: int  # this year, by the branch's members
    requests_resolved: int  # this year, enterprise requests the branch took on
    activities: int  # joint activities of its pairings this year


def figures(session: Session, *, branch_id: int, today: date) -> Figures:
    start = date(today.year, 1, 1)
    members = register.branch_member_ids(session, branch_id=branch_id)
    fulfilled = 0
    if members:
        fulfilled = count_rows(
            session,
            Pledge,
            Pledge.member_id.in_(members),
            Pledge.year == today.year,
            Pledge.state == PledgeState.FULFILLED.value,
        )
    resolved = count_rows(
        session,
        EnterpriseRequest,
        EnterpriseRequest.branch_id == branch_id,
        EnterpriseRequest.state == RequestState.RESOLVED.value,
        EnterpriseRequest.closed_on >= start,
    )
    activities = (
        session.scalar(
            select(func.count())
            .select_from(JointActivity)
            .join(Pairing, Pairing.id == JointActivity.pairing_id)
            .where(Pairing.branch_id == branch_id, JointActivity.held_on >= start)
        )
        or 0
    )
    return Figures(len(members), int(fulfilled), int(resolved), int(activities))


def featured_activities(
    session: Session, *, branch_id: int, limit: int = FEATURED
) -> list[JointActivity]:
    """The branch's latest joint activities with the places it is paired with."""
    return list(
        session.scalars(
            select(JointActivity)
            .join(Pairing, Pairing.id == JointActivity.pairing_id)
            .where(Pairing.branch_id == branch_id)
            .order_by(JointActivity.held_on.desc(), JointActivity.id.desc())
            .limit(limit)
        )
    )


def list_brands(session: Session, *, viewer: Actor) -> list[tuple[Brand, str]]:
    """Brands in the viewer's area with their organisation's name."""
    query = select(Brand).order_by(Brand.region_code, Brand.id)
    query = within_view(query, viewer, Brand.region_code)
    brands = list(session.scalars(query.limit(500)))
    names = register.organisation_names(session, [b.branch_id for b in brands])
    return [(b, names.get(b.branch_id, "")) for b in brands]


def public_brand(session: Session, *, code: str) -> tuple[Branch, Brand]:
    """A published brand by its organisation's code; 404 otherwise."""
    branch_id = register.organisation_id_by_code(session, code)
    if branch_id is None:
        raise NotFound("Not found.")
    branch = get_branch(session, branch_id=branch_id)
    brand = get_brand(session, branch_id=branch_id)
    if brand is None or not brand.published:
        raise NotFound("Not found.")
    return branch, brand
