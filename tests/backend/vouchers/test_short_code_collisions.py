"""No two printed vouchers share a short code, even when the 40-bit code collides.

The real code collides about once in 440 books of 2,500 among a million vouchers: too rarely
to meet in a test. A coarse code of 10 bits (its first two characters, 1,024 values) makes
collisions certain, within a book and against earlier books, on Postgres and on SQLite.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from pika_protocol.tokens import short_code_for, verify
from sync_backend.cli import demo_settings
from sync_backend.db import make_engine, make_sessionmaker
from sync_backend.migrate import upgrade
from sync_backend.models import Voucher
from sync_backend.settings import Settings
from sync_backend.vouchers import service, unique_codes
from sync_backend.vouchers.service import book_copies
from sync_backend.vouchers.signing import PrivateKeyCache, public_keys
from tests.backend.support import ADMIN, Kit


def coarse_code(token: str) -> str:
    return short_code_for(token)[:2]


@pytest.fixture
def coarse_codes(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Short codes of 1,024 values; counts every code computed (so, every signature)."""
    computed: Counter[str] = Counter()

    def code(token: str) -> str:
        computed[coarse_code(token)] += 1
        return coarse_code(token)

    monkeypatch.setattr(unique_codes, "short_code_for", code)
    return computed


def check_books(session: Session, settings: Settings, books: list[dict]) -> None:  # type: ignore[type-arg]
    """Every copy's stored code is its token's code, no code twice, variants as promised."""
    keys = public_keys(session)
    codes: list[str] = []
    for book in books:
        copies = book_copies(session, PrivateKeyCache(settings), book["id"])
        assert len(copies) == book["copies"]
        assert (copies[0].serial, copies[-1].serial) == (book["first_serial"], book["last_serial"])
        per_variant = Counter(str(c.variant) for c in copies)
        assert per_variant == Counter({k: v for k, v in book["copies_per_variant"].items() if v})
        for copy in copies:
            assert verify(copy.token, keys).claims.serial == copy.serial
            assert copy.short_code == coarse_code(copy.token)
            codes.append(copy.short_code)
    assert len(codes) == len(set(codes))
    stored = session.scalars(sa.select(Voucher.short_code)).all()
    assert len(stored) == len(set(stored)) == len(codes)


def test_colliding_codes_are_signed_again_on_postgres(
    client, kit: Kit, session: Session, coarse_codes: Counter[str]
) -> None:
    business = kit.business()
    offer = client.post(
        "/v1/admin/offers",
        headers=ADMIN,
        json={
            "business_id": business,
            "title": "2x1",
            "discount": "2x1",
            "valid_from": (datetime.now(UTC) - timedelta(days=1)).isoformat(),
            "valid_until": (datetime.now(UTC) + timedelta(days=90)).isoformat(),
            "variants": [
                {"variant": 1, "label": "A", "weight": 50},
                {"variant": 2, "label": "B", "weight": 50},
            ],
        },
    ).json()
    books = []
    for copies in (300, 300):  # 600 of 1,024 codes: many collide, in the book and with the first
        answer = client.post(
            f"/v1/admin/offers/{offer['id']}/books", headers=ADMIN, json={"copies": copies}
        )
        assert answer.status_code == 201, answer.text
        books.append(answer.json())
    assert sum(coarse_codes.values()) > 600  # some copies were signed again
    session.expire_all()
    check_books(session, kit.settings, books)
    # The serials a re-signed copy gave up are skipped, never reused.
    serials = session.scalars(sa.select(Voucher.serial)).all()
    assert len(serials) == len(set(serials)) == 600


def test_colliding_codes_are_signed_again_on_sqlite(
    tmp_path: Path, coarse_codes: Counter[str]
) -> None:
    settings = demo_settings(tmp_path / "demo.db")
    upgrade(settings.database_url)
    engine = make_engine(settings)
    try:
        with make_sessionmaker(engine)() as session:
            kit = Kit(session, settings)
            business = kit.business()
            offer = kit.offer(business)
            books = []
            for copies in (300, 300):
                book = service.print_book(session, settings, offer, copies, actor="test")
                session.commit()
                books.append(book.model_dump(mode="json"))
            assert sum(coarse_codes.values()) > 600
            check_books(session, settings, books)
    finally:
        engine.dispose()
