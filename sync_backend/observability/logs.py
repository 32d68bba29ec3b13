"""Log configuration for ``pika-backend serve``: the backend's loggers next to uvicorn's.

Every backend module logs to ``logging.getLogger(__name__)``, so all of them hang under the
``sync_backend`` logger. uvicorn configures only its own loggers; without this the backend's
warnings (a stuck fraud run, a database probe gone red, a refused push group) reached stderr
through Python's last-resort handler with neither level nor origin, and its info lines not at
all. Here they get uvicorn's formatter, the module's name and the ``--log-level`` asked for.
"""

from __future__ import annotations

import copy
from typing import Any

from uvicorn.config import LOG_LEVELS, LOGGING_CONFIG

#: The logger every backend module's logger descends from.
BACKEND_LOGGER = "sync_backend"


def uvicorn_log_config(level: str) -> dict[str, Any]:
    """uvicorn's default logging configuration plus the backend's loggers at ``level``.

    ``level`` is a uvicorn log level (``trace``, ``debug``, ``info``, ``warning``, ...).
    """
    if level not in LOG_LEVELS:
        raise ValueError(f"unknown log level {level!r}; one of {sorted(LOG_LEVELS)}")
    config = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["backend"] = {
        "()": "uvicorn.logging.DefaultFormatter",
        "fmt": "%(levelprefix)s %(name)s: %(message)s",
    }
    config["handlers"]["backend"] = {
        "formatter": "backend",
        "class": "logging.StreamHandler",
        "stream": "ext://sys.stderr",
    }
    config["loggers"][BACKEND_LOGGER] = {
        "handlers": ["backend"],
        "level": LOG_LEVELS[level],
        "propagate": False,
    }
    return config
