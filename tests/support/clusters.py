"""Postgres clusters and Redis servers that a test stops and starts again.

``services.private_postgres`` / ``private_redis`` start a server once for a whole session; the
fault tests need more: stop a server mid-traffic and start it again *on the same port* (the
backend keeps its URL), and make a Postgres streaming replica of a primary with
``pg_basebackup``. Postgres: ``pika_bench.pg_cluster`` (the replica benchmark uses it too).
Redis: :func:`redis_server` below. Each lives in a temporary folder (``/tmp/pika-test-*``) on
a free 127.0.0.1 port, never the machine's.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pika_bench.pg_cluster import PostgresCluster, in_recovery, postgres_cluster, replica_of
from tests.support import services

__all__ = [
    "PostgresCluster",
    "RedisServer",
    "in_recovery",
    "postgres_cluster",
    "redis_server",
    "replica_of",
]

START_TIMEOUT_S = 60.0


class RedisServer:
    """A Redis that keeps nothing on disk, on one port; :meth:`stop` and :meth:`start` again."""

    def __init__(self, folder: Path, port: int) -> None:
        self.folder = folder
        self.port = port
        self.log = folder / "redis.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        if not Path(self.binary).exists():
            raise services.ServiceError(services._INSTALL.format(what="redis-server"))

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--dir", str(self.folder), "--save", "", "--appendonly", "no"]
        self.process = services._spawn([*command, "--daemonize", "no"], None, self.log)
        deadline = time.monotonic() + START_TIMEOUT_S
        while (problem := services.redis_problem(self.url)) is not None:
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise services.ServiceError(f"redis did not start ({problem})")
            time.sleep(0.1)

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def redis_server() -> Iterator[RedisServer]:
    """A new Redis, started; stopped and deleted when the block ends."""
    with services._scratch_folder("pika-test-redis-", None) as folder:
        server = RedisServer(folder, services.free_port())
        server.start()
        try:
            yield server
        finally:
            server.stop()
