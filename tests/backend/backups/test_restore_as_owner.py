"""The production restore: roles from deploy/postgres, backup and restore as ``pika_owner``
(docs/operations.md "Backups"), on the test's own cluster (roles are cluster-wide: never the
machine's). The restored database keeps its owner, the application role's grants and the
append-only triggers that role cannot drop."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from sync_backend import migrate
from sync_backend.backups.dump import take_backup
from sync_backend.backups.fingerprint import fingerprint
from sync_backend.backups.restore import restore_backup
from sync_backend.db import make_engine, make_sessionmaker
from tests.backend.support import Kit, make_settings
from tests.backend.test_app_role import DEPLOY, make_roles, refused, run_sql
from tests.support import clusters

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def test_a_backup_restored_as_the_owner_keeps_the_roles_grants_and_triggers(
    tmp_path: Path,
) -> None:
    with clusters.postgres_cluster() as cluster:
        make_roles(cluster)
        owner = cluster.url("pika").replace("postgres@", "pika_owner@")
        migrate.upgrade(owner)
        run_sql(owner, (DEPLOY / "grants.sql").read_text())
        app = cluster.url("pika").replace("postgres@", "pika_app@")
        settings = make_settings(app)
        engine = make_engine(settings)
        with make_sessionmaker(engine)() as session:
            kit = Kit(session, settings)  # written as the application role
            business = kit.business("Owner drill")
            kit.vouchers(business, 5)
            kit.kiosk(business)
        engine.dispose()

        backup = take_backup(owner, tmp_path / "backups", keep_days=7)
        run_sql(cluster.url(), "CREATE DATABASE pika_restored OWNER pika_owner")
        restored_owner = cluster.url("pika_restored").replace("postgres@", "pika_owner@")
        restore_backup(restored_owner, backup.path)

        assert fingerprint(restored_owner) == fingerprint(owner)
        restored_app = cluster.url("pika_restored").replace("postgres@", "pika_app@")
        check = sa.create_engine(restored_app, poolclass=sa.NullPool)
        try:
            with check.connect() as conn:
                assert conn.execute(sa.text("SELECT count(*) FROM vouchers")).scalar_one() == 5
                owners = conn.execute(
                    sa.text("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname='public'")
                ).scalars()
                assert list(owners) == ["pika_owner"]
        finally:
            check.dispose()
        assert "must be owner" in refused(restored_app, "DROP TRIGGER events_append_only ON events")
        assert "permission denied" in refused(restored_app, "DELETE FROM events")
