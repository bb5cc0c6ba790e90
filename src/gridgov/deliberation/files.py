"""Files of matters, meetings and notices: scans of sign-in sheets, photos of the board."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy.orm import Session

from gridgov.audit.service import Actor, record
from gridgov.db import rows
from gridgov.deliberation.models import (
    DeliberationFile,
)
from gridgov.errors import InvalidInput

FILE_LIMIT = 10 * 1024 * 1024
FILE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/heic", "application/pdf"})


# -- files -------------------------------------------------------------------------


def do_attach_file(
    session: Session,
    *,
    actor: Actor,
    owner_type: str,
    owner_id: int,
    purpose: str,
    name: str,
    content_type: str,
    data: bytes,
    now: datetime,
    region_code: str | None = None,
) -> DeliberationFile:
    """Keep a scan or photo (a signed sign-in sheet, minutes, the notice on the board)."""
    if content_type not in FILE_TYPES:
        raise InvalidInput(
            "Attach a photo (JPEG, PNG, WebP, HEIC) or a PDF, not %(type)s.",
            params={"type": content_type or "?"},
        )
    if not data:
        raise InvalidInput("The file is empty.")
    if len(data) > FILE_LIMIT:
        raise InvalidInput(
            "A file may be at most %(mb)s MB.", params={"mb": FILE_LIMIT // (1024 * 1024)}
        )
    row = DeliberationFile(
        owner_type=owner_type,
        owner_id=owner_id,
        purpose=purpose,
        name=(name or "file")[:128],
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
        uploaded_by=actor.username,
        uploaded_at=now,
    )
    session.add(row)
    session.flush()
    record(
        session,
        actor=actor,
        action="deliberation.file_attached",
        object_type=owner_type,
        object_id=owner_id,
        region_code=region_code,
        now=now,
        summary={"file": row.id, "purpose": purpose, "sha256": row.sha256, "size": row.size},
    )
    return row


def files_of(session: Session, owner_type: str, owner_id: int) -> list[DeliberationFile]:
    return rows(
        session,
        DeliberationFile,
        DeliberationFile.owner_type == owner_type,
        DeliberationFile.owner_id == owner_id,
        order_by=(DeliberationFile.id,),
    )
