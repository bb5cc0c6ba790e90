"""Pure rules of region codes (GB/T 2260 county code, then street, community, grid)."""

from __future__ import annotations

import re
from enum import StrEnum

from gridgov.errors import Problem


class Level(StrEnum):
    DISTRICT = "district"
    STREET = "street"
    COMMUNITY = "community"
    GRID = "grid"
    MICRO_GRID = "micro_grid"


class GridKind(StrEnum):
    COMPREHENSIVE = "comprehensive"  # 全科网格
    DEDICATED = "dedicated"  # 专属网格: a park, an industrial zone, a campus


LEVEL_DEPTH = {
    Level.DISTRICT: 0,
    Level.STREET: 1,
    Level.COMMUNITY: 2,
    Level.GRID: 3,
    Level.MICRO_GRID: 4,
}
CHILD_LEVEL = {
    Level.DISTRICT: Level.STREET,
    Level.STREET: Level.COMMUNITY,
    Level.COMMUNITY: Level.GRID,
    Level.GRID: Level.MICRO_GRID,
}

CODE_LENGTHS: dict[Level, tuple[int, ...]] = {
    Level.DISTRICT: (6,),
    Level.STREET: (9,),
    Level.COMMUNITY: (12,),
    Level.GRID: (14, 15),
    Level.MICRO_GRID: (16, 17, 18),  # the grid's code + 2 or 3 digits
}
_DIGITS = re.compile(r"[0-9]+")


def code_problem(code: str, level: Level, parent_code: str | None) -> Problem | None:
    """Why ``code`` cannot name a region of ``level`` under ``parent_code``; None if it can."""
    if not _DIGITS.fullmatch(code):
        return Problem("code", "A region code has digits only.")
    if len(code) not in CODE_LENGTHS[level]:
        allowed = " / ".join(str(n) for n in CODE_LENGTHS[level])
        return Problem("code", "A %(level)s code has %(n)s digits.", level=level.value, n=allowed)
    if level is Level.DISTRICT:
        return None if parent_code is None else Problem("parent_code", "A district has no parent.")
    if parent_code is None:
        return Problem("parent_code", "A %(level)s needs a parent region.", level=level.value)
    if not code.startswith(parent_code) or code == parent_code:
        return Problem(
            "code",
            "Code %(code)s does not extend its parent's code %(parent)s.",
            code=code,
            parent=parent_code,
        )
    return None
