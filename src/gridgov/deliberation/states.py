"""The state machines of matters, meetings and notices, as tables (like
``cases.rules.ALLOWED``); the database keeps each ``state`` column to its enum with a
CHECK. ``move`` is the one way a state changes: it refuses what the table does not
allow with a 409. Pure: no I/O.

    matter:  open -> completed | rejected | withdrawn
    meeting: convened -> in_session | decided | no_quorum | cancelled
             in_session -> in_session (votes recorded again) | decided | no_quorum
                           | cancelled
    notice:  draft -> posted | withdrawn;  posted -> closed | withdrawn

Withdrawing a matter withdraws its draft and posted notices and cancels its open
meetings, so nothing of a withdrawn matter stays open.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from gridgov.deliberation.rules import MatterState, MeetingState, NoticeState
from gridgov.errors import Conflict

M, G, N = MatterState, MeetingState, NoticeState

MATTER_ALLOWED: dict[MatterState, frozenset[MatterState]] = {
    M.OPEN: frozenset({M.COMPLETED, M.REJECTED, M.WITHDRAWN}),
    M.COMPLETED: frozenset(),
    M.REJECTED: frozenset(),
    M.WITHDRAWN: frozenset(),
}
MEETING_ALLOWED: dict[MeetingState, frozenset[MeetingState]] = {
    G.CONVENED: frozenset({G.IN_SESSION, G.DECIDED, G.NO_QUORUM, G.CANCELLED}),
    G.IN_SESSION: frozenset({G.IN_SESSION, G.DECIDED, G.NO_QUORUM, G.CANCELLED}),
    G.DECIDED: frozenset(),
    G.NO_QUORUM: frozenset(),
    G.CANCELLED: frozenset(),
}
NOTICE_ALLOWED: dict[NoticeState, frozenset[NoticeState]] = {
    N.DRAFT: frozenset({N.POSTED, N.WITHDRAWN}),
    N.POSTED: frozenset({N.CLOSED, N.WITHDRAWN}),
    N.CLOSED: frozenset(),
    N.WITHDRAWN: frozenset(),
}
INITIAL = {"matter": M.OPEN, "meeting": G.CONVENED, "notice": N.DRAFT}

E = TypeVar("E", bound=StrEnum)


def move(table: dict[E, frozenset[E]], current: str, target: E, noun: str) -> str:
    """The target state's value, or Conflict naming both states when ``table`` does not
    allow the move."""
    state = type(target)(current)
    if target in table[state]:
        return target.value
    params = {"current": state.value, "target": target.value}
    if noun == "matter":
        raise Conflict("A matter cannot go from %(current)s to %(target)s.", params=params)
    if noun == "meeting":
        raise Conflict("A meeting cannot go from %(current)s to %(target)s.", params=params)
    raise Conflict("A notice cannot go from %(current)s to %(target)s.", params=params)


def reachable(table: dict[E, frozenset[E]], start: E) -> set[E]:
    """Every state reachable from ``start`` through ``table`` (``start`` included)."""
    seen, todo = {start}, [start]
    while todo:
        for target in table[todo.pop()]:
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen
