"""At most one accepted redemption per printed copy, against real uvicorn worker processes.

64 clients post the same copy at the same instant (a barrier releases them together), each
as its own kiosk item. Whatever the interleaving, the partial unique index lets exactly one
in; the other 63 are stored as conflicts, none is lost. A few rounds keep it quick on 2 cores.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest
import sqlalchemy as sa

from pika_bench.backend_server import uvicorn_server
from pika_protocol import sync_wire
from sync_backend.models import Redemption
from sync_backend.settings import Settings
from tests.backend.support import Kiosk, Kit, push_body

CLIENTS = 64
ROUNDS = 3


@pytest.fixture(scope="module")
def server(settings: Settings) -> Iterator[str]:
    with uvicorn_server(settings, workers=2) as url:
        yield url


def post_together(url: str, requests: list[tuple[dict[str, str], dict]]) -> list[httpx.Response]:  # type: ignore[type-arg]
    barrier = threading.Barrier(len(requests))
    responses: list[httpx.Response | None] = [None] * len(requests)

    def worker(i: int) -> None:
        headers, body = requests[i]
        with httpx.Client(base_url=url, timeout=60) as client:
            barrier.wait()
            responses[i] = client.post(sync_wire.PUSH_PATH, headers=headers, json=body)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(requests))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return [r for r in responses if r is not None]


def test_same_copy_from_64_clients_is_accepted_exactly_once(server: str, kit: Kit, session) -> None:
    business = kit.business()
    kiosks = [kit.kiosk(business, f"Caja {i}") for i in range(4)]
    for voucher in kit.vouchers(business, ROUNDS):
        requests = []
        for i in range(CLIENTS):
            kiosk = kiosks[i % len(kiosks)]
            key = {**kiosk.headers, "Idempotency-Key": str(uuid.uuid4())}
            requests.append((key, push_body(kiosk.item(voucher.token))))
        responses = post_together(server, requests)
        assert [r.status_code for r in responses] == [200] * CLIENTS
        outcomes = Counter(r.json()["results"][0]["outcome"] for r in responses)
        assert outcomes == {"accepted": 1, "conflict": CLIENTS - 1}
        stored = Counter(
            session.execute(
                sa.select(Redemption.outcome).where(Redemption.serial == voucher.serial)
            ).scalars()
        )
        assert stored == {"accepted": 1, "conflict": CLIENTS - 1}
        session.rollback()


def test_same_batch_sent_by_two_processes_at_once(server: str, kit: Kit, session) -> None:
    business = kit.business()
    kiosk: Kiosk = kit.kiosk(business)
    items = [kiosk.item(v.token) for v in kit.vouchers(business, 20)]
    body = push_body(*items)
    same_key = {**kiosk.headers, "Idempotency-Key": "batch-7"}
    responses = post_together(server, [(same_key, body), (same_key, body)])
    codes = sorted(r.status_code for r in responses)
    # One applies it; the other replays its answer or is told the key is in flight.
    assert codes in ([200, 200], [200, 409])
    if codes == [200, 200]:
        assert responses[0].content == responses[1].content

    other_keys = [({**kiosk.headers, "Idempotency-Key": str(uuid.uuid4())}, body) for _ in range(2)]
    responses = post_together(server, other_keys)
    assert [r.status_code for r in responses] == [200, 200]
    for response in responses:  # the items were all stored by the first request above
        assert {r["outcome"] for r in response.json()["results"]} == {"duplicate"}
    stored = Counter(session.execute(sa.select(Redemption.outcome)).scalars())
    assert stored == {"accepted": 20}


def test_different_keys_racing_on_new_items_store_each_item_once(
    server: str, kit: Kit, session
) -> None:
    business = kit.business()
    kiosk = kit.kiosk(business)
    body = push_body(*[kiosk.item(v.token) for v in kit.vouchers(business, 20)])
    requests = [({**kiosk.headers, "Idempotency-Key": str(uuid.uuid4())}, body) for _ in range(4)]
    responses = post_together(server, requests)
    assert [r.status_code for r in responses] == [200] * 4
    per_item = Counter(
        (res["id"], res["outcome"]) for r in responses for res in r.json()["results"]
    )
    for item in body["items"]:
        assert per_item[(item["id"], "accepted")] == 1
        assert per_item[(item["id"], "duplicate")] == 3
    assert session.execute(sa.select(sa.func.count()).select_from(Redemption)).scalar_one() == 20
