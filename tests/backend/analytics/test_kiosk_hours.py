"""One kiosk's hour × weekday map over HTTP, against values counted by hand, and the refusal
for a kiosk that is not the business's (issue 14: "per kiosk and shop, busiest hours").

In the shops' calendar (America/Asuncion, UTC−3), March 2025: at Caja 1, two redemptions on
Tuesday 4 at 09:15 and one on Tuesday 11 at 09:05 (Tuesday 09:00 = 3), one on Thursday 6 at
14:40 voided at 14:50 (Thursday 14:00 = 0); at Caja 2, two on Saturday 8 at 18:00 and one on
Monday 3 at 10:00. Outside the range: one at Caja 1 on Tuesday 25 February at 09:00. Another
business's kiosk redeems on Tuesday 4 at 09:00: it counts nowhere here.
"""

from __future__ import annotations

import itertools
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from pika_protocol import analytics_wire as wire
from sync_backend.analytics import ledger
from sync_backend.analytics.lifecycle import BusinessCalendar, LifecycleDraft, LifecycleKind
from tests.backend.analytics.test_api import _bearer, _manager_key
from tests.backend.support import ADMIN, Kit

pytestmark = pytest.mark.time_machine(datetime(2025, 4, 2, 12, tzinfo=ZoneInfo("UTC")))

TZ = ZoneInfo("America/Asuncion")
K = LifecycleKind
MARCH = {"first_day": "2025-03-01", "last_day": "2025-03-31"}
_ids = itertools.count()


def _at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=TZ)


@pytest.fixture
def shops(client: TestClient, kit: Kit, session: Session) -> dict[str, Any]:
    own, other = kit.business("Panadería Ñandutí"), kit.business("Ferretería Sur")
    offer, other_offer = kit.offer(own), kit.offer(other)
    k1, k2, k3 = kit.kiosk(own, "Caja 1"), kit.kiosk(own, "Caja 2"), kit.kiosk(other, "Caja 1")

    def redeem(business: int, offer_id: int, device: str, when: datetime) -> list[LifecycleDraft]:
        return [
            LifecycleDraft(
                f"k:{next(_ids)}",
                kind,
                when,
                business_id=business,
                offer_id=offer_id,
                device_id=device,
                variant=0,
                discount=5_000 if kind == K.REDEEMED else None,
            )
            for kind in (K.SCANNED, K.REDEEMED)
        ]

    def mine(device: str, when: datetime) -> list[LifecycleDraft]:
        return redeem(own, offer, device, when)

    drafts = [
        *mine(k1.device_id, _at(4, 9, 15)),
        *mine(k1.device_id, _at(4, 9, 15)),
        *mine(k1.device_id, _at(11, 9, 5)),
        *mine(k1.device_id, _at(6, 14, 40)),
        LifecycleDraft(
            f"k:{next(_ids)}",
            K.VOIDED,
            _at(6, 14, 50),
            business_id=own,
            offer_id=offer,
            device_id=k1.device_id,
            variant=0,
            discount=5_000,
        ),
        *mine(k1.device_id, _at(25, 9, month=2)),
        *mine(k2.device_id, _at(8, 18)),
        *mine(k2.device_id, _at(8, 18, 30)),
        *mine(k2.device_id, _at(3, 10)),
        *redeem(other, other_offer, k3.device_id, _at(4, 9)),
    ]
    ledger.record(session, drafts, BusinessCalendar(TZ))
    session.commit()
    return {
        "own": own,
        "k1": k1.device_id,
        "k2": k2.device_id,
        "foreign": k3.device_id,
        "manager": _bearer(_manager_key(client, own)),
    }


def _hours(client: TestClient, shops: dict[str, Any], **params: str) -> Any:
    return client.get(
        f"/v1/analytics/businesses/{shops['own']}/hour-weekday",
        params={**MARCH, **params},
        headers=shops["manager"],
    )


def _cells(out: wire.KioskHoursOut) -> dict[tuple[int, int], int]:
    grid = out.hour_weekday.redeemed
    return {(d, h): grid[d][h] for d in range(7) for h in range(24) if grid[d][h]}


def test_one_kiosks_map_counted_by_hand(client: TestClient, shops: dict[str, Any]) -> None:
    answer = _hours(client, shops, kiosk=shops["k1"])
    assert answer.status_code == 200, answer.text
    k1 = wire.KioskHoursOut.model_validate(answer.json())
    assert (k1.device_id, k1.kiosk_name, k1.business_id) == (shops["k1"], "Caja 1", shops["own"])
    assert (k1.first_day, k1.last_day) == (date(2025, 3, 1), date(2025, 3, 31))
    # Tuesday 09:00: 2 + 1 (February's is outside the range); Thursday 14:00: 1 − 1 voided
    assert _cells(k1) == {(1, 9): 3}
    assert k1.hour_weekday.busiest == [(1, 9, 3)]

    k2 = wire.KioskHoursOut.model_validate(_hours(client, shops, kiosk=shops["k2"]).json())
    assert _cells(k2) == {(5, 18): 2, (0, 10): 1}
    assert k2.hour_weekday.busiest == [(5, 18, 2), (0, 10, 1)]


def test_without_a_kiosk_the_map_is_the_whole_business_as_on_the_dashboard(
    client: TestClient, shops: dict[str, Any]
) -> None:
    whole = wire.KioskHoursOut.model_validate(_hours(client, shops).json())
    assert whole.device_id is None and whole.kiosk_name is None
    assert _cells(whole) == {(1, 9): 3, (5, 18): 2, (0, 10): 1}  # the other shop's is not here
    assert whole.hour_weekday.busiest == [(1, 9, 3), (5, 18, 2), (0, 10, 1)]
    board = client.get(
        f"/v1/analytics/businesses/{shops['own']}/dashboard",
        params=MARCH,
        headers=shops["manager"],
    )
    assert board.json()["hour_weekday"] == whole.model_dump(mode="json")["hour_weekday"]


def test_another_business_kiosk_reads_as_unknown(client: TestClient, shops: dict[str, Any]) -> None:
    """A manager cannot tell another shop's kiosk from a made-up id: same status, same code."""
    foreign = _hours(client, shops, kiosk=shops["foreign"])
    made_up = _hours(client, shops, kiosk="no-such-kiosk")
    for answer in (foreign, made_up):
        assert (answer.status_code, answer.json()["error"]["code"]) == (404, "unknown_kiosk")
    assert "Ferretería" not in foreign.text and "Caja" not in foreign.text
    # head office asks per business too: the kiosk must be that business's
    by_admin = client.get(
        f"/v1/analytics/businesses/{shops['own']}/hour-weekday",
        params={**MARCH, "kiosk": shops["foreign"]},
        headers=ADMIN,
    )
    assert (by_admin.status_code, by_admin.json()["error"]["code"]) == (404, "unknown_kiosk")


def test_bad_questions_are_refused_before_any_figure(
    client: TestClient, shops: dict[str, Any]
) -> None:
    reversed_range = _hours(
        client, shops, first_day="2025-03-31", last_day="2025-03-01", kiosk=shops["k1"]
    )
    assert (reversed_range.status_code, reversed_range.json()["error"]["code"]) == (
        422,
        "reversed_range",
    )
    too_long_id = _hours(client, shops, kiosk="x" * 37)
    assert (too_long_id.status_code, too_long_id.json()["error"]["code"]) == (
        422,
        "invalid_request",
    )
    unknown_business = client.get(
        "/v1/analytics/businesses/999999/hour-weekday", params=MARCH, headers=ADMIN
    )
    assert unknown_business.status_code == 404
