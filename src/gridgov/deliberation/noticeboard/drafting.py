"""Drafting a notice: its title and body scanned for ID numbers and phones, stored masked."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from gridgov.audit.service import Actor, add_and_record
from gridgov.deliberation import rules
from gridgov.deliberation.models import (
    Election,
    Matter,
    Notice,
)
from gridgov.deliberation.noticeboard.common import (
    _LANGUAGE,
    CHANNELS,
    MAX_POSTING_DAYS,
    _authorise,
)
from gridgov.deliberation.rules import NoticeKind, NoticeState
from gridgov.errors import InvalidInput, NotFound, Problem, check_length
from gridgov.msgids import N_
from gridgov.territory import service as territory

# ---------------------------------------------------------------- drafting


@dataclass(frozen=True)
class DraftCheck:
    """A draft as it will be stored: masked, and what was masked."""

    title: str
    body: str
    findings: tuple[rules.Finding, ...]
    posting_days: int
    objection_days: int
    channels: tuple[str, ...]


def _period(
    posting_days: int | None, objection_days: int | None, problems: list[Problem]
) -> tuple[int, int]:
    """The posting period and objection window (defaults filled in); what is wrong with
    them goes on ``problems``."""
    days = rules.DEFAULT_POSTING_DAYS if posting_days is None else posting_days
    if not 1 <= days <= MAX_POSTING_DAYS:
        problems.append(
            Problem(
                "posting_days",
                "A notice is posted for %(low)s to %(high)s days.",
                low=1,
                high=MAX_POSTING_DAYS,
            )
        )
    window = days if objection_days is None else objection_days
    if not 0 <= window <= days:
        problems.append(
            Problem(
                "objection_days",
                "The objection window is at most the posting period (%(days)s days).",
                days=days,
            )
        )
    return days, window


def _channels(channels: Sequence[str], problems: list[Problem]) -> tuple[str, ...]:
    """The channels chosen, each once; unknown ones go on ``problems``."""
    chosen = tuple(dict.fromkeys(c.strip() for c in channels if c.strip()))
    if not chosen:
        problems.append(Problem("channels", "Choose at least one channel."))
    for channel in chosen:
        if channel not in CHANNELS:
            problems.append(
                Problem(
                    "channels",
                    "%(value)s is not a channel; use %(expected)s.",
                    value=channel,
                    expected=", ".join(CHANNELS),
                )
            )
    return chosen


def _check_links(
    session: Session,
    region_code: str,
    matter_id: int | None,
    election_id: int | None,
    problems: list[Problem],
) -> None:
    """The matter and election a notice names must belong to its region."""
    if matter_id is not None:
        matter = session.get(Matter, matter_id)
        if matter is None or matter.region_code != region_code:
            problems.append(
                Problem("matter", "Matter %(id)s is not a matter of this region.", id=matter_id)
            )
    if election_id is not None:
        election = session.get(Election, election_id)
        if election is None or not region_code.startswith(election.region_code):
            problems.append(
                Problem(
                    "election", "Election %(id)s is not an election of this region.", id=election_id
                )
            )


def check_draft(
    session: Session,
    *,
    actor: Actor,
    region_code: str,
    kind: NoticeKind | str,
    title: str,
    body: str,
    matter_id: int | None = None,
    election_id: int | None = None,
    posting_days: int | None = None,
    objection_days: int | None = None,
    channels: Sequence[str] = ("portal",),
    language: str = "zh_Hans",
) -> DraftCheck:
    """Validate and authorise a draft; InvalidInput lists every problem at once."""
    region = territory.find_region(session, code=region_code)
    if region is None:
        raise NotFound("There is no region %(code)s.", params={"code": region_code})
    _authorise(actor, region_code)
    problems: list[Problem] = []
    if region.level == "grid":
        problems.append(
            Problem("region", "Notices are published by a village or community, not a grid.")
        )
    try:
        NoticeKind(kind)
    except ValueError:
        problems.append(Problem("kind", "%(value)s is not a kind of notice.", value=str(kind)))
    title = title.strip()
    body = body.strip()
    check_length(problems, "title", title, 200, N_("A notice needs a title."))
    check_length(problems, "body", body, 20000, N_("A notice needs its text."))
    days, window = _period(posting_days, objection_days, problems)
    chosen = _channels(channels, problems)
    if not _LANGUAGE.fullmatch(language):
        problems.append(
            Problem("language", "%(value)s is not a language tag such as en.", value=language)
        )
    _check_links(session, region_code, matter_id, election_id, problems)
    if problems:
        raise InvalidInput("The notice was not saved.", details=problems)
    findings = tuple(rules.scan_personal_data(title)) + tuple(rules.scan_personal_data(body))
    return DraftCheck(
        title=rules.mask_personal_data(title),
        body=rules.mask_personal_data(body),
        findings=findings,
        posting_days=days,
        objection_days=window,
        channels=tuple(c for c in CHANNELS if c in chosen),
    )


def do_draft(
    session: Session,
    *,
    actor: Actor,
    region_code: str,
    kind: NoticeKind,
    title: str,
    body: str,
    now: datetime,
    matter_id: int | None = None,
    election_id: int | None = None,
    posting_days: int | None = None,
    objection_days: int | None = None,
    channels: tuple[str, ...] = ("portal",),
    language: str = "zh_Hans",
) -> Notice:
    """Save a draft notice, masked. ``masked_findings`` says how many ID numbers and phone
    numbers were masked, so the author can check the text before posting."""
    checked = check_draft(
        session,
        actor=actor,
        region_code=region_code,
        kind=kind,
        title=title,
        body=body,
        matter_id=matter_id,
        election_id=election_id,
        posting_days=posting_days,
        objection_days=objection_days,
        channels=channels,
        language=language,
    )
    notice = Notice(
        region_code=region_code,
        kind=NoticeKind(kind).value,
        title=checked.title,
        body=checked.body,
        language=language,
        matter_id=matter_id,
        election_id=election_id,
        state=NoticeState.DRAFT.value,
        posting_days=checked.posting_days,
        objection_days=checked.objection_days,
        channels=",".join(checked.channels),
        masked_findings=len(checked.findings),
        created_by=actor.username,
        created_at=now,
    )
    summary = {
        "kind": notice.kind,
        "matter": matter_id,
        "election": election_id,
        "posting_days": notice.posting_days,
        "objection_days": notice.objection_days,
        "channels": notice.channels,
        # kinds only: the values themselves never reach the audit log
        "masked": sorted({f.kind.value for f in checked.findings}),
        "masked_findings": notice.masked_findings,
    }
    return add_and_record(session, actor, "notice.drafted", notice, now=now, summary=summary)
