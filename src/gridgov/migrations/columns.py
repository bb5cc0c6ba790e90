"""Builders the migrations share, so that each migration states only its own tables.

The names they give are the ones the models' naming convention gives (``pk_<table>``,
``fk_<table>_<column>_<referred table>``, ``ix_<table>_<column>``), marked final with
``op.f`` so the convention does not apply twice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import sqlalchemy as sa
from alembic import op

__all__ = [
    "binary",
    "boolean",
    "date",
    "drop_tables",
    "fk",
    "index",
    "integer",
    "one_of",
    "partial_index",
    "pk",
    "real",
    "string",
    "table",
    "text",
    "ts",
]


def one_of(column: str, values: Sequence[str]) -> str:
    """The CHECK expression that keeps ``column`` to ``values``."""
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def string(name: str, length: int, *, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.String(length=length), nullable=nullable)


class ColumnBuilder(Protocol):
    """``builder(name, nullable=False)`` gives a fresh column."""

    def __call__(self, name: str, *, nullable: bool = False) -> sa.Column[Any]: ...


def _builder(kind: type[sa.types.TypeEngine[Any]]) -> ColumnBuilder:
    """The builder of ``kind`` columns, NOT NULL unless told."""

    def column(name: str, *, nullable: bool = False) -> sa.Column[Any]:
        return sa.Column(name, kind(), nullable=nullable)

    return column


text = _builder(sa.Text)
integer = _builder(sa.Integer)
boolean = _builder(sa.Boolean)
real = _builder(sa.Float)
binary = _builder(sa.LargeBinary)
date = _builder(sa.Date)


def ts(name: str, *, nullable: bool = False) -> sa.Column[object]:
    """A timezone-aware timestamp."""
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def pk(table: str, column: str = "id") -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint(column, name=op.f(f"pk_{table}"))


def fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    """``table.column`` refers to ``target`` (``"other_table.column"``)."""
    referred = target.split(".")[0]
    return sa.ForeignKeyConstraint([column], [target], name=op.f(f"fk_{table}_{column}_{referred}"))


def table(
    name: str,
    *items: sa.schema.SchemaItem,
    checks: Mapping[str, Sequence[str]] | None = None,
    refs: Mapping[str, str] | None = None,
) -> None:
    """Creates table ``name``: an integer ``id`` for primary key, then ``items`` (columns
    and constraints), a CHECK keeping each column of ``checks`` to its values and a
    foreign key from each column of ``refs`` to the ``"table.column"`` it names."""
    op.create_table(
        name,
        integer("id"),
        *items,
        *(
            sa.CheckConstraint(one_of(column, values), name=op.f(f"ck_{name}_{column}"))
            for column, values in (checks or {}).items()
        ),
        *(fk(name, column, target) for column, target in (refs or {}).items()),
        pk(name),
    )


def index(table: str, *columns: str, name: str | None = None) -> None:
    """An index on ``columns``; named after the first column unless ``name`` is given."""
    op.create_index(op.f(name or f"ix_{table}_{columns[0]}"), table, list(columns))


def partial_index(name: str, table: str, column: str, where: str) -> None:
    """An index ``name`` on ``column`` of the rows where ``where`` holds, on both engines."""
    condition = sa.text(where)
    op.create_index(
        name, table, [column], unique=False, sqlite_where=condition, postgresql_where=condition
    )


def drop_tables(*tables: str) -> None:
    """Drops ``tables`` in order (their indexes go with them)."""
    for table in tables:
        op.drop_table(table)
