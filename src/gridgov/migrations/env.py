"""Alembic environment: runs migrations on the engine gridgov itself would open."""

from __future__ import annotations

from alembic import context

from gridgov import settings_store as _settings_store  # noqa: F401

# Import every models module so that autogenerate sees the whole schema.
from gridgov.accounts import models as _accounts  # noqa: F401
from gridgov.audit import models as _audit  # noqa: F401
from gridgov.db import Base, create_db_engine
from gridgov.registry import models as _registry  # noqa: F401
from gridgov.territory import models as _territory  # noqa: F401

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no database URL given to the migrations")
    engine = create_db_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    raise RuntimeError("offline (SQL script) migrations are not supported")
run_migrations_online()
