"""Engines, sessions and the migration check, for SQLite and PostgreSQL alike.

SQLite runs in WAL mode with ``synchronous=FULL`` (an acknowledged write survives a
power cut) and foreign keys on. Write transactions on SQLite begin ``IMMEDIATE`` so
that two writers queue on the lock instead of failing half-way; reads stay deferred.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import (
    ColumnElement,
    DateTime,
    Engine,
    Insert,
    Integer,
    MetaData,
    Table,
    Update,
    bindparam,
    create_engine,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.orm import (
    DeclarativeBase,
    InstrumentedAttribute,
    Mapped,
    Session,
    make_transient_to_detached,
    mapped_column,
)
from sqlalchemy.sql.schema import ScalarElementColumnDefault
from sqlalchemy.types import TypeDecorator

from gridgov.config import Keys
from gridgov.errors import NotFound
from gridgov.fields import FieldCipher
from gridgov.msgids import N_

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
AUDIT_KEY_INFO = "gridgov.audit_key"
FIELD_CIPHER_INFO = "gridgov.field_cipher"
M = TypeVar("M")
R = TypeVar("R", bound="Row")

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def enum_check(column: str, enum: type[StrEnum]) -> str:
    """The CHECK expression that keeps ``column`` to the values of ``enum``."""
    return f"{column} IN (" + ", ".join(f"'{member.value}'" for member in enum) + ")"


def rows(
    session: Session, model: type[M], *where: ColumnElement[bool], order_by: tuple[Any, ...]
) -> list[M]:
    """The ``model`` rows that meet every ``where`` clause, in ``order_by`` order: what
    a "the milestones of …", "the members of …" query reads."""
    return list(session.scalars(select(model).where(*where).order_by(*order_by)))


def count_rows(session: Session, model: type[Any], *where: ColumnElement[bool]) -> int:
    """How many ``model`` rows meet every ``where`` clause."""
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def counts_by(
    session: Session, column: InstrumentedAttribute[int], ids: list[int]
) -> dict[int, int]:
    """How many rows hold each of ``ids`` in ``column`` (the members of each team, …);
    an id no row holds is left out."""
    if not ids:
        return {}
    query = select(column, func.count()).where(column.in_(ids)).group_by(column)
    return {key: int(n) for key, n in session.execute(query)}


def visible_row(
    session: Session,
    model: type[M],
    row_id: int,
    visible: Callable[[M], bool],
    *,
    missing: str = N_("Not found, or outside your area."),
) -> M:
    """The ``model`` row ``row_id`` if the viewer may see it (``visible(row)``); else
    ``NotFound`` with ``missing`` (a catalogue id), the same answer for a missing row and
    one outside the viewer's area."""
    row = session.get(model, row_id)
    if row is None or not visible(row):
        raise NotFound(missing)
    return row


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Row(Base):
    """A table keyed by an integer ``id``, its first column (as the migrations create
    it): what most tables are."""

    __abstract__ = True

    id: Mapped[int] = mapped_column(Integer, primary_key=True, sort_order=-1)


class GridPlaced:
    """A mixin for a row kept in one grid: audit entries about it (``record_about``)
    place it in its ``grid_code``."""

    if TYPE_CHECKING:
        grid_code: Mapped[str]

    @property
    def region_code(self) -> str:
        return self.grid_code


@dataclass(frozen=True)
class RowInsert:
    """A table's INSERT as a Core statement, with what the ORM's flush writes for each
    column a row's constructor left unset: its default, else NULL."""

    columns: dict[str, Any]  # every column but the id
    statement: Insert
    returning_id: Insert


@cache
def row_insert(model: type[Row]) -> RowInsert:
    """The Core INSERT of ``model``'s rows. Only for tables whose defaults are constants
    (a callable or SQL default is refused: the flush would write something else)."""
    table = model.__table__
    assert isinstance(table, Table)  # noqa: S101 - a declarative model's table
    columns: dict[str, Any] = {}
    for column in table.columns:
        if column.key == "id":
            continue
        default = column.default
        if default is not None and not isinstance(default, ScalarElementColumnDefault):
            raise TypeError(f"{table.name}.{column.key}: only constant defaults")
        columns[column.key] = None if default is None else default.arg
    return RowInsert(columns, insert(table), insert(table).returning(table.c.id))


