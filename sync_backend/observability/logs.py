"""Log configuration for ``pika-backend serve``: JSON lines, one per record, every logger.

Every backend module logs to ``logging.getLogger(__name__)`` (all under ``sync_backend``);
uvicorn logs under ``uvicorn``; libraries (SQLAlchemy, httpx, psycopg) reach the root logger.
All of them leave as one JSON object per line on stderr, with the time, level, logger and
message, the request's id while a request is being answered (``request_id``, set by
``middleware.RequestLog``) and any ``extra=`` fields (the request line's route, status and
duration). python-json-logger does the JSON: it is a ``logging.Formatter``, so uvicorn's own
``dictConfig`` set-up and every ``logging.getLogger`` stay as they are (structlog would have
its own logger API to adopt or bridge, for nothing the backend needs).

Nothing secret is logged on purpose: no route logs a body, a header or a query string. As
defence in depth the formatter masks what would still slip into a line (an exception's text,
a library's debug line) with ``pika_protocol.log_mask``: ``Bearer`` credentials, API and
manager keys and whole voucher tokens by their shape, and the configured admin token, metrics
token and signing-key secret by value. tests/backend/test_no_secrets_in_logs.py runs a full flow at
DEBUG and looks for each of them in every line.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterable
from contextvars import ContextVar
from typing import Any

from pythonjsonlogger.json import JsonFormatter
from uvicorn.config import LOG_LEVELS, LOGGING_CONFIG

from pika_protocol.log_mask import SecretMask

#: The logger every backend module's logger descends from.
BACKEND_LOGGER = "sync_backend"
#: The request line (one per request): ``sync_backend.requests``.
REQUEST_LOGGER = f"{BACKEND_LOGGER}.requests"

#: The id of the request being answered in this context (None outside a request).
REQUEST_ID: ContextVar[str | None] = ContextVar("pika_request_id", default=None)


class PikaJsonFormatter(JsonFormatter):
    """python-json-logger's formatter with the request id and the secret mask."""

    def __init__(self, *args: Any, secrets: Iterable[str] = (), **kwargs: Any) -> None:
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        kwargs.setdefault("timestamp", True)
        super().__init__(*args, **kwargs)
        self.mask = SecretMask(secrets)

    def add_fields(
        self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]
    ) -> None:
        super().add_fields(log_data, record, message_dict)
        request_id = REQUEST_ID.get()
        if request_id is not None and "request_id" not in log_data:
            log_data["request_id"] = request_id
        # uvicorn's records carry its colour flag; it means nothing in JSON.
        log_data.pop("color_message", None)

    def format(self, record: logging.LogRecord) -> str:
        return self.mask(super().format(record))


def uvicorn_log_config(level: str, *, secrets: Iterable[str] = ()) -> dict[str, Any]:
    """uvicorn's logging configuration with every line in JSON, the backend's loggers at
    ``level`` and everyone else's (the root: libraries) at ``level`` or WARNING, whichever
    says more. ``secrets`` are masked wherever they would appear.

    ``level`` is a uvicorn log level (``trace``, ``debug``, ``info``, ``warning``, ...).
    """
    if level not in LOG_LEVELS:
        raise ValueError(f"unknown log level {level!r}; one of {sorted(LOG_LEVELS)}")
    config = copy.deepcopy(LOGGING_CONFIG)
    json_formatter = {
        "()": f"{__name__}.PikaJsonFormatter",
        "fmt": "%(levelname)s %(name)s %(message)s",
        "secrets": list(secrets),
    }
    config["formatters"] = {"json": json_formatter}
    stderr = {"formatter": "json", "class": "logging.StreamHandler", "stream": "ext://sys.stderr"}
    # uvicorn's two handlers keep their names (its loggers refer to them), both in JSON.
    config["handlers"] = {"default": dict(stderr), "access": dict(stderr), "backend": stderr}
    config["loggers"][BACKEND_LOGGER] = {
        "handlers": ["backend"],
        "level": LOG_LEVELS[level],
        "propagate": False,
    }
    config["root"] = {"handlers": ["backend"], "level": min(LOG_LEVELS[level], logging.WARNING)}
    # SQL text and result rows are for a developer's ``echo=True``, not the service's log.
    config["loggers"]["sqlalchemy"] = {"level": "WARNING"}
    return config
