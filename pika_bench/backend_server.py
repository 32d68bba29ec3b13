"""A throwaway backend for benchmarks and tests: a fresh Postgres database and uvicorn.

``throwaway_database`` creates ``<prefix>_<random>`` on the given Postgres, migrates it with
Alembic and drops it afterwards; ``uvicorn_server`` runs ``sync_backend.app:create_app`` on a
random 127.0.0.1 port with the given settings and stops it afterwards.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import sqlalchemy as sa

from sync_backend.migrate import upgrade
from sync_backend.settings import Settings

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
#: What each uvicorn worker logs once its app is ready to serve.
STARTED = b"Application startup complete."


@contextmanager
def throwaway_database(
    admin_url: str = DEFAULT_POSTGRES, prefix: str = "pika_bench"
) -> Iterator[str]:
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"{prefix}_{secrets.token_hex(4)}"
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        url = admin.url.set(database=name).render_as_string(hide_password=False)
        upgrade(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def settings_env(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    for name, value in settings.model_dump(mode="json").items():
        env[f"PIKA_{name.upper()}"] = value if isinstance(value, str) else json.dumps(value)
    return env


@contextmanager
def uvicorn_server(settings: Settings, *, workers: int = 1, timeout_s: float = 30) -> Iterator[str]:
    """``pika-backend serve`` (waits for the database, migrates, serves) for ``settings`` on a
    random port; yields the base URL."""
    port = free_port()
    # The server's log goes to a file: an unread pipe fills up and then blocks the server's
    # event loop on its next log line. The server appends; we read it through our own handle.
    with tempfile.TemporaryDirectory() as folder, open(Path(folder) / "server.log", "ab") as log:
        log_path = Path(folder) / "server.log"
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "sync_backend.cli",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(workers),
                "--log-level",
                "info",  # each worker says "Application startup complete." (no access log)
            ],
            env=settings_env(settings),
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + timeout_s
            while True:
                if process.poll() is not None:
                    tail = log_path.read_bytes().decode(errors="replace")[-2000:]
                    raise RuntimeError(f"backend exited: {tail}")
                try:
                    # One answer proves one worker: wait for all of them, or the first would
                    # accept every connection opened meanwhile and serve them alone.
                    answered = httpx.get(f"{url}/health/live", timeout=1).status_code == 200
                    if answered and log_path.read_bytes().count(STARTED) >= workers:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("backend did not start in time")
                time.sleep(0.2)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