@cache
def array_insert(table: Table, keys: tuple[str, ...], prefix: str = "") -> Insert:
    """PostgreSQL: any number of rows of ``table``'s columns ``keys`` in one ``INSERT ...
    SELECT FROM unnest(…)``, one array parameter per column (``{prefix}{key}``, the
    column's values in row order). The statement is the same whatever the count, so it
    is compiled once, and short enough, with few enough parameters, for psycopg to keep
    its parsed form: a multi-row statement of a parameter per value (past 4 kB or 50
    parameters) was parsed again by psycopg's Python at every execution."""
    from sqlalchemy.dialects.postgresql import ARRAY

    arrays = [bindparam(f"{prefix}{key}", type_=ARRAY(table.c[key].type)) for key in keys]
    rows = func.unnest(*arrays).table_valued(*keys).render_derived()
    return insert(table).from_select(list(keys), select(*(rows.c[key] for key in keys)))


def array_params(rows: list[dict[str, Any]], prefix: str = "") -> dict[str, list[Any]]:
    """``array_insert``'s parameters for ``rows`` (dicts of the same keys)."""
    return {f"{prefix}{key}": [row[key] for row in rows] for key in rows[0]}


# ---------------------------------------------------------------- statements on the cursor


@dataclass
class _Prepared:
    """A Core statement as SQLAlchemy compiles it for one dialect and one set of
    parameter names (the compiled form ``Connection.execute`` would use), with what
    running it needs: its SQL, its bind names in the driver's order, the values of its
    literal binds, and the bind and result processors of their types."""

    sql: str
    names: tuple[str, ...]
    positional: bool
    defaults: dict[str, Any]
    binds: tuple[tuple[str, Callable[[Any], Any]], ...]
    types: tuple[Any, ...]  # of the result columns
    # The result columns' processors, by position: known at the first execution (some
    # depend on the type the driver reports, as SQLAlchemy's result does).
    results: tuple[tuple[int, Callable[[Any], Any]], ...] | None = None


# Per (statement object, dialect and driver, parameter names, many): the statement object is kept
# with its entry, so its id is not reused while the entry lives. Only for statements
# built once (module constants, or ``functools.cache``'s), as SQLAlchemy's own cache is.
_PREPARED: dict[tuple[int, str, str, tuple[str, ...], bool], tuple[Any, _Prepared | None]] = {}
_MOST_PREPARED = 1024


def _prepare(statement: Any, dialect: Any, keys: tuple[str, ...], many: bool) -> _Prepared | None:
    """``statement`` compiled as ``Connection.execute`` compiles it (the parameters'
    names as its column keys), or None when its form depends on the values (expanding
    or literal-rendered parameters): those run through SQLAlchemy."""
    compiled = statement.compile(dialect=dialect, column_keys=list(keys), for_executemany=many)
    if (
        # A parameter the statement needs and ``keys`` lacks: SQLAlchemy refuses the
        # call ("A value is required …"), where the cursor would be sent NULL.
        any(bind.required and name not in keys for name, bind in compiled.binds.items())
        # Python-side column defaults (``default=``, ``onupdate=``): SQLAlchemy's
        # execution computes them, the cursor would leave them out.
        or compiled.insert_prefetch
        or compiled.update_prefetch
        or compiled.literal_execute_params
        or compiled.post_compile_params
        or compiled.escaped_bind_names
        or getattr(compiled, "_insertmanyvalues", None) is not None
    ):
        return None
    defaults = compiled.construct_params(_check=False)
    names = tuple(compiled.positiontup or ()) if compiled.positional else tuple(defaults)
    binds = tuple(
        (name, processor)
        for name, processor in compiled._bind_processors.items()
        if processor is not None and not isinstance(processor, tuple)
    )
    types = tuple(column[3] for column in compiled._result_columns)
    return _Prepared(compiled.string, names, compiled.positional, defaults, binds, types)


