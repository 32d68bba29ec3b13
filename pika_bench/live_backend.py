"""The real sync backend as a child process on a fresh Postgres database, for end-to-end
tests and the drain benchmark.

:class:`Database` makes and migrates ``pika_e2e_<random>`` on the local Postgres and drops it at
the end; :class:`Backend` runs ``pika-backend serve`` on a fixed port so it can
be killed with SIGKILL and started again; :class:`HeadOffice` drives the admin API.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import sqlalchemy as sa

ADMIN_TOKEN = "pika-dev-admin-token"
POSTGRES = os.environ.get(
    "PIKA_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REDIS = os.environ.get("PIKA_TEST_REDIS", "redis://127.0.0.1:6379/15")
HOW_TO_START = (
    "start Postgres on 127.0.0.1:5432 (trust, user postgres), e.g. "
    "`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`, and Redis, "
    "e.g. `redis-server --daemonize yes --port 6379 --save ''`"
)


def services_missing() -> str | None:
    """Why the e2e tests cannot run here, or None."""
    try:
        engine = sa.create_engine(POSTGRES)
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        engine.dispose()
    except sa.exc.OperationalError:
        return f"Postgres not reachable: {HOW_TO_START}"
    try:
        import redis

        redis.Redis.from_url(REDIS, socket_timeout=1).ping()
    except Exception:
        return f"Redis not reachable: {HOW_TO_START}"
    try:
        import sync_backend.app  # noqa: F401
    except ImportError:
        return "the sync backend (sync_backend package) is not in this checkout"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Database:
    """A fresh database on the test Postgres, migrated to head; dropped by :meth:`drop`."""

    def __init__(self) -> None:
        from sync_backend.migrate import upgrade

        self.admin = sa.create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
        self.name = f"pika_e2e_{secrets.token_hex(4)}"
        with self.admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{self.name}"'))
        self.url = self.admin.url.set(database=self.name).render_as_string(hide_password=False)
        upgrade(self.url)
        self.engine = sa.create_engine(self.url)

    def scalar(self, sql: str, **params: Any) -> Any:
        with self.engine.connect() as conn:
            return conn.execute(sa.text(sql), params).scalar()

    def rows(self, sql: str, **params: Any) -> list[Any]:
        with self.engine.connect() as conn:
            return list(conn.execute(sa.text(sql), params))

    def drop(self) -> None:
        self.engine.dispose()
        with self.admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self.admin.dispose()


@dataclass
class Backend:
    """``pika-backend serve`` (uvicorn) as a child process on a fixed port."""

    database_url: str
    port: int = field(default_factory=free_port)
    workers: int = 1
    extra_env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "PIKA_ENVIRONMENT": "development",
                "PIKA_DATABASE_URL": self.database_url,
                "PIKA_REDIS_URL": REDIS,
                "PIKA_RATE_LIMIT_KEY_PREFIX": f"e2e-{secrets.token_hex(4)}",
                "PIKA_FRAUD_INTERVAL_S": "0",
                "PIKA_TIER_LIMITS": '{"BASIC": "100/hour", "PREMIUM": "1000/hour", '
                '"ENTERPRISE": "100000/hour"}',
            }
        )
        env.update(self.extra_env)
        return env

    def start(self, timeout_s: float = 30) -> Backend:
        command = [
            sys.executable,
            "-m",
            # pika-backend serve, not bare uvicorn: with --workers > 1 uvicorn's shared socket
            # delays every answer ~40 ms (see sync_backend/server.py)
            "sync_backend.cli",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            str(self.workers),
            "--log-level",
            "warning",
        ]
        self.process = subprocess.Popen(
            command, env=self.env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"backend exited with {self.process.returncode}")
            try:
                if httpx.get(f"{self.url}/health/live", timeout=1).status_code < 500:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError("backend did not start in time")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush; whatever was in flight is cut."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


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
