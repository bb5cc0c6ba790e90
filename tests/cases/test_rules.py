"""The case state machine and routing, without a database."""

from __future__ import annotations

import itertools

import pytest

from gridgov.cases import rules
from gridgov.cases.rules import ALLOWED, Level, Route, State
from gridgov.errors import Conflict

ALLOWED_MOVES = [(a, b) for a in State for b in sorted(ALLOWED[a])]
REFUSED_MOVES = [(a, b) for a, b in itertools.product(State, State) if b not in ALLOWED[a]]


@pytest.mark.parametrize(("current", "target"), ALLOWED_MOVES, ids=lambda s: s.value)
def test_every_allowed_move_is_taken(current: State, target: State) -> None:
    assert rules.transition(current, target) is target


@pytest.mark.parametrize(("current", "target"), REFUSED_MOVES, ids=lambda s: s.value)
def test_every_other_move_is_refused(current: State, target: State) -> None:
    with pytest.raises(Conflict) as caught:
        rules.transition(current, target)
    assert caught.value.params == {"current": current.value, "target": target.value}


def test_the_table_covers_every_state_and_the_happy_path() -> None:
    assert set(ALLOWED) == set(State)
    path = [
        State.SUBMITTED,
        State.ACCEPTED,
        State.ASSIGNED,
        State.ACKNOWLEDGED,
        State.IN_PROGRESS,
        State.RESOLVED,
        State.VERIFIED,
        State.CLOSED,
    ]
    for current, target in itertools.pairwise(path):
        rules.transition(current, target)
    assert ALLOWED[State.REJECTED] == frozenset()


def test_the_ladder_goes_up_to_a_department_and_stops() -> None:
    assert [rules.next_level(level) for level in rules.LADDER] == [
        Level.COMMUNITY,
        Level.STREET,
        Level.DEPARTMENT,
        None,
    ]


DEFAULT = Route(Level.GRID, None, "district default")


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        pytest.param(
            {"override": Route(Level.STREET, None, "dispatcher")},
            Route(Level.STREET, None, "dispatcher"),
            id="override-wins",
        ),
        pytest.param(
            {"category_level": "department", "category_department": "区水务局"},
            Route(Level.DEPARTMENT, "区水务局", "category"),
            id="category",
        ),
        pytest.param(
            {"category_level": None, "grid_matters": frozenset({"E0101"})},
            Route(Level.GRID, None, "grid matters list"),
            id="grid-list",
        ),
        pytest.param({}, DEFAULT, id="district-default"),
        pytest.param(
            {"category_level": "grid", "grid_allowed": False},
            Route(Level.COMMUNITY, None, "category, not a grid matter"),
            id="kept-off-grids",
        ),
        pytest.param(
            {"category_level": "grid", "grid_matters": frozenset({"S0101"})},
            Route(Level.COMMUNITY, None, "category, not a grid matter"),
            id="not-on-the-list",
        ),
    ],
)
def test_routing_most_specific_wins(kwargs: dict[str, object], expected: Route) -> None:
    arguments: dict[str, object] = {
        "override": None,
        "category_level": None,
        "category_department": None,
        "grid_allowed": True,
        "grid_matters": None,
        "category_code": "E0101",
        "district_default": DEFAULT,
    }
    arguments.update(kwargs)
    assert rules.route(**arguments) == expected  # type: ignore[arg-type]