def run_statement(
    connection: Connection, statement: Any, params: dict[str, Any] | list[dict[str, Any]]
) -> list[Any]:
    """Run ``statement`` (a Core statement built once) with ``params`` (a dict, or a list
    of dicts for an executemany of a statement that returns nothing) on the DBAPI cursor
    of ``connection`` (inside its transaction), and give the rows it returns, as
    tuples with their types' result processing. The same SQL and the same values as
    ``connection.execute`` sends (SQLAlchemy compiles it, once per dialect and set of
    parameter names), without its per-execution machinery: some 120 Python calls a
    statement, a dozen times a report on intake's path.

    Statements whose form depends on the values, and any connection with
    ``before_cursor_execute``/``after_cursor_execute`` listeners or echo (statement
    counts, logging), run through ``connection.execute`` instead: whatever watches
    the statements sees every one. A driver's error is raised as SQLAlchemy raises it
    (``IntegrityError``, ``OperationalError`` …, with its disconnect handling)."""
    many = isinstance(params, list)
    first: dict[str, Any] = params[0] if isinstance(params, list) else params
    dialect = connection.dialect
    keys = tuple(sorted(first))
    cache_key = (id(statement), dialect.name, dialect.driver, keys, many)
    entry = _PREPARED.get(cache_key)
    if entry is None:
        # Past a bound, a statement seen for the first time is neither compiled here nor
        # kept: statements built per call (a misuse) cannot grow the cache without end.
        if len(_PREPARED) < _MOST_PREPARED:
            entry = _PREPARED[cache_key] = (statement, _prepare(statement, dialect, keys, many))
        else:
            entry = (statement, None)
    prepared = entry[1]
    dispatch = connection.dispatch
    if (
        prepared is None
        or dispatch.before_cursor_execute
        or dispatch.after_cursor_execute
        or connection._echo
    ):
        result = connection.execute(statement, params)
        return [tuple(row) for row in result] if result.returns_rows else []
    rows = params if many else [params]
    values = [_bound(prepared, row) for row in rows]  # type: ignore[arg-type]
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        if many:
            cursor.executemany(prepared.sql, values)
            return []
        cursor.execute(prepared.sql, values[0])
        if cursor.description is None:
            return []
        fetched = cursor.fetchall()
        if prepared.results is None:
            prepared.results = _result_processors(prepared, dialect, cursor.description)
    except Exception as exc:  # the driver's: raised as Connection.execute raises it
        connection._handle_dbapi_exception(
            exc, prepared.sql, values if many else values[0], cursor, None
        )
    finally:
        cursor.close()
    if not prepared.results:
        return [tuple(row) for row in fetched]
    out = []
    for row in fetched:
        row = list(row)
        for n, processor in prepared.results:
            row[n] = processor(row[n])
        out.append(tuple(row))
    return out


def read_value(session: Session, statement: Any, params: dict[str, Any]) -> Any:
    """What ``session.scalar(statement, params)`` gives for a Core read of plain columns
    (no ORM entity, not the audit log: no session hook has anything to do for it), run
    on the cursor (``run_statement``) after the session's autoflush, as ``scalar``
    would: the first row's first value, or None."""
    if session.autoflush:
        session.flush()  # nothing to write: returns at once
    found = run_statement(session.connection(), statement, params)
    return found[0][0] if found else None


def _result_processors(
    prepared: _Prepared, dialect: Any, description: Any
) -> tuple[tuple[int, Callable[[Any], Any]], ...]:
    """The result processors of ``prepared``'s columns, for the types the driver reports
    (``cursor.description``), as SQLAlchemy's cursor result picks them."""
    found = []
    for n, type_ in enumerate(prepared.types):
        processor = type_._cached_result_processor(dialect, description[n][1])
        if processor is not None:
            found.append((n, processor))
    return tuple(found)


def _bound(prepared: _Prepared, params: dict[str, Any]) -> Any:
    """The driver's parameters: ``params`` over the literal binds, through the bind
    processors, in the driver's order (a tuple) or by name (a dict)."""
    values = {**prepared.defaults, **params}
    for name, processor in prepared.binds:
        values[name] = processor(values[name])
    if prepared.positional:
        return tuple([values[name] for name in prepared.names])
    return {name: values[name] for name in prepared.names}


def table_of(model: type[Row]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)  # noqa: S101 - a declarative model's table
    return table


def new_row(model: type[R], **values: Any) -> R:
    """A new ``model`` object of ``values``, as ``model(**values)`` makes it, for
    ``insert_row``: the values go into the object's dict, not through its instrumented
    attributes (a dozen calls each, history a row outside the session never uses:
    ``attach_row`` makes what the dict holds its loaded state). Unknown names are
    refused, as the constructor refuses them."""
    mapper = model.__mapper__
    unknown = values.keys() - mapper.attrs.keys()
    if unknown:
        raise TypeError(f"{model.__name__}: no attribute {sorted(unknown)}")
    row: R = mapper.class_manager.new_instance()
    row.__dict__.update(values)
    return row


