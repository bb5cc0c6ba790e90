"""What the domains' command lines share: reading the ``--now`` option."""

from __future__ import annotations

from datetime import UTC, datetime

import typer


def parse_now(text: str | None) -> datetime:
    """The ``--now`` option: an ISO time with its time zone, or the current time."""
    if not text:
        return datetime.now(UTC)
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise typer.BadParameter("give a time zone, e.g. 2026-10-09T09:00:00+08:00")
    return moment
