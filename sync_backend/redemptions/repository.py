"""The redemption queries outside the push store: the conflict step's reads, voids, the feed.

The push's own reads and writes are the push store's (``store``: ``store_pg``,
``store_sqlite``); these are plain SQLAlchemy Core that both databases run as is.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sync_backend.dialects import dialect_of
from sync_backend.errors import Unprocessable
from sync_backend.models import Redemption
from sync_backend.pg_types import fits_bigint
from sync_backend.redemptions.rows import StoredItem


def stored_items(session: Session, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, StoredItem]:
    if not ids:
        return {}
    rows = session.execute(
        sa.select(
            Redemption.id, Redemption.outcome, Redemption.server_reason, Redemption.conflict_with
        ).where(Redemption.id.in_(list(ids)))
    )
    return {r[0]: StoredItem(r[1], r[2], r[3]) for r in rows}


def accepted_for(session: Session, serials: Sequence[int]) -> dict[int, uuid.UUID]:
    if not serials:
        return {}
    rows = session.execute(
        sa.select(Redemption.serial, Redemption.id).where(
            Redemption.outcome == "accepted",
            Redemption.voided_at.is_(None),
            Redemption.serial.in_(list(serials)),
        )
    )
    return {r[0]: r[1] for r in rows if r[0] is not None}


# ---------------------------------------------------------------- voids


@dataclass(frozen=True, slots=True)
class VoidTarget:
    """The redemption row a kiosk's void names, as the void decision needs it."""

    kind: str
    device_id: str
    business_id: int
    serial: int | None
    voided_by: uuid.UUID | None


def void_target(session: Session, redemption_id: uuid.UUID) -> VoidTarget | None:
    row = session.execute(
        sa.select(
            Redemption.kind,
            Redemption.device_id,
            Redemption.business_id,
            Redemption.serial,
            Redemption.voided_by,
        ).where(Redemption.id == redemption_id)
    ).first()
    return None if row is None else VoidTarget(*row)


def mark_voided(
    session: Session,
    redemption_id: uuid.UUID,
    *,
    void_id: uuid.UUID,
    voided_at: datetime,
    reason: str,
) -> bool:
    """Void the row unless something voided it first (then False: the caller re-reads).

    The ``voided_at IS NULL`` condition makes two concurrent voids of one row settle on one:
    the second waits for the first's row lock and then matches nothing.
    """
    dialect = dialect_of(session)
    result = session.execute(
        sa.update(Redemption)
        .where(Redemption.id == redemption_id, Redemption.voided_at.is_(None))
        .values(
            voided_at=voided_at,
            void_reason=reason,
            voided_by=void_id,
            # A new feed position: kiosks that pulled the redemption learn of the void.
            seq=dialect.next_seqs(session, 1)[0],
            txid=dialect.txid(),
        )
        .returning(Redemption.id)
    )
    return result.first() is not None


# ---------------------------------------------------------------- pull


@dataclass(frozen=True, slots=True)
class FeedPosition:
    txid: int
    seq: int

    def encode(self) -> str:
        return f"{self.txid}.{self.seq}"

    @classmethod
    def decode(cls, text: str | None) -> FeedPosition:
        """The position a kiosk's ``?cursor=`` names; a text no pull ever gave (numbers
        beyond bigint, say) is a 422 ``invalid_cursor``, never a query that fails."""
        if not text:
            return cls(-1, -1)
        txid, _, seq = text.partition(".")
        try:
            position = cls(int(txid), int(seq))
        except ValueError:
            position = None
        if position is None or not (fits_bigint(position.txid) and fits_bigint(position.seq)):
            raise Unprocessable(
                "cursor is not one a pull gave; pull without it to start over",
                code="invalid_cursor",
            )
        return position


def feed(
    session: Session,
    model: Any,
    *,
    after: FeedPosition,
    horizon: int,
    limit: int,
    where: Sequence[sa.ColumnElement[bool]] = (),
) -> list[Any]:
    """Rows of ``model`` changed after ``after``, in ``(txid, seq)`` order, final ones only."""
    position = sa.tuple_(model.txid, model.seq) > sa.tuple_(
        sa.literal(after.txid), sa.literal(after.seq)
    )
    query = (
        sa.select(model)
        .where(position, model.txid < horizon, *where)
        .order_by(model.txid, model.seq)
        .limit(limit)
    )
    return list(session.scalars(query))