def insert_row(session: Session, row: Row) -> dict[str, Any]:
    """Insert ``row`` (a new object, outside the session) in one Core statement and give
    it its new id. The columns its constructor left unset get what a flush would write
    (``row_insert``), on the object too; the values written are returned, for
    ``changed_columns`` to tell what changed since. The row stays outside the session
    (``attach_row`` brings it in): whatever it is given meanwhile is not tracked, and no
    flush writes it."""
    shape = row_insert(type(row))
    values = row.__dict__
    for key, default in shape.columns.items():
        if key not in values:
            # Into the object's dict, not through its instrumented attribute (a dozen
            # calls each, for a case's twenty-odd unset columns): the row is new and
            # outside the session, there is no history to keep.
            values[key] = default
    written = {key: values[key] for key in shape.columns}
    row.id = run_statement(session.connection(), shape.returning_id, written)[0][0]
    return written


def changed_columns(row: Row, written: dict[str, Any]) -> dict[str, Any]:
    """The columns of ``row`` whose values differ from ``written`` (``insert_row``'s)."""
    values = row.__dict__
    return {key: values[key] for key, old in written.items() if values[key] != old}


@cache
def row_update(table: Table, keys: tuple[str, ...]) -> Update:
    """``UPDATE table SET key = :set_key, … WHERE id = :row_id``, built once per set of
    columns (and cached by SQLAlchemy)."""
    return (
        update(table)
        .where(table.c.id == bindparam("row_id"))
        .values({key: bindparam(f"set_{key}", type_=table.c[key].type) for key in keys})
    )


def update_params(row: Row, changed: dict[str, Any]) -> dict[str, Any]:
    """``row_update``'s parameters for ``changed`` columns of ``row``."""
    return {"row_id": row.id, **{f"set_{key}": value for key, value in changed.items()}}


def attach_row(session: Session, row: Row) -> None:
    """Make ``row`` (``insert_row``'s, written meanwhile if anything changed) the
    session's persistent row of its id, as a flush would leave it: every column loaded,
    nothing pending."""
    make_transient_to_detached(row)
    session.add(row)


def insert_now(session: Session, row: Row) -> None:
    """Insert ``row`` at once in one Core statement, and make it the session's persistent
    row of its new id, as a flush would leave it (every column loaded, nothing pending),
    without the unit of work's bookkeeping for one new row or the flush of everything
    else the session holds. For a row whose id is needed now (a message's key names it)
    and whose foreign keys point at rows already in the database."""
    insert_row(session, row)
    attach_row(session, row)


ROWS_AT_ONCE = "gridgov.rows_at_once"


class RowBuffer:
    """New rows that nothing reads back as objects (a report's events and messages),
    kept as the column values a flush would write, and at most one row's changed
    columns: written together (``write``), each table's rows in the order they were
    added (so ids keep that order). No ORM object is built, tracked, sorted by the flush
    and forgotten for them."""

    def __init__(self) -> None:
        self.rows: dict[type[Row], list[dict[str, Any]]] = {}
        self.changed: tuple[Row, dict[str, Any]] | None = None

    def add(self, model: type[Row], values: dict[str, Any]) -> None:
        """Buffer one row of ``model``: ``values`` by column key, the rest defaulted."""
        columns = row_insert(model).columns
        self.rows.setdefault(model, []).append(
            {key: values.get(key, default) for key, default in columns.items()}
        )

    def update(self, row: Row, changed: dict[str, Any]) -> None:
        """Write ``changed`` (``changed_columns``) to ``row``'s row too, after the rows."""
        self.changed = (row, changed) if changed else None

    def write(self, connection: Connection) -> None:
        """Insert the buffered rows and update the changed row, then empty the buffer. On
        PostgreSQL in ONE statement, one round trip (``_written_at_once``); on SQLite an
        executemany per table (one call into C each) and the UPDATE."""
        tables, self.rows = list(self.rows.items()), {}
        changed, self.changed = self.changed, None
        if connection.dialect.name == "postgresql":
            params: dict[str, Any] = {}
            for t, (_, values) in enumerate(tables):
                params.update(array_params(values, prefix=f"t{t}_"))
            updated: tuple[type[Row], tuple[str, ...]] | None = None
            if changed is not None:
                row, columns = changed
                params.update(update_params(row, columns))
                updated = (type(row), tuple(columns))
            if params:
                models = tuple(model for model, _ in tables)
                run_statement(connection, _written_at_once(models, updated), params)
            return
        for model, values in tables:
            run_statement(connection, row_insert(model).statement, values)
        if changed is not None:
            row, columns = changed
            run_statement(
                connection,
                row_update(table_of(type(row)), tuple(columns)),
                update_params(row, columns),
            )


