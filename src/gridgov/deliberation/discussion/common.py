"""Who may take part in the discussion loop, and its pure rules (targets, answers, limits)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TypeVar

from sqlalchemy.orm import Session

from gridgov.accounts.models import User
from gridgov.accounts.rules import Role, may_access
from gridgov.cases import service as cases
from gridgov.db import count_rows
from gridgov.deliberation.models import (
    Comment,
    Discussion,
    Proposal,
)
from gridgov.deliberation.rules import ProposalState
from gridgov.errors import Forbidden, InvalidInput, NotFound, Problem, check_length
from gridgov.msgids import N_
from gridgov.territory import service as territory
from gridgov.territory.models import Region
from gridgov.territory.rules import Level

FLOOD_WINDOW = timedelta(minutes=10)
FLOOD_LIMIT = 5  # posts per account within the window; the next one is held
TITLE_MAX = 200
BODY_MAX = 5000
COMMENT_MAX = 2000
REASON_MAX = 200  # hidden_reason's column
REPORT_MAX = 500
ANSWER_MAX = 4000

# Who may write: residents in their own community, staff within their scope. Auditors
# read and supervise; they do not take part.
WRITER_ROLES = frozenset(Role) - {Role.AUDITOR}
# The community's answer to a proposal.
ANSWER_ROLES = frozenset({Role.BRANCH_SECRETARY, Role.LEADER, Role.ADMIN, Role.UNIT_STAFF})
# Moderators: staff in scope (not auditors, not residents).
MODERATOR_ROLES = WRITER_ROLES - {Role.RESIDENT}
# Supervision comments: residents of the community and supervising staff.
SUPERVISOR_ROLES = frozenset({Role.RESIDENT, Role.LEADER, Role.AUDITOR, Role.ADMIN})


class Target(StrEnum):
    """What a comment, a report or a moderator's action points at."""

    DISCUSSION = "discussion"
    PROPOSAL = "proposal"
    COMMENT = "comment"  # reports and moderation only
    MATTER = "matter"  # supervision, with a stage
    NOTICE = "notice"  # supervision
    IMPLEMENTATION = "implementation"  # supervision


# "There is no such …" for each target, a whole sentence each (a kind code put into one
# sentence showed as 该comment不存在).
NO_SUCH = {
    Target.DISCUSSION: N_("There is no such discussion."),
    Target.PROPOSAL: N_("There is no such proposal."),
    Target.COMMENT: N_("There is no such comment."),
    Target.MATTER: N_("There is no such matter."),
    Target.NOTICE: N_("There is no such notice."),
    Target.IMPLEMENTATION: N_("There is no such implementation."),
}


def no_such(kind: Target) -> NotFound:
    return NotFound(NO_SUCH[kind])


COMMENT_TARGETS = frozenset({Target.DISCUSSION, Target.PROPOSAL})
SUPERVISION_TARGETS = frozenset(
    {Target.DISCUSSION, Target.PROPOSAL, Target.MATTER, Target.NOTICE, Target.IMPLEMENTATION}
)
MODERATED = frozenset({Target.DISCUSSION, Target.PROPOSAL, Target.COMMENT})


class Answer(StrEnum):
    ACCEPTED = ProposalState.ACCEPTED.value
    MERGED = ProposalState.MERGED.value
    NOT_ADOPTED = ProposalState.NOT_ADOPTED.value


Content = Discussion | Proposal | Comment


# ---------------------------------------------------------------- pure rules


_TAG = re.compile(r"([A-Za-z]{2,3})(?:[-_]([A-Za-z]{4}))?(?:[-_]([A-Za-z]{2}|[0-9]{3}))?")


def normalise_language(code: str) -> str | None:
    """A BCP-47 language tag (language, optional script, optional region) in the app's
    spelling — ``ko``, ``pt_BR``, ``zh_Hant`` — or None when it is not one.

    ``zh-hant``, ``ZH_Hant`` and ``zh_Hant`` are the same tag; the app's own languages
    keep their catalogue spelling."""
    match = _TAG.fullmatch(code.strip())
    if match is None:
        return None
    language, script, region = match.groups()
    parts = [language.lower()]
    if script:
        parts.append(script.title())
    if region:
        parts.append(region.upper())
    return "_".join(parts)


def language_problem(code: str) -> Problem | None:
    if normalise_language(code) is None:
        return Problem(
            "language",
            "Choose a language, or write its code (ko, ja, pt, zh_Hant…).",
        )
    return None


