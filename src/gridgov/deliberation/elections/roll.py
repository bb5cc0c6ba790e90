"""Reading elections, and the voter roll (选民名单) drawn from the registry."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.db import count_rows, rows
from gridgov.deliberation import rules
from gridgov.deliberation.elections.common import (
    _HMT_DOCUMENTS,
    _HMT_NATIONALITIES,
    MACAU_NATIONALITY,
    TZ,
    box_of,
    rules_of,
    voter_key,
)
from gridgov.deliberation.models import (
    BallotReceipt,
    Candidate,
    Constituency,
    Election,
    Notice,
)
from gridgov.deliberation.rules import (
    NoticeKind,
    Voter,
)
from gridgov.errors import InvalidInput, NotFound, Problem
from gridgov.msgids import N_
from gridgov.registry import service as registry
from gridgov.registry.models import Resident

# --------------------------------------------------------------------------- reading


def get_election(session: Session, election_id: int, *, lock: bool = False) -> Election:
    """The election; ``lock`` loads its row to change it (``SELECT … FOR UPDATE`` on
    PostgreSQL, fresh from the database), so two steps at once run one after the other
    and the second sees the first's state (a refused move is a 409)."""
    if lock:
        election = session.scalars(
            select(Election)
            .where(Election.id == election_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).one_or_none()
    else:
        election = session.get(Election, election_id)
    if election is None:
        raise NotFound("There is no election %(id)s.", params={"id": election_id})
    return election


def constituencies_of(session: Session, election_id: int) -> list[Constituency]:
    return rows(
        session,
        Constituency,
        Constituency.election_id == election_id,
        order_by=(Constituency.region_code, Constituency.id),
    )


def candidates_of(session: Session, election_id: int) -> list[Candidate]:
    return rows(
        session,
        Candidate,
        Candidate.election_id == election_id,
        order_by=(Candidate.constituency_id, Candidate.id),
    )


def list_elections(
    session: Session, *, region_code: str | None = None, limit: int = 100
) -> list[Election]:
    """Elections in ``region_code`` and below, newest first."""
    query = select(Election).order_by(Election.voting_opens_at.desc(), Election.id.desc())
    if region_code:
        query = query.where(Election.region_code.startswith(region_code, autoescape=True))
    return list(session.scalars(query.limit(limit)))


def result_notice(session: Session, election_id: int) -> Notice | None:
    """The notice that published the result, if any."""
    return session.scalars(
        select(Notice)
        .where(Notice.election_id == election_id, Notice.kind == NoticeKind.ELECTION_RESULT.value)
        .order_by(Notice.id.desc())
        .limit(1)
    ).first()


def result_of(election: Election) -> dict[str, Any] | None:
    """The stored count, or None before counting."""
    if not election.result:
        return None
    value: dict[str, Any] = json.loads(election.result)
    return value


def receipts_count(session: Session, election_id: int) -> int:
    return count_rows(session, BallotReceipt, BallotReceipt.box == box_of(election_id))


def has_voted(session: Session, election_id: int, resident_id: int) -> bool:
    return (
        session.scalar(
            select(BallotReceipt.id).where(
                BallotReceipt.box == box_of(election_id),
                BallotReceipt.voter == voter_key(resident_id),
            )
        )
        is not None
    )


@dataclass(frozen=True)
class Review:
    """A candidate's eligibility review: the automatic finding and any override."""

    message: str | None  # the automatic finding (a catalogue id), None before review
    params: dict[str, Any]
    override: str | None  # the staff's reason when they overrode the finding

    def text(self) -> str:
        if self.message is None:
            return ""
        return self.message % self.params if self.params else self.message


def review_of(candidate: Candidate) -> Review:
    if not candidate.review_reason:
        return Review(None, {}, None)
    try:
        data = json.loads(candidate.review_reason)
    except ValueError:
        return Review(candidate.review_reason, {}, None)
    return Review(data.get("message"), data.get("params") or {}, data.get("override"))


# --------------------------------------------------------------------------- voters


def _id_number(session: Session, resident: Resident) -> str:
    return registry.cipher_of(session).decrypt(resident.id_number_enc, field=registry.ID_FIELD)


def voter_of(session: Session, resident: Resident) -> Voter:
    """A resident as the eligibility rules see them. Macau residents: Macau nationality,
    a travel permit beginning with M (回乡证) or a residence permit numbered 820000…;
    foreign residents: any other nationality than China, Macau, Hong Kong or Taiwan, on
    a document that is not a Hong Kong, Macau or Taiwan one."""
    if resident.birth_date is None:
        raise InvalidInput(
            N_("The register has no date of birth for %(name)s; correct the register first."),
            params={"name": resident.name},
            details=[Problem("birth_date", "The date of birth is missing.")],
        )
    nationality = (resident.nationality or "CHN").upper()
    macau = nationality == MACAU_NATIONALITY
    if not macau and resident.doc_type == "hk_macau_permit":
        macau = _id_number(session, resident).upper().startswith("M")
    if not macau and resident.doc_type == "hmt_residence":
        macau = resident.id_number_masked.startswith("820000")
    foreign = (
        nationality != "CHN"
        and nationality not in _HMT_NATIONALITIES
        and resident.doc_type not in _HMT_DOCUMENTS
    )
    return Voter(
        id=str(resident.id),
        born=resident.birth_date,
        grid_code=resident.grid_code,
        macau_resident=macau,
        foreign_resident=foreign,
    )


def election_day(election: Election, tz: str = TZ) -> date:
    """The day ages are reckoned on: the local date voting opens."""
    return election.voting_opens_at.astimezone(ZoneInfo(tz)).date()


def constituency_for(constituencies: Sequence[Constituency], grid_code: str) -> Constituency | None:
    """The constituency whose region code prefixes the grid code (the longest one)."""
    matching = [c for c in constituencies if grid_code.startswith(c.region_code)]
    return max(matching, key=lambda c: len(c.region_code)) if matching else None


def eligibility_problem(
    session: Session,
    election: Election,
    resident: Resident,
    *,
    region_code: str | None = None,
    tz: str = TZ,
) -> Problem | None:
    """Why ``resident`` may not take part (vote, or stand in ``region_code``), or None."""
    try:
        voter = voter_of(session, resident)
    except InvalidInput as exc:
        return exc.details[0] if exc.details else Problem("resident", exc.message, **exc.params)
    return rules.check_eligibility(
        rules_of(election).eligibility,
        voter,
        election_day(election, tz),
        region_code=region_code or election.region_code,
    )
