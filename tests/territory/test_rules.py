"""Region codes after GB/T 2260 and GB/T 30428.1."""

from __future__ import annotations

import pytest

from gridgov.territory.rules import Level, code_problem


@pytest.mark.parametrize(
    ("code", "level", "parent", "message"),
    [
        pytest.param("440512", Level.DISTRICT, None, None, id="district"),
        pytest.param("440512001", Level.STREET, "440512", None, id="street"),
        pytest.param("440512001002", Level.COMMUNITY, "440512001", None, id="community"),
        pytest.param("44051200100203", Level.GRID, "440512001002", None, id="grid-14"),
        pytest.param("440512001002003", Level.GRID, "440512001002", None, id="grid-15"),
        pytest.param(
            "440513001",
            Level.STREET,
            "440512",
            "Code %(code)s does not extend its parent's code %(parent)s.",
            id="not-nested",
        ),
        pytest.param(
            "44051x", Level.DISTRICT, None, "A region code has digits only.", id="letters"
        ),
        pytest.param(
            "4405120", Level.DISTRICT, None, "A %(level)s code has %(n)s digits.", id="len"
        ),
        pytest.param(
            "440512001", Level.STREET, None, "A %(level)s needs a parent region.", id="orphan"
        ),
    ],
)
def test_code_problem(code: str, level: Level, parent: str | None, message: str | None) -> None:
    problem = code_problem(code, level, parent)
    assert (problem.message if problem else None) == message