def spam_signals(text: str, *, recent_posts: int) -> list[str]:
    """Why a post is held for review: the case intake's text signals (links, keyword
    stuffing, a wall of one sign) plus a flood of posts from one account."""
    signals = cases.spam_signals(text)
    if recent_posts >= FLOOD_LIMIT:
        signals.append("flood")
    return signals


def text_problems(
    *, title: str | None, body: str, body_max: int, body_field: str = "body"
) -> list[Problem]:
    problems: list[Problem] = []
    if title is not None:
        check_length(problems, "title", title.strip(), TITLE_MAX, N_("Give it a title."), least=2)
    check_length(problems, body_field, body.strip(), body_max, N_("Write something first."))
    return problems


# ---------------------------------------------------------------- who may do what


def community_of(session: Session, code: str) -> Region | None:
    """The community (or village) containing region ``code``, or None."""
    region = territory.find_region(session, code=code)
    while region is not None and region.level != Level.COMMUNITY.value:
        if region.parent_code is None or region.level in (Level.DISTRICT, Level.STREET):
            return None
        region = territory.find_region(session, code=region.parent_code)
    return region


def _is(user: User | None, roles: frozenset[Role]) -> bool:
    return user is not None and user.is_active and user.role_enum in roles


def may_write_in(user: User, region_code: str) -> bool:
    """A resident writes where they live; staff where their scope reaches."""
    if not _is(user, WRITER_ROLES):
        return False
    if user.role_enum is Role.RESIDENT:
        return bool(user.scope) and user.scope.startswith(region_code)
    return may_access(user.scope, region_code)


def may_moderate(user: User | None, region_code: str) -> bool:
    return user is not None and _is(user, MODERATOR_ROLES) and may_access(user.scope, region_code)


def may_answer(user: User | None, region_code: str) -> bool:
    return user is not None and _is(user, ANSWER_ROLES) and may_access(user.scope, region_code)


def may_supervise(user: User | None, region_code: str) -> bool:
    if user is None or not _is(user, SUPERVISOR_ROLES):
        return False
    if user.role_enum is Role.RESIDENT:
        return bool(user.scope) and user.scope.startswith(region_code)
    return may_access(user.scope, region_code)


def _community(session: Session, region_code: str) -> Region:
    region = territory.find_region(session, code=region_code)
    if region is None or region.level != Level.COMMUNITY.value:
        raise NotFound("There is no community %(code)s.", params={"code": region_code})
    return region


def _require_writer(user: User, region_code: str) -> None:
    if not may_write_in(user, region_code):
        if user.role_enum is Role.RESIDENT:
            raise Forbidden("Residents take part in their own community only.")
        raise Forbidden("This community is outside your area.")


def _language(code: str, fallback: str | None) -> str:
    chosen = code.strip() or (fallback or "")
    normalised = normalise_language(chosen)
    if normalised is None:
        problem = language_problem(chosen)
        raise InvalidInput("The language is not recognised.", details=[problem] if problem else [])
    return normalised


def _author_name(user: User) -> str:
    return (user.display_name or user.username)[:64]


def recent_posts(session: Session, user_id: int, *, now: datetime) -> int:
    """Discussions, proposals and comments the account wrote within the flood window."""
    since = now - FLOOD_WINDOW
    return sum(
        count_rows(session, model, model.author_user_id == user_id, model.created_at >= since)
        for model in (Discussion, Proposal, Comment)
    )


def _held(session: Session, user: User, text: str, *, now: datetime) -> list[str]:
    """Spam signals for a post; staff posts (the moderators' own) are not held."""
    if user.role_enum is not Role.RESIDENT:
        return []
    return spam_signals(text, recent_posts=recent_posts(session, user.id, now=now))


def visible(user: User | None, item: Content, region_code: str) -> bool:
    """Held content is seen by its author and the moderators only; hidden content is
    seen by everyone as its reason, never its text (the templates see to that)."""
    if not item.held:
        return True
    if user is None:
        return False
    return item.author_user_id == user.id or may_moderate(user, region_code)


Thread = TypeVar("Thread", Discussion, Proposal)


def get_visible(
    session: Session, kind: Target, model: type[Thread], item_id: int, viewer: User | None
) -> Thread:
    """The discussion or proposal ``item_id`` if ``viewer`` may see it (``visible``);
    else "There is no such …" (404)."""
    row = session.get(model, item_id)
    if row is None or not visible(viewer, row, row.region_code):
        raise no_such(kind)
    return row
