"""The backend's one root error and the one handler that turns it into an HTTP body.

Every refusal a client can act on is a :class:`PikaError` with an HTTP status and a stable
machine ``code`` (pretix habit: the code is for programs, the message for people). Handlers
and services raise; only :func:`install_error_handlers` writes responses, so every error body
has the same shape: ``{"error": {"code": ..., "message": ..., **extra}}``.
"""

from __future__ import annotations

import logging
from typing import Any

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sa_exc
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)


class PikaError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.extra = extra or {}
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, **self.extra}}


class NotAuthenticated(PikaError):
    status_code = 401
    code = "not_authenticated"


class Forbidden(PikaError):
    status_code = 403
    code = "forbidden"


class DeviceRevoked(Forbidden):
    """The kiosk must wipe its local data: the body says so with ``wipe: true``."""

    code = "device_revoked"

    def __init__(self) -> None:
        super().__init__(
            "this device was revoked by head office; wipe local data",
            extra={"wipe": True},
        )


class NotFound(PikaError):
    status_code = 404
    code = "not_found"


class Conflict(PikaError):
    status_code = 409
    code = "conflict"


class PayloadTooLarge(PikaError):
    status_code = 413
    code = "payload_too_large"


class Unprocessable(PikaError):
    status_code = 422
    code = "unprocessable"


class RateLimited(PikaError):
    status_code = 429
    code = "rate_limited"


class ServiceUnavailable(PikaError):
    status_code = 503
    code = "unavailable"


class DatabaseUnavailable(ServiceUnavailable):
    """The database did not answer within its bounds (sync_backend/db_bounds.py), or the
    readiness probe says it is down. Whether a write that was under way committed is unknown;
    pushes are idempotent, so the kiosk sends the same request again after Retry-After."""

    code = "database_unavailable"

    @classmethod
    def now(cls, retry_after_s: int) -> DatabaseUnavailable:
        return cls(
            "the database is not answering; send the request again after Retry-After",
            headers={"Retry-After": str(retry_after_s)},
        )


class RateLimitUnavailable(ServiceUnavailable):
    """A limit set to fail closed (``rate_limit_outage_*``: enrolment attempts by default)
    cannot be counted because Redis is not answering; nothing was done, try again later."""

    code = "rate_limit_unavailable"


def install_error_handlers(app: FastAPI) -> None:
    async def pika_error(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, PikaError)
        return JSONResponse(exc.body(), status_code=exc.status_code, headers=exc.headers)

    async def invalid_request(_request: Request, exc: Exception) -> JSONResponse:
        # FastAPI's own validation errors get the same envelope; "problems" keeps pydantic's
        # location/message list so a client can point at the bad field.
        assert isinstance(exc, RequestValidationError)
        problems = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors()
        ][:50]
        malformed = any(p["type"] == "json_invalid" for p in problems)
        error = Unprocessable(
            "body is not valid JSON"
            if malformed
            else "the request body or parameters are not valid",
            code="malformed_json" if malformed else "invalid_request",
            extra={"problems": problems},
        )
        return JSONResponse(error.body(), status_code=422)

    async def http_error(_request: Request, exc: Exception) -> JSONResponse:
        # Starlette's own answers (no such route 404, wrong method 405 with its Allow header,
        # a body it could not read 400) in the same envelope as ours.
        assert isinstance(exc, StarletteHTTPException)
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        error = PikaError(str(exc.detail), code=code, headers=dict(exc.headers or {}))
        return JSONResponse(error.body(), status_code=exc.status_code, headers=error.headers)

    async def integrity_error(_request: Request, _exc: Exception) -> JSONResponse:
        # Two admin actions racing on the same row (e.g. two signing-key rotations): the
        # database refused the second one; nothing was written, the client may retry.
        error = Conflict(
            "a concurrent change won; nothing was written, retry", code="write_conflict"
        )
        return JSONResponse(error.body(), status_code=409, headers={"Retry-After": "1"})

    app.add_exception_handler(PikaError, pika_error)
    app.add_exception_handler(IntegrityError, integrity_error)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(StarletteHTTPException, http_error)


#: Machine codes for Starlette's own HTTP errors (the message keeps its text).
_HTTP_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
}


#: Database errors that mean "not reachable, or not now" rather than "this request is wrong":
#: connection lost or refused, a bound of db_bounds passed (statement, lock, answer), the pool
#: empty for ``db_pool_timeout_s``.
DATABASE_UNAVAILABLE_ERRORS: tuple[type[Exception], ...] = (
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    sa_exc.TimeoutError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
)


def install_database_error_handlers(app: FastAPI, retry_after_s: int) -> None:
    """503 ``database_unavailable`` with Retry-After, in the error envelope, instead of a bare
    500 when the database is down, frozen or overloaded."""

    async def database_unavailable(request: Request, exc: Exception) -> JSONResponse:
        log.warning(
            "%s %s: database unavailable (%s)",
            request.method,
            request.url.path,
            f"{type(exc).__name__}: {exc}".splitlines()[0][:200],
        )
        error = DatabaseUnavailable.now(retry_after_s)
        return JSONResponse(error.body(), status_code=error.status_code, headers=error.headers)

    for error_type in DATABASE_UNAVAILABLE_ERRORS:
        app.add_exception_handler(error_type, database_unavailable)
