"""The manager app's client turns every failure into a typed error (no traceback reaches a
manager): no answer, a refusal with the server's code, a proxy page, a 5xx."""

from __future__ import annotations

from datetime import date

import httpx
import pytest

from app.core.dashboard.client import AnalyticsClient, DashboardQuery
from app.core.sync.errors import (
    NotAuthorisedError,
    NotEnrolledForSyncError,
    ProtocolError,
    RequestRefusedError,
    ServerBusyError,
    ServerUnreachableError,
)
from tests.core.dashboard.sample import AS_OF, sample_dashboard

QUERY = DashboardQuery(7, date(2025, 3, 1), date(2025, 3, 31))

# the figures' period is data; any clock a test reads is pinned to when they were asked
pytestmark = pytest.mark.time_machine(AS_OF, tick=False)


def _client(handler: object, api_key: str | None = "pikam_test") -> AnalyticsClient:
    return AnalyticsClient(
        "http://head-office.test",
        api_key=api_key,
        transport=httpx.MockTransport(handler),  # type: ignore[arg-type]
    )


def test_a_dashboard_is_asked_for_with_the_key_and_read_typed() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=sample_dashboard().model_dump_json())

    figures = _client(answer).dashboard(QUERY)
    assert figures.business_name == "Panadería Ñandutí"
    (request,) = seen
    assert request.url.path == "/v1/analytics/businesses/7/dashboard"
    assert request.url.params["first_day"] == "2025-03-01"
    assert request.headers["Authorization"] == "Bearer pikam_test"


def test_every_business_is_the_overview() -> None:
    paths = []

    def answer(request: httpx.Request) -> httpx.Response:
        paths.append(request.url.path)
        return httpx.Response(200, content=sample_dashboard().model_dump_json())

    _client(answer).dashboard(DashboardQuery(None, date(2025, 3, 1), date(2025, 3, 31)))
    assert paths == ["/v1/analytics/overview"]


@pytest.mark.parametrize(
    ("response", "error"),
    [
        (
            httpx.Response(401, json={"error": {"code": "invalid_manager_key", "message": "x"}}),
            NotAuthorisedError,
        ),
        (
            httpx.Response(422, json={"error": {"code": "reversed_range", "message": "x"}}),
            RequestRefusedError,
        ),
        (
            httpx.Response(503, json={"error": {"code": "database_unavailable", "message": "x"}}),
            ServerBusyError,
        ),
        (httpx.Response(404, text="<html>captive portal</html>"), ProtocolError),
        (httpx.Response(200, text="<html>proxy</html>"), ProtocolError),
    ],
)
def test_failures_are_typed(response: httpx.Response, error: type[Exception]) -> None:
    with pytest.raises(error):
        _client(lambda request: response).dashboard(QUERY)


def test_a_refusal_keeps_the_servers_code_for_the_message() -> None:
    body = {"error": {"code": "reversed_range", "message": "the range ends before it starts"}}
    with pytest.raises(RequestRefusedError) as refused:
        _client(lambda request: httpx.Response(422, json=body)).dashboard(QUERY)
    assert refused.value.code == "reversed_range"


def test_no_network_is_unreachable_and_no_key_is_not_signed_in() -> None:
    def cut(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("network is down", request=request)

    with pytest.raises(ServerUnreachableError):
        _client(cut).dashboard(QUERY)
    with pytest.raises(NotEnrolledForSyncError):
        _client(cut, api_key=None).dashboard(QUERY)
