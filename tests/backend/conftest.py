"""Backend test fixtures: a fresh Postgres database per run, migrated by Alembic.

The database ``pika_test_<random>`` is created on the tests' Postgres (``postgres_server``,
tests/conftest.py: the machine's or a throwaway one), migrated to head, emptied after every
test (TRUNCATE) and dropped at the end.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from pika_bench.backend_server import throwaway_database
from sync_backend.app import create_app
from sync_backend.db import make_engine, make_sessionmaker
from sync_backend.deps import services_of
from sync_backend.settings import Settings
from tests.backend.support import Kit, make_settings


@pytest.fixture(scope="session")
def database_url(postgres_server: str) -> Iterator[str]:
    with throwaway_database(postgres_server, prefix="pika_test") as url:
        yield url


@pytest.fixture(scope="session")
def redis_url(redis_server: str) -> str:
    """The tests' Redis (tests/conftest.py), under the name the backend's settings use."""
    return redis_server


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
    "enrolment_codes, devices, vouchers, book_distributions, books, offers, signing_keys, "
    "lifecycle_events, analytics_daily, analytics_hourly, analytics_refusals, analytics_cursor, "
    "analytics_kiosk_daily, analytics_day_totals, analytics_hourly_totals, "
    "analytics_refusal_totals, analytics_business_hourly, "
    "business_payments, manager_invitations, manager_keys, managers, businesses"
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
    services_of(app).public_keys.clear()
    services_of(app).private_keys.clear()  # each test's database makes its own key 1
    with TestClient(app) as client:
        yield client


@pytest.fixture
def kit(session: Session, settings: Settings) -> Kit:
    return Kit(session, settings)
