"""The discussion loop (讨论 → 献策 → 治理 → 监督): residents and staff open discussions
and submit proposals in their own language; the community answers each proposal
(accepted: a governance action tracked as an implementation record; merged into another
proposal of the same community; not adopted), always with a public reason; supervision
comments attach to any stage of a matter, a notice or an implementation record.

Moderation: any signed-in reader reports; moderators (staff in scope) hide with a public
reason or dismiss the reports; suspected spam is held until a moderator releases it.

``check_*`` validates and authorises, ``do_*`` changes state in the caller's transaction
and appends an audit row; ``now`` is always passed in.

One module per concern (see each module's docstring); this package keeps their names
in one place.
"""

from __future__ import annotations

from gridgov.deliberation.discussion.comments import (
    _check_stage,
    comments_of,
    do_comment,
    target_region,
)
from gridgov.deliberation.discussion.common import (
    _TAG,
    ANSWER_MAX,
    ANSWER_ROLES,
    BODY_MAX,
    COMMENT_MAX,
    COMMENT_TARGETS,
    FLOOD_LIMIT,
    FLOOD_WINDOW,
    MODERATED,
    MODERATOR_ROLES,
    REASON_MAX,
    REPORT_MAX,
    SUPERVISION_TARGETS,
    SUPERVISOR_ROLES,
    TITLE_MAX,
    WRITER_ROLES,
    Answer,
    Content,
    Target,
    _author_name,
    _community,
    _held,
    _is,
    _language,
    _require_writer,
    community_of,
    language_problem,
    may_answer,
    may_moderate,
    may_supervise,
    may_write_in,
    normalise_language,
    recent_posts,
    spam_signals,
    text_problems,
    visible,
)
from gridgov.deliberation.discussion.lists import (
    DiscussionSummary,
    list_discussions,
    list_proposals,
    merge_candidates,
    merge_candidates_of,
    proposals_awaiting,
)
from gridgov.deliberation.discussion.moderation import (
    QueueItem,
    _content,
    _require_moderator,
    _resolve_reports,
    do_dismiss_report,
    do_hide,
    do_release,
    do_report,
    moderation_queue,
)
from gridgov.deliberation.discussion.proposals import (
    Answered,
    check_answer,
    do_answer_proposal,
    do_submit_proposal,
    get_proposal,
    implementation_of,
    merged_here,
)
from gridgov.deliberation.discussion.threads import (
    Post,
    check_post,
    do_open_discussion,
    get_discussion,
)

__all__ = [
    "ANSWER_MAX",
    "ANSWER_ROLES",
    "BODY_MAX",
    "COMMENT_MAX",
    "COMMENT_TARGETS",
    "FLOOD_LIMIT",
    "FLOOD_WINDOW",
    "MODERATED",
    "MODERATOR_ROLES",
    "REASON_MAX",
    "REPORT_MAX",
    "SUPERVISION_TARGETS",
    "SUPERVISOR_ROLES",
    "TITLE_MAX",
    "WRITER_ROLES",
    "_TAG",
    "Answer",
    "Answered",
    "Content",
    "DiscussionSummary",
    "Post",
    "QueueItem",
    "Target",
    "_author_name",
    "_check_stage",
    "_community",
    "_content",
    "_held",
    "_is",
    "_language",
    "_require_moderator",
    "_require_writer",
    "_resolve_reports",
    "check_answer",
    "check_post",
    "comments_of",
    "community_of",
    "do_answer_proposal",
    "do_comment",
    "do_dismiss_report",
    "do_hide",
    "do_open_discussion",
    "do_release",
    "do_report",
    "do_submit_proposal",
    "get_discussion",
    "get_proposal",
    "implementation_of",
    "language_problem",
    "list_discussions",
    "list_proposals",
    "may_answer",
    "may_moderate",
    "may_supervise",
    "may_write_in",
    "merge_candidates",
    "merge_candidates_of",
    "merged_here",
    "moderation_queue",
    "normalise_language",
    "proposals_awaiting",
    "recent_posts",
    "spam_signals",
    "target_region",
    "text_problems",
    "visible",
]
