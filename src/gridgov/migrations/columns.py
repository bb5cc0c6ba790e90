"""Builders the migrations share, so that each migration states only its own tables.

The names they give are the ones the models' naming convention gives (``pk_<table>``,
``fk_<table>_<column>_<referred table>``, ``ix_<table>_<column>``), marked final with
``op.f`` so the convention does not apply twice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

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


def text(name: str, *, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.Text(), nullable=nullable)


def integer(name: str, *, nullable: bool = False) -> sa.Column[int]:
    return sa.Column(name, sa.Integer(), nullable=nullable)


def boolean(name: str, *, nullable: bool = False) -> sa.Column[bool]:
    return sa.Column(name, sa.Boolean(), nullable=nullable)


def real(name: str, *, nullable: bool = False) -> sa.Column[float]:
    return sa.Column(name, sa.Float(), nullable=nullable)


def binary(name: str, *, nullable: bool = False) -> sa.Column[bytes]:
    return sa.Column(name, sa.LargeBinary(), nullable=nullable)


def date(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.Date(), nullable=nullable)


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


def drop_tables(*tables: str) -> None:
    """Drops ``tables`` in order (their indexes go with them)."""
    for table in tables:
        op.drop_table(table)
