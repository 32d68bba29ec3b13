"""What every test run gets, with or without scripts/test.

- The OS keyring is never touched: the in-memory keyring is set here, before any test module
  imports keyring, and through PYTHON_KEYRING_BACKEND for the processes tests start. It is
  forced, not a default, so a developer's own PYTHON_KEYRING_BACKEND cannot leak through.
- Qt draws offscreen unless QT_QPA_PLATFORM says otherwise.
- ``postgres_server`` and ``redis_server``: the servers the backend and end-to-end tests use,
  started for the session when needed (tests/support/services.py decides which). Without them
  a test fails; ``PIKA_TEST_NO_SERVICES=1`` makes it skip instead, except in CI.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager

MEMORY_KEYRING = "tests.support.memory_keyring.MemoryKeyring"
os.environ["PYTHON_KEYRING_BACKEND"] = MEMORY_KEYRING
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import keyring  # noqa: E402  (after the environment above, on purpose)
import pytest  # noqa: E402

from tests.support import services  # noqa: E402
from tests.support.ci import running_in_ci  # noqa: E402
from tests.support.memory_keyring import MemoryKeyring  # noqa: E402

# In case a plugin imported keyring and chose a backend before this file ran.
keyring.set_keyring(MemoryKeyring())


def _serve(in_use: Callable[[], AbstractContextManager[str]]) -> Iterator[str]:
    reason = services.opted_out()
    if reason is not None:
        if running_in_ci():
            pytest.fail(
                f"CI requires the backend and end-to-end tests, but {reason}", pytrace=False
            )
        pytest.skip(reason)
    try:
        with in_use() as url:
            yield url
    except services.ServiceError as error:
        pytest.fail(str(error), pytrace=False)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """Admin URL (database ``postgres``, superuser) of the Postgres the tests use."""
    yield from _serve(services.postgres_in_use)


@pytest.fixture(scope="session")
def redis_server() -> Iterator[str]:
    """URL of the Redis the tests use."""
    yield from _serve(services.redis_in_use)
