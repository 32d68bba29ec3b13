"""The Postgres and Redis that the backend and end-to-end tests use: this module decides which.

For each of the two, in this order:

- ``PIKA_TEST_NO_SERVICES=1``: none; the tests that need one skip and say so (the conftest
  refuses that in CI).
- ``PIKA_TEST_POSTGRES`` / ``PIKA_TEST_REDIS`` set to a URL: that server. If it does not
  answer, that is a failure: a server asked for by name is never swapped for another.
- set to ``private``: a throwaway instance, even when the machine runs a server.
- unset: the machine's server (``127.0.0.1:5432``, trust auth, user postgres; Redis on
  ``127.0.0.1:6379``, database 15) when it answers, otherwise a throwaway instance.

A throwaway instance lives in a temporary folder on a free 127.0.0.1 port: Postgres from
Debian's ``postgresql`` package (its binaries sit in ``/usr/lib/postgresql/<version>/bin``,
not on PATH; an ``initdb`` on PATH wins), Redis from ``redis-server``; ``scripts/setup.sh``
installs both. The conftest starts each at most once per test session, when the first test
needs it, and stops and deletes it when the session ends, also after Ctrl-C (pytest tears
session fixtures down on KeyboardInterrupt, and the servers run in a session of their own, so
the terminal's SIGINT reaches pytest only). A hard kill of pytest (SIGKILL, pytest-timeout's
exit) leaves them running in ``/tmp/pika-test-*``.

Why not ``pytest-postgresql`` and ``pytest-redis``, whose process fixtures do this: the suite
runs as root in CI and on the team's machines, and ``pg_ctl`` and ``initdb`` refuse to run as
root; pytest-postgresql runs them as the current user, in a folder under pytest's basetemp
(mode 0700) that a ``postgres`` user could not enter anyway. Here Postgres runs as the
``postgres`` user when we are root. pytest-redis would work, but three more dependencies
(mirakuru, port-for, psutil) and a second lifecycle for the twenty lines of :func:`private_redis`
did not pay. Both plugins also leave "is a server already running?" to us, which is most of
this module.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

import sqlalchemy as sa

MACHINE_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
MACHINE_REDIS = "redis://127.0.0.1:6379/15"
PRIVATE = "private"
NO_SERVICES = "PIKA_TEST_NO_SERVICES"
START_TIMEOUT_S = 60.0


class ServiceError(RuntimeError):
    """A test server was asked for by name and does not answer, or could not be started."""


def opted_out() -> str | None:
    """Why the tests must not use Postgres or Redis at all, or None."""
    if os.environ.get(NO_SERVICES, "").strip().lower() in {"1", "true", "yes"}:
        return f"{NO_SERVICES} is set: backend and end-to-end tests do not run"
    return None


def postgres_problem(url: str) -> str | None:
    """Why ``url`` cannot be used as the tests' Postgres (connection or login), or None."""
    engine = sa.create_engine(url, poolclass=sa.NullPool, connect_args={"connect_timeout": 2})
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as error:
        return str(error.__cause__ or error).strip().splitlines()[0]
    finally:
        engine.dispose()
    return None


def redis_problem(url: str) -> str | None:
    """Why ``url`` cannot be used as the tests' Redis, or None."""
    import redis

    client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        return str(error)
    finally:
        client.close()
    return None


def postgres_in_use() -> AbstractContextManager[str]:
    """The admin URL (database ``postgres``) of the Postgres the tests use; see the module."""
    return _in_use("PIKA_TEST_POSTGRES", MACHINE_POSTGRES, postgres_problem, private_postgres)


def redis_in_use() -> AbstractContextManager[str]:
    """The URL of the Redis the tests use; see the module."""
    return _in_use("PIKA_TEST_REDIS", MACHINE_REDIS, redis_problem, private_redis)


