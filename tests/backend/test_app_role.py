"""The backend runs as a database role that cannot drop the event logs' triggers (issue 15).

deploy/postgres/roles.sql and grants.sql, exactly as docs/operations.md tells head office to
run them, on the test's own cluster (roles belong to a whole cluster: never the machine's):
the owner migrates, the application role serves (pushes, pulls, fraud checks, the analytics
projector and a dashboard), and that role can neither drop nor disable the append-only
triggers, nor delete from or truncate the logs.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from pika_protocol import sync_wire
from sync_backend import migrate
from sync_backend.db import make_engine, make_sessionmaker
from tests.backend.serving import dashboard_path, redeemed, serving
from tests.backend.support import ADMIN, Kit, make_settings, push
from tests.support import clusters

DEPLOY = Path(__file__).resolve().parents[2] / "deploy" / "postgres"


def statements(sql: str) -> list[str]:
    """The SQL statements of a psql file (comments dropped; no semicolons inside strings)."""
    text = "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))
    return [s.strip() for s in text.split(";") if s.strip()]


def run_sql(url: str, sql: str) -> None:
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    try:
        with engine.connect() as conn:
            for statement in statements(sql):
                conn.execute(sa.text(statement))
    finally:
        engine.dispose()


def make_roles(cluster: clusters.PostgresCluster) -> None:
    """roles.sql as psql runs it: its passwords given (NULL: the test cluster trusts), and
    its ``\\connect pika`` followed."""
    sql = (DEPLOY / "roles.sql").read_text().replace(":owner_password", "NULL")
    sql = sql.replace(":app_password", "NULL")
    before, after = re.split(r"^\\connect pika$", sql, flags=re.M)
    run_sql(cluster.url(), before)
    run_sql(cluster.url("pika"), after)


def refused(url: str, statement: str) -> str:
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    try:
        with engine.connect() as conn, pytest.raises(sa.exc.DBAPIError) as error:
            conn.execute(sa.text(statement))
        return str(error.value.orig)
    finally:
        engine.dispose()


def test_the_backend_serves_as_a_role_that_cannot_touch_the_append_only_logs() -> None:
    with clusters.postgres_cluster() as cluster:
        make_roles(cluster)
        owner = cluster.url("pika").replace("postgres@", "pika_owner@")
        app = cluster.url("pika").replace("postgres@", "pika_app@")
        migrate.upgrade(owner)
        run_sql(owner, (DEPLOY / "grants.sql").read_text())

        for statement in (
            "DROP TRIGGER events_append_only ON events",
            "ALTER TABLE events DISABLE TRIGGER ALL",
            "DROP TRIGGER lifecycle_events_no_truncate ON lifecycle_events",
        ):
            assert "must be owner" in refused(app, statement), statement
        for statement in (
            "DELETE FROM events",
            "UPDATE events SET kind = kind",
            "TRUNCATE lifecycle_events",
            "CREATE TABLE mine (x int)",
        ):
            assert "permission denied" in refused(app, statement), statement

        settings = make_settings(app, analytics_interval_s=0.3)
        engine = make_engine(settings)
        with make_sessionmaker(engine)() as session:
            kit = Kit(session, settings)  # head office's services, as the application role
            business = kit.business()
            tokens = [v.token for v in kit.vouchers(business, 3)]
            kiosk = kit.kiosk(business)
        engine.dispose()
        # serve migrates first: at head, that is a read, which the role may do.
        with serving(settings) as served, httpx.Client(base_url=served.url, timeout=30) as client:
            pushed = push(client, kiosk, *[kiosk.item(t) for t in tokens])
            assert pushed.status_code == 200, pushed.text
            assert client.get(sync_wire.PULL_PATH, headers=kiosk.headers).status_code == 200
            assert client.post("/v1/admin/fraud/run", headers=ADMIN).status_code in (200, 201)
            deadline = time.monotonic() + 20
            while redeemed(client.get(dashboard_path(business), headers=ADMIN).json()) != 3:
                assert time.monotonic() < deadline, "the projector did not run as pika_app"
                time.sleep(0.2)
