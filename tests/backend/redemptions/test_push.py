"""Push: per-item outcomes, conflicts kept and flagged, idempotency, bad input."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from pika_protocol import sync_wire
from sync_backend.deps import services_of
from sync_backend.models import Event, Redemption
from tests.backend.support import Kit, push, push_body


def outcomes(response) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text
    return [(r["outcome"], r["reason"]) for r in response.json()["results"]]


def test_accepts_one_redemption_and_files_the_second_as_conflict(client, kit: Kit, session) -> None:
    business = kit.business()
    voucher = kit.vouchers(business, 1)[0]
    caja1, caja2 = kit.kiosk(business, "Caja 1"), kit.kiosk(business, "Caja 2")
    first = caja1.item(voucher.token, scanned_at=datetime.now(UTC) - timedelta(hours=2))
    assert outcomes(push(client, caja1, first)) == [("accepted", "valid")]

    # Caja 2 redeemed the same copy offline: kept, flagged, pointing at the accepted one.
    late = caja2.item(voucher.token, scanned_at=datetime.now(UTC) - timedelta(hours=1))
    answer = push(client, caja2, late).json()["results"][0]
    assert answer["outcome"] == "conflict" and answer["flagged"] is True
    assert answer["redemption_id"] == first["id"]

    rows = session.execute(
        sa.select(
            Redemption.id, Redemption.outcome, Redemption.scanned_at, Redemption.received_at
        ).order_by(Redemption.seq)
    ).all()
    assert [r.outcome for r in rows] == ["accepted", "conflict"]
    # The kiosk's scan time is kept beside the server's receive time.
    assert rows[1].scanned_at < rows[1].received_at - timedelta(minutes=59)


def test_same_item_resent_is_a_duplicate_of_itself(client, kit: Kit) -> None:
    business = kit.business()
    voucher = kit.vouchers(business, 1)[0]
    kiosk = kit.kiosk(business)
    item = kiosk.item(voucher.token)
    assert outcomes(push(client, kiosk, item)) == [("accepted", "valid")]
    again = push(client, kiosk, item).json()["results"][0]  # new key: a fresh request
    assert again["outcome"] == "duplicate"
    assert again["redemption_id"] == item["id"] and again["first_outcome"] == "accepted"


def test_two_items_of_one_batch_for_the_same_copy(client, kit: Kit) -> None:
    business = kit.business()
    voucher = kit.vouchers(business, 1)[0]
    kiosk = kit.kiosk(business)
    a, b = kiosk.item(voucher.token), kiosk.item(voucher.token)
    assert outcomes(push(client, kiosk, a, b)) == [
        ("accepted", "valid"),
        ("conflict", "already_redeemed"),
    ]


def test_refused_scans_are_recorded_as_evidence(client, kit: Kit, session) -> None:
    business = kit.business()
    voucher = kit.vouchers(business, 1)[0]
    kiosk = kit.kiosk(business)
    scan = kiosk.item("NOT-A-VOUCHER", kind="scan", reason="malformed", source="manual")
    assert outcomes(push(client, kiosk, scan)) == [("recorded", "malformed")]
    used = kiosk.item(voucher.token)
    push(client, kiosk, used)
    seen_again = kiosk.item(voucher.token, kind="scan", reason="already_redeemed")
    assert outcomes(push(client, kiosk, seen_again)) == [("recorded", "already_redeemed")]
    assert session.execute(sa.select(sa.func.count()).select_from(Redemption)).scalar_one() == 3


def test_other_business_voucher_and_revoked_voucher_are_rejected_and_kept(client, kit: Kit) -> None:
    mine, theirs = kit.business("Mine"), kit.business("Theirs")
    other = kit.vouchers(theirs, 1)[0]
    revoked = kit.vouchers(mine, 1)[0]
    client.post(
        f"/v1/admin/vouchers/{revoked.serial}/revoke",
        headers={"Authorization": f"Bearer {kit.settings.admin_token}"},
        json={"reason": "stolen book"},
    )
    kiosk = kit.kiosk(mine)
    answer = push(client, kiosk, kiosk.item(other.token), kiosk.item(revoked.token)).json()
    assert [(r["outcome"], r["reason"], r["flagged"]) for r in answer["results"]] == [
        ("rejected", "other_business", True),
        ("rejected", "revoked", True),
    ]


def test_forged_token_is_rejected(client, kit: Kit) -> None:
    business = kit.business()
    voucher = kit.vouchers(business, 1)[0]
    kiosk = kit.kiosk(business)
    # Flip one claim byte: same length and alphabet, signature no longer matches.
    forged = voucher.token[:40] + ("A" if voucher.token[40] != "A" else "B") + voucher.token[41:]
    assert outcomes(push(client, kiosk, kiosk.item(forged))) in (
        [("rejected", "forged_signature")],
        [("rejected", "malformed")],
    )


def test_item_naming_another_device_is_rejected(client, kit: Kit) -> None:
    business = kit.business()
    voucher = kit.vouchers(business, 1)[0]
    kiosk, other = kit.kiosk(business), kit.kiosk(business, "Caja 2")
    item = kiosk.item(voucher.token, device_id=other.device_id)
    assert outcomes(push(client, kiosk, item)) == [("rejected", "wrong_device")]


def test_item_copies_that_differ_from_the_token_are_rejected(client, kit: Kit) -> None:
    business = kit.business()
    voucher = kit.vouchers(business, 1)[0]
    kiosk = kit.kiosk(business)
    item = kiosk.item(
        voucher.token, serial=voucher.serial + 1, offer_id=voucher.offer_id, variant=0
    )
    assert outcomes(push(client, kiosk, item)) == [("rejected", "item_mismatch")]


def test_kiosk_clock_far_off_is_kept_and_flagged(client, kit: Kit, session) -> None:
    business = kit.business()
    voucher = kit.vouchers(business, 1)[0]
    kiosk = kit.kiosk(business)
    ahead = datetime.now(UTC) + timedelta(hours=3)
    response = push(client, kiosk, kiosk.item(voucher.token, scanned_at=ahead), sent_at=ahead)
    body = response.json()
    assert body["clock_skew_s"] > 3 * 3600 - 60
    assert body["results"][0]["outcome"] == "accepted" and body["results"][0]["flagged"] is True
    stored = session.execute(sa.select(Redemption.clock_skew_s)).scalar_one()
    assert stored > 3 * 3600 - 60


class TestIdempotencyKey:
    def test_same_key_same_body_replays_the_first_answer(self, client, kit: Kit) -> None:
        business = kit.business()
        voucher = kit.vouchers(business, 1)[0]
        kiosk = kit.kiosk(business)
        body = push_body(kiosk.item(voucher.token))
        headers = {**kiosk.headers, "Idempotency-Key": "batch-1"}
        first = client.post(sync_wire.PUSH_PATH, headers=headers, json=body)
        # A retry carries a newer sent_at: still the same request.
        body["sent_at"] = datetime.now(UTC).isoformat()
        second = client.post(sync_wire.PUSH_PATH, headers=headers, json=body)
        assert second.status_code == 200 and second.headers["Idempotent-Replayed"] == "true"
        assert second.content == first.content

    def test_same_key_other_body_is_422(self, client, kit: Kit) -> None:
        business = kit.business()
        tokens = [v.token for v in kit.vouchers(business, 2)]
        kiosk = kit.kiosk(business)
        headers = {**kiosk.headers, "Idempotency-Key": "batch-1"}
        client.post(sync_wire.PUSH_PATH, headers=headers, json=push_body(kiosk.item(tokens[0])))
        other = client.post(
            sync_wire.PUSH_PATH, headers=headers, json=push_body(kiosk.item(tokens[1]))
        )
        assert other.status_code == 422
        assert other.json()["error"]["code"] == "idempotency_key_reused"

    def test_key_in_flight_is_409(self, client, kit: Kit, engine, app) -> None:
        from sync_backend.db import make_sessionmaker
        from sync_backend.models import utcnow
        from sync_backend.redemptions import idempotency
        from sync_backend.redemptions.decisions import canonical_items
        from sync_backend.redemptions.pipeline import push_store
        from sync_backend.redemptions.rows import Claim
        from sync_backend.settings import sha256_hex

        business = kit.business()
        voucher = kit.vouchers(business, 1)[0]
        kiosk = kit.kiosk(business)
        body = push_body(kiosk.item(voucher.token))
        request = sync_wire.PushRequest.model_validate(body)
        # Another request holds the key: its transaction has claimed it and not finished.
        with make_sessionmaker(engine)() as holder:
            claim = Claim(
                sha256_hex(kiosk.api_key),
                "batch-1",
                idempotency.fingerprint(canonical_items(request)),
            )
            [found], _state = push_store(holder).claim_and_read(
                [claim], [], [], now=utcnow(), ttl=timedelta(hours=24)
            )
            assert (found.got_lock, found.claimed) == (True, True)  # got the lock, the key
            response = client.post(
                sync_wire.PUSH_PATH,
                headers={**kiosk.headers, "Idempotency-Key": "batch-1"},
                json=body,
            )
            assert response.status_code == 409
            assert response.json()["error"]["code"] == "idempotency_key_in_flight"
            assert response.headers["Retry-After"] == "1"
            holder.rollback()
        # Once the holder is gone the key is free again.
        retry = client.post(
            sync_wire.PUSH_PATH, headers={**kiosk.headers, "Idempotency-Key": "batch-1"}, json=body
        )
        assert retry.status_code == 200

    def test_missing_key_is_422(self, client, kit: Kit) -> None:
        business = kit.business()
        kiosk = kit.kiosk(business)
        response = client.post(sync_wire.PUSH_PATH, headers=kiosk.headers, json=push_body())
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "idempotency_key_missing"

    def test_key_older_than_ttl_counts_as_new(self, client, kit: Kit, session) -> None:
        from sync_backend.models import IdempotencyKey

        business = kit.business()
        tokens = [v.token for v in kit.vouchers(business, 2)]
        kiosk = kit.kiosk(business)
        headers = {**kiosk.headers, "Idempotency-Key": "old"}
        client.post(sync_wire.PUSH_PATH, headers=headers, json=push_body(kiosk.item(tokens[0])))
        session.execute(
            sa.update(IdempotencyKey).values(created_at=datetime.now(UTC) - timedelta(hours=25))
        )
        session.commit()
        fresh = client.post(
            sync_wire.PUSH_PATH, headers=headers, json=push_body(kiosk.item(tokens[1]))
        )
        assert fresh.status_code == 200
        assert fresh.json()["results"][0]["outcome"] == "accepted"


class TestBadInput:
    def test_malformed_json(self, client, kit: Kit) -> None:
        kiosk = kit.kiosk(kit.business())
        response = client.post(
            sync_wire.PUSH_PATH,
            headers={**kiosk.headers, "Idempotency-Key": "k", "Content-Type": "application/json"},
            content=b'{"items": [',
        )
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "malformed_json"

    def test_wrong_types(self, client, kit: Kit) -> None:
        kiosk = kit.kiosk(kit.business())
        item = kiosk.item("X", scanned_at=None)
        item["scanned_at"] = "yesterday"
        item["id"] = 12
        response = push(client, kiosk, item)
        assert response.status_code == 422
        problems = response.json()["error"]["problems"]
        assert {tuple(p["loc"][-1:]) for p in problems} >= {("id",), ("scanned_at",)}

    def test_naive_scan_time_and_inconsistent_kind_are_refused(self, client, kit: Kit) -> None:
        kiosk = kit.kiosk(kit.business())
        naive = kiosk.item("X")
        naive["scanned_at"] = datetime.now(UTC).replace(tzinfo=None).isoformat()
        assert push(client, kiosk, naive).status_code == 422
        assert (
            push(client, kiosk, kiosk.item("X", kind="redemption", reason="expired")).status_code
            == 422
        )

    def test_empty_batch(self, client, kit: Kit) -> None:
        kiosk = kit.kiosk(kit.business())
        assert push(client, kiosk).status_code == 422

    def test_oversized_batch_is_413(self, client, kit: Kit) -> None:
        kiosk = kit.kiosk(kit.business())
        items = [kiosk.item("X", kind="scan", reason="malformed") for _ in range(501)]
        response = push(client, kiosk, *items)
        assert response.status_code == 413
        assert response.json()["error"]["code"] == "batch_too_large"

    def test_oversized_body_is_413(self, client, kit: Kit) -> None:
        kiosk = kit.kiosk(kit.business())
        huge = b'{"items": [' + b" " * 1_100_000 + b"]}"
        response = client.post(
            sync_wire.PUSH_PATH,
            headers={**kiosk.headers, "Idempotency-Key": "k", "Content-Type": "application/json"},
            content=huge,
        )
        assert response.status_code == 413
        assert response.json()["error"]["code"] == "body_too_large"

    def test_token_longer_than_any_token_is_422(self, client, kit: Kit) -> None:
        kiosk = kit.kiosk(kit.business())
        item = kiosk.item(
            "A" * (sync_wire.MAX_ITEM_TOKEN_LENGTH + 1), kind="scan", reason="malformed"
        )
        assert push(client, kiosk, item).status_code == 422


def test_nothing_is_written_when_the_batch_fails(client, kit: Kit, session, monkeypatch) -> None:
    """One transaction per push: a failure half-way leaves no rows and no key behind."""
    from sync_backend.redemptions import store_pg
    from sync_backend.redemptions.store_sqlite import SqlitePushStore

    business = kit.business()
    voucher = kit.vouchers(business, 1)[0]
    kiosk = kit.kiosk(business)

    def broken(store, rows, *_args, **_kwargs):  # type: ignore[no-untyped-def]
        store.insert(rows)
        raise RuntimeError("database went away")

    # SQLite: the rows go in, then the write fails.
    monkeypatch.setattr(SqlitePushStore, "commit", broken)
    # Postgres sends the rows, the answer and COMMIT in one round trip: fail it there, after
    # the rows went in.
    monkeypatch.setattr(
        store_pg, "_STORE_ANSWERS", "SELECT 1 / 0 WHERE %(devices)s IS NOT NULL"
    )
    with_errors = type(client)(client.app, raise_server_exceptions=False)
    response = with_errors.post(
        sync_wire.PUSH_PATH,
        headers={**kiosk.headers, "Idempotency-Key": "k"},
        json=push_body(kiosk.item(voucher.token)),
    )
    assert response.status_code == 500
    assert session.execute(sa.select(sa.func.count()).select_from(Redemption)).scalar_one() == 0
    monkeypatch.undo()
    retry = push(client, kiosk, kiosk.item(voucher.token, item_id=uuid.uuid4()), key="k")
    assert retry.status_code == 200


# ---------------------------------------------------------------- voids


def test_a_void_frees_the_copy_and_is_logged(client, kit: Kit, session) -> None:
    business = kit.business()
    voucher = kit.vouchers(business, 1)[0]
    kiosk = kit.kiosk(business)
    first = kiosk.item(voucher.token)
    void = kiosk.void(first["id"], reason="wrong voucher scanned")
    # The void may travel in the same batch as the redemption it takes back.
    assert outcomes(push(client, kiosk, first, void)) == [
        ("accepted", "valid"),
        ("accepted", "valid"),
    ]
    row = session.get(Redemption, uuid.UUID(first["id"]))
    assert row.outcome == "accepted" and row.voided_at is not None
    assert row.void_reason == "wrong voucher scanned" and str(row.voided_by) == void["id"]
    logged = session.execute(
        sa.select(Event.subject, Event.payload).where(Event.kind == "redemption_voided")
    ).one()
    assert logged.subject == f"redemption:{first['id']}"
    assert logged.payload["serial"] == voucher.serial

    # The copy is free again: the next redemption of it is accepted, not a conflict.
    again = kiosk.item(voucher.token)
    assert outcomes(push(client, kiosk, again)) == [("accepted", "valid")]


def test_redeem_undo_redeem_again_in_one_batch_keeps_the_kiosks_order(
    client, kit: Kit, session
) -> None:
    business = kit.business()
    voucher = kit.vouchers(business, 1)[0]
    kiosk = kit.kiosk(business)
    first, again = kiosk.item(voucher.token), kiosk.item(voucher.token)
    assert outcomes(push(client, kiosk, first, kiosk.void(first["id"]), again)) == [
        ("accepted", "valid"),
        ("accepted", "valid"),
        ("accepted", "valid"),
    ]
    live = sa.select(Redemption.id).where(
        Redemption.serial == voucher.serial,
        Redemption.outcome == "accepted",
        Redemption.voided_at.is_(None),
    )
    assert [str(i) for i in session.execute(live).scalars()] == [again["id"]]


def test_a_replayed_void_is_a_duplicate_and_changes_nothing(client, kit: Kit, session) -> None:
    business = kit.business()
    voucher = kit.vouchers(business, 1)[0]
    kiosk = kit.kiosk(business)
    first = kiosk.item(voucher.token)
    push(client, kiosk, first)
    void = kiosk.void(first["id"])
    assert outcomes(push(client, kiosk, void)) == [("accepted", "valid")]
    voided_at = session.get(Redemption, uuid.UUID(first["id"])).voided_at
    session.expire_all()

    again = push(client, kiosk, void).json()["results"][0]  # new key: a fresh request
    assert (again["outcome"], again["first_outcome"]) == ("duplicate", "accepted")
    assert again["redemption_id"] == first["id"]
    assert session.get(Redemption, uuid.UUID(first["id"])).voided_at == voided_at
    events = sa.select(sa.func.count()).where(Event.kind == "redemption_voided")
    assert session.execute(events).scalar_one() == 1

    # A second, different void of the same redemption is refused with a reason.
    other = kiosk.void(first["id"])
    assert outcomes(push(client, kiosk, other)) == [("rejected", "already_voided")]


def test_voids_of_unknown_foreign_or_scan_rows_are_rejected(client, kit: Kit, session) -> None:
    business = kit.business()
    voucher = kit.vouchers(business, 1)[0]
    caja1, caja2 = kit.kiosk(business, "Caja 1"), kit.kiosk(business, "Caja 2")
    theirs = caja2.item(voucher.token)
    push(client, caja2, theirs)
    scan = caja1.item("NOT-A-VOUCHER", kind="scan", reason="malformed", source="manual")
    push(client, caja1, scan)

    assert outcomes(
        push(
            client,
            caja1,
            caja1.void(str(uuid.uuid4())),
            caja1.void(theirs["id"]),
            caja1.void(scan["id"]),
            caja1.void(theirs["id"], device_id=caja2.device_id),
        )
    ) == [
        ("rejected", "unknown_redemption"),
        ("rejected", "not_own_redemption"),
        ("rejected", "not_a_redemption"),
        ("rejected", "wrong_device"),
    ]
    assert session.get(Redemption, uuid.UUID(theirs["id"])).voided_at is None


def test_a_void_without_a_reason_is_refused_as_bad_input(client, kit: Kit) -> None:
    business = kit.business()
    kiosk = kit.kiosk(business)
    response = push(client, kiosk, kiosk.void(str(uuid.uuid4()), reason=""))
    assert response.status_code == 422, response.text


def test_a_copy_accepted_between_state_read_and_write_is_refiled_as_conflict(
    client, kit: Kit, engine, settings, session
) -> None:
    """The lean write loses a race on purpose: another kiosk's redemption of the same copy is
    inserted, not yet committed, when this push reads the state. The push's INSERT then waits
    on the unique index, fails when the other commits, and the batch is decided again: a
    conflict naming the winner. Nothing lost, nothing accepted twice."""
    import threading
    import time

    from sync_backend.db import make_sessionmaker
    from sync_backend.redemptions import pipeline

    business = kit.business()
    voucher = kit.vouchers(business, 1)[0]
    winner_kiosk, loser_kiosk = kit.kiosk(business, "Caja 1"), kit.kiosk(business, "Caja 2")
    winner = winner_kiosk.item(voucher.token)
    with make_sessionmaker(engine)() as holder:
        # Settling conflicts, the pipeline inserts before its write and leaves the transaction
        # open until then; the write itself is left out, so the row stays uncommitted.
        store = pipeline.push_store(holder)
        store.commit = lambda *_args: None  # type: ignore[method-assign]
        job = pipeline.PushJob(
            winner_kiosk.api_key,
            sync_wire.PushRequest.model_validate(push_body(winner)),
            "winner-key",
            lambda _device, _items: None,
        )
        settled = pipeline.run(
            store, settings, services_of(client.app).public_keys, [job], settle_conflicts=True
        )
        held = settled[job]
        assert isinstance(held, pipeline.PushAnswer)
        assert json.loads(held.body)["results"][0]["outcome"] == "accepted"

        answer: dict[str, object] = {}
        loser = loser_kiosk.item(voucher.token)
        pushing = threading.Thread(
            target=lambda: answer.update(push(client, loser_kiosk, loser).json()["results"][0])
        )
        pushing.start()
        waiting_on_lock = sa.text(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        deadline = time.monotonic() + 10
        while session.execute(waiting_on_lock).scalar_one() == 0:
            assert time.monotonic() < deadline, "the push never waited on the held copy"
            session.rollback()
            time.sleep(0.02)
        holder.commit()
    pushing.join(timeout=30)
    assert answer["outcome"] == "conflict" and answer["reason"] == "already_redeemed"
    assert answer["redemption_id"] == winner["id"] and answer["flagged"] is True
    session.rollback()
    stored = session.execute(
        sa.select(Redemption.id, Redemption.outcome).where(Redemption.serial == voucher.serial)
    ).all()
    assert sorted((str(r.id), r.outcome) for r in stored) == sorted(
        [(winner["id"], "accepted"), (loser["id"], "conflict")]
    )
