"""Group push on Postgres: requests written together decide exactly as one after the other."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from pika_protocol import sync_wire
from sync_backend.db import make_sessionmaker
from sync_backend.devices.service import DeviceContext
from sync_backend.errors import NotAuthenticated, PayloadTooLarge, RateLimited
from sync_backend.limits.service import TierLimiter
from sync_backend.models import IdempotencyKey, Redemption
from sync_backend.redemptions.group_push import PushContext, PushJob, push, run_group
from sync_backend.settings import Tier
from sync_backend.vouchers.signing import PublicKeyCache
from tests.backend.support import Kiosk, Kit, make_settings, push_body

TIERS = {Tier.BASIC: "100/hour", Tier.PREMIUM: "1000/hour", Tier.ENTERPRISE: "10000/hour"}


@pytest.fixture
def context(engine, settings) -> PushContext:  # type: ignore[no-untyped-def]
    return PushContext(make_sessionmaker(engine), settings, PublicKeyCache())


def no_charge(_device: DeviceContext, _items: int) -> None:
    return None


def job(
    kiosk: Kiosk,
    *items: dict[str, Any],
    key: str | None = None,
    charge: Callable[[DeviceContext, int], None] = no_charge,
    api_key: str | None = "",
) -> PushJob:
    request = sync_wire.PushRequest.model_validate(push_body(*items))
    return PushJob(
        kiosk.api_key if api_key == "" else api_key, request, key or str(uuid.uuid4()), charge
    )


def results(j: PushJob) -> list[dict[str, Any]]:
    assert j.answer is not None, (j.error, j.alone)
    return list(json.loads(j.answer.body)["results"])


def test_two_kiosks_same_copy_in_one_group(context: PushContext, kit: Kit, session) -> None:
    business = kit.business()
    voucher = kit.vouchers(business, 1)[0]
    caja1, caja2 = kit.kiosk(business, "Caja 1"), kit.kiosk(business, "Caja 2")
    first, second = caja1.item(voucher.token), caja2.item(voucher.token)
    jobs = [job(caja1, first), job(caja2, second)]
    run_group(context, jobs)
    assert [r["outcome"] for r in results(jobs[0])] == ["accepted"]
    conflict = results(jobs[1])[0]
    assert conflict["outcome"] == "conflict" and conflict["redemption_id"] == first["id"]
    stored = dict(
        session.execute(
            sa.select(Redemption.id, Redemption.outcome).where(Redemption.serial == voucher.serial)
        ).all()
    )
    assert {str(k): v for k, v in stored.items()} == {
        first["id"]: "accepted",
        second["id"]: "conflict",
    }


def test_the_same_item_in_two_requests_of_a_group_is_a_duplicate(
    context: PushContext, kit: Kit
) -> None:
    business = kit.business()
    voucher = kit.vouchers(business, 1)[0]
    kiosk = kit.kiosk(business)
    item = kiosk.item(voucher.token)
    jobs = [job(kiosk, item), job(kiosk, item)]  # a retry with a new key, in the same group
    run_group(context, jobs)
    assert results(jobs[0])[0]["outcome"] == "accepted"
    again = results(jobs[1])[0]
    assert again["outcome"] == "duplicate" and again["first_outcome"] == "accepted"


def test_a_refused_charge_refuses_only_that_request_and_frees_its_key(
    context: PushContext, kit: Kit, session
) -> None:
    business = kit.business()
    vouchers = kit.vouchers(business, 2)
    kiosk = kit.kiosk(business)

    def refuse(_device: DeviceContext, _items: int) -> None:
        raise RateLimited("over the limit")

    ok = job(kiosk, kiosk.item(vouchers[0].token))
    limited = job(kiosk, kiosk.item(vouchers[1].token), key="limited-key", charge=refuse)
    run_group(context, [ok, limited])
    assert results(ok)[0]["outcome"] == "accepted"
    assert isinstance(limited.error, RateLimited)
    keys = session.execute(sa.select(IdempotencyKey.key)).scalars().all()
    assert "limited-key" not in keys and ok.idempotency_key in keys
    # The refused request stored nothing: the same key, later, is a fresh request.
    retry = job(kiosk, kiosk.item(vouchers[1].token), key="limited-key")
    run_group(context, [retry])
    assert results(retry)[0]["outcome"] == "accepted"


def test_unusual_requests_get_the_single_push_answer_in_the_group(
    context: PushContext, kit: Kit
) -> None:
    business = kit.business()
    vouchers = kit.vouchers(business, 3)
    kiosk = kit.kiosk(business)
    stored = job(kiosk, kiosk.item(vouchers[0].token), key="k1")
    run_group(context, [stored])
    replay = job(kiosk, *stored.request.model_dump(mode="json")["items"], key="k1")
    bad_key = job(kiosk, kiosk.item(vouchers[1].token), api_key="pika_not-a-key")
    no_key = job(kiosk, kiosk.item(vouchers[1].token), api_key=None)
    first_id = results(stored)[0]["id"]
    with_void = job(kiosk, kiosk.void(first_id))
    plain = job(kiosk, kiosk.item(vouchers[2].token))
    group = [replay, bad_key, no_key, with_void, plain]
    run_group(context, group)
    # A group is the single push's pipeline: each gets exactly the single push's answer.
    assert [j.alone for j in group] == [False] * 5
    assert isinstance(no_key.error, NotAuthenticated)
    assert isinstance(bad_key.error, NotAuthenticated)
    assert replay.answer is not None and replay.answer.replayed is True
    assert replay.answer.body == stored.answer.body  # type: ignore[union-attr]
    assert [r["outcome"] for r in results(with_void)] == ["accepted"]
    assert results(plain)[0]["outcome"] == "accepted"
    # Alone, the same answers.
    assert push(context, None, replay).replayed is True
    with pytest.raises(NotAuthenticated):
        push(context, None, bad_key)
    void_again = push(context, None, with_void)
    assert void_again.replayed and [r["outcome"] for r in results_of(void_again)] == ["accepted"]


def results_of(answer) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    return list(json.loads(answer.body)["results"])


def test_a_group_that_loses_a_race_runs_every_request_alone(
    context: PushContext, kit: Kit, engine, settings
) -> None:
    """A competing redemption of one copy commits between the group's state read and its
    write: the group's write fails as a whole and each of its requests runs alone."""
    from sync_backend.redemptions.store_pg import PostgresPushStore

    business = kit.business()
    vouchers = kit.vouchers(business, 2)
    kiosk = kit.kiosk(business)
    jobs = [job(kiosk, kiosk.item(vouchers[0].token)), job(kiosk, kiosk.item(vouchers[1].token))]
    real_commit = PostgresPushStore.commit

    raced: list[PushJob] = []

    def race_then_commit(store, rows, answers, events, released):  # type: ignore[no-untyped-def]
        if not raced:  # once: the competitor's own write goes straight through
            other = kit.kiosk(business, "Caja 9")
            raced.append(job(other, other.item(vouchers[0].token)))
            run_group(context, raced)  # commits on its own connection first
            assert results(raced[0])[0]["outcome"] == "accepted"
        return real_commit(store, rows, answers, events, released)

    PostgresPushStore.commit = race_then_commit  # type: ignore[method-assign]
    try:
        run_group(context, jobs)
    finally:
        PostgresPushStore.commit = real_commit  # type: ignore[method-assign]
    assert [j.alone for j in jobs] == [True, True]
    lost = results_of(push(context, None, jobs[0]))[0]
    assert lost["outcome"] == "conflict"
    assert results_of(push(context, None, jobs[1]))[0]["outcome"] == "accepted"


