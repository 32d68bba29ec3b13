"""Every query of the fraud checks and the review list."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sync_backend.dialects import dialect_of
from sync_backend.fraud.rules import FlagDraft, ScanRow
from sync_backend.models import FraudCursor, FraudFlag, Offer, Redemption
from sync_backend.redemptions.repository import FeedPosition

CURSOR_NAME = "redemptions"

_COLUMNS = (
    Redemption.id,
    Redemption.kind,
    Redemption.outcome,
    Redemption.business_id,
    Redemption.device_id,
    Redemption.serial,
    Redemption.offer_id,
    Redemption.server_reason,
    Redemption.kiosk_reason,
    Redemption.conflict_with,
    Redemption.scanned_at,
    Redemption.received_at,
    Redemption.clock_skew_s,
    Redemption.latitude,
    Redemption.longitude,
)


def _rows(result: Iterable[Sequence[Any]]) -> list[ScanRow]:
    out = []
    for r in result:
        values: list[Any] = list(r)
        values[0] = str(values[0])
        values[9] = None if values[9] is None else str(values[9])
        out.append(ScanRow(*values))
    return out


def cursor(session: Session) -> FeedPosition:
    row = session.get(FraudCursor, CURSOR_NAME, with_for_update=dialect_of(session).locks_rows)
    if row is None:
        session.add(FraudCursor(name=CURSOR_NAME, last_txid=-1, last_seq=-1))
        session.flush()
        return FeedPosition(-1, -1)
    return FeedPosition(row.last_txid, row.last_seq)


def move_cursor(session: Session, position: FeedPosition) -> None:
    session.execute(
        sa.update(FraudCursor)
        .where(FraudCursor.name == CURSOR_NAME)
        .values(last_txid=position.txid, last_seq=position.seq)
    )


def new_rows(
    session: Session, after: FeedPosition, horizon: int, limit: int
) -> list[tuple[FeedPosition, ScanRow]]:
    result = session.execute(
        sa.select(Redemption.txid, Redemption.seq, *_COLUMNS)
        .where(
            sa.tuple_(Redemption.txid, Redemption.seq)
            > sa.tuple_(sa.literal(after.txid), sa.literal(after.seq)),
            Redemption.txid < horizon,
        )
        .order_by(Redemption.txid, Redemption.seq)
        .limit(limit)
    )
    out = []
    for r in result:
        position = FeedPosition(r[0], r[1])
        out.append((position, _rows([r[2:]])[0]))
    return out


def new_positions(
    session: Session, after: FeedPosition, horizon: int, limit: int
) -> list[tuple[FeedPosition, str]]:
    """Like :func:`new_rows`, positions and ids only: they read even when a row's other
    values cannot be (a timestamp beyond Python's range), so such a row can be set aside."""
    result = session.execute(
        sa.select(Redemption.txid, Redemption.seq, Redemption.id)
        .where(
            sa.tuple_(Redemption.txid, Redemption.seq)
            > sa.tuple_(sa.literal(after.txid), sa.literal(after.seq)),
            Redemption.txid < horizon,
        )
        .order_by(Redemption.txid, Redemption.seq)
        .limit(limit)
    )
    return [(FeedPosition(r[0], r[1]), str(r[2])) for r in result]


def rows_at(session: Session, positions: Sequence[FeedPosition]) -> list[ScanRow]:
    if not positions:
        return []
    return _rows(
        session.execute(
            sa.select(*_COLUMNS).where(
                sa.tuple_(Redemption.txid, Redemption.seq).in_([(p.txid, p.seq) for p in positions])
            )
        )
    )


def device_rows(session: Session, device_id: str, start: datetime, end: datetime) -> list[ScanRow]:
    return _rows(
        session.execute(
            sa.select(*_COLUMNS)
            .where(
                Redemption.device_id == device_id,
                Redemption.scanned_at >= start,
                Redemption.scanned_at <= end,
            )
            .order_by(Redemption.scanned_at, Redemption.seq)
        )
    )


def previous_located(
    session: Session, *, device_id: str | None, serial: int | None, before: datetime
) -> list[ScanRow]:
    where = [Redemption.scanned_at < before, Redemption.latitude.is_not(None)]
    where.append(Redemption.device_id == device_id if device_id else Redemption.serial == serial)
    return _rows(
        session.execute(
            sa.select(*_COLUMNS).where(*where).order_by(Redemption.scanned_at.desc()).limit(1)
        )
    )


def serial_rows(
    session: Session, serials: Sequence[int], window: timedelta | None = None
) -> list[ScanRow]:
    if not serials:
        return []
    return _rows(
        session.execute(
            sa.select(*_COLUMNS)
            .where(Redemption.serial.in_(list(serials)))
            .order_by(Redemption.scanned_at, Redemption.seq)
        )
    )


def over_cap(session: Session, offer_ids: Sequence[int]) -> list[tuple[int, int, int, int]]:
    """(offer, business, cap, accepted) for offers with more accepted redemptions than cap."""
    if not offer_ids:
        return []
    accepted = sa.func.count(Redemption.id)
    rows = session.execute(
        sa.select(Offer.id, Offer.business_id, Offer.cap_total, accepted)
        .join(
            Redemption,
            sa.and_(
                Redemption.offer_id == Offer.id,
                Redemption.outcome == "accepted",
                Redemption.voided_at.is_(None),  # a voided redemption gave nothing
            ),
        )
        .where(Offer.id.in_(list(offer_ids)), Offer.cap_total.is_not(None))
        .group_by(Offer.id, Offer.business_id, Offer.cap_total)
        .having(accepted > Offer.cap_total)
    )
    return [(r[0], r[1], r[2] or 0, r[3]) for r in rows]


def add_flags(session: Session, flags: Sequence[FlagDraft], now: datetime) -> list[str]:
    """Insert flags not raised before; returns the rules of the new ones."""
    if not flags:
        return []
    values = [
        {
            "rule": f.rule,
            "dedupe_key": f.dedupe_key,
            "business_id": f.business_id,
            "device_id": f.device_id,
            "serial": f.serial,
            "evidence": f.evidence,
            "created_at": now,
            "status": "open",
        }
        for f in flags
    ]
    result = session.execute(
        dialect_of(session)
        .insert(FraudFlag)
        .values(values)
        .on_conflict_do_nothing()
        .returning(FraudFlag.rule)
    )
    return [r[0] for r in result]


def list_flags(
    session: Session, *, status: str | None, business_id: int | None, rule: str | None, limit: int
) -> list[FraudFlag]:
    query = sa.select(FraudFlag).order_by(FraudFlag.id.desc()).limit(limit)
    if status:
        query = query.where(FraudFlag.status == status)
    if business_id is not None:
        query = query.where(FraudFlag.business_id == business_id)
    if rule:
        query = query.where(FraudFlag.rule == rule)
    return list(session.scalars(query))


def get_flag(session: Session, flag_id: int) -> FraudFlag | None:
    return session.get(FraudFlag, flag_id)
