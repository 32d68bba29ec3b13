"""Pure ASGI middleware (no per-request task or body re-streaming, unlike ``@app.middleware``).

- :class:`BodySizeLimit` answers 413 once a body passes its route's limit, declared or streamed.
- :class:`DatabaseGate` answers 503 at once for API routes while the database probe fails.
- :class:`RequestMetrics` counts requests and times them per route for Prometheus.
- :class:`RequestLog` gives each request an id (echoed in ``X-Request-ID``) and logs one line
  when it is answered: method, route, status and duration.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Mapping
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sync_backend.errors import DatabaseUnavailable, PayloadTooLarge
from sync_backend.observability.logs import REQUEST_ID, REQUEST_LOGGER
from sync_backend.observability.metrics import IN_PROGRESS, LATENCY, REQUESTS

request_log = logging.getLogger(REQUEST_LOGGER)

#: Header carrying the request's id, in and out.
REQUEST_ID_HEADER = "X-Request-ID"
#: An incoming id is kept when it looks like one (a proxy's or a client's: letters, digits,
#: ``-_.:``, at most 64); anything else is replaced, so a log line never carries odd text.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")


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
    """Counts and times every request per route (the route's template, never its path) and
    keeps the number in flight (``pika_http_requests_in_progress``, also in /health/detail)."""

    #: Requests being answered by this process now.
    in_flight = 0

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

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

        RequestMetrics.in_flight += 1
        IN_PROGRESS.inc()
        try:
            await self.app(scope, receive, remember_status)
        finally:
            RequestMetrics.in_flight -= 1
            IN_PROGRESS.dec()
            route = route_of(scope)
            REQUESTS.labels(scope["method"], route, str(status)).inc()
            LATENCY.labels(scope["method"], route).observe(time.perf_counter() - start)


def route_of(scope: Scope) -> str:
    """The matched route's template (``/v1/admin/vouchers/{serial}/revoke``): no ids, no
    query string, nothing a caller typed."""
    return str(getattr(scope.get("route"), "path", "unmatched"))


class RequestLog:
    """The outermost layer: the request's id for every log line written while answering it
    (``observability.logs.REQUEST_ID``), echoed to the caller, and one line at the end.

    uvicorn's access log is off (server.py): this line says the same and more, in JSON, and
    never the query string (which might hold something a caller should not have sent)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = incoming_request_id(scope) or uuid.uuid4().hex
        token = REQUEST_ID.set(request_id)
        start = time.perf_counter()
        status = 500
        header = (REQUEST_ID_HEADER.lower().encode(), request_id.encode())

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {**message, "headers": [*message.get("headers", []), header]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            duration_ms = round((time.perf_counter() - start) * 1000, 2)
            level = (
                logging.ERROR
                if status == 500
                else logging.WARNING
                if status >= 500
                else logging.INFO
            )
            route = route_of(scope)
            request_log.log(
                level,
                "%s %s %s %.1f ms",
                scope["method"],
                route,
                status,
                duration_ms,
                extra={
                    "method": scope["method"],
                    "route": route,
                    "status": status,
                    "duration_ms": duration_ms,
                },
            )
            REQUEST_ID.reset(token)


def incoming_request_id(scope: Scope) -> str | None:
    """The caller's (or its proxy's) ``X-Request-ID`` when it is sane, else None."""
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            text = value.decode("latin-1")
            return text if _SANE_REQUEST_ID.fullmatch(text) else None
    return None
