"""The real sync backend as a child process on a fresh Postgres database, for end-to-end
tests and the drain benchmark.

:class:`Database` makes and migrates ``pika_e2e_<random>`` on the given Postgres and drops it
at the end; :class:`Backend` runs ``pika-backend serve`` on a fixed port with the given Redis,
so it can be killed with SIGKILL and started again; :class:`HeadOffice` drives the admin API.
Both take their servers from the caller (tests: tests/support/services.py decides; the drain
benchmark: its ``--postgres`` and ``--redis``).
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from pika_bench.backend_server import (
    create_database,
    drop_database,
    free_port,
    start_server,
    stop_server,
)

ADMIN_TOKEN = "pika-dev-admin-token"
DEFAULT_REDIS = "redis://127.0.0.1:6379/15"
HOW_TO_START = (
    "start Postgres on 127.0.0.1:5432 (trust, user postgres), e.g. "
    "`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`, and Redis, "
    "e.g. `redis-server --daemonize yes --port 6379 --save ''`"
)


def services_missing(postgres: str, redis_url: str) -> str | None:
    """Why the backend cannot run on these servers, or None."""
    try:
        engine = sa.create_engine(postgres)
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        engine.dispose()
    except sa.exc.OperationalError:
        return f"Postgres not reachable: {HOW_TO_START}"
    try:
        import redis

        redis.Redis.from_url(redis_url, socket_timeout=1).ping()
    except Exception:
        return f"Redis not reachable: {HOW_TO_START}"
    try:
        import sync_backend.app  # noqa: F401
    except ImportError:
        return "the sync backend (sync_backend package) is not in this checkout"
    return None


class Database:
    """A fresh database on the Postgres of ``admin_url``, migrated to head; dropped by
    :meth:`drop`."""

    def __init__(self, admin_url: str) -> None:
        self.url = create_database(admin_url, prefix="pika_e2e")
        self.name = sa.make_url(self.url).database
        self.engine = sa.create_engine(self.url)

    def scalar(self, sql: str, **params: Any) -> Any:
        with self.engine.connect() as conn:
            return conn.execute(sa.text(sql), params).scalar()

    def rows(self, sql: str, **params: Any) -> list[Any]:
        with self.engine.connect() as conn:
            return list(conn.execute(sa.text(sql), params))

    def drop(self) -> None:
        self.engine.dispose()
        drop_database(self.url)


@dataclass
class Backend:
    """``pika-backend serve`` (uvicorn) as a child process on a fixed port, so it can be
    killed with SIGKILL and started again where the kiosks expect it."""

    database_url: str
    redis_url: str
    port: int = field(default_factory=free_port)
    workers: int = 1
    extra_env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None
    _logs: tempfile.TemporaryDirectory[str] = field(
        default_factory=tempfile.TemporaryDirectory, repr=False
    )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "PIKA_ENVIRONMENT": "development",
                "PIKA_DATABASE_URL": self.database_url,
                "PIKA_REDIS_URL": self.redis_url,
                "PIKA_RATE_LIMIT_KEY_PREFIX": f"e2e-{secrets.token_hex(4)}",
                "PIKA_FRAUD_INTERVAL_S": "0",
                "PIKA_TIER_LIMITS": '{"BASIC": "100/hour", "PREMIUM": "1000/hour", '
                '"ENTERPRISE": "100000/hour"}',
            }
        )
        env.update(self.extra_env)
        return env

    def start(self, timeout_s: float = 30) -> Backend:
        # A log per start: the readiness check counts this start's workers only.
        log_path = Path(self._logs.name) / f"server-{secrets.token_hex(4)}.log"
        self.process = start_server(
            self.env(), self.port, workers=self.workers, log_path=log_path, timeout_s=timeout_s
        )
        return self

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush; whatever was in flight is cut."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None:
            stop_server(self.process)


class HeadOffice:
    """The admin API, as head office uses it."""

    def __init__(self, url: str) -> None:
        self.http = httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, timeout=30
        )

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        response = self.http.post(path, json=body)
        response.raise_for_status()
        return response.json() if response.content else None

    def business_with_book(self, copies: int, tier: str = "ENTERPRISE") -> int:
        business = self.post("/v1/admin/businesses", {"name": "Chipería e2e", "tier": tier})
        now = datetime.now(UTC)
        offer = self.post(
            "/v1/admin/offers",
            {
                "business_id": business["id"],
                "title": "Chipa 10% off",
                "discount": "10%",
                "valid_from": (now - timedelta(days=1)).isoformat(),
                "valid_until": (now + timedelta(days=30)).isoformat(),
            },
        )
        self.post(f"/v1/admin/offers/{offer['id']}/books", {"copies": copies})
        return int(business["id"])

    def enrolment_code(self, business_id: int) -> str:
        return str(self.post(f"/v1/admin/businesses/{business_id}/enrolment-codes")["code"])

    def close(self) -> None:
        self.http.close()
