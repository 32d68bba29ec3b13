"""The backend's HTTP API as the kiosk calls it: httpx underneath, wire models on top.

:class:`SyncApi` sends and parses; it decides nothing about the outbox. Its one job besides
that is sorting every failure into the typed errors of :mod:`app.core.sync.errors`, so the
callers can tell "keep the items and retry" (transport failures, 5xx, 429, 409) from "the
server said no for good" (other 4xx). It is blocking and meant for the sync thread only.
"""

from __future__ import annotations

import email.utils
from datetime import UTC, datetime
from typing import TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from app.core.sync.errors import (
    DeviceRevokedError,
    EnrolmentRefusedError,
    NotAuthorisedError,
    NotEnrolledForSyncError,
    ProtocolError,
    RateLimitedError,
    RequestRefusedError,
    ServerBusyError,
    ServerUnreachableError,
)
from pika_protocol import sync_wire

M = TypeVar("M", bound=BaseModel)

#: Connect fast (an unplugged network should flip the kiosk offline quickly); allow a big
#: batch time to be decided and answered.
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=5.0)
USER_AGENT = "pika-kiosk-sync/1"


class HeadOfficeClient:
    """httpx to head office with a bearer key, every failure a typed error (:func:`parse_answer`).

    Shared by the kiosk's :class:`SyncApi` and the manager app's analytics client; each says
    who it is (``user_agent``) and what to tell a caller with no key (``missing_key``).
    """

    user_agent = USER_AGENT
    missing_key = "this kiosk has no device API key; enrol it first"

    def __init__(
        self,
        base_url: str,
        *,
        api_key: str | None = None,
        transport: httpx.BaseTransport | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        #: Swapped in place when the key is rotated.
        self.api_key = api_key
        self._http = httpx.Client(
            base_url=self.base_url,
            transport=transport,
            timeout=timeout,
            headers={"User-Agent": self.user_agent},
            follow_redirects=False,
        )

    def close(self) -> None:
        self._http.close()

    def _call(
        self,
        method: str,
        path: str,
        model: type[M],
        *,
        body: BaseModel | None = None,
        params: dict[str, str | int] | None = None,
        headers: dict[str, str] | None = None,
        auth: bool = True,
    ) -> M:
        sent = dict(headers or {})
        if auth:
            if not self.api_key:
                raise NotEnrolledForSyncError(self.missing_key)
            sent["Authorization"] = f"Bearer {self.api_key}"
        content = None
        if body is not None:
            content = body.model_dump_json(exclude_none=True).encode()
            sent["Content-Type"] = "application/json"
        try:
            response = self._http.request(
                method, path, content=content, params=params, headers=sent
            )
        except httpx.TransportError as exc:  # refused, reset, timeout, response cut short
            raise ServerUnreachableError(f"{method} {path}: {type(exc).__name__}: {exc}") from exc
        return parse_answer(response, model)


class SyncApi(HeadOfficeClient):
    """One device's view of the backend at ``base_url``. Close it when done."""

    # -- calls ----------------------------------------------------------------------------------

    def enrol(self, code: str, device_name: str) -> sync_wire.EnrolResponse:
        """Claim a one-time enrolment code; a refused code is :class:`EnrolmentRefusedError`."""
        body = sync_wire.EnrolRequest(code=code, device_name=device_name)
        try:
            return self._call(
                "POST", sync_wire.ENROL_PATH, sync_wire.EnrolResponse, body=body, auth=False
            )
        except RequestRefusedError as exc:
            raise EnrolmentRefusedError(
                f"head office's server refused the enrolment code ({exc.code}): "
                f"{exc.server_message}"
            ) from exc

    def push(self, request: sync_wire.PushRequest, idempotency_key: str) -> sync_wire.PushResponse:
        headers = {sync_wire.IDEMPOTENCY_HEADER: idempotency_key}
        return self._call(
            "POST", sync_wire.PUSH_PATH, sync_wire.PushResponse, body=request, headers=headers
        )

    def pull(
        self, cursor: str | None, limit: int | None = None, *, outbox: str | None = None
    ) -> sync_wire.PullResponse:
        """One page of the feed; ``outbox`` is the ``OUTBOX_HEADER`` report to send with it."""
        params: dict[str, str | int] = {}
        if cursor:
            params["cursor"] = cursor
        if limit is not None:
            params["limit"] = limit
        headers = {sync_wire.OUTBOX_HEADER: outbox} if outbox else None
        return self._call(
            "GET", sync_wire.PULL_PATH, sync_wire.PullResponse, params=params, headers=headers
        )

    def rotate_key(self) -> sync_wire.KeyRotation:
        return self._call("POST", sync_wire.ROTATE_KEY_PATH, sync_wire.KeyRotation)


def parse_answer(response: httpx.Response, model: type[M]) -> M:
    """The answer as ``model``, or the typed error its status and body stand for."""
    status = response.status_code
    if status == 429:
        raise _rate_limited(response)
    if status >= 500 or status in (408, 409, 425):
        raise ServerBusyError(
            status, _error_message(response), retry_after=retry_after_seconds(response)
        )
    if status >= 400:
        body = _error_body(response)
        if body is None:
            # Not the backend's voice (a proxy, a captive portal, a wrong address): no item may
            # be ended on it, so it counts as "no answer" and everything is kept.
            raise ProtocolError(
                f"{response.request.url.path} answered {status} without a backend error body"
            )
        raise _refusal(status, body)
    if not 200 <= status < 300:
        raise ProtocolError(f"unexpected HTTP {status} from {response.request.url.path}")
    try:
        return model.model_validate_json(response.content)
    except ValidationError as exc:
        raise ProtocolError(
            f"{response.request.url.path} answered {status} with a body that is not a "
            f"{model.__name__}: {exc.error_count()} problem(s)"
        ) from exc


def _error_body(response: httpx.Response) -> sync_wire.ErrorBody | None:
    try:
        return sync_wire.ErrorBody.model_validate_json(response.content)
    except ValidationError:
        return None


def _rate_limited(response: httpx.Response) -> RateLimitedError:
    body = _error_body(response)
    extra = dict(body.error.model_extra or {}) if body is not None else {}
    remaining = extra.get("remaining")
    bucket = extra.get("bucket")
    return RateLimitedError(
        f"server answered 429: {_error_message(response)}",
        retry_after=retry_after_seconds(response),
        remaining=remaining if isinstance(remaining, int) and remaining >= 0 else None,
        bucket=bucket if isinstance(bucket, str) else None,
    )


def _error_message(response: httpx.Response) -> str:
    body = _error_body(response)
    if body is not None:
        return f"{body.error.code}: {body.error.message}"
    return response.reason_phrase or "no reason given"


def _refusal(status: int, body: sync_wire.ErrorBody) -> RequestRefusedError:
    code, message = body.error.code, body.error.message
    extra = dict(body.error.model_extra or {})
    problems = extra.pop("problems", None)
    if not isinstance(problems, list):
        problems = []
    problems = [p for p in problems if isinstance(p, dict)]
    cls: type[RequestRefusedError] = RequestRefusedError
    if status == 401:
        cls = NotAuthorisedError
    elif status == 403 and code == "device_revoked":
        cls = DeviceRevokedError
    return cls(status, code, message, problems=problems, extra=extra)


def retry_after_seconds(response: httpx.Response, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds: either delta-seconds or an HTTP date (RFC 9110 10.2.3)."""
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