@cache
def _written_at_once(
    models: tuple[type[Row], ...], updated: tuple[type[Row], tuple[str, ...]] | None
) -> Any:
    """``RowBuffer.write``'s one statement on PostgreSQL: the rows of ``models`` (an
    ``array_insert`` each, table ``t``'s parameters prefixed ``t{t}_``) and ``updated``
    (the updated row's model and columns), built once per shape. The last statement
    carries the others as common table expressions (PostgreSQL runs every
    data-modifying one)."""
    statements: list[Any] = [
        array_insert(table_of(model), tuple(row_insert(model).columns), f"t{t}_")
        for t, model in enumerate(models)
    ]
    if updated is not None:
        model, keys = updated
        statements.append(row_update(table_of(model), keys))
    main = statements.pop()
    for n, statement in enumerate(statements):
        main = main.add_cte(statement.cte(f"written_{n}"))
    return main


def row_buffer(session: Session) -> RowBuffer | None:
    """The buffer of ``rows_at_once`` when the session is inside one, else None."""
    buffer = session.info.get(ROWS_AT_ONCE)
    return buffer if isinstance(buffer, RowBuffer) else None


def add_values(session: Session, model: type[R], values: dict[str, Any]) -> R | None:
    """Add a new ``model`` row of ``values``: into the buffer of ``rows_at_once`` when the
    session is inside one (None: there is no object to read back), else to the session
    (the new object)."""
    buffer = row_buffer(session)
    if buffer is not None:
        buffer.add(model, values)
        return None
    row = model(**values)
    session.add(row)
    return row


@contextmanager
def rows_at_once(session: Session) -> Iterator[RowBuffer]:
    """Inside, the functions that add rows nothing reads back (``cases.steps.add_event``,
    the outbox) buffer their values in the yielded ``RowBuffer`` instead of the session;
    the caller writes it (``write``) before leaving. Leaving by an exception drops what
    is still buffered, as a rollback would have dropped the session's pending rows."""
    buffer = RowBuffer()
    session.info[ROWS_AT_ONCE] = buffer
    try:
        yield buffer
    finally:
        del session.info[ROWS_AT_ONCE]


_DATABASE_KEYS: weakref.WeakKeyDictionary[Engine, str] = weakref.WeakKeyDictionary()


