"""Every kind of answer sorted into "keep and retry" or "the server said no for good"."""

from __future__ import annotations

import email.utils
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from app.core.sync import (
    DeviceRevokedError,
    NotAuthorisedError,
    NotEnrolledForSyncError,
    ProtocolError,
    RateLimitedError,
    RequestRefusedError,
    ServerBusyError,
    ServerUnreachableError,
    SyncApi,
)
from app.core.sync.api import retry_after_seconds
from tests.support.head_office import error


def api_answering(handler: httpx.MockTransport) -> SyncApi:
    return SyncApi("http://backend.test/", api_key="k", transport=handler)


def answering(response: httpx.Response) -> SyncApi:
    return api_answering(httpx.MockTransport(lambda _request: response))


def test_a_refused_connection_is_unreachable() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(ServerUnreachableError):
        api_answering(httpx.MockTransport(refuse)).pull(None)


def test_5xx_and_429_are_busy_with_retry_after() -> None:
    response = error(503, "unavailable")
    response.headers["Retry-After"] = "17"
    with pytest.raises(ServerBusyError) as busy:
        answering(response).pull(None)
    assert busy.value.status == 503 and busy.value.retry_after == 17

    limited = error(429, "rate_limited")
    now = datetime.now(UTC).replace(microsecond=0)
    in_30_s = email.utils.format_datetime(now + timedelta(seconds=30), usegmt=True)
    limited.headers["Retry-After"] = in_30_s  # an HTTP date, e.g. "Wed, 25 Nov 2026 16:00:30 GMT"
    assert retry_after_seconds(limited, now) == 30
    with pytest.raises(RateLimitedError) as refused:
        answering(limited).pull(None)
    assert refused.value.status == 429 and refused.value.remaining is None
    told = error(429, "rate_limited", remaining=3, bucket="items")
    told.headers["Retry-After"] = "40"
    with pytest.raises(RateLimitedError) as refused:
        answering(told).pull(None)
    assert isinstance(refused.value, ServerBusyError)  # still "keep the items, retry later"
    assert refused.value.retry_after == 40
    assert (refused.value.remaining, refused.value.bucket) == (3, "items")
    proxy = httpx.Response(429, text="<html>slow down</html>")
    with pytest.raises(RateLimitedError) as refused:
        answering(proxy).pull(None)
    assert refused.value.remaining is None and refused.value.bucket is None
    with pytest.raises(ServerBusyError) as plain:
        answering(httpx.Response(502, text="bad gateway")).pull(None)
    assert plain.value.retry_after is None


def test_401_means_enrol_again_and_403_revoked_means_wipe() -> None:
    with pytest.raises(NotAuthorisedError):
        answering(error(401, "api_key_expired")).pull(None)
    with pytest.raises(DeviceRevokedError):
        answering(error(403, "device_revoked", wipe=True)).pull(None)


def test_a_backend_4xx_keeps_its_code_and_problems() -> None:
    refusal = error(422, "invalid_request", problems=[{"loc": ["items", 2, "token"], "msg": "x"}])
    with pytest.raises(RequestRefusedError) as refused:
        answering(refusal).pull(None)
    assert refused.value.code == "invalid_request"
    assert refused.value.problems == [{"loc": ["items", 2, "token"], "msg": "x"}]


def test_answers_not_from_the_backend_end_nothing() -> None:
    with pytest.raises(ProtocolError):  # a proxy's or captive portal's page
        answering(httpx.Response(403, text="<html>login to the wifi</html>")).pull(None)
    with pytest.raises(ProtocolError):
        answering(httpx.Response(302, headers={"Location": "http://portal/"})).pull(None)
    with pytest.raises(ProtocolError):
        answering(httpx.Response(200, json={"hello": "world"})).pull(None)


def test_no_key_no_request() -> None:
    api = SyncApi("http://backend.test", transport=httpx.MockTransport(lambda r: error(500, "x")))
    with pytest.raises(NotEnrolledForSyncError):
        api.pull(None)


def test_a_retry_after_that_is_neither_seconds_nor_a_date_is_ignored() -> None:
    response = error(503, "unavailable")
    response.headers["Retry-After"] = "soon, maybe"
    assert retry_after_seconds(response) is None


def test_an_answer_from_a_newer_backend_with_fields_this_kiosk_does_not_know_is_read() -> None:
    """Kiosks are upgraded long after head office: a field added to an answer must not
    turn every pull of an older kiosk into a protocol error."""
    answer = {
        "public_keys": [],
        "offers": [],
        "vouchers": [],
        "revocations": [],
        "redemptions": [],
        "cursor": "1.2",
        "more": False,
        "server_time": datetime.now(UTC).isoformat(),
        "rotate_key": False,
        "field_from_a_later_backend": {"anything": 1},
    }
    pulled = answering(httpx.Response(200, json=answer)).pull(None)
    assert pulled.cursor == "1.2" and not hasattr(pulled, "field_from_a_later_backend")


def test_what_a_kiosk_sends_still_refuses_unknown_fields() -> None:
    from pydantic import ValidationError

    from pika_protocol import sync_wire

    with pytest.raises(ValidationError, match="extra_forbidden"):
        sync_wire.PushRequest.model_validate({"sent_at": None, "surprise": 1})
