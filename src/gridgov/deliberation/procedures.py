"""Procedure templates (the YAML that defines a matter's stages) kept as stored revisions."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from sqlalchemy.orm import Session

from gridgov import revisions
from gridgov.audit.service import Actor
from gridgov.deliberation.models import (
    ProcedureTemplate,
)
from gridgov.deliberation.rules import (
    Procedure,
    load_procedure,
)
from gridgov.errors import NotFound
from gridgov.msgids import N_

SHIPPED_TEMPLATES = ("si_yi_liang_gong_kai", "community_council")


# -- procedure templates -----------------------------------------------------------


def shipped_template(key: str) -> str:
    return revisions.shipped_text("gridgov.deliberation", key)


@lru_cache(maxsize=64)
def parse_template(source: str) -> Procedure:
    return load_procedure(source)


def shipped_template_names(language: str) -> list[tuple[str, str]]:
    """(key, name in the reader's language) of each shipped procedure, for a choice."""
    named = []
    for key in SHIPPED_TEMPLATES:
        names = parse_template(shipped_template(key)).names
        named.append((key, names.zh_Hans if language.startswith("zh") else names.en))
    return named


def check_template(text: str) -> Procedure:
    """Validate a procedure file; InvalidInput names the line of the first problem."""
    refused = N_("The procedure is refused at line %(line)s: %(reason)s")
    return revisions.check_text(load_procedure, text, refused)


def latest_template(session: Session, key: str) -> ProcedureTemplate | None:
    return revisions.latest(session, ProcedureTemplate, key)


def do_load_template(
    session: Session, *, text: str, actor: Actor, now: datetime
) -> ProcedureTemplate:
    """Store a procedure file as its key's next revision; the same text is a no-op."""
    procedure = check_template(text)
    return revisions.do_store(
        session,
        ProcedureTemplate,
        key=procedure.id,
        names=(procedure.names.zh_Hans, procedure.names.en),
        text=text,
        actor=actor,
        now=now,
        action="deliberation.template_loaded",
    )


def ensure_shipped_templates(session: Session, *, now: datetime) -> None:
    for key in SHIPPED_TEMPLATES:
        if latest_template(session, key) is None:
            do_load_template(session, text=shipped_template(key), actor=Actor.system(), now=now)


def get_template(session: Session, key: str) -> tuple[ProcedureTemplate, Procedure]:
    row = latest_template(session, key)
    if row is None:
        raise NotFound("There is no procedure %(key)s.", params={"key": key})
    return row, parse_template(row.source)


def template_by_id(session: Session, template_id: int) -> tuple[ProcedureTemplate, Procedure]:
    row = session.get(ProcedureTemplate, template_id)
    if row is None:
        raise NotFound("There is no procedure %(key)s.", params={"key": template_id})
    return row, parse_template(row.source)
