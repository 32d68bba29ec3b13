"""Run Alembic migrations from code (CLI, start script, test fixtures)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(database_url: str, signing_key_secret: str | None = None) -> Config:
    """``signing_key_secret``: for migrations that sign printed tokens again (0006); when not
    given they read it from the settings (``PIKA_SIGNING_KEY_SECRET``)."""
    config = Config(str(MIGRATIONS / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["database_url"] = database_url
    if signing_key_secret:
        config.attributes["signing_key_secret"] = signing_key_secret
    return config


def upgrade(
    database_url: str, revision: str = "head", signing_key_secret: str | None = None
) -> None:
    command.upgrade(alembic_config(database_url, signing_key_secret), revision)


def head_revision() -> str | None:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return script.get_current_head()


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()
