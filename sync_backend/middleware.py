"""Pure ASGI middleware (no per-request task or body re-streaming, unlike ``@app.middleware``).

- :class:`BodySizeLimit` refuses a declared body over ``max_body_bytes`` with 413 before any of
  it is read (the push route also counts streamed bytes, for bodies without Content-Length).
- :class:`RequestMetrics` counts requests and times them per route for Prometheus.
"""

from __future__ import annotations

import json
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sync_backend.errors import PayloadTooLarge
from sync_backend.health.metrics import LATENCY, REQUESTS, observe_pool


class BodySizeLimit:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            for name, value in scope["headers"]:
                if name == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                    error = PayloadTooLarge(
                        f"body larger than {self.max_bytes} bytes", code="body_too_large"
                    )
                    body = json.dumps(error.body()).encode()
                    await send(
                        {
                            "type": "http.response.start",
                            "status": 413,
                            "headers": [
                                (b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close"),
                            ],
                        }
                    )
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
