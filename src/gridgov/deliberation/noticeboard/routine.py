"""Routine disclosures (村务、党务、财务公开) on the statutory rhythm (村民委员会组织法 第三十条):
which are due, and the reminders the sweep queues for each village and community.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov import clock
from gridgov.accounts.rules import scope_clause
from gridgov.cases import outbox
from gridgov.cases.models import OutboxMessage
from gridgov.deliberation import rules
from gridgov.deliberation.models import (
    Notice,
)
from gridgov.deliberation.noticeboard.common import (
    DEFAULT_LANGUAGE,
    DEFAULT_TZ,
    REMIND_DAYS,
    ROUTINE_KINDS,
)
from gridgov.msgids import N_
from gridgov.territory.models import Region

# ---------------------------------------------------------------- routine disclosures


@dataclass(frozen=True)
class RoutineDue:
    """When a village or community must next publish a routine disclosure."""

    region_code: str
    region_name: str
    kind: str
    last_published: date | None
    due_on: date
    status: str  # "overdue", "due" (within REMIND_DAYS) or "ok"

    @property
    def overdue(self) -> bool:
        return self.status == "overdue"


def _last_published(session: Session, scope: str | None, tz: str) -> dict[tuple[str, str], date]:
    rows = session.execute(
        select(Notice.region_code, Notice.kind, func.max(Notice.posted_at))
        .where(
            Notice.posted_at.is_not(None),
            Notice.kind.in_([k.value for k in ROUTINE_KINDS]),
            scope_clause(scope, Notice.region_code) if scope else Notice.id.is_not(None),
        )
        .group_by(Notice.region_code, Notice.kind)
    ).all()
    zone = ZoneInfo(tz)
    return {(code, kind): at.astimezone(zone).date() for code, kind, at in rows if at}


def due_disclosures(
    session: Session,
    *,
    scope: str | None,
    today: date,
    include_ok: bool = False,
    tz: str = DEFAULT_TZ,
) -> list[RoutineDue]:
    """For every village and community in ``scope`` (None: all), each routine kind's next
    due date on the statutory rhythm; overdue first. Without ``include_ok`` only those
    due within ``REMIND_DAYS`` or overdue."""
    region_query = select(Region.code, Region.name).where(Region.level == "community")
    if scope is not None:
        region_query = region_query.where(scope_clause(scope, Region.code))
    regions = session.execute(region_query.order_by(Region.code)).all()
    last = _last_published(session, scope, tz)
    found: list[RoutineDue] = []
    for code, name in regions:
        for kind in ROUTINE_KINDS:
            published = last.get((code, kind.value))
            due_on = rules.next_due(kind.value, published, today)
            if due_on < today:
                status = "overdue"
            elif (due_on - today).days <= REMIND_DAYS:
                status = "due"
            else:
                status = "ok"
            if status != "ok" or include_ok:
                found.append(RoutineDue(code, name, kind.value, published, due_on, status))
    order = {"overdue": 0, "due": 1, "ok": 2}
    return sorted(found, key=lambda d: (order[d.status], d.due_on, d.region_code, d.kind))


def _reminder_key(due: RoutineDue) -> str:
    # Never published: next_due says "today" every day, so the key names the first
    # disclosure instead of a date: one reminder, not one a day.
    when = due.due_on.isoformat() if due.last_published else "first"
    return f"disclosure:{due.region_code}:{due.kind}:{when}"


def _iso_date(day: date | None) -> str:
    return day.isoformat() if day else "never"


def reminders_for(session: Session, region_code: str) -> list[OutboxMessage]:
    """The disclosure reminders queued for a region (newest first)."""
    return outbox.queued_for(
        session, recipient=f"unit:{region_code}", key_prefix=f"disclosure:{region_code}:"
    )


# What a reminder says, by the disclosure's status. Placeholders: region, kind, due,
# last, link. The text is the recipient's language (the office's, for a village or
# community office), the dates the office's calendar.
REMINDERS: dict[str, tuple[str, str]] = {
    "overdue": (
        N_("%(region)s: %(kind)s is overdue"),
        N_(
            "%(kind)s of %(region)s was due on %(due)s and has not been published "
            "(last published: %(last)s). Publish it now: %(link)s"
        ),
    ),
    "due": (
        N_("%(region)s: %(kind)s due by %(due)s"),
        N_("Publish %(kind)s of %(region)s by %(due)s (last published: %(last)s): %(link)s"),
    ),
}


def reminder_text(due: RoutineDue, language: str | None) -> tuple[str, str]:
    """(subject, body) of the reminder of ``due`` in ``language`` (None: the office
    default, Simplified Chinese)."""
    # The catalogues are the interface's (web/translations); reading them is pure.
    from gridgov.i18n import gettext, normalise

    chosen = normalise(language) or DEFAULT_LANGUAGE
    subject, body = REMINDERS[due.status]
    params = {
        "region": due.region_name,
        "kind": gettext(chosen, due.kind),
        "due": due.due_on.isoformat(),
        "last": (
            due.last_published.isoformat() if due.last_published else gettext(chosen, N_("never"))
        ),
        "link": f"/notices/new?{urlencode({'region': due.region_code, 'kind': due.kind})}",
    }
    return gettext(chosen, subject, params), gettext(chosen, body, params)


def queue_reminders(
    session: Session, *, now: datetime, tz: str = DEFAULT_TZ, language: str | None = None
) -> int:
    """Queue one reminder per routine disclosure due or overdue (region, kind and due
    date: the dedupe key), addressed to the village or community office; how many this
    call queued."""
    queued = 0
    for due in due_disclosures(session, scope=None, today=clock.local_today(now, tz), tz=tz):
        subject, body = reminder_text(due, language)
        if outbox.queue_once(
            session,
            now=now,
            message=outbox.Notification(
                channel="in_app",
                recipient=f"unit:{due.region_code}",
                subject=subject,
                body=body,
                dedupe_key=_reminder_key(due),
            ),
        ):
            queued += 1
    return queued
