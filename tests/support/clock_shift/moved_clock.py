"""Move the wall clock of a whole test run, and of every Python process it starts.

``PIKA_TEST_CLOCK_SHIFT=3y`` (or ``pytest --clock-shift=3y``) runs the suite as if today were
three years (3 x 365 days) from now, ticking as the real clock does: a test that mixes a
literal date with the real clock fails today, not on the day the calendar reaches it. The
pytest process moves its own clock (tests/conftest.py), then shares the shift with its child
processes (the e2e backend's uvicorn workers, kiosk children) by putting this folder on
PYTHONPATH, where ``sitecustomize.py`` moves theirs at start-up. Production code never
imports time-machine: only a shifted test run puts this folder on the path.

What is moved: Python's wall clock (``time.time``, ``datetime.now``, ...; time-machine).
What is not: monotonic clocks (so ``time.sleep`` and timeouts work), and the clocks of other
programs: Postgres's ``now()``, Redis, Qt's ``QDateTime``.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import time_machine

ENV = "PIKA_TEST_CLOCK_SHIFT"
FOLDER = Path(__file__).resolve().parent


def parse_shift(text: str) -> timedelta:
    """``3y`` (3 x 365 days), ``90d``, ``-1y``: a whole number of years or days."""
    match = re.fullmatch(r"([+-]?\d+)([yd])", text.strip())
    if match is None:
        raise ValueError(f"clock shift {text!r}: write whole years or days, e.g. 3y or 90d")
    days_per_unit = 365 if match[2] == "y" else 1
    return timedelta(days=int(match[1]) * days_per_unit)


def move(text: str) -> None:
    """Move this process's clock ``text`` away from the real one, ticking from there on."""
    if time_machine.escape_hatch.is_travelling():
        return  # already moved at start-up (sitecustomize)
    time_machine.travel(datetime.now(UTC) + parse_shift(text), tick=True).start()


def share_with_children(text: str) -> None:
    """Make every Python process started from here on move its clock by ``text`` too."""
    os.environ[ENV] = text
    path = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join([str(FOLDER), *([path] if path else [])])


def child_pythonpath(*folders: Path) -> str:
    """PYTHONPATH for a child process that needs ``folders`` importable: they come first, the
    inherited path (which holds this folder in a shifted run) after."""
    inherited = os.environ.get("PYTHONPATH")
    return os.pathsep.join([*map(str, folders), *([inherited] if inherited else [])])
