"""Public notices (公示/公开): the two disclosures of a procedure, routine village-affairs,
party-affairs and finance disclosures, election results.

A notice is drafted (its title and body scanned for ID numbers and phones, and stored
masked), posted on its channels (the portal; the physical notice board, with a photo as
evidence; the region's chat groups, through the outbox), open to objections and
questions during its objection window (answers are public), and closed once its posting
period is over, never a second sooner. Closing a matter's disclosure moves the matter on.

``sweep`` closes what is due and reminds each village or community of routine disclosures
due or overdue on the statutory rhythm (村民委员会组织法 第三十条). Reminders go to *every*
community-level region (every village and community is bound by the statute, whether
or not it has used gridgov for notices yet), one per region, kind and due date however
often the sweep runs (the outbox's unique dedupe key), in the office's language.

``check_*`` validates and authorises; ``do_*`` changes state in the caller's transaction
with an audit row. ``now`` is always passed in.

The notice board itself is the package ``noticeboard`` (one module per concern); closing
and sweeping, which move matters on, are ``flows``'s. This module keeps the names in one
place for callers.
"""

from __future__ import annotations

from gridgov.deliberation.flows import do_close, sweep
from gridgov.deliberation.noticeboard.closing import (
    _iso,
    check_close,
    close_notice,
    withdraw_for_matter,
)
from gridgov.deliberation.noticeboard.common import (
    _LANGUAGE,
    BOARD_ROLES,
    CHANNELS,
    DEFAULT_LANGUAGE,
    DEFAULT_TZ,
    FLOOD_LIMIT,
    FLOOD_WINDOW,
    HELD,
    MAX_POSTING_DAYS,
    NOTICE_ROLES,
    OBJECTION_KINDS,
    PUBLIC_STATES,
    REMIND_DAYS,
    ROUTINE_KINDS,
    _authorise,
    _local,
    _notice,
    _objection,
    channels_of,
    is_public,
    may_manage,
    objections_open,
)
from gridgov.deliberation.noticeboard.drafting import (
    DraftCheck,
    check_draft,
    do_draft,
)
from gridgov.deliberation.noticeboard.objections import (
    _flooding,
    do_answer,
    do_hide_objection,
    do_object,
    do_release_objection,
    is_held,
    objections_of,
    public_name,
)
from gridgov.deliberation.noticeboard.posting import (
    _chat_groups,
    board_photos,
    do_attach_board_photo,
    do_post,
)
from gridgov.deliberation.noticeboard.reading import (
    get_notice,
    get_public,
    notices_for,
    notices_in_scope,
)
from gridgov.deliberation.noticeboard.routine import (
    REMINDERS,
    RoutineDue,
    _iso_date,
    _last_published,
    _reminder_key,
    due_disclosures,
    queue_reminders,
    reminder_text,
    reminders_for,
)

__all__ = [
    "BOARD_ROLES",
    "CHANNELS",
    "DEFAULT_LANGUAGE",
    "DEFAULT_TZ",
    "FLOOD_LIMIT",
    "FLOOD_WINDOW",
    "HELD",
    "MAX_POSTING_DAYS",
    "NOTICE_ROLES",
    "OBJECTION_KINDS",
    "PUBLIC_STATES",
    "REMINDERS",
    "REMIND_DAYS",
    "ROUTINE_KINDS",
    "_LANGUAGE",
    "DraftCheck",
    "RoutineDue",
    "_authorise",
    "_chat_groups",
    "_flooding",
    "_iso",
    "_iso_date",
    "_last_published",
    "_local",
    "_notice",
    "_objection",
    "_reminder_key",
    "board_photos",
    "channels_of",
    "check_close",
    "check_draft",
    "close_notice",
    "do_answer",
    "do_attach_board_photo",
    "do_close",
    "do_draft",
    "do_hide_objection",
    "do_object",
    "do_post",
    "do_release_objection",
    "due_disclosures",
    "get_notice",
    "get_public",
    "is_held",
    "is_public",
    "may_manage",
    "notices_for",
    "notices_in_scope",
    "objections_of",
    "objections_open",
    "public_name",
    "queue_reminders",
    "reminder_text",
    "reminders_for",
    "sweep",
    "withdraw_for_matter",
]
