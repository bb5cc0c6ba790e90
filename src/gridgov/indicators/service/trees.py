"""Indicator trees in the database: the shipped trees and stored revisions."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov import revisions
from gridgov.audit.service import Actor
from gridgov.errors import NotFound
from gridgov.indicators.models import IndicatorTree
from gridgov.indicators.rules import Tree, load_tree
from gridgov.msgids import N_

SHIPPED = ("three_rates", "org_strength")


def shipped_text(key: str) -> str:
    return revisions.shipped_text("gridgov.indicators", key)


@lru_cache(maxsize=64)
def parse(source: str) -> Tree:
    """A stored revision's tree (sources were validated when they were loaded)."""
    return load_tree(source)


def check_tree(text: str) -> Tree:
    """Validate a tree file; InvalidInput names the line of the first problem."""
    refused = N_("The indicator tree is refused at line %(line)s: %(reason)s")
    return revisions.check_text(load_tree, text, refused)


def do_load_tree(session: Session, *, text: str, actor: Actor, now: datetime) -> IndicatorTree:
    """Store a tree file as its key's next revision; loading the same text is a no-op."""
    tree = check_tree(text)
    return revisions.do_store(
        session,
        IndicatorTree,
        key=tree.key,
        names=(tree.name_zh, tree.name_en),
        text=text,
        actor=actor,
        now=now,
        action="indicators.tree_loaded",
    )


def ensure_shipped(session: Session, *, now: datetime) -> None:
    """Load the shipped trees whose key has no revision yet."""
    for key in SHIPPED:
        if latest_tree(session, key) is None:
            do_load_tree(session, text=shipped_text(key), actor=Actor.system(), now=now)


def latest_tree(session: Session, key: str) -> IndicatorTree | None:
    return revisions.latest(session, IndicatorTree, key)


def trees(session: Session) -> list[tuple[IndicatorTree, Tree]]:
    """The latest revision of every stored tree key, and the shipped trees not stored yet."""
    latest = (
        select(IndicatorTree.key, func.max(IndicatorTree.revision).label("revision"))
        .group_by(IndicatorTree.key)
        .subquery()
    )
    rows = session.scalars(
        select(IndicatorTree)
        .join(
            latest,
            (IndicatorTree.key == latest.c.key) & (IndicatorTree.revision == latest.c.revision),
        )
        .order_by(IndicatorTree.key)
    )
    stored = [(row, parse(row.source)) for row in rows]
    missing = sorted(set(SHIPPED) - {row.key for row, _ in stored})
    stored += [(row, parse(row.source)) for row in map(_unstored_shipped, missing)]
    return sorted(stored, key=lambda pair: pair[0].key)


def _unstored_shipped(key: str) -> IndicatorTree:
    """A shipped tree nobody stored yet, as revision 0 (not added to the session): it is
    stored the first time something is computed or scored (``ensure_shipped``)."""
    text = shipped_text(key)
    tree = parse(text)
    return IndicatorTree(
        key=key,
        revision=0,
        name_zh=tree.name_zh,
        name_en=tree.name_en,
        source=text,
        sha256="",
        loaded_by="",
    )


def get_tree(session: Session, key: str) -> tuple[IndicatorTree, Tree]:
    row = latest_tree(session, key)
    if row is None and key in SHIPPED:
        row = _unstored_shipped(key)
    if row is None:
        raise NotFound("There is no indicator tree %(key)s.", params={"key": key})
    return row, parse(row.source)