def test_the_same_key_twice_in_a_group_is_answered_once_and_then_replayed(
    context: PushContext, kit: Kit
) -> None:
    business = kit.business()
    voucher = kit.vouchers(business, 1)[0]
    kiosk = kit.kiosk(business)
    item = kiosk.item(voucher.token)
    first, again = job(kiosk, item, key="same"), job(kiosk, item, key="same")
    run_group(context, [first, again])
    assert results(first)[0]["outcome"] == "accepted"
    assert again.alone
    replay = push(context, None, again)
    assert replay.replayed and replay.body == first.answer.body  # type: ignore[union-attr]


def test_a_group_charges_its_business_once_and_falls_back_request_by_request(
    context: PushContext, kit: Kit
) -> None:
    """One Redis round trip for the whole group's items of a business; when that sum is over
    the limit, each request is charged alone, so the ones that still fit go through."""
    business = kit.business()
    vouchers = kit.vouchers(business, 3)
    kiosk = kit.kiosk(business)
    calls: list[int] = []
    budget = [2]

    def charge(_device: DeviceContext, items: int) -> None:
        calls.append(items)
        if items > budget[0]:
            raise RateLimited("over")
        budget[0] -= items

    jobs = [job(kiosk, kiosk.item(v.token), charge=charge) for v in vouchers]
    run_group(context, jobs)
    assert calls == [3, 1, 1, 1]  # the sum refused, then one by one: two fit
    assert [r["outcome"] for r in results(jobs[0])] == ["accepted"]
    assert [r["outcome"] for r in results(jobs[1])] == ["accepted"]
    assert isinstance(jobs[2].error, RateLimited)

    calls.clear()
    budget[0] = 10
    more = [job(kiosk, kiosk.item(v.token), charge=charge) for v in kit.vouchers(business, 3)]
    run_group(context, more)
    assert calls == [3]


def test_every_request_the_limit_refuses_in_a_group_frees_its_key(
    context: PushContext, kit: Kit, database_url: str, session
) -> None:
    """Issue 12, defect 1: the group's sum is refused, then request by request two still fit;
    every other request (429, or 413 for a batch bigger than the tier's figure) must leave no
    claimed key behind. They used to stay "in flight" for 24 h: every retry answered 409."""
    business = kit.business(tier=Tier.BASIC)
    vouchers = kit.vouchers(business, 7)
    kiosk = kit.kiosk(business)
    limiter = TierLimiter(make_settings(database_url, tier_limits={**TIERS, Tier.BASIC: "2/hour"}))
    jobs = [
        job(kiosk, kiosk.item(v.token), key=f"key-{n}", charge=limiter.charge_items)
        for n, v in enumerate(vouchers[:4])
    ]
    too_big = job(
        kiosk,
        *[kiosk.item(v.token) for v in vouchers[4:]],
        key="three",
        charge=limiter.charge_items,
    )
    jobs.insert(2, too_big)
    run_group(context, jobs)
    assert [j.answer is not None for j in jobs] == [True, True, False, False, False]
    assert isinstance(too_big.error, PayloadTooLarge)
    assert all(isinstance(j.error, RateLimited) for j in jobs[3:])
    keys = session.execute(sa.select(IdempotencyKey.key, IdempotencyKey.status_code)).all()
    assert sorted(keys) == [("key-0", 200), ("key-1", 200)]
    # Once the window has room again, the very same requests go through.
    fresh = TierLimiter(make_settings(database_url, tier_limits=TIERS))
    retries = [
        job(
            kiosk,
            *j.request.model_dump(mode="json")["items"],
            key=j.idempotency_key,
            charge=fresh.charge_items,
        )
        for j in jobs[2:]
    ]
    run_group(context, retries)
    assert [r["outcome"] for j in retries for r in results(j)] == ["accepted"] * 5
