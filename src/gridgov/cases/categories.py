"""The category catalogue as rows (load, export, check) and the grid matters lists
(事项清单) administrators set."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from gridgov.audit.service import Actor, record, record_region
from gridgov.cases.models import (
    Category,
    GridMatter,
)
from gridgov.cases.routing import catalogue_of, forget_catalogue
from gridgov.errors import InvalidInput, NotFound, Problem
from gridgov.territory import service as territory

CATEGORY_FIELDS = (
    "parent_code",
    "name_zh",
    "name_en",
    "start_level",
    "department",
    "response_amount",
    "response_unit",
    "resolution_amount",
    "resolution_unit",
    "reporter_confirms",
    "grid_allowed",
    "urgency",
)


def category_rows(document: dict[str, object]) -> list[dict[str, object]]:
    """Rows for the category table from a catalogue document (categories.json shape)."""
    rows: list[dict[str, object]] = []
    entries = document.get("categories")
    if not isinstance(entries, list):
        raise InvalidInput("A catalogue has a list of categories.")
    for entry in entries:
        response = entry.get("response") or {}
        resolution = entry.get("resolution") or {}
        rows.append(
            {
                "code": entry["code"],
                "parent_code": entry.get("parent"),
                "name_zh": entry["name_zh"],
                "name_en": entry["name_en"],
                "start_level": entry.get("start_level"),
                "department": entry.get("department"),
                "response_amount": response.get("amount"),
                "response_unit": response.get("unit"),
                "resolution_amount": resolution.get("amount"),
                "resolution_unit": resolution.get("unit"),
                "reporter_confirms": bool(entry.get("reporter_confirms", False)),
                "grid_allowed": bool(entry.get("grid_allowed", True)),
                "urgency": entry.get("urgency"),
            }
        )
    return rows


def do_load_categories(
    session: Session,
    *,
    actor: Actor,
    rows: Sequence[dict[str, object]],
    now: datetime,
    source: str = "default",
) -> tuple[int, int]:
    """Insert new categories and update existing ones by code; returns (created, updated).
    Categories missing from the file stay, inactive, so old cases keep their category."""
    forget_catalogue()
    existing = {c.code: c for c in session.scalars(select(Category))}
    created = updated = 0
    for row in rows:
        code = str(row["code"])
        category = existing.get(code)
        if category is None:
            session.add(Category(code=code, active=True, **{k: row[k] for k in CATEGORY_FIELDS}))
            created += 1
        else:
            for key in CATEGORY_FIELDS:
                setattr(category, key, row[key])
            category.active = True
            updated += 1
    codes = {str(row["code"]) for row in rows}
    for code, category in existing.items():
        if code not in codes:
            category.active = False
    record(
        session,
        actor=actor,
        action="categories.loaded",
        object_type="category",
        now=now,
        summary={"created": created, "updated": updated, "source": source[-120:]},
    )
    return created, updated


def default_category_document() -> dict[str, object]:
    import json
    from importlib import resources

    text = resources.files("gridgov.cases").joinpath("data/categories.json").read_text("utf-8")
    document: dict[str, object] = json.loads(text)
    return document


def catalogue_problems(document: dict[str, object]) -> list[Problem]:
    """Every problem of a catalogue document (``catalogue.parse``), naming the entry."""
    from gridgov.cases import catalogue

    _parsed, problems = catalogue.parse(document)
    return problems


def list_categories(session: Session, *, leaves_only: bool = True) -> list[Category]:
    query = select(Category).where(Category.active.is_(True)).order_by(Category.code)
    if leaves_only:
        query = query.where(Category.start_level.is_not(None))
    return list(session.scalars(query))


def do_set_grid_matters(
    session: Session, *, actor: Actor, grid_code: str, category_codes: Sequence[str], now: datetime
) -> None:
    """Replace a grid's matters list (事项清单); an empty list removes it, and the grid
    then follows the catalogue."""
    known = catalogue_of(session)[0]
    unknown = [c for c in category_codes if c not in known or known[c].start_level is None]
    if unknown:
        problems = [Problem("category", "Unknown category %(value)s.", value=c) for c in unknown]
        raise InvalidInput("The matters list was not changed.", details=problems)
    if territory.find_region(session, code=grid_code) is None:
        raise NotFound("No such region.")
    session.execute(delete(GridMatter).where(GridMatter.grid_code == grid_code))
    session.add_all(
        GridMatter(grid_code=grid_code, category_code=c) for c in sorted(set(category_codes))
    )
    forget_catalogue()
    summary = {"categories": sorted(set(category_codes))}
    record_region(session, actor, "grid_matters.set", grid_code, now=now, summary=summary)


def category_document(session: Session) -> dict[str, object]:
    """The catalogue as it stands, in the shape ``categories.json`` has: export it, edit
    it, load it back with ``gridgov cases categories FILE``."""
    entries: list[dict[str, object]] = []
    for c in session.scalars(
        select(Category).where(Category.active.is_(True)).order_by(Category.code)
    ):
        entry: dict[str, object] = {
            "code": c.code,
            "parent": c.parent_code,
            "name_zh": c.name_zh,
            "name_en": c.name_en,
        }
        if c.start_level is not None:
            entry.update(
                {
                    "start_level": c.start_level,
                    "department": c.department,
                    "response": {"amount": c.response_amount, "unit": c.response_unit},
                    "resolution": {"amount": c.resolution_amount, "unit": c.resolution_unit},
                    "reporter_confirms": c.reporter_confirms,
                    "grid_allowed": c.grid_allowed,
                    "urgency": c.urgency,
                }
            )
        entries.append(entry)
    return {"version": 1, "categories": entries}
