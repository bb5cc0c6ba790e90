"""What other domains may read of deliberation: the counts of the indicator trees (a
metric provider, ``gridgov.metrics``): meetings held and their attendance, and the
routine disclosures posted."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov.deliberation.models import Meeting, Notice
from gridgov.deliberation.rules import Body, MeetingState, NoticeKind
from gridgov.metrics import GroupedCounts, Window

MEETING_COUNTS = (
    "meetings_held",
    "meetings_quorate",
    "party_members_summoned",
    "party_members_attended",
)
# The routine disclosures a village or community owes on a rhythm (docs/deliberation.md).
ROUTINE_DISCLOSURES = (
    NoticeKind.VILLAGE_AFFAIRS,
    NoticeKind.PARTY_AFFAIRS,
    NoticeKind.FINANCES,
    NoticeKind.MAJOR_MATTERS,
)
DELIBERATION_COUNTS = (*MEETING_COUNTS, "disclosures_posted")


def deliberation_counts(session: Session, metrics: Sequence[str], window: Window) -> GroupedCounts:
    """Meetings held in the window (decided, or closed without a quorum) and routine
    disclosures posted in it, by the region of the village or community."""
    result = GroupedCounts()
    meeting_metrics = [m for m in MEETING_COUNTS if m in metrics]
    if meeting_metrics:
        party = Meeting.body == Body.PARTY_MEMBERS_MEETING.value
        columns = {
            "meetings_held": func.count(),
            "meetings_quorate": func.count().filter(Meeting.quorum_met.is_(True)),
            "party_members_summoned": func.coalesce(func.sum(Meeting.members).filter(party), 0),
            "party_members_attended": func.coalesce(func.sum(Meeting.present).filter(party), 0),
        }
        rows = session.execute(
            select(Meeting.region_code, *(columns[m] for m in meeting_metrics))
            .where(
                Meeting.starts_at >= window.start,
                Meeting.starts_at < window.end,
                Meeting.state.in_([MeetingState.DECIDED.value, MeetingState.NO_QUORUM.value]),
            )
            .group_by(Meeting.region_code)
        )
        for code, *values in rows:
            bucket = result.by_region.setdefault(code, {})
            for metric, value in zip(meeting_metrics, values, strict=True):
                bucket[metric] = float(value or 0)
    if "disclosures_posted" in metrics:
        notices = session.execute(
            select(Notice.region_code, func.count())
            .where(
                Notice.posted_at >= window.start,
                Notice.posted_at < window.end,
                Notice.kind.in_([k.value for k in ROUTINE_DISCLOSURES]),
            )
            .group_by(Notice.region_code)
        )
        for code, n in notices:
            result.by_region.setdefault(code, {})["disclosures_posted"] = float(n)
    return result
