"""What every test run gets, with or without scripts/test.

- The OS keyring is never touched: the in-memory keyring is set here, before any test module
  imports keyring, and through PYTHON_KEYRING_BACKEND for the processes tests start. It is
  forced, not a default, so a developer's own PYTHON_KEYRING_BACKEND cannot leak through.
- Qt draws offscreen unless QT_QPA_PLATFORM says otherwise.
- The kiosk's log file goes to a temporary folder (PIKA_LOG_DIR), not the user's log folder.
- ``postgres_server`` and ``redis_server``: the servers the backend and end-to-end tests use,
  started for the session when needed (tests/support/services.py decides which). Without them
  a test fails; ``PIKA_TEST_NO_SERVICES=1`` makes it skip instead, except in CI.
- ``--clock-shift=3y`` (or ``PIKA_TEST_CLOCK_SHIFT=3y``) moves the wall clock of this process
  and of every Python process it starts three years ahead, so a test that mixes a literal date
  with the real clock fails now rather than on the day the calendar gets there
  (tests/support/clock_shift/moved_clock.py). ``scripts/test`` does a second run like this in CI.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import UTC, datetime

MEMORY_KEYRING = "tests.support.memory_keyring.MemoryKeyring"
os.environ["PYTHON_KEYRING_BACKEND"] = MEMORY_KEYRING
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The kiosk's rotated log (app/core/kiosk_log.py) goes to a folder of the run, never the
# developer's own log folder; this process and the kiosks it starts.
os.environ["PIKA_LOG_DIR"] = tempfile.mkdtemp(prefix="pika-test-logs-")

import keyring  # noqa: E402  (after the environment above, on purpose)
import pytest  # noqa: E402

from tests.support import services  # noqa: E402
from tests.support.ci import running_in_ci  # noqa: E402
from tests.support.clock_shift import moved_clock  # noqa: E402
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


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--clock-shift",
        default=os.environ.get(moved_clock.ENV, ""),
        help="move the clock of the run and its child processes, e.g. 1y, 3y, 90d "
        f"(default: ${moved_clock.ENV})",
    )


def pytest_configure(config: pytest.Config) -> None:
    shift = config.getoption("clock_shift")
    if shift:
        try:
            moved_clock.parse_shift(shift)
        except ValueError as error:
            raise pytest.UsageError(str(error)) from None
        moved_clock.move(shift)
        moved_clock.share_with_children(shift)


def pytest_report_header(config: pytest.Config) -> str | None:
    shift = config.getoption("clock_shift")
    if not shift:
        return None
    return f"clock moved {shift}: now is {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
