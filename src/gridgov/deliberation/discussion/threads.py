"""Discussions (议事): opening a thread on a target (a matter, a case, a region)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from gridgov.accounts.models import User
from gridgov.audit.service import Actor, add_and_record
from gridgov.deliberation.discussion.common import (
    BODY_MAX,
    Target,
    _author_name,
    _community,
    _held,
    _language,
    _require_writer,
    get_visible,
    language_problem,
    text_problems,
)
from gridgov.deliberation.models import (
    Discussion,
)
from gridgov.deliberation.rules import mask_personal_data
from gridgov.errors import InvalidInput
from gridgov.territory.models import Region

# ---------------------------------------------------------------- discussions


@dataclass(frozen=True)
class Post:
    title: str
    body: str
    language: str


def check_post(
    session: Session, *, user: User, region_code: str, title: str, body: str, language: str
) -> tuple[Region, Post]:
    region = _community(session, region_code)
    _require_writer(user, region.code)
    problems = text_problems(title=title, body=body, body_max=BODY_MAX)
    if problem := language_problem(language.strip() or (user.language or "")):
        problems.append(problem)
    if problems:
        raise InvalidInput("Nothing was posted.", details=problems)
    return region, Post(
        title=mask_personal_data(title.strip()),
        body=mask_personal_data(body.strip()),
        language=_language(language, user.language),
    )


def posted_columns(
    session: Session,
    user: User,
    region_code: str,
    title: str,
    body: str,
    language: str,
    now: datetime,
) -> tuple[dict[str, Any], list[str]]:
    """A new discussion's or proposal's columns from its post (checked, masked, by
    ``user`` now), and the spam signals that hold it for the moderators (none: shown)."""
    region, post = check_post(
        session, user=user, region_code=region_code, title=title, body=body, language=language
    )
    signals = _held(session, user, f"{post.title}\n{post.body}", now=now)
    columns = {
        "region_code": region.code,
        "title": post.title,
        "body": post.body,
        "language": post.language,
        "author_name": _author_name(user),
        "author_user_id": user.id,
        "created_at": now,
        "held": bool(signals),
    }
    return columns, signals


def do_open_discussion(
    session: Session,
    *,
    user: User,
    actor: Actor,
    region_code: str,
    title: str,
    body: str,
    language: str,
    now: datetime,
) -> Discussion:
    """Open a discussion in a community; suspected spam is held for the moderators."""
    columns, signals = posted_columns(session, user, region_code, title, body, language, now)
    row = Discussion(**columns, closed=False)
    summary = {"language": row.language, "held": row.held, "signals": signals}
    return add_and_record(
        session, actor, "deliberation.discussion_opened", row, now=now, summary=summary
    )


def get_discussion(session: Session, discussion_id: int, *, viewer: User | None) -> Discussion:
    return get_visible(session, Target.DISCUSSION, Discussion, discussion_id, viewer)
