"""The schema is made by the shipped Alembic migrations, run once, matching schema.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from app.core.store import KioskStore, SchemaTooNewError
from app.core.store import migrate as migrate_module
from app.core.store.migrate import head_revisions
from app.core.store.schema import metadata
from tests.core.store.conftest import NOW

# The old rows below are dated before NOW (the conftest also pins the clock there).
pytestmark = pytest.mark.time_machine(NOW)


def test_fresh_store_is_at_alembic_head(store: KioskStore) -> None:
    with store._db.transaction() as conn:
        current = MigrationContext.configure(conn).get_current_heads()
    assert set(current) == set(head_revisions()) and current


def test_migrated_schema_matches_schema_py(store: KioskStore) -> None:
    with store._db.transaction() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_reopening_does_not_migrate_again(
    store_path: Path, key: bytes, store: KioskStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.close()
    calls: list[str] = []
    monkeypatch.setattr(
        migrate_module.command, "upgrade", lambda *args, **kw: calls.append("upgrade")
    )
    with KioskStore.open(store_path, key):
        pass
    assert calls == []


def test_store_from_a_newer_kiosk_is_refused_untouched(
    store_path: Path, key: bytes, store: KioskStore
) -> None:
    with store._db.transaction() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    store.close()
    before = store_path.read_bytes()
    with pytest.raises(SchemaTooNewError, match="newer version"):
        KioskStore.open(store_path, key)
    assert store_path.read_bytes() == before


def test_creation_leaves_no_half_built_file(store_path: Path, store: KioskStore) -> None:
    assert sorted(p.name for p in store_path.parent.iterdir() if "creating" in p.name) == []


def test_store_made_at_the_first_revision_upgrades_and_keeps_its_data(
    tmp_path: Path, key: bytes
) -> None:
    from alembic import command

    from app.core.store.connection import open_engine
    from app.core.store.migrate import alembic_config, current_revisions

    path = tmp_path / "old.db"
    engine, conn = open_engine(path, key, create=True)
    with conn.begin():
        command.upgrade(alembic_config(conn), "0001_initial")
    with conn.begin():
        conn.execute(
            text(
                "INSERT INTO redemptions (redemption_id, serial, offer_id, business_id, variant,"
                " redeemed_at, device_id, device_name, source) VALUES ("
                "'0123456789abcdef0123456789abcdef', 77, 7, 42, 0,"
                " '2026-11-20T10:00:00.000000Z', 'dev-old', 'Caja vieja', 'camera')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO offers (offer_id, business_id, title, discount_text, discount_kind,"
                " discount_value, variant_labels, updated_at) VALUES (7, 42, 'Café', '20%',"
                " 'percent', 20, '{}', '2026-11-20T10:00:00.000000Z')"
            )
        )
    assert current_revisions(conn) == ("0001_initial",)
    conn.close()
    engine.dispose()

    with KioskStore.open(path, key) as store:
        prior = store.activity.find_redemption(77)
        assert prior is not None and prior.device_name == "Caja vieja"
        with store._db.transaction() as c:
            assert c.execute(text("SELECT origin FROM redemptions")).scalar_one() == "local"
            # 0003: the offer kept its figures, and a "2x1" offer now fits beside it.
            c.execute(
                text(
                    "INSERT INTO offers (offer_id, business_id, title, discount_text,"
                    " discount_kind, discount_value, variant_labels, updated_at) VALUES"
                    " (8, 42, 'Empanadas', '2x1', 'other', NULL, '{}',"
                    " '2026-11-20T10:00:00.000000Z')"
                )
            )
        offer = store.reference.offer(7)
        assert offer is not None and (offer.discount_kind, offer.discount_value) == ("percent", 20)
        other = store.reference.offer(8)
        assert other is not None and other.discount_value is None
        with store._db.transaction() as c:
            revisions = MigrationContext.configure(c).get_current_heads()
        assert set(revisions) == set(head_revisions())
