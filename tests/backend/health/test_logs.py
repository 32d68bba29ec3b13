"""The backend logs JSON lines: every logger, with level and origin, a request id on each
request's lines (echoed in ``X-Request-ID``), one line per request with route, status and
duration; uvicorn's access log is off; secrets are masked should one slip through."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from pika_bench.backend_server import free_port, settings_env, start_server, stop_server
from pika_protocol import sync_wire
from sync_backend.middleware import REQUEST_ID_HEADER
from sync_backend.observability.logs import (
    BACKEND_LOGGER,
    PikaJsonFormatter,
    uvicorn_log_config,
)
from sync_backend.settings import Settings
from tests.backend.support import ADMIN, ADMIN_TOKEN, Kit
from tests.support.log_capture import leaks

#: Run in a child: uvicorn's Config applies the logging configuration to the whole process.
SERVE_THEN_LOG = textwrap.dedent(
    """
    import json, logging, warnings
    import uvicorn
    from sync_backend import server

    uvicorn.Server.run = lambda self, sockets=None: None  # configure, do not serve
    server.run(object(), host="127.0.0.1", port=1, log_level={level!r})
    logging.getLogger("sync_backend.fraud.runner").warning("fraud run stuck")
    logging.getLogger("sync_backend.health.probe").info("probe green again")
    logging.getLogger("httpx").warning("a library's warning")
    logging.getLogger("uvicorn.error").info("uvicorn says hello")
    warnings.warn("something old", DeprecationWarning, stacklevel=1)
    access = logging.getLogger("uvicorn.access")
    logging.getLogger("sync_backend").info(
        "access %s", json.dumps([len(access.handlers), access.propagate])
    )
    """
)


def _serve_then_log(level: str) -> list[dict[str, Any]]:
    child = subprocess.run(
        [sys.executable, "-c", SERVE_THEN_LOG.format(level=level)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert child.returncode == 0, child.stderr
    return [json.loads(line) for line in child.stderr.splitlines() if line.strip()]


def test_serve_logs_json_lines_with_level_and_logger() -> None:
    records = _serve_then_log("warning")
    assert {
        "level": "WARNING",
        "logger": "sync_backend.fraud.runner",
        "message": "fraud run stuck",
    }.items() <= records[0].items()
    assert "timestamp" in records[0]
    messages = [r["message"] for r in records]
    assert "a library's warning" in messages  # libraries reach the same lines
    assert any("something old" in m for m in messages)  # Python's warnings too
    assert "probe green again" not in messages  # below --log-level
    assert "uvicorn says hello" not in messages


def test_serve_log_level_reaches_backend_and_uvicorn_and_the_access_log_is_off() -> None:
    records = _serve_then_log("info")
    messages = [r["message"] for r in records]
    assert "probe green again" in messages and "uvicorn says hello" in messages
    assert "access [0, false]" in messages  # no handler, no propagation: never printed


def test_the_log_config_keeps_uvicorns_loggers_and_refuses_unknown_levels() -> None:
    config = uvicorn_log_config("debug")
    assert {"uvicorn", "uvicorn.error", "uvicorn.access", BACKEND_LOGGER} <= set(config["loggers"])
    assert config["loggers"][BACKEND_LOGGER]["propagate"] is False  # no line printed twice
    assert config["root"]["level"] == logging.DEBUG
    assert uvicorn_log_config("info")["root"]["level"] == logging.INFO
    assert uvicorn_log_config("error")["root"]["level"] == logging.WARNING
    with pytest.raises(ValueError, match="unknown log level"):
        uvicorn_log_config("loud")


def test_the_formatter_masks_secrets_that_slip_into_a_line() -> None:
    admin = "a-configured-admin-token-0123456789"
    api_key = "pika_" + "Ab3" * 14 + "x"  # 43 characters after the prefix
    token = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567" * 5
    formatter = PikaJsonFormatter("%(levelname)s %(name)s %(message)s", secrets=[admin])
    record = logging.LogRecord(
        "sync_backend.x",
        logging.ERROR,
        __file__,
        1,
        "header Authorization: Bearer %s, key %s, token %s, admin %s; metric %s",
        ("s3cr3t-bearer", api_key, token, admin, "pika_http_request_duration_seconds_bucket"),
        None,
    )
    line = json.loads(formatter.format(record))["message"]
    for secret in ("s3cr3t-bearer", api_key, token, admin):
        assert secret not in line
    assert line.count("[redacted]") == 4
    assert "pika_http_request_duration_seconds_bucket" in line  # no secret, kept


@pytest.fixture
def backend_lines() -> Iterator[io.StringIO]:
    """The backend's lines as ``pika-backend serve`` writes them (JSON, formatted at once)."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(PikaJsonFormatter("%(levelname)s %(name)s %(message)s"))
    logger = logging.getLogger(BACKEND_LOGGER)
    saved = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield out
    finally:
        logger.removeHandler(handler)
        logger.setLevel(saved)


