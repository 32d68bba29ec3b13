"""Backend test fixtures: a fresh Postgres database per run, migrated by Alembic.

The database ``pika_test_<random>`` is created on ``PIKA_TEST_POSTGRES`` (default
127.0.0.1:5432, user postgres), migrated to head, emptied after every test (TRUNCATE) and
dropped at the end. Without a reachable Postgres the tests skip with how to start one; with
``CI=true`` they fail instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from pika_bench.backend_server import throwaway_database
from sync_backend.app import create_app
from sync_backend.db import make_engine, make_sessionmaker
from sync_backend.settings import Settings
from tests.backend.support import ADMIN_URL, Kit, make_settings

REDIS_URL = os.environ.get("PIKA_TEST_REDIS", "redis://127.0.0.1:6379/15")
START_POSTGRES = (
    "start Postgres on 127.0.0.1:5432 (trust auth, user postgres), e.g. "
    "`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`, "
    "or point PIKA_TEST_POSTGRES at one"
)
START_REDIS = (
    "start Redis on 127.0.0.1:6379, e.g. `redis-server --daemonize yes --port 6379 --save ''`, "
    "or point PIKA_TEST_REDIS at one"
)


def missing_service(what: str, how: str) -> None:
    message = f"{what} not reachable: {how}"
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"CI=true requires it: {message}", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError:
        admin.dispose()
        missing_service("Postgres", START_POSTGRES)
    admin.dispose()
    with throwaway_database(ADMIN_URL, prefix="pika_test") as url:
        yield url


@pytest.fixture(scope="session")
def redis_url() -> str:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping()
    except redis.RedisError:
        missing_service("Redis", START_REDIS)
    return REDIS_URL


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return make_settings(database_url)


@pytest.fixture(scope="session")
def engine(settings: Settings) -> Iterator[sa.Engine]:
    engine = make_engine(settings)
    yield engine
    engine.dispose()


TABLES = (
    "redemptions, idempotency_keys, events, fraud_flags, fraud_cursor, device_keys, "
    "enrolment_codes, devices, vouchers, books, offers, signing_keys, businesses"
)


@pytest.fixture(autouse=True)
def _clean_database(request: pytest.FixtureRequest) -> Iterator[None]:
    """Empty every table after a test that touched the database."""
    if "database_url" not in request.fixturenames:
        yield
        return
    engine: sa.Engine = request.getfixturevalue("engine")
    yield
    with engine.begin() as conn:
        # The event log refuses TRUNCATE (a trigger); the test superuser sets triggers aside
        # for this one cleanup transaction.
        conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
        conn.execute(sa.text(f"TRUNCATE {TABLES} RESTART IDENTITY CASCADE"))


@pytest.fixture
def session(engine: sa.Engine) -> Iterator[Session]:
    """A session that commits what a test sets up (the app reads it from other connections)."""
    with make_sessionmaker(engine)() as session:
        yield session
        session.rollback()


@pytest.fixture(scope="session")
def app(settings: Settings):  # type: ignore[no-untyped-def]
    return create_app(settings)


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    app.state.public_keys.clear()
    with TestClient(app) as client:
        yield client


@pytest.fixture
def kit(session: Session, settings: Settings) -> Kit:
    return Kit(session, settings)
