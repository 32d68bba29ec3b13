"""Pull: deltas by cursor, resumable pages, scoped to the device's business, server time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from pika_protocol import sync_wire
from tests.backend.support import ADMIN, Kit, push


def pull(
    client, kiosk, cursor: str | None = None, limit: int | None = None
) -> sync_wire.PullResponse:  # type: ignore[no-untyped-def]
    params: dict[str, str | int] = {}
    if cursor:
        params["cursor"] = cursor
    if limit:
        params["limit"] = limit
    response = client.get(sync_wire.PULL_PATH, headers=kiosk.headers, params=params)
    assert response.status_code == 200, response.text
    return sync_wire.PullResponse.model_validate(response.json())


def test_first_pull_gets_everything_then_only_changes(client, kit: Kit) -> None:
    business = kit.business()
    printed = kit.vouchers(business, 3)
    caja1, caja2 = kit.kiosk(business), kit.kiosk(business, "Caja 2")

    before = datetime.now(UTC)
    first = pull(client, caja1)
    assert first.server_time >= before
    assert len(first.public_keys) == 1 and len(first.offers) == 1
    assert sorted(v.serial for v in first.vouchers) == sorted(v.serial for v in printed)
    assert not first.more and first.cursor

    assert pull(client, caja1, first.cursor).vouchers == []

    # Caja 2 redeems one copy; head office revokes another: Caja 1 gets exactly those.
    push(
        client,
        caja2,
        caja2.item(
            printed[0].token, scanned_at=datetime.now(UTC) - timedelta(hours=5), source="wedge"
        ),
    )
    client.post(
        f"/v1/admin/vouchers/{printed[1].serial}/revoke", headers=ADMIN, json={"reason": "lost"}
    )
    delta = pull(client, caja1, first.cursor)
    assert [(r.serial, r.device_name, r.outcome, r.made_offline) for r in delta.redemptions] == [
        (printed[0].serial, "Caja 2", "accepted", True)
    ]
    # The server row's offer, variant and scan source travel with it.
    [remote] = delta.redemptions
    assert (remote.offer_id, remote.variant, remote.source.value) == (
        printed[0].offer_id,
        printed[0].variant,
        "wedge",
    )
    assert [(r.serial, r.reason) for r in delta.revocations] == [(printed[1].serial, "lost")]
    assert delta.offers == [] and delta.public_keys == []
    # A kiosk does not get its own redemptions back.
    assert pull(client, caja2, first.cursor).redemptions == []


def test_pages_resume_from_the_cursor(client, kit: Kit) -> None:
    business = kit.business()
    printed = kit.vouchers(business, 25)
    kiosk = kit.kiosk(business)
    cursor, seen, pages = None, [], 0
    while True:
        page = pull(client, kiosk, cursor, limit=10)
        seen += [v.serial for v in page.vouchers]
        cursor, pages = page.cursor, pages + 1
        if not page.more:
            break
    assert sorted(seen) == sorted(v.serial for v in printed)
    assert pages == 3  # 1 key + 1 offer + 25 vouchers in pages of 10


def test_other_business_changes_are_not_pulled(client, kit: Kit) -> None:
    mine, theirs = kit.business("Mine"), kit.business("Theirs")
    kit.vouchers(theirs, 3)
    page = pull(client, kit.kiosk(mine))
    assert page.vouchers == [] and page.offers == []
    assert len(page.public_keys) == 1  # public keys are for everyone


def test_uncommitted_changes_never_slip_behind_the_cursor(client, kit: Kit, engine) -> None:
    """A change whose transaction is still open when a kiosk pulls is served on a later pull,
    even though a later transaction already committed (the feed orders by transaction)."""
    from sync_backend.db import make_sessionmaker
    from sync_backend.vouchers import service

    business = kit.business()
    offer = kit.offer(business)
    kiosk = kit.kiosk(business)
    first_book = kit.vouchers(business, 1, offer_id=offer)  # the signing key exists already
    with make_sessionmaker(engine)() as slow:
        service.print_book(slow, kit.settings, offer, 1, actor="slow")  # open transaction
        kit.vouchers(business, 1, offer_id=offer)  # a later one commits first
        first = pull(client, kiosk)
        slow.commit()
    later = pull(client, kiosk, first.cursor)
    got = [v.serial for v in first.vouchers] + [v.serial for v in later.vouchers]
    assert len(got) == 3 and len(set(got)) == 3
    assert first_book[0].serial in got


def test_bad_cursor_is_422(client, kit: Kit) -> None:
    kiosk = kit.kiosk(kit.business())
    response = client.get(
        sync_wire.PULL_PATH, headers=kiosk.headers, params={"cursor": "drop table"}
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"


def test_server_time_and_cursor_are_in_every_answer(client, kit: Kit, session) -> None:
    kiosk = kit.kiosk(kit.business())
    empty = pull(client, kiosk)
    assert empty.cursor == "" and empty.more is False
    assert abs((empty.server_time - datetime.now(UTC)).total_seconds()) < 5
    assert session.execute(sa.text("SELECT 1")).scalar_one() == 1


def test_a_long_transaction_in_another_database_does_not_stall_pulls(
    client, kit: Kit, postgres_server: str
) -> None:
    """The feed horizon is per database: other databases on the cluster cannot hold it."""
    business = kit.business()
    kiosk = kit.kiosk(business)
    other = sa.create_engine(postgres_server)  # the cluster's "postgres" database
    try:
        with other.connect() as conn:
            conn.execute(sa.text("SELECT pg_current_xact_id()"))  # holds an xid, stays open
            kit.vouchers(business, 2)
            page = pull(client, kiosk)
            assert len(page.vouchers) == 2
            conn.rollback()
    finally:
        other.dispose()


def test_an_open_transaction_in_this_database_holds_back_only_later_changes(
    client, kit: Kit, engine
) -> None:
    business = kit.business()
    kiosk = kit.kiosk(business)
    kit.vouchers(business, 1)
    with engine.connect() as conn:
        conn.execute(sa.text("SELECT pg_current_xact_id()"))
        kit.vouchers(business, 1)  # committed after the open transaction began
        assert len(pull(client, kiosk).vouchers) == 1
        conn.rollback()
    assert len(pull(client, kiosk).vouchers) == 2


def test_a_redemption_voided_before_the_pull_comes_as_voided(client, kit: Kit) -> None:
    business = kit.business()
    printed = kit.vouchers(business, 2)
    caja1, caja2 = kit.kiosk(business), kit.kiosk(business, "Caja 2")
    first = pull(client, caja1)
    undone, kept = caja2.item(printed[0].token), caja2.item(printed[1].token)
    push(client, caja2, undone, caja2.void(undone["id"]), kept)
    delta = pull(client, caja1, first.cursor)
    by_id = {str(r.id): r for r in delta.redemptions}
    assert set(by_id) == {undone["id"], kept["id"]}
    assert by_id[undone["id"]].voided_at is not None and by_id[kept["id"]].voided_at is None


def test_a_void_after_the_pull_reaches_the_kiosks_that_pulled_it(client, kit: Kit) -> None:
    """Caja 1 learnt of Caja 2's redemption; Caja 2 then takes it back. Caja 1's next pull
    carries the same redemption again, voided, so Caja 1 can free the copy."""
    business = kit.business()
    printed = kit.vouchers(business, 1)
    caja1, caja2 = kit.kiosk(business), kit.kiosk(business, "Caja 2")
    redeemed = caja2.item(printed[0].token)
    push(client, caja2, redeemed)
    seen = pull(client, caja1)
    assert [(str(r.id), r.voided_at) for r in seen.redemptions] == [(redeemed["id"], None)]
    push(client, caja2, caja2.void(redeemed["id"]))
    after = pull(client, caja1, seen.cursor)
    assert [str(r.id) for r in after.redemptions] == [redeemed["id"]]
    assert after.redemptions[0].voided_at is not None
    assert pull(client, caja1, after.cursor).redemptions == []  # once


def test_every_page_says_the_business_usual_ticket(client, kit: Kit) -> None:
    business = kit.business()
    kit.vouchers(business, 3)
    kiosk = kit.kiosk(business)
    first = pull(client, kiosk, limit=2)
    assert "usual_ticket" in first.model_fields_set and first.usual_ticket is None
    set_ticket = client.put(
        f"/v1/admin/businesses/{business}/usual-ticket", json={"amount": 60_000}, headers=ADMIN
    )
    assert set_ticket.status_code == 204, set_ticket.text
    # the next page, and a pull with nothing new at all, carry the figure
    page = pull(client, kiosk, first.cursor, limit=2)
    assert page.usual_ticket == 60_000
    while page.more:
        page = pull(client, kiosk, page.cursor, limit=2)
        assert page.usual_ticket == 60_000
    assert pull(client, kiosk, page.cursor).usual_ticket == 60_000
    # another business's figure is its own
    other = kit.kiosk(kit.business())
    assert pull(client, other).usual_ticket is None
