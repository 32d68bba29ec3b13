"""The kiosk's log file, for IT: rotated, in the OS's own log folder.

``platformdirs.user_log_dir`` is where each OS expects an application's logs (Windows:
``%LOCALAPPDATA%\\pika-counter\\Logs``; Linux: ``~/.local/state/pika-counter/log``);
``PIKA_LOG_DIR`` or ``--log-dir`` names another. The file turns over at ``MAX_BYTES`` and keeps
``BACKUP_COUNT`` old ones, so a kiosk that runs for months never fills its disk. Every line
passes ``pika_protocol.log_mask`` first: the API key and whole voucher tokens never reach the
file, even in an exception's text.
"""

from __future__ import annotations

import logging
import os
from logging.handlers import RotatingFileHandler
from pathlib import Path

import platformdirs

from pika_protocol.log_mask import SecretMask

APP_NAME = "pika-counter"
LOG_FILE = "kiosk.log"
MAX_BYTES = 2 * 1024 * 1024
BACKUP_COUNT = 5
#: Names another folder for the log (IT's choice, or a test's).
LOG_DIR_VARIABLE = "PIKA_LOG_DIR"
LINE_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def log_dir() -> Path:
    """``PIKA_LOG_DIR`` if set, else the OS's log folder for the kiosk."""
    chosen = os.environ.get(LOG_DIR_VARIABLE)
    if chosen:
        return Path(chosen)
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


class MaskedFormatter(logging.Formatter):
    """The usual line, exception included, with secrets masked."""

    def __init__(self, fmt: str = LINE_FORMAT) -> None:
        super().__init__(fmt)
        self.mask = SecretMask()

    def format(self, record: logging.LogRecord) -> str:
        return self.mask(super().format(record))


def start_file_log(directory: Path | None = None, level: int = logging.INFO) -> RotatingFileHandler:
    """Send every logger's lines at ``level`` and above to the rotated file (and keep them
    on stderr too). Returns the handler, for :func:`stop_file_log`."""
    folder = directory or log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    handler = RotatingFileHandler(
        folder / LOG_FILE, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8"
    )
    handler.setFormatter(MaskedFormatter())
    handler.setLevel(level)
    root = logging.getLogger()
    root.addHandler(handler)
    if root.level > level or root.level == logging.NOTSET:
        root.setLevel(level)
    return handler


def stop_file_log(handler: logging.Handler) -> None:
    logging.getLogger().removeHandler(handler)
    handler.close()
