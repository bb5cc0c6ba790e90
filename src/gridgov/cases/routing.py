"""Routing: the category catalogue and grid matters lists as routing reads them (cached
per process), the unit a level means, and the deadlines a category sets."""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.cases import rules
from gridgov.cases.calendar import DeadlineUnit
from gridgov.cases.models import (
    Case,
    Category,
    GridMatter,
)
from gridgov.cases.rules import Level, Route
from gridgov.db import database_key
from gridgov.registry import public as registry_public

DEFAULT_ROUTE = Route(Level.GRID, None, "district default")
DEFAULT_RESPONSE = (1, DeadlineUnit.WORKING_DAYS)
DEFAULT_RESOLUTION = (7, DeadlineUnit.WORKING_DAYS)


_CATALOGUE_TTL = 30.0
# Per process and database: (read at, categories by code, grid matters by grid code).
_catalogue: dict[str, tuple[float, dict[str, CategoryInfo], dict[str, frozenset[str]]]] = {}


@dataclass(frozen=True)
class CategoryInfo:
    """What routing and deadlines need of a category, detached from any session."""

    code: str
    name_zh: str
    name_en: str
    active: bool
    parent_code: str | None
    start_level: str | None
    department: str | None
    grid_allowed: bool
    response_amount: int | None
    response_unit: str | None
    resolution_amount: int | None
    resolution_unit: str | None


def catalogue_of(session: Session) -> tuple[dict[str, CategoryInfo], dict[str, frozenset[str]]]:
    """Categories and grid matters lists, read at most every ``_CATALOGUE_TTL`` seconds
    per process (administrators change them rarely; this instance's own changes clear it)."""
    key = database_key(session)
    cached = _catalogue.get(key)
    if cached is None or time.monotonic() - cached[0] > _CATALOGUE_TTL:
        categories = {
            c.code: CategoryInfo(
                code=c.code,
                name_zh=c.name_zh,
                name_en=c.name_en,
                active=c.active,
                parent_code=c.parent_code,
                start_level=c.start_level,
                department=c.department,
                grid_allowed=c.grid_allowed,
                response_amount=c.response_amount,
                response_unit=c.response_unit,
                resolution_amount=c.resolution_amount,
                resolution_unit=c.resolution_unit,
            )
            for c in session.scalars(select(Category))
        }
        matters: dict[str, set[str]] = {}
        for grid, code in session.execute(select(GridMatter.grid_code, GridMatter.category_code)):
            matters.setdefault(grid, set()).add(code)
        cached = (time.monotonic(), categories, {g: frozenset(c) for g, c in matters.items()})
        _catalogue[key] = cached
    return cached[1], cached[2]


def forget_catalogue() -> None:
    _catalogue.clear()


def category_of(session: Session, case: Case) -> CategoryInfo | None:
    if not case.category_code:
        return None
    return catalogue_of(session)[0].get(case.category_code)


def grid_matters(session: Session, grid_code: str | None) -> frozenset[str] | None:
    if not grid_code:
        return None
    return catalogue_of(session)[1].get(grid_code)


def route_case(session: Session, case: Case, override: Route | None = None) -> Route:
    category = category_of(session, case)
    return rules.route(
        override=override,
        category_level=category.start_level if category else None,
        category_department=category.department if category else None,
        grid_allowed=category.grid_allowed if category else True,
        grid_matters=grid_matters(session, case.grid_code),
        category_code=case.category_code,
        district_default=DEFAULT_ROUTE,
    )


def unit_of(case: Case, level: Level) -> str:
    grid = case.grid_code or ""
    return {
        Level.GRID: grid,
        Level.COMMUNITY: grid[:12],
        Level.STREET: grid[:9],
        Level.DEPARTMENT: grid[:6],
    }[level]


def department_id_of(session: Session, name: str | None, district: str) -> int | None:
    if not name:
        return None
    return registry_public.department_named(session, name=name, district=district)


def department_district(session: Session, department_id: int) -> str:
    """Where a department sits: the unit of an unlocated case it is given."""
    return registry_public.organisation_region(session, department_id)


def deadlines_of(
    session: Session, case: Case
) -> tuple[tuple[int, DeadlineUnit], tuple[int, DeadlineUnit]]:
    category = category_of(session, case)
    if (
        category is None
        or category.response_amount is None
        or category.resolution_amount is None
        or category.response_unit is None
        or category.resolution_unit is None
    ):
        return DEFAULT_RESPONSE, DEFAULT_RESOLUTION
    return (
        (category.response_amount, DeadlineUnit(category.response_unit)),
        (category.resolution_amount, DeadlineUnit(category.resolution_unit)),
    )
