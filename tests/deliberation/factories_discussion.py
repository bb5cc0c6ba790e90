"""People of an international community for the discussion-loop tests.

``make_community(db)`` builds ``tests.factories.make_territory`` and these accounts
(password ``tests.factories.PASSWORD``):

- ``kim`` and ``silva``: residents of 青篮社区 (440512001001), homes in its two grids;
- ``chen``: a resident of 东湖社区 (440512002001);
- ``secretary``: branch_secretary of 青篮社区; ``east_secretary``: of 东湖社区;
- ``gridder``: grid_worker of the street 440512001 (a moderator of 青篮社区);
- ``auditor``: auditor of the district (supervises, does not moderate).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from gridgov.accounts import service as accounts
from gridgov.accounts.models import User
from gridgov.audit.service import Actor
from gridgov.db import Database
from gridgov.deliberation import service
from gridgov.deliberation.models import Matter
from tests.conftest import FIXED_NOW
from tests.factories import make_territory, make_user

COMMUNITY = "440512001001"
OTHER_COMMUNITY = "440512002001"

PEOPLE: dict[str, tuple[str, str]] = {
    "kim": ("resident", "44051200100101"),
    "silva": ("resident", "44051200100102"),
    "chen": ("resident", "44051200200101"),
    "secretary": ("branch_secretary", COMMUNITY),
    "east_secretary": ("branch_secretary", OTHER_COMMUNITY),
    "gridder": ("grid_worker", "440512001"),
    "auditor": ("auditor", "440512"),
}


def make_community(db: Database) -> dict[str, int]:
    """The territory and the accounts above; returns user ids by username."""
    make_territory(db)
    return {name: make_user(db, name, role, scope).id for name, (role, scope) in PEOPLE.items()}


def user(session: Session, ids: dict[str, int], name: str) -> tuple[User, Actor]:
    found = session.get(User, ids[name])
    assert found is not None
    return found, accounts.actor_for(found)


def make_matter(
    session: Session, *, region_code: str = COMMUNITY, now: datetime = FIXED_NOW
) -> Matter:
    """A matter under the shipped community-council procedure, at its first stage."""
    service.ensure_shipped_templates(session, now=now)
    template, procedure = service.get_template(session, "community_council")
    matter = Matter(
        region_code=region_code,
        title="楼道加装扶手",
        description="在3栋楼道加装扶手，方便老人上下楼。",
        template_id=template.id,
        one_person=False,
        stage_id=procedure.first.id,
        state="open",
        created_by="secretary",
        created_at=now,
        updated_at=now,
    )
    session.add(matter)
    session.flush()
    return matter
