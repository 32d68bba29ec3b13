"""Alembic environment for the kiosk store: always runs on the store's own open connection.

The store hands its one SQLCipher connection in ``config.attributes["connection"]`` (opening a
second one would cost another key setup and a second writer), already inside the transaction
that the migration and its version stamp commit in together.
"""

from __future__ import annotations

from alembic import context

from app.core.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "the kiosk store migrations run only through app.core.store.migrate, which passes "
        "the open encrypted connection"
    )

context.configure(
    connection=connection,
    target_metadata=metadata,
    transactional_ddl=True,
    render_as_batch=True,  # SQLite alters tables by copying them; batch mode does that
)
with context.begin_transaction():
    context.run_migrations()
