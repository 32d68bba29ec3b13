"""Bring a store's schema to the head revision with Alembic, programmatically.

Runs on the store's own connection inside one transaction: the DDL and the version stamp
commit together, so a crash mid-migration leaves the previous schema, never half of a new one.
"""

from __future__ import annotations

from functools import cache

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

SCRIPT_LOCATION = "app.core.store:migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    config.set_main_option("path_separator", "os")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@cache
def _script() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head_revisions() -> tuple[str, ...]:
    return tuple(_script().get_heads())


def current_revisions(connection: Connection) -> tuple[str, ...]:
    with connection.begin():
        return tuple(MigrationContext.configure(connection).get_current_heads())


def unknown_revisions(current: tuple[str, ...]) -> tuple[str, ...]:
    """Revisions in the database that this build of the kiosk does not ship (a newer build
    migrated it): upgrading from them is impossible and must not be attempted."""
    known = {rev.revision for rev in _script().walk_revisions()}
    return tuple(rev for rev in current if rev not in known)


def upgrade_to_head(connection: Connection) -> bool:
    """Migrate if behind; return whether anything ran. Reopening a current store is a no-op."""
    if set(current_revisions(connection)) == set(head_revisions()):
        return False
    with connection.begin():
        command.upgrade(alembic_config(connection), "head")
    return True
