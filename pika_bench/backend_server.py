"""A throwaway backend for benchmarks and tests: a fresh Postgres database and uvicorn.

``throwaway_database`` creates ``<prefix>_<random>`` on the given Postgres, migrates it with
Alembic (or leaves it empty, for a restore) and drops it afterwards; ``uvicorn_server`` runs
``pika-backend serve`` on a random 127.0.0.1 port with the given settings and stops it
afterwards. ``create_database`` and ``start_server`` are the same steps for harnesses that
keep the pieces longer (``live_backend``: a backend killed and started again on the same port).
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
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx
import sqlalchemy as sa

from sync_backend.migrate import upgrade
from sync_backend.settings import Settings

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
#: What each uvicorn worker logs once its app is ready to serve.
STARTED = b"Application startup complete."


def create_database(
    admin_url: str = DEFAULT_POSTGRES, prefix: str = "pika_bench", *, migrate: bool = True
) -> str:
    """Create ``<prefix>_<random>`` on the Postgres of ``admin_url``, migrate it to head (unless
    ``migrate`` is false: an empty database to restore into) and return its URL (drop it with
    :func:`drop_database`)."""
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        name = f"{prefix}_{secrets.token_hex(4)}"
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        url = admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        admin.dispose()
    if not migrate:
        return url
    try:
        upgrade(url)
    except BaseException:
        drop_database(url)
        raise
    return url


def drop_database(url: str) -> None:
    """Drop the database of ``url`` (closing whoever is still connected to it)."""
    target = sa.make_url(url)
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
    finally:
        admin.dispose()


@contextmanager
def throwaway_database(
    admin_url: str = DEFAULT_POSTGRES, prefix: str = "pika_bench", *, migrate: bool = True
) -> Iterator[str]:
    url = create_database(admin_url, prefix, migrate=migrate)
    try:
        yield url
    finally:
        drop_database(url)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def settings_env(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    for name, value in settings.model_dump(mode="json").items():
        env[f"PIKA_{name.upper()}"] = value if isinstance(value, str) else json.dumps(value)
    return env


def start_server(
    env: dict[str, str],
    port: int,
    *,
    workers: int,
    log_path: Path,
    timeout_s: float = 30,
    extra_args: Sequence[str] = (),
) -> subprocess.Popen[bytes]:
    """Start ``pika-backend serve`` (waits for the database, migrates, serves) on
    127.0.0.1:``port`` with ``env``, its log appended to ``log_path``; return once every
    worker serves.

    One ``/health/live`` answer proves one worker: connections opened while another is still
    starting would all go to the first, which then serves them alone. So the log must also
    show each worker's "Application startup complete." (the server logs at info level, with no
    access log). The log goes to a file: an unread pipe fills up and then blocks the server.
    """
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                # pika-backend serve, not bare uvicorn: with --workers > 1 uvicorn's shared
                # socket delays every answer ~40 ms (see sync_backend/server.py)
                "sync_backend.cli",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(workers),
                "--log-level",
                "info",
                *extra_args,
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    try:
        _wait_until_serving(process, port, workers, log_path, timeout_s)
    except BaseException:  # also Ctrl-C while waiting: never leave the server behind
        stop_server(process)
        raise
    return process


def _wait_until_serving(
    process: subprocess.Popen[bytes], port: int, workers: int, log_path: Path, timeout_s: float
) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        if process.poll() is not None:
            tail = log_path.read_bytes().decode(errors="replace")[-2000:]
            raise RuntimeError(f"backend exited with {process.returncode}: {tail}")
        try:
            answered = httpx.get(f"http://127.0.0.1:{port}/health/live", timeout=1).is_success
            if answered and log_path.read_bytes().count(STARTED) >= workers:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("backend did not start in time")
        time.sleep(0.1)


def stop_server(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def uvicorn_server(
    settings: Settings, *, workers: int = 1, timeout_s: float = 30, extra_args: Sequence[str] = ()
) -> Iterator[str]:
    """``pika-backend serve`` for ``settings`` (and ``extra_args``) on a random port; yields
    the base URL."""
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        process = start_server(
            settings_env(settings),
            port,
            workers=workers,
            log_path=Path(folder) / "server.log",
            timeout_s=timeout_s,
            extra_args=extra_args,
        )
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            stop_server(process)
