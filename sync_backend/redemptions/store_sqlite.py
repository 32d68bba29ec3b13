"""The push store on SQLite (the demo): the same reads and writes as plain SQLAlchemy Core.

SQLite has one writer at a time, so there is no "in flight" to tell apart (the lock is always
got) and no race between the state read and the write; the session dependency commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from pika_protocol.validation import PriorRedemption
from sync_backend.devices.repository import find_key_owner
from sync_backend.dialects import SQLITE
from sync_backend.events import repository as events
from sync_backend.events.repository import NewEvent
from sync_backend.models import Device, IdempotencyKey, Redemption, Voucher
from sync_backend.redemptions.repository import stored_items
from sync_backend.redemptions.rows import (
    NO_OWNER,
    ROW_COLUMNS,
    BatchState,
    Claim,
    ClaimResult,
    KeyAnswer,
    RedemptionRow,
)
from sync_backend.redemptions.store import LostRace


class SqlitePushStore:
    def __init__(self, session: Session) -> None:
        self.session = session

    def claim_and_read(
        self,
        claims: Sequence[Claim],
        serials: Sequence[int],
        ids: Sequence[uuid.UUID],
        *,
        now: datetime,
        ttl: timedelta,
    ) -> tuple[list[ClaimResult], BatchState]:
        results = []
        for claim in claims:
            owner = find_key_owner(self.session, claim.key_hash)
            if owner is None:
                results.append(NO_OWNER)
                continue
            usable = owner.device_revoked_at is None and (
                owner.expires_at is None or owner.expires_at > now
            )
            claimed = usable and self._claim(owner.device_id, claim, now, ttl)
            results.append(ClaimResult(owner, True, claimed))
        return results, self._state(serials, ids)

    def _claim(self, device_id: str, claim: Claim, now: datetime, ttl: timedelta) -> bool:
        """Own the key (True), unless it is stored and younger than ``ttl``."""
        key = (IdempotencyKey.device_id == device_id, IdempotencyKey.key == claim.key)
        self.session.execute(
            sa.delete(IdempotencyKey).where(*key, IdempotencyKey.created_at < now - ttl)
        )
        inserted = self.session.execute(
            sqlite_insert(IdempotencyKey)
            .values(
                device_id=device_id, key=claim.key, request_hash=claim.request_hash, created_at=now
            )
            .on_conflict_do_nothing()
            .returning(IdempotencyKey.key)
        ).first()
        return inserted is not None

    def _state(self, serials: Sequence[int], ids: Sequence[uuid.UUID]) -> BatchState:
        state = BatchState()
        vouchers = sa.select(Voucher.serial, Voucher.token_sha256, Voucher.revoked_at).where(
            Voucher.serial.in_(serials)
        )
        for voucher in self.session.execute(vouchers):
            state.printed[voucher.serial] = voucher.token_sha256
            if voucher.revoked_at is not None:
                state.revoked.add(voucher.serial)
        accepted = (
            sa.select(
                Redemption.serial,
                Redemption.id,
                Redemption.device_id,
                Device.name,
                Redemption.scanned_at,
            )
            .join(Device, Device.id == Redemption.device_id)
            .where(
                Redemption.outcome == "accepted",
                Redemption.voided_at.is_(None),
                Redemption.serial.in_(serials),
            )
        )
        for row in self.session.execute(accepted):
            if row.serial is not None:
                state.accepted[row.serial] = PriorRedemption(
                    str(row.id), row.scanned_at, row.device_id, row.name
                )
        state.existing.update(stored_items(self.session, ids))
        return state

    def insert(self, rows: Sequence[RedemptionRow]) -> set[uuid.UUID]:
        inserted: set[uuid.UUID] = set()
        for row, seq in zip(rows, SQLITE.next_seqs(self.session, len(rows)), strict=True):
            got = self.session.execute(
                sqlite_insert(Redemption)
                .values(**_typed(row), seq=seq, txid=0)
                .on_conflict_do_nothing()
                .returning(Redemption.id)
            ).first()
            if got is not None:
                inserted.add(got[0])
        return inserted

    def commit(
        self,
        rows: Sequence[RedemptionRow],
        answers: Sequence[KeyAnswer],
        events_: Sequence[NewEvent],
        released: Sequence[tuple[str, str]],
    ) -> None:
        if len(self.insert(rows)) != len(rows):
            self.session.rollback()
            raise LostRace("a unique index refused a row")
        events.append_many(self.session, events_)
        for answer in answers:
            self.session.execute(
                sa.update(IdempotencyKey)
                .where(
                    IdempotencyKey.device_id == answer.device_id,
                    IdempotencyKey.key == answer.key,
                )
                .values(status_code=answer.status_code, response_body=answer.body)
            )
        for device_id, key in released:
            self.session.execute(
                sa.delete(IdempotencyKey).where(
                    IdempotencyKey.device_id == device_id, IdempotencyKey.key == key
                )
            )


def _typed(row: RedemptionRow) -> dict[str, Any]:
    """A JSON-valued row back in Python types, for SQLAlchemy."""
    typed: dict[str, Any] = dict(row)
    for name, pg in ROW_COLUMNS:
        value = typed.get(name)
        if value is None:
            continue
        if pg == "uuid":
            typed[name] = uuid.UUID(value)
        elif pg == "timestamptz":
            typed[name] = datetime.fromisoformat(value)
    return typed
