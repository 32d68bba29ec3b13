"""The last figures the manager app saw, kept encrypted for when head office cannot be reached.

The same protection as the kiosk's store (``app.core.store``): SQLCipher, with a random key
made at first start and kept only in the OS keyring (the plaintext keyring refused). It is a
copy, not a record: one row per dashboard question, replaced by each fresh answer, shown
offline with its "as of" time. A copy from another version of this file is dropped, not
migrated: the next answer from head office refills it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from pydantic import ValidationError

from app.core.store.connection import open_engine
from app.core.store.database import Database
from app.core.store.database_key import load_database_key
from pika_protocol.analytics_wire import DashboardOut

#: Bumped when the table or the wire shape changes; an older copy is then dropped.
VERSION = 1


@dataclass(frozen=True)
class KeptDashboard:
    figures: DashboardOut
    as_of: datetime  # when head office answered


class OfflineCopy:
    """Dashboards by question (``DashboardQuery.cache_key``), newest answer only."""

    def __init__(self, database: Database) -> None:
        self._db = database

    @classmethod
    def open(cls, path: Path, *, demo: bool = False) -> OfflineCopy:
        path = Path(path)
        key = load_database_key(path, demo=demo)
        engine, connection = open_engine(path, key.key, create=not path.exists())
        copy = cls(Database(path, engine, connection))
        copy._prepare()
        return copy

    def close(self) -> None:
        self._db.close()

    def _prepare(self) -> None:
        with self._db.transaction() as conn:
            version = conn.exec_driver_sql("PRAGMA user_version").scalar_one()
            if version != VERSION:
                conn.exec_driver_sql("DROP TABLE IF EXISTS dashboards")
            conn.exec_driver_sql(
                "CREATE TABLE IF NOT EXISTS dashboards ("
                " question TEXT PRIMARY KEY, as_of TEXT NOT NULL, body TEXT NOT NULL)"
            )
            conn.exec_driver_sql(f"PRAGMA user_version = {VERSION}")

    def keep(self, question: str, figures: DashboardOut) -> None:
        with self._db.transaction() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO dashboards (question, as_of, body) VALUES (:q, :t, :b) "
                    "ON CONFLICT (question) DO UPDATE SET as_of = :t, body = :b"
                ),
                {"q": question, "t": figures.as_of.isoformat(), "b": figures.model_dump_json()},
            )

    def last(self, question: str) -> KeptDashboard | None:
        """The last answer to ``question``, or None (never asked, or unreadable: dropped)."""
        with self._db.transaction() as conn:
            row = conn.execute(
                sa.text("SELECT as_of, body FROM dashboards WHERE question = :q"), {"q": question}
            ).first()
            if row is None:
                return None
            try:
                figures = DashboardOut.model_validate_json(row[1])
            except ValidationError:
                conn.execute(sa.text("DELETE FROM dashboards WHERE question = :q"), {"q": question})
                return None
        return KeptDashboard(figures, datetime.fromisoformat(row[0]))
