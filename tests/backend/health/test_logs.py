"""``pika-backend serve`` shows the backend's own log lines, with their module and level."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from sync_backend.observability.logs import BACKEND_LOGGER, uvicorn_log_config

#: Run in a child: uvicorn's Config applies the logging configuration to the whole process.
SERVE_THEN_LOG = textwrap.dedent(
    """
    import logging
    import uvicorn
    from sync_backend import server

    uvicorn.Server.run = lambda self, sockets=None: None  # configure, do not serve
    server.run(object(), host="127.0.0.1", port=1, log_level={level!r})
    logging.getLogger("sync_backend.fraud.runner").warning("fraud run stuck")
    logging.getLogger("sync_backend.health.probe").info("probe green again")
    """
)


def _serve_then_log(level: str) -> str:
    child = subprocess.run(
        [sys.executable, "-c", SERVE_THEN_LOG.format(level=level)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert child.returncode == 0, child.stderr
    return child.stderr


def test_serve_shows_backend_warnings_with_level_and_module() -> None:
    lines = _serve_then_log("warning").splitlines()
    assert any(
        "WARNING" in line and "sync_backend.fraud.runner: fraud run stuck" in line for line in lines
    )
    assert not any("probe green again" in line for line in lines)  # below --log-level


def test_serve_log_level_reaches_the_backend_loggers() -> None:
    assert "sync_backend.health.probe: probe green again" in _serve_then_log("info")


def test_the_backend_logger_keeps_uvicorns_own_and_refuses_unknown_levels() -> None:
    config = uvicorn_log_config("debug")
    assert {"uvicorn", "uvicorn.error", "uvicorn.access", BACKEND_LOGGER} <= set(config["loggers"])
    assert config["loggers"][BACKEND_LOGGER]["propagate"] is False  # no line printed twice
    with pytest.raises(ValueError, match="unknown log level"):
        uvicorn_log_config("loud")
