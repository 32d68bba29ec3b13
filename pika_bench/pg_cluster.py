"""Throwaway Postgres clusters that can be stopped, started again and replicated.

For the benchmarks and the fault tests: a cluster in a temporary folder (``/tmp/pika-test-
postgres-*``) on a free 127.0.0.1 port, that :meth:`PostgresCluster.stop` shuts down (fast
shutdown, as a restart or failover does) and :meth:`~PostgresCluster.start` brings back on
the same port, and a streaming replica of it made by ``pg_basebackup -R``
(:func:`replica_of`). Binaries from PATH or Debian's ``/usr/lib/postgresql/<version>/bin``;
Postgres refuses to run as root, so as root it runs as the ``postgres`` user. Never the
machine's own server.
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
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa

START_TIMEOUT_S = 60.0


class ClusterError(RuntimeError):
    """A cluster could not be made or did not start."""


def postgres_bindir() -> Path:
    """The folder of ``initdb``, ``postgres`` and ``pg_basebackup``."""
    on_path = shutil.which("initdb")
    if on_path is not None:
        return Path(on_path).resolve().parent

    def version(initdb: Path) -> tuple[int, ...]:
        return tuple(int(part) for part in re.findall(r"\d+", initdb.parent.parent.name))

    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=version)
    if not found:
        raise ClusterError("Postgres is not installed (Debian: apt-get install postgresql)")
    return found[-1].parent


def _owner() -> pwd.struct_passwd | None:
    return pwd.getpwnam("postgres") if os.geteuid() == 0 else None


def _as(owner: pwd.struct_passwd | None) -> dict[str, Any]:
    if owner is None:
        return {}
    return {"user": owner.pw_uid, "group": owner.pw_gid, "extra_groups": []}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _answers(url: str) -> str | None:
    engine = sa.create_engine(url, poolclass=sa.NullPool, connect_args={"connect_timeout": 2})
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as error:
        return str(error.__cause__ or error).strip().splitlines()[0]
    finally:
        engine.dispose()
    return None


class PostgresCluster:
    """One data folder and port; stop and start it as often as needed."""

    def __init__(self, folder: Path, port: int) -> None:
        self.folder = folder
        self.data = folder / "data"
        self.port = port
        self.log = folder / "postgres.log"
        self.owner = _owner()
        self.bindir = postgres_bindir()
        self.process: subprocess.Popen[bytes] | None = None

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, command: list[str], log_name: str) -> None:
        with open(self.folder / log_name, "wb") as log:
            done = subprocess.run(
                command, stdout=log, stderr=subprocess.STDOUT, check=False, **_as(self.owner)
            )
        if done.returncode != 0:
            tail = (self.folder / log_name).read_text(errors="replace")[-1500:]
            raise ClusterError(f"{Path(command[0]).name} failed: {tail}")

    def initdb(self) -> None:
        command = [str(self.bindir / "initdb"), "-D", str(self.data), "-U", "postgres"]
        self._run([*command, "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"], "initdb.log")

    def start(self) -> None:
        """Start on this cluster's port; return once it takes queries (read-only ones on a
        replica)."""
        settings = {
            "listen_addresses": "127.0.0.1",
            "unix_socket_directories": str(self.folder),
            # Durability off: a throwaway cluster. A fast shutdown still checkpoints, so a
            # stop and start keeps every commit.
            "fsync": "off",
            "full_page_writes": "off",
            "wal_level": "replica",
            "max_wal_senders": "4",
        }
        command = [str(self.bindir / "postgres"), "-D", str(self.data), "-p", str(self.port)]
        command += [f"--{name}={value}" for name, value in settings.items()]
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C reaches the test or benchmark, not Postgres
                **_as(self.owner),
            )
        deadline = time.monotonic() + START_TIMEOUT_S
        while (problem := _answers(self.url())) is not None:
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                tail = self.log.read_text(errors="replace")[-1500:]
                raise ClusterError(f"postgres did not start ({problem}): {tail}")
            time.sleep(0.1)

    def stop(self) -> None:
        """Fast shutdown (SIGINT): sessions are ended, committed work is kept."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def base_backup_into(self, replica: PostgresCluster) -> None:
        """Make ``replica``'s data folder a streaming standby of this server
        (``pg_basebackup -R`` writes ``standby.signal`` and ``primary_conninfo``)."""
        command = [str(self.bindir / "pg_basebackup"), "-D", str(replica.data), "-h", "127.0.0.1"]
        command += ["-p", str(self.port), "-U", "postgres", "-R", "-X", "stream", "-c", "fast"]
        replica._run([*command, "--no-sync"], "basebackup.log")


@contextmanager
def _cluster_folder() -> Iterator[PostgresCluster]:
    folder = Path(tempfile.mkdtemp(prefix="pika-test-postgres-"))
    try:
        owner = _owner()
        if owner is not None:
            os.chown(folder, owner.pw_uid, owner.pw_gid)
        cluster = PostgresCluster(folder, _free_port())
        try:
            yield cluster
        finally:
            cluster.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def postgres_cluster() -> Iterator[PostgresCluster]:
    """A new cluster, started; stopped and deleted when the block ends."""
    with _cluster_folder() as cluster:
        cluster.initdb()
        cluster.start()
        yield cluster


@contextmanager
def replica_of(primary: PostgresCluster) -> Iterator[PostgresCluster]:
    """A hot standby of ``primary`` streaming from it, on a port of its own, started."""
    with _cluster_folder() as replica:
        primary.base_backup_into(replica)
        replica.start()
        yield replica


def in_recovery(url: str) -> bool:
    """``pg_is_in_recovery()`` of the server at ``url``: true on a standby."""
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    try:
        with engine.connect() as conn:
            return bool(conn.execute(sa.text("SELECT pg_is_in_recovery()")).scalar_one())
    finally:
        engine.dispose()
