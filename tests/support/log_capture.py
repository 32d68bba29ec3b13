"""Every log record of every logger, at DEBUG, as raw text: what a leak hunt reads.

Raw on purpose: no formatter's mask stands between a secret and the test (the backend's and
the kiosk's masks are defence in depth; the code must not log secrets in the first place).
Each record becomes its message, its exception and stack text, and every attribute it carries
(``extra=`` fields included), so a secret in any of them is found.
"""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Iterator
from contextlib import contextmanager


class RawRecords(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        parts = [f"{record.name} {record.levelname} {record.getMessage()}"]
        if record.exc_info:
            parts.append("".join(traceback.format_exception(*record.exc_info)))
        if record.stack_info:
            parts.append(record.stack_info)
        fields = {k: v for k, v in vars(record).items() if k not in {"msg", "args", "exc_info"}}
        parts.append(json.dumps(fields, default=repr))
        self.lines.append("\n".join(parts))


@contextmanager
def every_log_line() -> Iterator[RawRecords]:
    """Send every logger's records, at DEBUG, to one handler for the duration."""
    handler = RawRecords()
    root = logging.getLogger()
    saved_root = root.level
    saved: dict[str, tuple[int, bool, bool]] = {}
    for name, logger in list(logging.root.manager.loggerDict.items()):
        if isinstance(logger, logging.Logger):
            saved[name] = (logger.level, logger.propagate, logger.disabled)
            logger.setLevel(logging.NOTSET)
            logger.propagate = True
            logger.disabled = False
    root.setLevel(logging.DEBUG)
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(saved_root)
        for name, (level, propagate, disabled) in saved.items():
            logger = logging.getLogger(name)
            logger.setLevel(level)
            logger.propagate = propagate
            logger.disabled = disabled


def leaks(lines: list[str], secrets: dict[str, str]) -> dict[str, list[str]]:
    """Which secrets (by label) appear in which lines (first 200 characters of each)."""
    found: dict[str, list[str]] = {}
    for label, secret in secrets.items():
        hits = [line[:200] for line in lines if secret in line]
        if hits:
            found[label] = hits
    return found
