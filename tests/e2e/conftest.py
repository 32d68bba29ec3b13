"""End-to-end fixtures: one backend on a fresh, migrated Postgres database per module.

The servers are the tests' own (``postgres_server`` and ``redis_server``, tests/conftest.py:
the machine's, or throwaway ones started for the session).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.harness import Backend, Database, HeadOffice


@pytest.fixture(scope="module")
def database(postgres_server: str) -> Iterator[Database]:
    db = Database(postgres_server)
    yield db
    db.drop()


@pytest.fixture(scope="module")
def backend(database: Database, redis_server: str) -> Iterator[Backend]:
    # Small pull pages, so every kiosk's first pull crosses several pages and cursors.
    server = Backend(database.url, redis_server, extra_env={"PIKA_MAX_PULL_PAGE": "25"}).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def head_office(backend: Backend) -> Iterator[HeadOffice]:
    office = HeadOffice(backend.url)
    yield office
    office.close()
