"""``pika-backend serve --workers N``: every worker serves, and small answers stay fast.

uvicorn's multi-worker supervisor binds the listening socket with protocol number 0, so
asyncio never sets TCP_NODELAY on accepted connections and each keep-alive answer waits out
the client's delayed ACK (~40 ms; uvicorn issue #3149, see sync_backend/server.py; uvloop sets
the option by itself). The launcher binds with IPPROTO_TCP; these tests check the option on a
really accepted connection, on both loops, and the latency of a real two-worker server on the
asyncio loop.
"""

from __future__ import annotations

import asyncio
import http.client
import socket
import statistics
import time
from collections.abc import Callable

import pytest
import uvicorn
import uvloop

from pika_bench.backend_server import free_port
from sync_backend.server import APP, TcpConfig
from sync_backend.settings import Settings
from tests.backend.serving import serving

LOOPS: dict[str, Callable[[], asyncio.AbstractEventLoop]] = {
    "asyncio": asyncio.new_event_loop,
    "uvloop": uvloop.new_event_loop,
}


def nodelay_of_accepted(listening: socket.socket, loop: str) -> int:
    """TCP_NODELAY on the server side of a connection accepted from ``listening``, as the
    event loop (the one uvicorn uses, asyncio or uvloop) leaves it."""
    seen: list[int] = []

    async def accept_one() -> None:
        accepted = asyncio.Event()

        def connected(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            sock = writer.get_extra_info("socket")
            seen.append(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()
            accepted.set()

        server = await asyncio.start_server(connected, sock=listening)
        host, port = listening.getsockname()[:2]
        _reader, writer = await asyncio.open_connection(host, port)
        await asyncio.wait_for(accepted.wait(), 10)
        writer.close()
        server.close()
        await server.wait_closed()

    with asyncio.Runner(loop_factory=LOOPS[loop]) as runner:
        runner.run(accept_one())
    return seen[0]


@pytest.mark.parametrize("loop", sorted(LOOPS))
def test_connections_accepted_by_the_launchers_socket_have_tcp_nodelay(loop: str) -> None:
    ours = TcpConfig(APP, factory=True, host="127.0.0.1", port=free_port()).bind_socket()
    assert ours.proto == socket.IPPROTO_TCP
    assert nodelay_of_accepted(ours, loop) != 0


def test_uvicorns_own_socket_still_needs_the_workaround() -> None:
    """The reason for TcpConfig, on the asyncio loop. When this fails, uvicorn has fixed
    #3149: drop TcpConfig."""
    plain = uvicorn.Config(APP, factory=True, host="127.0.0.1", port=free_port()).bind_socket()
    assert plain.proto == 0
    assert nodelay_of_accepted(plain, "asyncio") == 0


def keep_alive_ms(url: str, path: str, requests: int) -> list[float]:
    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    times = []
    try:
        for _ in range(requests):
            start = time.perf_counter()
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            assert response.status == 200
            times.append((time.perf_counter() - start) * 1000)
    finally:
        connection.close()
    return times


def test_two_workers_serve_small_answers_without_the_nagle_delay(settings: Settings) -> None:
    """A real ``serve --workers 2`` on the asyncio loop (uvloop sets TCP_NODELAY by itself):
    keep-alive answers from each worker well under the ~40 ms a lost TCP_NODELAY costs (bare
    ``uvicorn --workers 2 --loop asyncio``: 44 ms a request, see sync_backend/server.py)."""
    with serving(settings, workers=2, extra_args=["--loop", "asyncio"]) as served:
        assert served.log().count("Application startup complete.") == 2
        medians = []
        for _ in range(4):  # several connections: both workers answer some
            times = keep_alive_ms(served.url, "/health/live", 40)
            medians.append(statistics.median(times[1:]))  # the first pays the connect
    print(f"two workers, keep-alive /health/live: medians {[f'{m:.2f}' for m in medians]} ms")
    assert max(medians) < 20, medians