def database_key(session: Session) -> str:
    """The session's database as the key of a per-process cache (the catalogue, the
    holidays, the locator): its URL, rendered once per engine rather than at every
    look-up (``str(url)`` is some fifteen calls, and intake looks a dozen times)."""
    engine = session.get_bind().engine
    key = _DATABASE_KEYS.get(engine)
    if key is None:
        key = _DATABASE_KEYS[engine] = str(engine.url)
    return key


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on both engines (SQLite stores no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: pass an aware datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# Connections kept open: as many as requests that run at once in the worker threads
# (AnyIO's default limit is 40). With SQLAlchemy's default of 5, a busy server opened and
# closed a connection per request beyond the fifth (PRAGMAs on SQLite, a login on
# PostgreSQL); the overflow stays for bursts.
POOL_SIZE = 20
POOL_OVERFLOW = 20


def create_db_engine(url: str, *, echo: bool = False) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        pool: dict[str, Any] = {}
        if database and database != ":memory:":
            pool = {"pool_size": POOL_SIZE, "max_overflow": POOL_OVERFLOW}
        engine = create_engine(
            url, echo=echo, connect_args={"timeout": 30, "check_same_thread": False}, **pool
        )
        _configure_sqlite(engine)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        # A bare postgresql:// URL means psycopg 3, the driver we ship.
        parsed = parsed.set(drivername="postgresql+psycopg")
    return create_engine(
        parsed,
        echo=echo,
        pool_pre_ping=True,
        pool_size=POOL_SIZE,
        max_overflow=POOL_OVERFLOW,
    )


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's own is unreliable).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        write = connection.get_execution_options().get("gridgov_write", False)
        mode = "IMMEDIATE" if write else "DEFERRED"
        connection.exec_driver_sql(f"BEGIN {mode}")


@dataclass
class Database:
    """One engine and its sessions. Sessions carry the audit key for the chain and the
    cipher for personal fields; neither is ever stored in the database."""

    url: str
    engine: Engine
    audit_key: bytes
    field_cipher: FieldCipher

    @classmethod
    def from_url(cls, url: str, *, keys: Keys) -> Database:
        return cls(
            url=url,
            engine=create_db_engine(url),
            audit_key=keys.audit,
            field_cipher=FieldCipher(keys.field),
        )

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @cached_property
    def write_engine(self) -> Engine:
        """The engine with the write option, made once: ``execution_options`` builds a new
        engine object each call (about 0.1 ms, and garbage), which every write request paid."""
        return self.engine.execution_options(gridgov_write=True)

    def session(self, *, write: bool = False) -> Session:
        """A new session. ``write=True`` takes SQLite's write lock at BEGIN."""
        bind = self.write_engine if write else self.engine
        session = Session(bind, expire_on_commit=False)
        session.info[AUDIT_KEY_INFO] = self.audit_key
        session.info[FIELD_CIPHER_INFO] = self.field_cipher
        return session

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A write session that commits on success and rolls back on error."""
        session = self.session(write=True)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()

    @contextmanager
    def bulk_load(self) -> Iterator[None]:
        """Settings for a job that writes a whole database at once (the demo build), on
        every connection the engine opens meanwhile; the pool is emptied on the way in
        and out, so that connections opened after it have the usual settings again.

        SQLite: ``synchronous=NORMAL`` (in WAL mode a commit no longer waits for the
        disk; a power cut may lose the last commits, never corrupts the file), temporary
        b-trees in memory and a 256 MB page cache (the registry's indexes are mostly
        random keys: with the default 2 MB the build spilled pages to the WAL and read
        them back). On the way out a checkpoint under ``synchronous=FULL`` copies the WAL
        into the database and syncs it, so that what the job wrote is on disk as if every
        commit had been FULL. PostgreSQL: ``synchronous_commit=off``, the same trade (no
        corruption, only the last commits at risk in a crash), undone by the new
        connections after.
        """
        dialect = self.dialect
        if dialect not in ("sqlite", "postgresql"):
            yield
            return
        statements = (
            ("PRAGMA synchronous=NORMAL", "PRAGMA temp_store=MEMORY", "PRAGMA cache_size=-262144")
            if dialect == "sqlite"
            else ("SET synchronous_commit TO off",)
        )

        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            for statement in statements:
                cursor.execute(statement)
            cursor.close()
            if dialect == "postgresql":
                dbapi_connection.commit()  # psycopg opened a transaction for the SET

        self.engine.dispose()
        event.listen(self.engine, "connect", _on_connect)
        try:
            yield
        finally:
            event.remove(self.engine, "connect", _on_connect)
            self.engine.dispose()
            if dialect == "sqlite":  # a new connection: synchronous=FULL, autocommit
                raw = self.engine.raw_connection()
                try:
                    raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
                finally:
                    raw.close()


# ---------------------------------------------------------------- migrations


def alembic_config(url: str) -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


@cache
def head_revision() -> str:
    script = ScriptDirectory(str(MIGRATIONS_DIR))
    head = script.get_current_head()
    if head is None:
        raise RuntimeError("no migrations found")
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(url: str, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(url), revision)


class NotMigratedError(RuntimeError):
    pass


def ensure_migrated(engine: Engine) -> None:
    """Refuse to serve a database that is not at the code's migration head."""
    current = current_revision(engine)
    head = head_revision()
    if current != head:
        state = "empty (no tables)" if current is None else f"at revision {current}"
        raise NotMigratedError(
            f"The database is {state}; this version of gridgov needs revision {head}. "
            "Run: gridgov db upgrade"
        )
