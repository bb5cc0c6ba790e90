"""Rosters: who belongs to a meeting's body (villagers of age, household heads,
representatives), computed from the registry at the meeting's date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov.deliberation.models import (
    BodyMember,
)
from gridgov.deliberation.rules import (
    AnyOf,
    Basis,
    Roster,
    Stage,
)
from gridgov.registry.models import Household, PersonRoleRow, Resident

# -- rosters ------------------------------------------------------------------------


@dataclass(frozen=True)
class RosterEntry:
    resident_id: int | None
    name: str
    household_id: int | None


_BODIES_OF_ROSTER: dict[Roster, tuple[str, ...]] = {
    Roster.BRANCH_COMMITTEE_MEMBERS: ("branch_committee",),
    Roster.TWO_COMMITTEES_MEMBERS: ("branch_committee", "residents_committee"),
    Roster.COUNCIL_MEMBERS: ("deliberation_council",),
}
_ROLE_OF_ROSTER: dict[Roster, str] = {
    Roster.PARTY_MEMBERS: "party_member",
    Roster.REPRESENTATIVES: "deliberation_rep",
}


def adult_cutoff(day: date, age: int = 18) -> date:
    """Born on or before this date: ``age`` or older on ``day`` (29 February counts from
    28 February in a common year)."""
    try:
        return day.replace(year=day.year - age)
    except ValueError:
        return day.replace(year=day.year - age, day=28)


def roster_of(session: Session, roster: Roster, region_code: str, day: date) -> list[RosterEntry]:
    """Whom ``roster`` names in ``region_code`` on ``day``, each person once, by name."""
    like = Resident.grid_code.startswith(region_code, autoescape=True)
    if roster in _ROLE_OF_ROSTER:
        query = (
            select(Resident.id, Resident.name, Resident.household_id)
            .join(PersonRoleRow, PersonRoleRow.resident_id == Resident.id)
            .where(
                PersonRoleRow.role == _ROLE_OF_ROSTER[roster],
                PersonRoleRow.region_code.startswith(region_code, autoescape=True),
            )
            .distinct()
        )
    elif roster in _BODIES_OF_ROSTER:
        query = (
            select(Resident.id, Resident.name, Resident.household_id)
            .join(BodyMember, BodyMember.resident_id == Resident.id)
            .where(
                BodyMember.body.in_(_BODIES_OF_ROSTER[roster]),
                BodyMember.region_code.startswith(region_code, autoescape=True),
            )
            .distinct()
        )
    elif roster is Roster.VILLAGERS_18_PLUS:
        query = select(Resident.id, Resident.name, Resident.household_id).where(
            like, Resident.birth_date.is_not(None), Resident.birth_date <= adult_cutoff(day)
        )
    else:  # households: one row per household, its householder when known
        households = session.execute(
            select(Household.id, Household.number)
            .where(Household.grid_code.startswith(region_code, autoescape=True))
            .order_by(Household.number)
        ).all()
        heads: dict[int, tuple[int, str]] = {}
        # Only the householders of this region's households, not every one in the database.
        for resident_id, name, household_id in session.execute(
            select(Resident.id, Resident.name, Resident.household_id)
            .join(Household, Household.id == Resident.household_id)
            .where(
                Resident.relation == "householder",
                Household.grid_code.startswith(region_code, autoescape=True),
            )
            .order_by(Resident.id)
        ):
            if household_id is not None:
                heads.setdefault(household_id, (resident_id, name))
        return [
            RosterEntry(heads[hid][0], heads[hid][1], hid)
            if hid in heads
            else RosterEntry(None, number, hid)
            for hid, number in households
        ]
    rows = session.execute(query).all()
    return sorted(
        (RosterEntry(rid, name, hid) for rid, name, hid in rows),
        key=lambda e: (e.name, e.resident_id or 0),
    )


def households_of(session: Session, region_code: str) -> int:
    return (
        session.scalar(
            select(func.count(Household.id)).where(
                Household.grid_code.startswith(region_code, autoescape=True)
            )
        )
        or 0
    )


def _needs_households(stage: Stage) -> bool:
    def uses(rule: Any) -> bool:
        thresholds = rule.alternatives if isinstance(rule, AnyOf) else (rule,)
        return any(t.of is Basis.HOUSEHOLDS for t in thresholds if t is not None)

    return stage.roster is Roster.HOUSEHOLDS or (stage.quorum is not None and uses(stage.quorum))