def _in_use(
    variable: str,
    machine_url: str,
    problem_with: Callable[[str], str | None],
    private: Callable[[], AbstractContextManager[str]],
) -> AbstractContextManager[str]:
    given = os.environ.get(variable, "").strip()
    if given == PRIVATE:
        return private()
    if given:
        problem = problem_with(given)
        if problem is not None:
            raise ServiceError(
                f"{variable}={given} does not answer ({problem}); unset it to let the tests "
                f"use the machine's server or start a private one, or set it to '{PRIVATE}'"
            )
        return nullcontext(given)
    if problem_with(machine_url) is None:
        return nullcontext(machine_url)
    return private()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def private_postgres() -> Iterator[str]:
    """A throwaway Postgres cluster (trust auth, superuser ``postgres``); yields its admin URL."""
    bindir = postgres_bindir()
    owner = _postgres_user()
    with _scratch_folder("pika-test-postgres-", owner) as folder:
        data = folder / "data"
        initdb = [str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust"]
        _run([*initdb, "-E", "UTF8", "--no-locale", "--no-sync"], owner, folder / "initdb.log")

        def start(port: int) -> subprocess.Popen[bytes]:
            # Durability settings off: a test cluster is thrown away, never recovered.
            settings = {
                "listen_addresses": "127.0.0.1",
                "unix_socket_directories": str(folder),
                "fsync": "off",
                "synchronous_commit": "off",
                "full_page_writes": "off",
            }
            options = [f"--{name}={value}" for name, value in settings.items()]
            command = [str(bindir / "postgres"), "-D", str(data), "-p", str(port), *options]
            return _spawn(command, owner, folder / "postgres.log")

        url = "postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
        # SIGINT is Postgres's fast shutdown: it ends open sessions instead of waiting on them.
        with _serving(
            start, url, postgres_problem, folder / "postgres.log", stop=signal.SIGINT
        ) as served:
            yield served


@contextmanager
def private_redis() -> Iterator[str]:
    """A throwaway Redis that keeps nothing on disk; yields its URL."""
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not Path(binary).exists():
        raise ServiceError(_INSTALL.format(what="redis-server"))
    with _scratch_folder("pika-test-redis-", None) as folder:

        def start(port: int) -> subprocess.Popen[bytes]:
            command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder)]
            command += ["--save", "", "--appendonly", "no", "--daemonize", "no"]
            return _spawn(command, None, folder / "redis.log")

        url = "redis://127.0.0.1:{port}/0"
        with _serving(
            start, url, redis_problem, folder / "redis.log", stop=signal.SIGTERM
        ) as served:
            yield served


_INSTALL = (
    "{what} is not installed; run scripts/setup.sh as root (it installs Debian's postgresql "
    "and redis-server), or point PIKA_TEST_POSTGRES / PIKA_TEST_REDIS at running servers"
)


def postgres_bindir() -> Path:
    """The folder of ``initdb`` and ``postgres``: PATH first, then Debian's newest version."""
    on_path = shutil.which("initdb")
    if on_path is not None:
        return Path(on_path).resolve().parent

    def version(initdb: Path) -> tuple[int, ...]:
        return tuple(int(part) for part in re.findall(r"\d+", initdb.parent.parent.name))

    debian = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=version)
    if not debian:
        raise ServiceError(_INSTALL.format(what="Postgres (initdb)"))
    return debian[-1].parent


def _postgres_user() -> pwd.struct_passwd | None:
    """Whom Postgres runs as: ourselves, or ``postgres`` when we are root (it refuses root)."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam("postgres")
    except KeyError:
        raise ServiceError(
            "running as root, and Postgres refuses to run as root: there is no 'postgres' "
            "user to run it as (Debian's postgresql package makes one; see scripts/setup.sh)"
        ) from None


@contextmanager
def _scratch_folder(prefix: str, owner: pwd.struct_passwd | None) -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        if owner is not None:
            os.chown(folder, owner.pw_uid, owner.pw_gid)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _as(owner: pwd.struct_passwd | None) -> dict[str, Any]:
    if owner is None:
        return {}
    return {"user": owner.pw_uid, "group": owner.pw_gid, "extra_groups": []}


def _run(command: list[str], owner: pwd.struct_passwd | None, log_path: Path) -> None:
    with open(log_path, "wb") as log:
        done = subprocess.run(
            command, stdout=log, stderr=subprocess.STDOUT, check=False, **_as(owner)
        )
    if done.returncode != 0:
        raise ServiceError(f"{command[0]} failed: {_tail(log_path)}")


def _spawn(
    command: list[str], owner: pwd.struct_passwd | None, log_path: Path
) -> subprocess.Popen[bytes]:
    # Its own session: Ctrl-C in the terminal reaches pytest, which then stops the server.
    with open(log_path, "ab") as log:
        return subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            **_as(owner),
        )


@contextmanager
def _serving(
    start: Callable[[int], subprocess.Popen[bytes]],
    url_template: str,
    problem_with: Callable[[str], str | None],
    log_path: Path,
    *,
    stop: signal.Signals,
    attempts: int = 3,
) -> Iterator[str]:
    """Start a server on a free port, wait until it answers, yield its URL, stop it at the end.

    A server that exits while starting is tried again on another port (the free port may have
    been taken in between), up to ``attempts`` times.
    """
    for attempt in range(1, attempts + 1):
        port = free_port()
        url = url_template.format(port=port)
        process = start(port)
        deadline = time.monotonic() + START_TIMEOUT_S
        while process.poll() is None and problem_with(url) is not None:
            if time.monotonic() > deadline:
                _stop(process, stop)
                raise ServiceError(f"not answering after {START_TIMEOUT_S:.0f} s: {url}")
            time.sleep(0.1)
        if process.poll() is None:
            break
        if attempt == attempts:
            raise ServiceError(f"{log_path.stem} exited while starting: {_tail(log_path)}")
    try:
        yield url
    finally:
        _stop(process, stop)


def _stop(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _tail(log_path: Path, chars: int = 1500) -> str:
    try:
        return log_path.read_text(errors="replace")[-chars:].strip()
    except OSError:
        return "(no log)"