def records_of(out: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.getvalue().splitlines()]


@pytest.mark.postgres
def test_each_request_gets_an_id_and_one_line(client, kit: Kit, backend_lines) -> None:
    kiosk = kit.kiosk(kit.business())
    answer = client.get(
        sync_wire.PULL_PATH, headers={**kiosk.headers, REQUEST_ID_HEADER: "proxy-7f3a.1"}
    )
    assert answer.headers[REQUEST_ID_HEADER] == "proxy-7f3a.1"  # a sane id is kept
    made = client.get("/health/live").headers[REQUEST_ID_HEADER]
    assert len(made) == 32 and made != "proxy-7f3a.1"
    odd = client.get("/health/live", headers={REQUEST_ID_HEADER: "x" * 65}).headers
    assert len(odd[REQUEST_ID_HEADER]) == 32  # too long: replaced
    missing = client.get("/v1/admin/vouchers/12/nothing", headers=ADMIN)
    assert missing.status_code == 404 and REQUEST_ID_HEADER in missing.headers

    lines = [r for r in records_of(backend_lines) if r["logger"] == "sync_backend.requests"]
    assert len(lines) == 4
    pull = lines[0]
    assert pull["request_id"] == "proxy-7f3a.1"
    assert (pull["method"], pull["route"], pull["status"]) == ("GET", sync_wire.PULL_PATH, 200)
    assert pull["duration_ms"] > 0 and pull["level"] == "INFO"
    assert lines[1]["request_id"] == made
    assert (lines[3]["route"], lines[3]["status"]) == ("unmatched", 404)  # no path typed in


@pytest.mark.postgres
def test_pika_backend_serve_writes_json_lines_and_no_secret(
    settings: Settings, kit: Kit, tmp_path: Path
) -> None:
    """The real server at --log-level debug: every line of its stderr is JSON, requests have
    their line and id, uvicorn's access log is not there, no key or token is."""
    business = kit.business()
    copy = kit.vouchers(business, 1)[0]
    kiosk = kit.kiosk(business)
    metrics_token = "metrics-token-" + uuid.uuid4().hex
    env = settings_env(settings.model_copy(update={"metrics_token": metrics_token}))
    port, log = free_port(), tmp_path / "serve.log"
    server = start_server(env, port, workers=1, log_path=log, extra_args=["--log-level", "debug"])
    try:
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=10) as http:
            echoed = http.get("/health/live", headers={REQUEST_ID_HEADER: "abc-123"})
            assert echoed.headers[REQUEST_ID_HEADER] == "abc-123"
            assert http.get(sync_wire.PULL_PATH, headers=kiosk.headers).status_code == 200
            pushed = http.post(
                sync_wire.PUSH_PATH,
                headers={**kiosk.headers, "Idempotency-Key": str(uuid.uuid4())},
                json={"items": [kiosk.item(copy.token, scanned_at=datetime.now(UTC))]},
            )
            assert pushed.status_code == 200, pushed.text
            assert http.get("/v1/admin/businesses", headers=ADMIN).status_code == 200
            auth = {"Authorization": f"Bearer {metrics_token}"}
            assert http.get("/metrics", headers=auth).status_code == 200
    finally:
        stop_server(server)
    text = log.read_text(encoding="utf-8")
    records = [json.loads(line) for line in text.splitlines() if line.strip()]  # all JSON
    requests = [r for r in records if r["logger"] == "sync_backend.requests"]
    # start_server's own readiness probes come first
    requests = requests[[r.get("request_id") for r in requests].index("abc-123") :]
    assert [(r["route"], r["status"]) for r in requests] == [
        ("/health/live", 200),
        (sync_wire.PULL_PATH, 200),
        (sync_wire.PUSH_PATH, 200),
        ("/v1/admin/businesses", 200),
        ("/metrics", 200),
    ]
    assert requests[0]["request_id"] == "abc-123"
    assert not [r for r in records if r["logger"] == "uvicorn.access"]
    assert any(r["logger"].startswith("uvicorn") for r in records)
    secrets = {
        "api key": kiosk.api_key,
        "token": copy.token,
        "admin token": ADMIN_TOKEN,
        "metrics token": metrics_token,
        "signing-key secret": settings.signing_key_secret,
    }
    assert leaks(text.splitlines(), secrets) == {}
