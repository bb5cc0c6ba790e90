"""Cases: the service other domains and the routes call, as one name (``from gridgov.cases
import service as cases; cases.do_intake(...)``). ``check_*`` validates and authorises,
``do_*`` changes state in the caller's transaction with an event row (the timeline) and
an audit row.

The work itself lives in modules of one concern each:

- ``intake``: a report from any channel, checked, located, stored, routed at once when
  it can be; ``screening``: the classifier, spam and floods, likely duplicates;
- ``routing``: the catalogue as routing reads it, units and deadlines; ``assigning``:
  assignments, clocks, escalation;
- ``steps``: lock, event, move, require; ``workflow``: the state actions after intake;
- ``access``: who may see and act; ``queries``: reading cases;
- ``notifications``: the messages the workflow queues through the outbox, the inbox;
- ``holidays``: the working calendar the database keeps; ``categories``: the catalogue
  as rows and the grid matters lists.
"""

from __future__ import annotations

from gridgov.cases.access import (
    DISPATCH_ROLES as DISPATCH_ROLES,
)
from gridgov.cases.access import (
    DISTRICT_CODE_LENGTH as DISTRICT_CODE_LENGTH,
)
from gridgov.cases.access import (
    SUPERVISOR_ROLES as SUPERVISOR_ROLES,
)
from gridgov.cases.access import (
    check_dispatch as check_dispatch,
)
from gridgov.cases.access import (
    check_handler as check_handler,
)
from gridgov.cases.access import (
    may_see as may_see,
)
from gridgov.cases.assigning import (
    do_assign as do_assign,
)
from gridgov.cases.assigning import (
    escalate_one as escalate_one,
)
from gridgov.cases.categories import (
    CATEGORY_FIELDS as CATEGORY_FIELDS,
)
from gridgov.cases.categories import (
    catalogue_problems as catalogue_problems,
)
from gridgov.cases.categories import (
    category_document as category_document,
)
from gridgov.cases.categories import (
    category_rows as category_rows,
)
from gridgov.cases.categories import (
    default_category_document as default_category_document,
)
from gridgov.cases.categories import (
    do_load_categories as do_load_categories,
)
from gridgov.cases.categories import (
    do_set_grid_matters as do_set_grid_matters,
)
from gridgov.cases.categories import (
    list_categories as list_categories,
)
from gridgov.cases.holidays import (
    YearStatus as YearStatus,
)
from gridgov.cases.holidays import (
    calendar_for as calendar_for,
)
from gridgov.cases.holidays import (
    do_mark_holiday_year as do_mark_holiday_year,
)
from gridgov.cases.holidays import (
    do_set_holiday as do_set_holiday,
)
from gridgov.cases.holidays import (
    holiday_years as holiday_years,
)
from gridgov.cases.holidays import (
    unknown_years as unknown_years,
)
from gridgov.cases.intake import (
    MAX_PHOTO_BYTES as MAX_PHOTO_BYTES,
)
from gridgov.cases.intake import (
    MAX_PHOTOS as MAX_PHOTOS,
)
from gridgov.cases.intake import (
    PHOTO_TYPES as PHOTO_TYPES,
)
from gridgov.cases.intake import (
    TRACKING_ALPHABET as TRACKING_ALPHABET,
)
from gridgov.cases.intake import (
    Intake as Intake,
)
from gridgov.cases.intake import (
    IntakeInput as IntakeInput,
)
from gridgov.cases.intake import (
    do_intake as do_intake,
)
from gridgov.cases.intake import (
    find_by_idempotency_key as find_by_idempotency_key,
)
from gridgov.cases.intake import (
    intake_problems as intake_problems,
)
from gridgov.cases.intake import (
    kept_photo as kept_photo,
)
from gridgov.cases.intake import (
    photo_problems as photo_problems,
)
from gridgov.cases.notifications import (
    inbox as inbox,
)
from gridgov.cases.notifications import (
    recipients_of as recipients_of,
)
from gridgov.cases.queries import (
    get_by_tracking_code as get_by_tracking_code,
)
from gridgov.cases.queries import (
    get_case as get_case,
)
from gridgov.cases.queries import (
    is_overdue as is_overdue,
)
from gridgov.cases.queries import (
    list_cases as list_cases,
)
from gridgov.cases.queries import (
    overdue_clause as overdue_clause,
)
from gridgov.cases.queries import (
    timeline as timeline,
)
from gridgov.cases.routing import (
    DEFAULT_RESOLUTION as DEFAULT_RESOLUTION,
)
from gridgov.cases.routing import (
    DEFAULT_RESPONSE as DEFAULT_RESPONSE,
)
from gridgov.cases.routing import (
    DEFAULT_ROUTE as DEFAULT_ROUTE,
)
from gridgov.cases.routing import (
    CategoryInfo as CategoryInfo,
)
from gridgov.cases.routing import (
    catalogue_of as catalogue_of,
)
from gridgov.cases.routing import (
    category_of as category_of,
)
from gridgov.cases.routing import (
    forget_catalogue as forget_catalogue,
)
from gridgov.cases.routing import (
    grid_matters as grid_matters,
)
from gridgov.cases.routing import (
    route_case as route_case,
)
from gridgov.cases.screening import (
    DUPLICATE_METRES as DUPLICATE_METRES,
)
from gridgov.cases.screening import (
    DUPLICATE_WINDOW as DUPLICATE_WINDOW,
)
from gridgov.cases.screening import (
    FLOOD_LIMIT as FLOOD_LIMIT,
)
from gridgov.cases.screening import (
    FLOOD_WINDOW as FLOOD_WINDOW,
)
from gridgov.cases.screening import (
    NearCase as NearCase,
)
from gridgov.cases.screening import (
    format_suggestions as format_suggestions,
)
from gridgov.cases.screening import (
    likely_duplicate_ids as likely_duplicate_ids,
)
from gridgov.cases.screening import (
    likely_duplicates as likely_duplicates,
)
from gridgov.cases.screening import (
    likely_duplicates_of as likely_duplicates_of,
)
from gridgov.cases.screening import (
    parse_suggestions as parse_suggestions,
)
from gridgov.cases.screening import (
    spam_reasons as spam_reasons,
)
from gridgov.cases.screening import (
    spam_signals as spam_signals,
)
from gridgov.cases.screening import (
    spam_suspected as spam_suspected,
)
from gridgov.cases.screening import (
    suggest_category as suggest_category,
)
from gridgov.cases.screening import (
    understand as understand,
)
from gridgov.cases.steps import (
    REQUIRED as REQUIRED,
)
from gridgov.cases.steps import (
    lock_case as lock_case,
)
from gridgov.cases.workflow import (
    PLAIN_STEPS as PLAIN_STEPS,
)
from gridgov.cases.workflow import (
    do_accept as do_accept,
)
from gridgov.cases.workflow import (
    do_acknowledge as do_acknowledge,
)
from gridgov.cases.workflow import (
    do_approve_suspension as do_approve_suspension,
)
from gridgov.cases.workflow import (
    do_contest as do_contest,
)
from gridgov.cases.workflow import (
    do_escalate as do_escalate,
)
from gridgov.cases.workflow import (
    do_merge as do_merge,
)
from gridgov.cases.workflow import (
    do_rate as do_rate,
)
from gridgov.cases.workflow import (
    do_reject as do_reject,
)
from gridgov.cases.workflow import (
    do_request_suspension as do_request_suspension,
)
from gridgov.cases.workflow import (
    do_resolve as do_resolve,
)
from gridgov.cases.workflow import (
    do_resume as do_resume,
)
from gridgov.cases.workflow import (
    do_return as do_return,
)
from gridgov.cases.workflow import (
    do_start as do_start,
)
from gridgov.cases.workflow import (
    do_verify as do_verify,
)
from gridgov.cases.workflow import (
    take_step as take_step,
)
