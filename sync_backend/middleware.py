"""Pure ASGI middleware (no per-request task or body re-streaming, unlike ``@app.middleware``).

- :class:`BodySizeLimit` answers 413 once a body passes its route's limit, declared or streamed.
- :class:`DatabaseGate` answers 503 at once for API routes while the database probe fails.
- :class:`RequestMetrics` counts requests and times them per route for Prometheus.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sync_backend.errors import DatabaseUnavailable, PayloadTooLarge
from sync_backend.observability.metrics import LATENCY, REQUESTS, observe_pool


class _BodyTooLarge(Exception):
    """Raised into the app from ``receive`` once the streamed body passes the route's limit."""


class BodySizeLimit:
    """413 ``body_too_large`` as soon as a request body passes its route's limit.

    A declared ``Content-Length`` over the limit is refused before any of the body is read.
    Without one (``Transfer-Encoding: chunked``) the bytes are counted as the app receives
    them: past the limit this middleware answers 413 itself and raises into the app's
    ``receive``, so no route or framework code (FastAPI reads a whole body before it checks
    credentials) ever buffers more than ``limit`` bytes. Whatever the app answers after that
    is dropped. uvicorn stops reading a socket whose body nobody reads (flow control), so an
    unread body costs no memory either.
    """

    def __init__(
        self, app: ASGIApp, max_bytes: int, route_max_bytes: Mapping[str, int] | None = None
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        #: Exact paths that take more (or less) than ``max_bytes``: the push route's batches.
        self.route_max_bytes = dict(route_max_bytes or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.route_max_bytes.get(scope["path"], self.max_bytes)
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > limit:
                await _send_too_large(send, limit)
                return
        received = 0
        started = refused = False

        async def counting_receive() -> Message:
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    if not started:
                        await _send_too_large(send, limit)
                    refused = True
                    raise _BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refused:
                return  # the 413 is the answer; the app's reaction to it is not
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except _BodyTooLarge:
            pass
        except Exception:
            # FastAPI wraps errors met while reading a body in its own; once refused, any
            # error is the app giving up on the body, and the 413 has been sent.
            if not refused:
                raise


async def _send_too_large(send: Send, limit: int) -> None:
    error = PayloadTooLarge(f"body larger than {limit} bytes", code="body_too_large")
    body = json.dumps(error.body()).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                # The rest of the body is never read: the connection cannot be reused.
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class DatabaseGate:
    """503 ``database_unavailable`` with Retry-After, without a worker thread or a pool wait,
    for every API route (``/v1/``) while the database probe (health/probe.py) fails. Health,
    metrics and the API docs never touch the database and stay open."""

    def __init__(self, app: ASGIApp, probe: Any, retry_after_s: int) -> None:
        self.app = app
        self.probe = probe
        self.retry_after_s = retry_after_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and self.probe.database_down
            and scope["path"].startswith("/v1/")
        ):
            error = DatabaseUnavailable.now(self.retry_after_s)
            body = json.dumps(error.body()).encode()
            headers = [(b"content-type", b"application/json")]
            headers += [(k.lower().encode(), v.encode()) for k, v in error.headers.items()]
            headers.append((b"content-length", str(len(body)).encode()))
            await send({"type": "http.response.start", "status": 503, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)


class RequestMetrics:
    def __init__(self, app: ASGIApp, engine: Any = None) -> None:
        self.app = app
        self.engine = engine

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def remember_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, remember_status)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            REQUESTS.labels(scope["method"], route, str(status)).inc()
            LATENCY.labels(scope["method"], route).observe(time.perf_counter() - start)
            if self.engine is not None:
                observe_pool(self.engine)
