"""Where the push pipeline reads and writes: one small interface, one implementation per
database (``store_pg`` for Postgres, ``store_sqlite`` for the demo), chosen by the session's
dialect (``pipeline.push_store``). The pipeline (``pipeline``) is the same for both.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy.orm import Session

from sync_backend.events.repository import NewEvent
from sync_backend.redemptions.rows import BatchState, Claim, ClaimResult, KeyAnswer, RedemptionRow


class LostRace(Exception):
    """A concurrent request stored one of the rows' ids, or accepted one of their copies,
    between the state read and the write. Nothing was kept: decide again, settling conflicts."""


class PushStore(Protocol):
    """The push's reads and writes, in the transaction of ``session``."""

    session: Session

    def claim_and_read(
        self,
        claims: Sequence[Claim],
        serials: Sequence[int],
        ids: Sequence[uuid.UUID],
        *,
        now: datetime,
        ttl: timedelta,
    ) -> tuple[list[ClaimResult], BatchState]:
        """Look up each claim's API key owner and claim its Idempotency-Key for that device
        (keys older than ``ttl`` count as new), and read the server state of ``serials`` and
        item ``ids``. Results in the claims' order."""
        ...

    def insert(self, rows: Sequence[RedemptionRow]) -> set[uuid.UUID]:
        """Insert what no unique index refuses; the ids that went in (the pipeline's conflict
        step re-files the others)."""
        ...

    def commit(
        self,
        rows: Sequence[RedemptionRow],
        answers: Sequence[KeyAnswer],
        events: Sequence[NewEvent],
        released: Sequence[tuple[str, str]],
    ) -> None:
        """Insert ``rows`` all or nothing (:class:`LostRace`, transaction rolled back, when a
        unique index refuses one), store the ``answers``, append the ``events``, drop the
        ``released`` (device id, key) claims, and commit where the store can (Postgres: all in
        one round trip)."""
        ...
