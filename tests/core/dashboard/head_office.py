"""Head office in memory for the manager app's tests: the analytics routes over
``httpx.MockTransport``, serving :func:`sample_dashboard` and failing on demand."""

from __future__ import annotations

import json

import httpx

from app.core.dashboard.client import AnalyticsClient
from pika_protocol.analytics_wire import (
    BusinessChoice,
    DashboardOut,
    HourWeekdayOut,
    KioskHoursOut,
    OfferChoice,
)
from tests.core.dashboard.sample import AS_OF, sample_dashboard

SERVER = "http://head-office.test"
ADMIN_TOKEN = "admin-token-for-tests"
INVITATION = "ABCD-EFGH"


def sample_with_choices() -> DashboardOut:
    return sample_dashboard().model_copy(
        update={
            "offers": [
                OfferChoice(id=3, title="Chipa 10 %", variants={1: "A", 2: "B"}),
                OfferChoice(id=4, title="Café gratis", variants={}),
            ],
        }
    )


def overview() -> DashboardOut:
    """Head office's answer for every business (no business name, a ranking)."""
    from pika_protocol.analytics_wire import RankedBusinessOut

    figures = sample_with_choices()
    assert figures.roi is not None
    return figures.model_copy(
        update={
            "business_id": None,
            "business_name": None,
            "roi": None,
            "ranking": [
                RankedBusinessOut(business_id=7, name="Panadería Ñandutí", roi=figures.roi)
            ],
            "businesses": [
                BusinessChoice(id=7, name="Panadería Ñandutí"),
                BusinessChoice(id=9, name="Ferretería Tupã"),
            ],
        }
    )


def _error(status: int, code: str, message: str = "refused") -> httpx.Response:
    return httpx.Response(status, json={"error": {"code": code, "message": message}})


class FakeHeadOffice:
    """``mode``: "ok", "offline" (no answer), "unauthorised" (401) or a refusal code (422)."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.keys = {"pikam_first": 7}
        self.rotate = False
        self.requests: list[httpx.Request] = []
        self.figures = sample_with_choices()
        #: each kiosk's name and its one busy hour (weekday, hour, redemptions)
        self.kiosk_maps = {"k1": ("Caja 1", (0, 10, 3)), "k2": ("Caja 2", (5, 18, 5))}

    def client(self, base_url: str, api_key: str | None) -> AnalyticsClient:
        return AnalyticsClient(base_url, api_key=api_key, transport=httpx.MockTransport(self))

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.mode == "offline":
            raise httpx.ConnectError("no route to head office", request=request)
        path = request.url.path
        if path == "/v1/manager/enrol":
            body = json.loads(request.content)
            if body["code"] != INVITATION:
                return _error(403, "invitation_refused")
            self.keys["pikam_first"] = 7
            return httpx.Response(
                200,
                json={
                    "manager_id": "m-1",
                    "api_key": "pikam_first",
                    "business_id": 7,
                    "business_name": "Panadería Ñandutí",
                    "rotate_after": AS_OF.isoformat(),
                },
            )
        key = request.headers.get("Authorization", "").removeprefix("Bearer ")
        admin = key == ADMIN_TOKEN
        if self.mode == "unauthorised" or not (admin or key in self.keys):
            return _error(401, "invalid_manager_key")
        if self.mode != "ok":
            return _error(422, self.mode)
        if path == "/v1/analytics/me":
            if admin:
                return httpx.Response(
                    200, json={"role": "head_office", "business_id": None, "business_name": None}
                )
            return httpx.Response(
                200,
                json={
                    "role": "manager",
                    "business_id": 7,
                    "business_name": "Panadería Ñandutí",
                    "rotate_key": self.rotate,
                },
            )
        if path == "/v1/manager/keys/rotate":
            self.keys = {"pikam_second": 7}
            self.rotate = False
            return httpx.Response(
                200,
                json={
                    "api_key": "pikam_second",
                    "rotate_after": AS_OF.isoformat(),
                    "previous_key_expires_at": AS_OF.isoformat(),
                },
            )
        if path == "/v1/analytics/overview":
            return httpx.Response(200, content=overview().model_dump_json())
        if path == "/v1/analytics/businesses/7/hour-weekday":
            return self._kiosk_hours(request)
        if path == "/v1/analytics/businesses/7/dashboard":
            return httpx.Response(200, content=self.figures.model_dump_json())
        return _error(404, "not_found")

    def _kiosk_hours(self, request: httpx.Request) -> httpx.Response:
        """Caja 1 ("k1") redeemed 3 on Monday at 10:00; Caja 2 ("k2") 5 on Saturday at 18:00."""
        kiosk = request.url.params.get("kiosk")
        if kiosk not in self.kiosk_maps:
            return _error(404, "unknown_kiosk")
        name, (day, hour, count) = self.kiosk_maps[kiosk]
        grid = [[0] * 24 for _ in range(7)]
        grid[day][hour] = count
        answer = KioskHoursOut(
            business_id=7,
            device_id=kiosk,
            kiosk_name=name,
            first_day=request.url.params["first_day"],
            last_day=request.url.params["last_day"],
            as_of=AS_OF,
            hour_weekday=HourWeekdayOut(redeemed=grid, busiest=[(day, hour, count)]),
        )
        return httpx.Response(200, content=answer.model_dump_json())
