"""Creating an election: its constituencies, seats and rules."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from gridgov.audit.service import Actor, record_about
from gridgov.deliberation.elections.common import (
    DEFAULT_TEMPLATE,
    MAX_CONSTITUENCIES,
    MAX_SEATS,
    check_may_run,
    check_rules,
    rules_text,
    template_rules,
)
from gridgov.deliberation.models import (
    Constituency,
    Election,
)
from gridgov.deliberation.rules import (
    ElectionState,
)
from gridgov.deliberation.rules.disclosure import _aware
from gridgov.errors import InvalidInput, NotFound, Problem
from gridgov.territory import service as territory

# --------------------------------------------------------------------------- creating


@dataclass(frozen=True)
class ConstituencyInput:
    name: str
    region_code: str
    seats: int


@dataclass(frozen=True)
class ElectionDraft:
    """A new election's own fields: what :func:`check_create_election` checks and
    :func:`do_create_election` stores."""

    region_code: str
    title: str
    constituencies: Sequence[ConstituencyInput | tuple[str, str, int]]
    voting_opens_at: datetime
    voting_closes_at: datetime


def check_create_election(
    session: Session, *, actor: Actor, draft: ElectionDraft, now: datetime
) -> list[ConstituencyInput]:
    region_code, title, constituencies = draft.region_code, draft.title, draft.constituencies
    voting_opens_at, voting_closes_at = draft.voting_opens_at, draft.voting_closes_at
    _aware(voting_opens_at, "voting_opens_at")
    _aware(voting_closes_at, "voting_closes_at")
    region = territory.find_region(session, code=region_code)
    if region is None:
        raise NotFound("No such region.")
    check_may_run(actor, region_code)
    problems: list[Problem] = []
    if not title.strip():
        problems.append(Problem("title", "A title is required."))
    elif len(title.strip()) > 200:
        problems.append(Problem("title", "At most %(n)s characters.", n=200))
    if voting_closes_at <= voting_opens_at:
        problems.append(Problem("voting_closes_at", "Voting must close after it opens."))
    elif voting_closes_at <= now:
        problems.append(Problem("voting_closes_at", "Voting must close in the future."))
    items = [
        c if isinstance(c, ConstituencyInput) else ConstituencyInput(*c) for c in constituencies
    ]
    if not items:
        problems.append(Problem("constituencies", "An election has at least one constituency."))
    if len(items) > MAX_CONSTITUENCIES:
        problems.append(
            Problem("constituencies", "At most %(n)s constituencies.", n=MAX_CONSTITUENCIES)
        )
    codes: list[str] = []
    for item in items:
        if not item.name.strip():
            problems.append(Problem("constituencies", "Each constituency needs a name."))
        if not 1 <= item.seats <= MAX_SEATS:
            problems.append(
                Problem(
                    "constituencies",
                    "A constituency has from 1 to %(n)s seats.",
                    n=MAX_SEATS,
                )
            )
        code = item.region_code.strip()
        if not code.startswith(region_code) or territory.find_region(session, code=code) is None:
            problems.append(
                Problem(
                    "constituencies",
                    "The constituency %(code)s is not a region within %(region)s.",
                    code=code,
                    region=region_code,
                )
            )
        for other in codes:
            if code.startswith(other) or other.startswith(code):
                problems.append(
                    Problem(
                        "constituencies",
                        "The constituencies %(a)s and %(b)s overlap.",
                        a=other,
                        b=code,
                    )
                )
        codes.append(code)
    if problems:
        raise InvalidInput("The election was not created.", details=problems)
    return [ConstituencyInput(i.name.strip()[:128], i.region_code.strip(), i.seats) for i in items]


def do_create_election(
    session: Session,
    *,
    actor: Actor,
    draft: ElectionDraft,
    now: datetime,
    rules_yaml: str | None = None,
    template_key: str = DEFAULT_TEMPLATE,
) -> Election:
    """Open an election for nominations. Its rules are ``rules_yaml`` (the election
    section as YAML) or the ``election:`` section of the procedure ``template_key``."""
    items = check_create_election(session, actor=actor, draft=draft, now=now)
    if rules_yaml is not None and rules_yaml.strip():
        check_rules(rules_yaml)
        text = rules_yaml
    else:
        text = rules_text(template_rules(session, template_key))
    election = Election(
        region_code=draft.region_code,
        title=draft.title.strip(),
        rules=text,
        state=ElectionState.NOMINATION.value,
        voting_opens_at=draft.voting_opens_at,
        voting_closes_at=draft.voting_closes_at,
        created_by=actor.username,
        created_at=now,
        result="",
    )
    session.add(election)
    session.flush()
    for item in items:
        session.add(
            Constituency(
                election_id=election.id,
                name=item.name,
                region_code=item.region_code,
                seats=item.seats,
            )
        )
    session.flush()
    summary = {
        "title": election.title,
        "constituencies": [[i.name, i.region_code, i.seats] for i in items],
        "rules": text,
        "voting_opens_at": draft.voting_opens_at.isoformat(),
        "voting_closes_at": draft.voting_closes_at.isoformat(),
    }
    record_about(session, actor, "election.created", election, now=now, summary=summary)
    return election
