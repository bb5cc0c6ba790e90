"""The vocabulary of indicator trees: unit kinds, periods, methods, bands, the base
metrics the service counts and the built-in derived rates."""

from __future__ import annotations

from enum import StrEnum

from gridgov.msgids import N_

PLACES = 4


class UnitKind(StrEnum):
    GRID = "grid"
    COMMUNITY = "community"
    STREET = "street"
    DEPARTMENT = "department"
    PARTY_ORGANISATION = "party_organisation"


class PeriodKind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


class Method(StrEnum):
    TARGET = "target"
    MINMAX = "minmax"
    THRESHOLDS = "thresholds"
    DEDUCT = "deduct"
    MANUAL = "manual"


class Missing(StrEnum):
    MEAN = "mean"
    FULL = "full"
    ZERO = "zero"


class AssessmentState(StrEnum):
    PENDING = "pending"  # scored, waiting for a second reviewer
    CONFIRMED = "confirmed"  # counts in the scores
    REJECTED = "rejected"  # sent back; the first reviewer scores again


class Band(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"


# Catalogue ids of the leagues (unit kinds) and bands, which pages show through ``_(value)``.
LEAGUE_AND_BAND_LABELS = (
    N_("grid"),
    N_("community"),
    N_("street"),
    N_("department"),
    N_("party_grid"),
    N_("party_community"),
    N_("party_street"),
    N_("party_district"),
    N_("green"),
    N_("amber"),
    N_("red"),
)


# Summable counts the service computes per unit; the built-in rates are ratios of them
# with the definitions of cases.figures (docs/cases.md).
BASE_METRICS = frozenset(
    {
        "cases",
        "assigned",
        "responded_on_time",
        "closed",
        "closed_on_time",
        "resolved_ok",
        "rated",
        "satisfied",
        "resolved",
        "rework_cases",
        "overdue_cases",
        "responses",
        "households",
        "residents",
        "party_members",
        "central_households",
        "volunteers",
        "grid_workers",
        "meetings_held",
        "meetings_quorate",
        "party_members_summoned",
        "party_members_attended",
        "disclosures_posted",
        # outreach: contact groups and visits (党员联系户)
        "households_grouped",
        "households_visited",
        "visits_made",
        "households_covered",  # within the service circle's walk (services/, ADR 0015)
    }
)
BUILT_IN_DERIVED: dict[str, str] = {
    "response_rate": "responded_on_time / responses",
    "resolution_rate": "resolved_ok / assigned",
    "satisfaction_rate": "satisfied / rated",
    "on_time_closure_rate": "closed_on_time / assigned",
    "closure_rate": "closed / assigned",
    "rework_rate": "rework_cases / resolved",
    "cases_per_1000_households": "cases / households * 1000",
    "party_members_per_100_households": "party_members / households * 100",
    "volunteers_per_100_households": "volunteers / households * 100",
    "central_households_per_100_households": "central_households / households * 100",
    "grid_workers_per_1000_households": "grid_workers / households * 1000",
    "quorum_rate": "meetings_quorate / meetings_held",
    "party_attendance_rate": "party_members_attended / party_members_summoned",
    "visit_coverage": "households_visited / households_grouped",
    "service_coverage_rate": "households_covered / households",
}
