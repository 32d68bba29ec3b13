"""A BASIC shop's day with the real kiosk sync and the real backend, on a controlled clock:
its own background sync never costs it a 429; a shop at twice its tier is held exactly at
its figure, across two backend apps that share Redis, and loses nothing."""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
import time_machine
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from app.core.sync.loop import Connection
from pika_protocol import sync_wire
from sync_backend.app import create_app
from sync_backend.deps import services_of
from sync_backend.devices import service as devices
from sync_backend.settings import Settings, Tier
from tests.backend.limits.shop import AppTransport, ShopDay, ShopKiosk
from tests.backend.support import Kit, make_settings

#: The controlled clock's start (a Monday, 08:00 UTC): the test never reads today's date.
START = datetime(2031, 3, 3, 8, tzinfo=UTC)
TIERS = {Tier.BASIC: "100/hour", Tier.PREMIUM: "1000/hour", Tier.ENTERPRISE: "10000/hour"}
#: Redemptions in each hour of a BASIC shop's day, from opening (08:00) to closing (19:00): 610,
#: at most 80 an hour.
BASIC_DAY = [20, 40, 80, 80, 60, 50, 80, 80, 60, 40, 20]
HOUR = timedelta(hours=1)


def units(bucket: str) -> float:
    return REGISTRY.get_sample_value("pika_rate_limit_units_total", {"bucket": bucket}) or 0.0


def refusals() -> float:
    return sum(
        REGISTRY.get_sample_value("pika_rate_limited_total", {"tier": tier, "bucket": bucket})
        or 0.0
        for tier in ("BASIC", "PREMIUM", "ENTERPRISE")
        for bucket in ("items", "sync")
    )


def spread(count: int, start: datetime, length: timedelta) -> list[datetime]:
    """``count`` moments evenly spread over ``length`` from ``start``."""
    return [start + length * (i + 0.5) / count for i in range(count)]


def most_in_any_hour(times: list[datetime]) -> int:
    times = sorted(times)
    return max((bisect.bisect_left(times, t + HOUR) - i for i, t in enumerate(times)), default=0)


@pytest.fixture
def shop_settings(database_url: str, redis_url: str) -> Settings:
    """The real tier figures and defaults (poll interval, device budget), counted in Redis."""
    return make_settings(database_url, redis_url=redis_url, tier_limits=TIERS)


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def enrol_kiosks(
    kit: Kit, business: int, transports: list[AppTransport], tmp_path: Path
) -> list[ShopKiosk]:
    kiosks = []
    for n, transport in enumerate(transports, start=1):
        code, _ = devices.create_enrolment_code(kit.session, kit.settings, business, "test")
        kit.session.commit()
        kiosks.append(ShopKiosk.enrol(tmp_path / f"caja{n}", transport, code, f"Caja {n}"))
    return kiosks


def accepted_times(engine: sa.Engine, business: int) -> list[datetime]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT received_at FROM redemptions WHERE business_id = :b "
                "AND outcome = 'accepted' ORDER BY received_at"
            ),
            {"b": business},
        )
        return [row[0] for row in rows]


