"""Issue 12, defects 2 and 3 end to end: kiosk core → real backend → Postgres.

What a cashier can really hold to the camera (a token with its serial's top bit flipped, text
with NUL bytes) and a kiosk clock gone wild (year 9999) used to make the backend answer 500 on
the oldest batch, which the kiosk then sent again for ever: nothing behind it reached head
office. Now each hostile scan gets a final answer, the wild-clock item is set aside at the
kiosk (the wire refuses its time), and every redemption after them is on the server.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.core.counter import Counter
from app.core.store import ScanSource, schema
from pika_protocol.tokens import token_bytes
from sync_backend.redemptions.evidence import unseal
from sync_backend.settings import DEV_SIGNING_KEY_SECRET
from tests.e2e.harness import Backend, Database, HeadOffice, assert_invariants, enrol_for_business

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]


def _flip_serial_top_bit(token: str) -> str:
    raw = token_bytes(token)
    assert raw is not None
    flipped = bytearray(raw)
    flipped[11] ^= 0x80  # bit 88: the serial's top bit, beyond Postgres' bigint
    return base64.b32encode(bytes(flipped)).decode("ascii").rstrip("=")


def _wild_clock() -> datetime:
    return datetime(9999, 12, 31, 12, 0, tzinfo=UTC)


def test_hostile_scans_and_a_wild_clock_never_stall_the_outbox(
    tmp_path: Path, head_office: HeadOffice, backend: Backend, database: Database
) -> None:
    business = head_office.business_with_book(6)
    kiosk = enrol_for_business(tmp_path / "k1", backend.url, head_office, database, business)
    try:
        serials = kiosk.serials()
        hostile = {
            "forged": kiosk.counter.scan(
                _flip_serial_top_bit(kiosk.book[serials[0]]), ScanSource.CAMERA
            ),
            "nul": kiosk.counter.scan("AB\x00CD", ScanSource.WEDGE),
        }
        wild = Counter(kiosk.store, kiosk.device, clock=_wild_clock).scan(
            "GARBAGE", ScanSource.CAMERA
        )
        redeemed = kiosk.redeem(serials[1:5])

        assert kiosk.drain() <= 2  # one pass sends it all; no batch is sent again and again
        assert_invariants(database, [kiosk])

        o = schema.outbox
        with kiosk.store._db.transaction() as conn:
            answers = dict(conn.execute(sa.select(o.c.item_id, o.c.server_result)).all())
        assert answers[hostile["forged"].recorded.scan_id].startswith("recorded:forged_signature")
        assert answers[hostile["nul"].recorded.scan_id].startswith("recorded:malformed")
        assert answers[wild.recorded.scan_id].startswith("unsendable")
        assert all(answers[r].startswith("accepted") for r in redeemed)

        stored = database.scalar(
            "SELECT token FROM redemptions WHERE id = :i", i=hostile["nul"].recorded.scan_id
        )
        assert unseal(DEV_SIGNING_KEY_SECRET, stored) == "AB\ufffdCD"  # kept sealed
    finally:
        kiosk.close()
