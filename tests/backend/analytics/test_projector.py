"""Pushed scans become lifecycle events and rollups; a rebuild from the events equals them.

Real Postgres, real push API (tests/backend/conftest.py). Figures are checked against counts
worked out by hand from the pushes each test makes.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from sync_backend.analytics import rollups
from sync_backend.analytics.lifecycle import BusinessCalendar
from sync_backend.analytics.projector import record_expiries
from sync_backend.analytics.runner import run_once
from sync_backend.db import make_sessionmaker
from sync_backend.models import Business, DailyRollup, HourlyRollup, Offer, RefusalRollup
from tests.backend.support import Kit, push

CALENDAR = BusinessCalendar.named("America/Asuncion")


def _totals(session: Session, business_id: int) -> dict[str, int]:
    row = session.execute(
        sa.select(
            *(
                sa.func.coalesce(sa.func.sum(getattr(DailyRollup, c)), 0).label(c)
                for c in rollups.DAILY.counters
            )
        ).where(DailyRollup.business_id == business_id)
    ).one()
    return dict(row._mapping)


def _project(engine: sa.Engine) -> int:
    return run_once(make_sessionmaker(engine), CALENDAR)


def _answers(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    return [r["outcome"] for r in response.json()["results"]]


def test_pushes_roll_up_by_day_hour_offer_variant_and_kiosk(
    client: TestClient, kit: Kit, session: Session, engine: sa.Engine
) -> None:
    business = kit.business("Panadería Ñandutí")
    session.execute(sa.update(Business).where(Business.id == business).values(usual_ticket=75_000))
    session.commit()
    offer = kit.offer(
        business,
        discount="20%",
        variants=[
            {"variant": 1, "label": "A", "weight": 1},
            {"variant": 2, "label": "B", "weight": 1},
        ],
    )
    copies = kit.vouchers(business, copies=10, offer_id=offer)
    caja1, caja2 = kit.kiosk(business, "Caja 1"), kit.kiosk(business, "Caja 2")
    now = datetime.now(UTC)

    first = caja1.item(copies[0].token, scanned_at=now - timedelta(minutes=5))
    assert _answers(
        push(
            client,
            caja1,
            first,
            caja1.item(copies[1].token, scanned_at=now - timedelta(minutes=4)),
            caja1.item("NOT-A-TOKEN", kind="scan", reason="malformed"),
        )
    ) == ["accepted", "accepted", "recorded"]
    # the same copy again at the other till: a conflict (the discount was given)
    assert _answers(push(client, caja2, caja2.item(copies[0].token))) == ["conflict"]
    assert _answers(push(client, caja1, caja1.void(first["id"]))) == ["accepted"]

    # the print run (2 variants), 4 scans, 3 redemptions (one a conflict), the void
    assert _project(engine) == 2 + 4 + 3 + 1
    assert _project(engine) == 0  # nothing new: a second round counts nothing twice

    totals = _totals(session, business)
    assert totals["printed"] == 10
    assert totals["scanned"] == 4 and totals["refused"] == 1
    assert totals["redeemed"] == 3 and totals["voided"] == 1
    assert totals["sales_recorded"] == 0 and totals["sales_sum"] == 0
    # 20 % of the usual 75.000 on the two that stand (copy 1 at caja 1, copy 0 at caja 2)
    assert totals["discount_all"] == 2 * 15_000
    refusals = session.execute(
        sa.select(RefusalRollup.reason, RefusalRollup.scans).where(
            RefusalRollup.business_id == business
        )
    ).all()
    assert refusals == [("malformed", 1)]
    by_kiosk = dict(
        session.execute(
            sa.select(HourlyRollup.device_id, sa.func.sum(HourlyRollup.redeemed))
            .where(HourlyRollup.business_id == business)
            .group_by(HourlyRollup.device_id)
        ).all()
    )
    assert by_kiosk == {caja1.device_id: 2, caja2.device_id: 1}
    assert rollups.differences(session) == []


def test_rebuild_finds_and_repairs_a_live_rollup_that_drifted(
    client: TestClient, kit: Kit, session: Session, engine: sa.Engine
) -> None:
    business = kit.business()
    copies = kit.vouchers(business, copies=2)
    kiosk = kit.kiosk(business)
    push(client, kiosk, kiosk.item(copies[0].token))
    _project(engine)
    session.execute(
        sa.update(DailyRollup)
        .where(DailyRollup.business_id == business, DailyRollup.redeemed > 0)
        .values(redeemed=DailyRollup.redeemed + 1)
    )
    found = rollups.differences(session)
    assert [d.table for d in found] == ["analytics_daily"]
    rollups.rebuild(session)
    assert rollups.differences(session) == []
    assert _totals(session, business)["redeemed"] == 1
    session.commit()


def test_expired_copies_are_counted_once_after_the_grace(
    client: TestClient, kit: Kit, session: Session, engine: sa.Engine
) -> None:
    business = kit.business()
    offer = kit.offer(business, days=10)
    copies = kit.vouchers(business, copies=4, offer_id=offer)
    kiosk = kit.kiosk(business)
    push(client, kiosk, kiosk.item(copies[0].token))
    _project(engine)
    ends = session.get(Offer, offer).valid_until  # type: ignore[union-attr]
    assert record_expiries(session, CALENDAR, now=ends + timedelta(days=1)) == 0  # grace
    assert record_expiries(session, CALENDAR, now=ends + timedelta(days=4)) == 1
    assert record_expiries(session, CALENDAR, now=ends + timedelta(days=5)) == 0
    assert _totals(session, business)["expired"] == 3
    assert rollups.differences(session) == []
    session.commit()


def test_lifecycle_events_are_append_only(
    client: TestClient, kit: Kit, session: Session, engine: sa.Engine
) -> None:
    kit.vouchers(kit.business(), copies=1)
    for statement in (
        "UPDATE lifecycle_events SET quantity = 0",
        "DELETE FROM lifecycle_events",
        "TRUNCATE lifecycle_events",
    ):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(sa.text(statement))


# One step of a random history: (copy index, kiosk index, what happens, minutes ago); kiosks 0
# and 1 are one business's tills, kiosk 2 another business's (head office's totals add both)
_STEP = st.tuples(
    st.integers(0, 5),
    st.integers(0, 2),
    st.sampled_from(["redeem", "refuse", "void", "project"]),
    st.integers(0, 3000),
)


@hypothesis_settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(history=st.lists(_STEP, min_size=1, max_size=25), seed=st.integers(0, 2**16))
def test_rebuild_equals_live_after_random_histories(
    client: TestClient,
    kit: Kit,
    session: Session,
    engine: sa.Engine,
    history: list[tuple[int, int, str, int]],
    seed: int,
) -> None:
    business = kit.business(f"Random {seed}")
    rng = random.Random(seed)
    if rng.random() < 0.5:
        session.execute(
            sa.update(Business).where(Business.id == business).values(usual_ticket=50_000)
        )
        session.commit()
    other = kit.business(f"Other {seed}")
    offer = kit.offer(business, discount=rng.choice(["10%", "Gs. 5.000", "2x1"]))
    copies = kit.vouchers(business, copies=6, offer_id=offer)
    other_offer = kit.offer(other, discount=rng.choice(["10%", "2x1"]))
    other_copies = kit.vouchers(other, copies=6, offer_id=other_offer)
    kiosks = [kit.kiosk(business, "Caja 1"), kit.kiosk(business, "Caja 2"), kit.kiosk(other)]
    redeemed: list[tuple[int, str]] = []
    now = datetime.now(UTC)
    for copy, till, step, minutes in history:
        kiosk = kiosks[till]
        at = now - timedelta(minutes=minutes)
        token = (other_copies if till == 2 else copies)[copy].token
        if step == "redeem":
            item = kiosk.item(token, scanned_at=at)
            push(client, kiosk, item)
            redeemed.append((till, item["id"]))
        elif step == "refuse":
            push(
                client,
                kiosk,
                kiosk.item(token, kind="scan", reason="expired", scanned_at=at),
            )
        elif step == "void" and redeemed:
            owner, item_id = redeemed[copy % len(redeemed)]
            push(client, kiosks[owner], kiosks[owner].void(item_id, voided_at=now))
        else:
            _project(engine)
    _project(engine)
    with make_sessionmaker(engine)() as fresh:
        assert rollups.differences(fresh) == []
        assert _totals(fresh, business)["printed"] == 6


def test_a_typed_sale_total_is_recorded_value_and_an_absurd_one_is_not_counted(
    client: TestClient, kit: Kit, session: Session, engine: sa.Engine
) -> None:
    business = kit.business()
    session.execute(sa.update(Business).where(Business.id == business).values(usual_ticket=75_000))
    session.commit()
    offer = kit.offer(business, discount="20%")
    copies = kit.vouchers(business, copies=3, offer_id=offer)
    kiosk = kit.kiosk(business)
    items = [
        kiosk.item(copies[0].token, sale_total=120_000),
        kiosk.item(copies[1].token, sale_total=75_000 * 100 + 1),  # a slipped key
        kiosk.item(copies[2].token),
    ]
    assert _answers(push(client, kiosk, *items)) == ["accepted"] * 3
    _project(engine)
    totals = _totals(session, business)
    assert totals["sales_recorded"] == 1 and totals["sales_sum"] == 120_000
    # 20 % of the typed 120.000, and of the usual 75.000 for the other two
    assert totals["discount_all"] == 24_000 + 2 * 15_000
    assert totals["discount_recorded"] == 24_000
    stored = session.execute(
        sa.select(sa.func.max(sa.literal_column("sale_total"))).select_from(sa.table("redemptions"))
    ).scalar_one()
    assert stored == 75_000 * 100 + 1  # kept as typed, as evidence


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"sale_total": 0}, "sale_total"),
        ({"sale_total": -5}, "sale_total"),
        ({"sale_total": "120.000"}, "sale_total"),
        ({"sale_total": 1_000, "kind": "scan", "reason": "expired"}, "only a redemption"),
    ],
)
def test_a_sale_total_that_cannot_be_right_is_refused(
    client: TestClient, kit: Kit, overrides: dict[str, Any], problem: str
) -> None:
    business = kit.business()
    copies = kit.vouchers(business, copies=1)
    kiosk = kit.kiosk(business)
    answer = push(client, kiosk, kiosk.item(copies[0].token, **overrides))
    assert answer.status_code == 422 and problem in answer.text