@pytest.mark.slow
def test_a_basic_shop_with_three_kiosks_never_meets_a_429(
    clock: time_machine.Coordinates,
    shop_settings: Settings,
    kit: Kit,
    engine: sa.Engine,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Three kiosks switched on at opening and off at closing (11 hours), each polling at the
    pace the backend asks, 610 redemptions at up to 80 an hour. Idle polling at night would
    be more of the same pulls; tests/backend/limits/test_limits.py runs two idle hours."""
    business = kit.business(tier=Tier.BASIC)
    book = [v.token for v in kit.vouchers(business, sum(BASIC_DAY), kit.offer(business, days=3))]
    items_before, sync_before, refused_before = units("items"), units("sync"), refusals()
    with TestClient(create_app(shop_settings)) as client:
        transport = AppTransport(client)
        kiosks = enrol_kiosks(kit, business, [transport] * 3, tmp_path)
        try:
            day = ShopDay(clock, kiosks)
            tokens = iter(book)
            for hour, count in enumerate(BASIC_DAY):
                for n, when in enumerate(spread(count, START + hour * HOUR, HOUR)):
                    day.redeem_at(when, n % 3, next(tokens))
            day.run_until(START + len(BASIC_DAY) * HOUR)
            pending = [k.store.outbox.pending_count() for k in kiosks]
        finally:
            for kiosk in kiosks:
                kiosk.close()
    pulls = sum(n for (path, _s), n in transport.seen.items() if path == sync_wire.PULL_PATH)
    pushes = sum(n for (path, _s), n in transport.seen.items() if path == sync_wire.PUSH_PATH)
    limited = sum(n for (_p, status), n in transport.seen.items() if status == 429)
    accepted = accepted_times(engine, business)
    with capsys.disabled():
        print(
            f"\nBASIC day, 3 kiosks: {day.redeemed} redemptions, {pushes} pushes, {pulls} pulls,"
            f" {limited} answered 429; units charged: items {units('items') - items_before:.0f}"
            f" (tier), sync {units('sync') - sync_before:.0f} (per device); most accepted in"
            f" any hour {most_in_any_hour(accepted)}"
        )
    assert limited == 0 and refusals() == refused_before
    assert day.redeemed == len(accepted) == sum(BASIC_DAY) and pending == [0, 0, 0]
    assert all(set(states) == {Connection.ONLINE} for states in day.states.values())
    # Only the shop's redemptions were charged to its tier; the pulls went to each device's
    # own budget, at the pace the backend asked (30 s): no more than 2 per kiosk-minute.
    assert units("items") - items_before == sum(BASIC_DAY)
    assert units("sync") - sync_before == pulls
    hours = len(BASIC_DAY)
    assert 3 * hours * 60 <= pulls <= 3 * hours * 120 + 3 * 2


@pytest.mark.slow
def test_a_shop_at_twice_its_tier_is_held_exactly_at_its_figure_across_two_apps(
    clock: time_machine.Coordinates,
    shop_settings: Settings,
    kit: Kit,
    engine: sa.Engine,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """200 redemptions an hour for two hours at a BASIC shop, its two kiosks on two backend
    apps (each its own ``TierLimiter``, one Redis). Head office takes exactly 100 in any hour;
    the kiosks keep the rest, show "waiting to send", and send everything once it is quiet."""
    business = kit.business(tier=Tier.BASIC)
    busy_hours, rate = 2, 200
    book = [v.token for v in kit.vouchers(business, busy_hours * rate, kit.offer(business))]
    items_before = units("items")
    with (
        TestClient(create_app(shop_settings)) as first,
        TestClient(create_app(shop_settings)) as second,
    ):
        assert services_of(first.app).limiter is not services_of(second.app).limiter  # type: ignore[arg-type]
        transports = [AppTransport(first), AppTransport(second)]
        kiosks = enrol_kiosks(kit, business, transports, tmp_path)
        try:
            day = ShopDay(clock, kiosks)
            tokens = iter(book)
            for n, when in enumerate(spread(busy_hours * rate, START, busy_hours * HOUR)):
                day.redeem_at(when, n % 2, next(tokens))
            day.run_until(START + busy_hours * HOUR)
            in_busy_hours = accepted_times(engine, business)
            waiting = [k.store.outbox.pending_count() for k in kiosks]
            day.run_until(START + 4.5 * HOUR)  # quiet: the backlog goes at the tier's pace
            pending = [k.store.outbox.pending_count() for k in kiosks]
        finally:
            for kiosk in kiosks:
                kiosk.close()
    accepted = accepted_times(engine, business)
    limited = sum(n for t in transports for (_p, status), n in t.seen.items() if status == 429)
    by_app = [
        sum(n for (p, s), n in t.seen.items() if s == 200 and p == sync_wire.PUSH_PATH)
        for t in transports
    ]
    waits = sum(states[Connection.WAITING_TO_SEND] for states in day.states.values())
    with capsys.disabled():
        print(
            f"\nBASIC at 2x (200/h for 2 h, 2 kiosks on 2 apps): accepted in the busy hours"
            f" {len(in_busy_hours)}, waiting after them {sum(waiting)}, most in any hour"
            f" {most_in_any_hour(accepted)}, all {len(accepted)} sent by"
            f" {max(accepted) - START}; pushes answered 429: {limited}; pushes taken per app"
            f" {by_app}; passes waiting to send {waits}"
        )
    # Exactly the figure: never more than 100 in any hour, and 100 in the first one.
    assert most_in_any_hour(accepted) == 100
    assert sum(1 for t in accepted if t < START + HOUR) == 100
    # The busy hours used the budget to within a few Retry-After roundings.
    assert busy_hours * 100 - 5 <= len(in_busy_hours) <= busy_hours * 100
    assert sum(waiting) == busy_hours * rate - len(in_busy_hours)
    # Nothing lost, nothing counted twice: everything arrives, and only what arrived was charged.
    assert pending == [0, 0] and len(accepted) == busy_hours * rate
    assert units("items") - items_before == len(accepted)
    assert waits > 0 and all(Connection.OFFLINE not in states for states in day.states.values())
    # Each unit that frees up costs at most two refusals (the kiosk that sent one finding the
    # window full again, the other kiosk arriving for the same unit), never a storm.
    assert limited <= 2 * len(accepted)
    assert all(n > 0 for n in by_app)
