"""What a restore must bring back, in a form two databases can be compared by: each table's
row count (and md5 of its rows), the sequences' values and the triggers.

The restore drill test compares a backed-up database with its restored copy by this, and
``pika-bench backup`` does the same on a year of data. There the md5s are left out
(``checksums=False``): they aggregate every row of a table into one string, which on
10 million events passes Postgres's 1 GB limit for a value.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa


def fingerprint(database_url: str, *, checksums: bool = True) -> dict[str, Any]:
    """Each public table's ``(count, md5)`` (``(count,)`` without ``checksums``), and the
    ``sequences`` with their last values and the ``triggers``."""
    engine = sa.create_engine(database_url, poolclass=sa.pool.NullPool)
    digest = ", md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), ''))"
    found: dict[str, Any] = {}
    try:
        with engine.connect() as conn:
            tables = conn.execute(
                sa.text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
            ).scalars()
            for table in list(tables):
                found[table] = tuple(
                    conn.execute(
                        sa.text(f'SELECT count(*){digest if checksums else ""} FROM "{table}" t')
                    ).one()
                )
            found["sequences"] = sorted(
                tuple(row)
                for row in conn.execute(
                    sa.text(
                        "SELECT sequencename, last_value FROM pg_sequences "
                        "WHERE schemaname = 'public'"
                    )
                )
            )
            found["triggers"] = sorted(
                conn.execute(
                    sa.text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
                ).scalars()
            )
    finally:
        engine.dispose()
    return found
