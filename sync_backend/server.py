"""Runs the backend under uvicorn, with one fix for multi-worker mode.

With ``workers > 1`` uvicorn binds the shared listening socket as ``socket.socket(family)``,
whose protocol number is 0; asyncio then never sets TCP_NODELAY on accepted connections
(it only does for ``IPPROTO_TCP`` sockets), Nagle's algorithm meets the client's delayed ACK
and every response waits ~40 ms. Measured here: /health/live went from 0.8 ms (one worker)
to 44 ms (two workers). Binding the socket with ``IPPROTO_TCP`` restores the fast path.
uvloop (uvicorn's loop when installed, as with the backend's dependencies) sets TCP_NODELAY
on every accepted TCP connection whatever the listener's protocol number, so there the
workaround changes nothing; it matters on the asyncio loop (``--loop asyncio``, or wherever
uvloop is missing): bare ``uvicorn --workers 2 --loop asyncio`` answered /health/live in
44 ms a request on a keep-alive connection (2026-12-02), ``pika-backend serve`` in under 1 ms.

Upstream: uvicorn issue #3149, "--workers N loses TCP_NODELAY: every keep-alive request past
the first costs ~43ms on Linux" (https://github.com/Kludex/uvicorn/issues/3149, open when
this was written); pull request #3155 proposed the same one-line fix and was closed unmerged.
Drop :class:`TcpConfig` once a uvicorn release binds with ``IPPROTO_TCP`` itself
(tests/backend/test_launcher.py shows whether it does).
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterable
from typing import Any, Literal

import uvicorn
from uvicorn.supervisors import Multiprocess

from sync_backend.observability.logs import uvicorn_log_config

APP = "sync_backend.app:create_app"

#: Seconds a worker may take to answer the supervisor's ping. uvicorn's default, 5 s, is less
#: than a worker's start (imports, the app) takes on a busy host: seen here with two workers
#: on two loaded cores, the supervisor killed a starting worker as "died" and started another,
#: 30 s before both served. A hung worker is still replaced, just later.
WORKER_HEALTHCHECK_S = 60


class TcpConfig(uvicorn.Config):
    def bind_socket(self) -> socket.socket:
        if self.uds is not None or self.fd is not None:
            return super().bind_socket()
        family = socket.AF_INET6 if self.host and ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        sock.set_inheritable(True)
        return sock


def run(
    app: Any = APP,
    *,
    host: str,
    port: int,
    workers: int = 1,
    log_level: str = "info",
    forwarded_allow_ips: str = "",
    loop: Literal["auto", "asyncio", "uvloop"] = "auto",
    secrets: Iterable[str] = (),
) -> None:
    """Serve ``app`` (an import string of the factory, or an app object for one worker).

    ``X-Forwarded-*`` headers are believed only from ``forwarded_allow_ips``; empty (the
    default) believes nobody, where uvicorn's own default would believe 127.0.0.1 (and its
    ``FORWARDED_ALLOW_IPS`` variable). Logs are JSON lines (observability/logs.py) with
    ``secrets`` masked; uvicorn's access log is off: ``middleware.RequestLog`` writes one line
    per request instead, with its id, route, status and duration."""
    logging.captureWarnings(True)  # Python's warnings become log lines too (JSON)
    config = TcpConfig(
        app,
        factory=isinstance(app, str),
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        log_config=uvicorn_log_config(log_level, secrets=secrets),
        access_log=False,
        proxy_headers=bool(forwarded_allow_ips.strip()),
        forwarded_allow_ips=forwarded_allow_ips.strip() or None,
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_S,
        loop=loop,
    )
    if workers > 1:
        Multiprocess(config, sockets=[config.bind_socket()]).run()
    else:
        uvicorn.Server(config).run()
