"""Reading notices: the public board, a region's notices, one notice."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov.accounts.rules import scope_clause
from gridgov.deliberation.models import (
    Notice,
)
from gridgov.deliberation.noticeboard.common import PUBLIC_STATES, _notice, is_public
from gridgov.errors import NotFound

# ---------------------------------------------------------------- reading


def notices_for(
    session: Session,
    region_code: str,
    include_children: bool = True,
    public_only: bool = True,
    *,
    portal_only: bool = False,
    kinds: Sequence[str] | None = None,
    limit: int = 200,
) -> list[Notice]:
    """A region's notices, newest first: posted and closed ones only when
    ``public_only``; only those on the portal channel when ``portal_only``."""
    query = select(Notice)
    if include_children:
        query = query.where(scope_clause(region_code, Notice.region_code))
    else:
        query = query.where(Notice.region_code == region_code)
    if public_only:
        query = query.where(Notice.state.in_(PUBLIC_STATES))
    if portal_only:
        query = query.where(Notice.channels.contains("portal"))
    if kinds is not None:
        query = query.where(Notice.kind.in_(list(kinds)))
    query = query.order_by(
        func.coalesce(Notice.posted_at, Notice.created_at).desc(), Notice.id.desc()
    ).limit(limit)
    return list(session.scalars(query))


def notices_in_scope(
    session: Session, *, scope: str | None, state: str | None = None, limit: int = 200
) -> list[Notice]:
    """Every notice a staff member may see (drafts included), newest first."""
    query = select(Notice).where(scope_clause(scope, Notice.region_code))
    if state:
        query = query.where(Notice.state == state)
    return list(
        session.scalars(query.order_by(Notice.created_at.desc(), Notice.id.desc()).limit(limit))
    )


def get_public(session: Session, notice_id: int) -> Notice:
    """A posted or closed notice; drafts and withdrawn ones do not exist for the public."""
    notice = session.get(Notice, notice_id)
    if notice is None or not is_public(notice):
        raise NotFound("There is no notice %(id)s.", params={"id": notice_id})
    return notice


def get_notice(session: Session, notice_id: int) -> Notice:
    return _notice(session, notice_id)
