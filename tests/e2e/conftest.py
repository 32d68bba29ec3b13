"""End-to-end fixtures: one backend on a fresh, migrated Postgres database per module.

Without Postgres, Redis or the backend package the tests skip and say how to start them;
with ``CI=true`` they fail instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.e2e.harness import Backend, Database, HeadOffice, services_missing


def _require_services() -> None:
    problem = services_missing()
    if problem is None:
        return
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"CI=true requires it: {problem}", pytrace=False)
    pytest.skip(problem)


@pytest.fixture(scope="module")
def database() -> Iterator[Database]:
    _require_services()
    db = Database()
    yield db
    db.drop()


@pytest.fixture(scope="module")
def backend(database: Database) -> Iterator[Backend]:
    # Small pull pages, so every kiosk's first pull crosses several pages and cursors.
    server = Backend(database.url, extra_env={"PIKA_MAX_PULL_PAGE": "25"}).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def head_office(backend: Backend) -> Iterator[HeadOffice]:
    office = HeadOffice(backend.url)
    yield office
    office.close()
