"""What the matter, meeting and implementation pages share: the roles that may read and
run, the labels, the scoped objects, parsing and the stage names.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar
from zoneinfo import ZoneInfo

from fastapi import Depends
from fastapi.responses import Response
from sqlalchemy.orm import Session

from gridgov.accounts.models import User
from gridgov.accounts.rules import Role
from gridgov.audit.service import Actor
from gridgov.deliberation import service
from gridgov.deliberation.models import (
    DeliberationFile,
    Implementation,
    Matter,
    Meeting,
)
from gridgov.deliberation.rules import Procedure, Stage
from gridgov.errors import InvalidInput, NotFound, Problem
from gridgov.msgids import N_
from gridgov.web.deps import (
    require_roles,
)
from gridgov.web.render import inline
from gridgov.web.toolkit import Desk, desk, scoped

RUN = tuple(Role(r) for r in sorted(service.RUN_ROLES))
READ = tuple(Role(r) for r in sorted(service.READ_ROLES))
SUPERVISE = tuple(Role(r) for r in sorted(service.SUPERVISION_ROLES))
ReaderPage = Annotated[User, Depends(require_roles(*READ, page=True))]
RunnerPage = Annotated[User, Depends(require_roles(*RUN, page=True))]
ReaderDesk = Annotated[Desk, Depends(desk(ReaderPage, name="reader_desk"))]
RunnerDesk = Annotated[Desk, Depends(desk(RunnerPage, name="runner_desk"))]
SupervisorPage = Annotated[User, Depends(require_roles(*SUPERVISE, page=True))]
FILE_PURPOSES = ("sign_in", "minutes")
T = TypeVar("T")

# Catalogue ids of values the pages show through ``_(value)``.
LABELS = (
    N_("open"),
    N_("rejected"),
    N_("completed"),
    N_("withdrawn"),
    N_("adopted"),
    N_("returned"),
    N_("convened"),
    N_("in_session"),
    N_("decided"),
    N_("no_quorum"),
    N_("cancelled"),
    N_("show_of_hands"),
    N_("roll_call"),
    N_("secret_ballot"),
    N_("not_started"),
    N_("in_progress"),
    N_("done"),
    N_("yes"),
    N_("no"),
    N_("abstain"),
    N_("villagers_meeting"),
    N_("villagers_representatives_meeting"),
    N_("branch_committee"),
    N_("two_committees"),
    N_("party_members_meeting"),
    N_("deliberation_council"),
)


def stage_name(stage: Stage, language: str) -> str:
    return stage.names.zh_Hans if language.startswith("zh") else stage.names.en


def _tz(state: Any) -> ZoneInfo:
    return ZoneInfo(getattr(state.settings, "timezone", service.TIMEZONE))


def parsed(
    parse: Callable[[str], T], text: str, field: str, label: str, message: str, problem: str
) -> T:
    """A form field read by ``parse``, or refused: ``message`` (naming the field by its
    ``label``, a catalogue entry, as the form does), with ``problem`` at the ``field``."""
    try:
        return parse(text.strip())
    except ValueError:
        raise InvalidInput(
            message, params={"field": label}, details=[Problem(field, problem)]
        ) from None


def _explanations(text: str) -> list[tuple[str, dict[str, Any]]]:
    return [(v["message"], v.get("params", {})) for v in service.explanation_of(text).values()]


def chain(procedure: Procedure, matter: Matter, language: str) -> list[dict[str, Any]]:
    """The stages as held, each marked done, current or ahead, for the progress bar."""
    ids = [s.id for s in procedure.stages]
    current = ids.index(matter.stage_id) if matter.stage_id in ids else len(ids)
    result = []
    for index, stage in enumerate(procedure.stages):
        if matter.stage_id is None and matter.state != "completed":
            status = "ended"
        elif index < current:
            status = "done"
        elif index == current:
            status = "current"
        else:
            status = "ahead"
        result.append({"id": stage.id, "name": stage_name(stage, language), "status": status})
    return result


def owned_file(
    session: Session, file_id: int, owner_type: str, owner_id: int, cache: str
) -> Response:
    """The stored file ``file_id`` of that owner (a meeting's scan, a notice's board
    photo), shown inline and cached as ``cache`` says; 404 for another owner's."""
    row = session.get(DeliberationFile, file_id)
    if row is None or row.owner_type != owner_type or row.owner_id != owner_id:
        raise NotFound("Not found, or outside your area.")
    return inline(row.data, row.content_type, cache)


def _readable(actor: Actor, row: Matter | Meeting | Implementation) -> bool:
    return service.may_read(actor, row.region_code)


ScopedMatter = Annotated[
    Matter,
    Depends(scoped(Matter, "matter_id", ReaderPage, _readable)),
]
ScopedMeeting = Annotated[
    Meeting,
    Depends(scoped(Meeting, "meeting_id", ReaderPage, _readable)),
]


# ---------------------------------------------------------------- implementation


ScopedImplementation = Annotated[
    Implementation,
    Depends(scoped(Implementation, "implementation_id", ReaderPage, _readable)),
]
