"""A small fault-injecting HTTP proxy (asyncio, its own thread) for end-to-end tests.

It sits between a kiosk and the real backend and handles one HTTP/1.1 request per connection
(it asks both sides to close after each), so a fault applies to exactly one request. Faults are
taken from a queue, one per request; an empty queue passes requests through untouched.

Faults: ``drop`` (close before forwarding: nothing reached the server), ``delay:<s>`` (hold the
request, then forward), ``cut`` (forward, let the server answer and commit, then close without
answering: the client cannot know it was taken), ``status:<code>[:<retry-after>]`` (answer with
the backend's error shape without forwarding).

Poison: ``poison(text)`` makes every request whose body contains ``text`` (an item's id) answer
500 without forwarding, for as long as it stays poisoned (``cure()`` ends it): a server that
fails on one item, whatever else its batch carries.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections import deque


class FaultProxy:
    def __init__(self, upstream_port: int, host: str = "127.0.0.1") -> None:
        self.host = host
        self.upstream_port = upstream_port
        self.port = 0
        self.faults: deque[str] = deque()
        self.requests = 0
        #: Body texts answered 500 (see :meth:`poison`), and how many requests met one.
        self.poisons: set[bytes] = set()
        self.poisoned = 0
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.Server | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> FaultProxy:
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(self._listen(), self._loop)
        future.result(10)
        return self

    def stop(self) -> None:
        async def close() -> None:
            if self._server is not None:
                self._server.close()
            others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in others:
                task.cancel()
            await asyncio.gather(*others, return_exceptions=True)
            await asyncio.sleep(0)  # let closed transports finish before the loop stops

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    def inject(self, *faults: str) -> None:
        self.faults.extend(faults)

    def poison(self, text: str) -> None:
        """Answer 500 to every request whose body contains ``text``, until :meth:`cure`."""
        self.poisons.add(text.encode())

    def cure(self) -> None:
        self.poisons.clear()

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(self._handle, self.host, 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await _read_request(reader)
            if request is None:
                return
            self.requests += 1
            _head, _, body = request.partition(b"\r\n\r\n")
            if any(text in body for text in tuple(self.poisons)):
                self.poisoned += 1
                writer.write(_error_response(500, ""))
                await writer.drain()
                return
            fault = self.faults.popleft() if self.faults else "pass"
            kind, _, argument = fault.partition(":")
            if kind == "drop":
                return
            if kind == "status":
                code, _, retry_after = argument.partition(":")
                writer.write(_error_response(int(code), retry_after))
                await writer.drain()
                return
            if kind == "delay":
                await asyncio.sleep(float(argument))
            response = await self._forward(request)
            if kind == "cut" or response is None:
                return
            writer.write(response)
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _forward(self, request: bytes) -> bytes | None:
        try:
            up_reader, up_writer = await asyncio.open_connection(self.host, self.upstream_port)
        except OSError:
            return None  # backend down: the client sees the connection close
        try:
            up_writer.write(request)
            await up_writer.drain()
            return await up_reader.read()  # the server closes after one answer (see below)
        except ConnectionError:
            return None
        finally:
            up_writer.close()
            with contextlib.suppress(Exception):
                await up_writer.wait_closed()


async def _read_request(reader: asyncio.StreamReader) -> bytes | None:
    """One request, rewritten with ``Connection: close`` so each side closes after it."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        return None
    lines = head.decode("latin-1").split("\r\n")
    length = 0
    kept = [lines[0]]
    for line in lines[1:]:
        if not line:
            continue
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
        if name.strip().lower() == "connection":
            continue
        kept.append(line)
    kept.append("Connection: close")
    body = await reader.readexactly(length) if length else b""
    return ("\r\n".join(kept) + "\r\n\r\n").encode("latin-1") + body


def _error_response(status: int, retry_after: str) -> bytes:
    body = json.dumps({"error": {"code": "injected", "message": f"fault proxy {status}"}}).encode()
    headers = [
        f"HTTP/1.1 {status} Injected",
        "Content-Type: application/json",
        f"Content-Length: {len(body)}",
        "Connection: close",
    ]
    if retry_after:
        headers.append(f"Retry-After: {retry_after}")
    return ("\r\n".join(headers) + "\r\n\r\n").encode() + body
