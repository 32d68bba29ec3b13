"""The date guard: a test file that writes a literal date must also fix "now".

A literal date (an ISO string ``"YYYY-MM-DD..."`` or ``datetime(YYYY, ...)``, for a year 20xx)
is safe in a test only if every clock the test reads is pinned too; mixed with the real clock
it turns red on the day the calendar passes it (issue 10: a scan dated a week before the demo
offer began). So a file under tests/ with a literal date must name ``time_machine`` in its
code (the ``pytest.mark.time_machine(...)`` marker, the ``time_machine`` fixture or the
module); dates that follow the real clock are derived from ``datetime.now()`` instead.
tests/vectors/ is exempt: its dates are data for a pure function with a fixed ``now``.
"""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

LITERAL_DATE = re.compile(r"20\d\d-\d\d-\d\d|\b(?:datetime|date)\(\s*20\d\d\b")

#: Files allowed to hold literal dates without fixing "now", and why.
EXEMPT = {
    "tests/vectors": "shared scan decisions: dates for a pure function given a fixed now",
    "tests/test_no_calendar_dates.py": "the guard's own test: offending snippets as data",
    "tests/core/dashboard/sample.py": "a dashboard answer as data: its period, read by no clock",
}


def dated_lines(source: str) -> list[int]:
    """Line numbers (from 1) that hold a literal date."""
    return [n for n, line in enumerate(source.splitlines(), 1) if LITERAL_DATE.search(line)]


def fixes_now(source: str) -> bool:
    """Whether the code (not a comment or a string) names ``time_machine``."""
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    return any(t.type == tokenize.NAME and t.string == "time_machine" for t in tokens)


def unfixed_dates(source: str) -> list[int]:
    """Lines with a literal date in a file that does not fix "now"; empty when it is safe."""
    return [] if fixes_now(source) else dated_lines(source)


def offenders(root: Path) -> dict[str, list[int]]:
    """Every file under ``root``/tests that breaks the rule, with its dated lines."""
    found = {}
    for path in sorted((root / "tests").rglob("*.py")):
        name = path.relative_to(root).as_posix()
        if any(name == exempt or name.startswith(exempt + "/") for exempt in EXEMPT):
            continue
        lines = unfixed_dates(path.read_text(encoding="utf-8"))
        if lines:
            found[name] = lines
    return found
