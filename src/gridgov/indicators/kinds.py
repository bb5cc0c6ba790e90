"""The vocabulary of indicator trees: unit kinds, periods, methods, bands, the base
metrics the service counts and the built-in derived rates."""

from __future__ import annotations

from enum import StrEnum

from gridgov.cases.public import CASE_COUNTS
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
        *CASE_COUNTS,
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
        # outreach: pairings (结对共建), volunteers, programme tasks (党建+项目)
        "pairings",
        "joint_activities",
        "problems_solved",
        "volunteer_hours",
        "active_volunteers",
        "tasks_due",
        "tasks_done_on_time",
        "tasks_overdue",
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
    "joint_activities_per_pairing": "joint_activities / pairings",
    "problems_solved_per_pairing": "problems_solved / pairings",
    "volunteer_hours_per_100_residents": "volunteer_hours / residents * 100",
    "volunteer_hours_per_active_volunteer": "volunteer_hours / active_volunteers",
    "active_volunteer_rate": "active_volunteers / volunteers",
    "task_completion_rate": "tasks_done_on_time / tasks_due",
    "task_overdue_rate": "tasks_overdue / tasks_due",
}

# What a manual leaf shows where a computed one names its metric.
MANUAL_LABEL = N_("Scored by a reviewer")

# What a metric counts, in the reader's language, shown for it on a scorecard
# (the tree's own names are in Chinese and English only).
METRIC_LABELS: dict[str, str] = {
    "cases": N_("Cases raised"),
    "assigned": N_("Cases assigned"),
    "responded_on_time": N_("Responses in time"),
    "responses": N_("Responses due"),
    "closed": N_("Cases closed"),
    "closed_on_time": N_("Cases closed in time"),
    "resolved_ok": N_("Cases resolved"),
    "rated": N_("Cases rated"),
    "satisfied": N_("Satisfied ratings"),
    "resolved": N_("Cases marked resolved"),
    "rework_cases": N_("Cases sent back for rework"),
    "overdue_cases": N_("Overdue cases"),
    "households": N_("Households"),
    "residents": N_("Residents"),
    "party_members": N_("Party members"),
    "central_households": N_("Central households"),
    "volunteers": N_("Registered volunteers"),
    "grid_workers": N_("Grid workers"),
    "meetings_held": N_("Meetings held"),
    "meetings_quorate": N_("Meetings with a quorum"),
    "party_members_summoned": N_("Party members summoned"),
    "party_members_attended": N_("Party members present"),
    "disclosures_posted": N_("Notices posted"),
    "households_covered": N_("Households within the service circle"),
    "response_rate": N_("Response rate"),
    "resolution_rate": N_("Resolution rate"),
    "satisfaction_rate": N_("Satisfaction rate"),
    "on_time_closure_rate": N_("On-time closure rate"),
    "closure_rate": N_("Closure rate"),
    "rework_rate": N_("Rework rate"),
    "cases_per_1000_households": N_("Cases per 1,000 households"),
    "party_members_per_100_households": N_("Party members per 100 households"),
    "volunteers_per_100_households": N_("Volunteers per 100 households"),
    "central_households_per_100_households": N_("Central households per 100 households"),
    "grid_workers_per_1000_households": N_("Grid workers per 1,000 households"),
    "quorum_rate": N_("Share of meetings with a quorum"),
    "party_attendance_rate": N_("Party members' attendance rate"),
    "service_coverage_rate": N_("Share of households within the service circle"),
    "households_grouped": N_("Households in a contact group"),
    "households_visited": N_("Households visited in the period"),
    "visits_made": N_("Visits made in the period"),
    "visit_coverage": N_("Share of grouped households visited"),
    "pairings": N_("Pairings signed by the period's end"),
    "joint_activities": N_("Joint activities of pairings in the period"),
    "problems_solved": N_("Problems solved by pairings' joint activities"),
    "joint_activities_per_pairing": N_("Joint activities per pairing"),
    "problems_solved_per_pairing": N_("Problems solved per pairing"),
    "volunteer_hours": N_("Volunteer service hours in the period"),
    "active_volunteers": N_("Volunteers credited with service hours"),
    "volunteer_hours_per_100_residents": N_("Volunteer service hours per 100 residents"),
    "volunteer_hours_per_active_volunteer": N_("Service hours per active volunteer"),
    "active_volunteer_rate": N_("Share of registered volunteers who served"),
    "tasks_due": N_("Programme tasks due in the period"),
    "tasks_done_on_time": N_("Programme tasks done on time"),
    "tasks_overdue": N_("Programme tasks overdue"),
    "task_completion_rate": N_("Programme tasks done on time, of those due"),
    "task_overdue_rate": N_("Programme tasks overdue, of those due"),
}
