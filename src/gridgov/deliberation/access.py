"""Who may run, read and supervise deliberation in a region, and the small helpers every
part of the service shares (limits, cleaning a text, the local date).

Matters and meetings are run by the village's branch secretary, the community office's
staff, leaders and administrators, each within their scope.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from gridgov import clock
from gridgov.accounts.rules import may_access
from gridgov.audit.service import Actor
from gridgov.deliberation.rules import (
    Check,
    MeetingState,
)
from gridgov.errors import Forbidden, InvalidInput, NotFound, Problem
from gridgov.msgids import N_

# -- who may ------------------------------------------------------------------------
#
# Matters and meetings are run by the village's branch secretary, the community office's
# staff (unit_staff scoped to the village: the clerk who convenes and keeps the sign-in
# sheet), leaders and administrators, each within their scope. Every staff role may read
# matters in its scope. The supervision committee (村务监督委员会) reads through auditor
# accounts scoped to its village; leaders, administrators and branch secretaries see the
# same supervision view.

RUN_ROLES = frozenset({"branch_secretary", "unit_staff", "leader", "admin"})
READ_ROLES = frozenset(
    {"grid_worker", "dispatcher", "unit_staff", "branch_secretary", "leader", "auditor", "admin"}
)
SUPERVISION_ROLES = frozenset({"auditor", "leader", "admin", "branch_secretary"})
OPEN_MEETING_STATES = frozenset({MeetingState.CONVENED.value, MeetingState.IN_SESSION.value})
TITLE_LIMIT = 200
TEXT_LIMIT = 20_000
TIMEZONE = "Asia/Shanghai"


def may_read(actor: Actor, region_code: str) -> bool:
    return actor.acts_in(READ_ROLES, region_code)


def may_run(actor: Actor, region_code: str) -> bool:
    return actor.acts_in(RUN_ROLES, region_code)


def may_supervise(actor: Actor, region_code: str) -> bool:
    return actor.acts_in(SUPERVISION_ROLES, region_code)


def check_may_run(actor: Actor, region_code: str) -> None:
    if not may_run(actor, region_code):
        if actor.role in READ_ROLES and may_access(actor.scope, region_code):
            raise Forbidden("Your role may not run this village's matters and meetings.")
        raise NotFound("Not found, or outside your area.")


def _explain(check: Check) -> dict[str, Any]:
    return {"message": check.message, "params": check.params}


def local_date(moment: datetime, tz: str | None = None) -> date:
    """The calendar day of ``moment`` in the district's time zone (the office clock's,
    ``gridgov.clock``, unless one is given)."""
    return clock.local_date(moment, tz)


# What a page says when a required text is left empty, by the field's name (a message
# for the person, translated; not the field's code).
_REQUIRED = {
    "title": N_("A title is required."),
    "reason": N_("A reason is required."),
    "text": N_("A text is required."),
    "note": N_("A note is required."),
}


def _clean(text: str, field: str, limit: int, *, required: bool = True) -> str:
    value = (text or "").strip()
    if required and not value:
        message = _REQUIRED[field]
        raise InvalidInput(message, details=[Problem(field, message)])
    if len(value) > limit:
        too_long = N_("At most %(n)s characters.")
        problem = Problem(field, too_long, n=limit)
        raise InvalidInput(too_long, params=problem.params, details=[problem])
    return value
