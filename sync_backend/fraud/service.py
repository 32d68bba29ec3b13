"""Runs the fraud rules over redemptions pushed since the last run, and the review list.

The checks run after the push has answered, reading the redemptions table as a feed in
``(txid, seq)`` order (the same finality rule as a kiosk pull), so the push path stays lean and
no pushed row is ever skipped. Re-running is harmless: a flag is unique per rule and subject.

No single row may stall the feed (issue 12: one scan dated year 9999 stopped every check, for
every business, for good). Window bounds saturate at the ends of time, and a batch whose
checks fail is checked again row by row, each in its own savepoint: a row no rule can read is
set aside (logged, a ``fraud_row_skipped`` event for head office) and the cursor moves past it.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import DataError
from sqlalchemy.orm import Session

from sync_backend.dialects import dialect_of
from sync_backend.errors import NotFound
from sync_backend.events import repository as events
from sync_backend.fraud import repository, rules
from sync_backend.fraud.rules import FlagDraft, ScanRow
from sync_backend.models import FraudFlag, utcnow
from sync_backend.observability.metrics import FRAUD_FLAGS
from sync_backend.redemptions.repository import FeedPosition
from sync_backend.settings import Settings

log = logging.getLogger(__name__)

BATCH = 2000

#: What a row's own values can make a check raise: arithmetic past the ends of time, a value
#: Postgres holds but Python cannot read. Anything else (the database gone, a statement
#: timeout) fails the whole run, which rolls back and is tried again with the cursor unmoved.
ROW_FAULTS = (ArithmeticError, ValueError, TypeError, LookupError, DataError)

_FIRST_MOMENT = datetime.min.replace(tzinfo=UTC)
_LAST_MOMENT = datetime.max.replace(tzinfo=UTC)


def run_checks(session: Session, settings: Settings) -> int:
    """Check every pushed row not checked yet; returns how many new flags were raised."""
    raised = 0
    while True:
        position = repository.cursor(session)
        horizon = dialect_of(session).feed_horizon(session)
        last: FeedPosition | None = None
        try:
            with session.begin_nested():
                batch = repository.new_rows(session, position, horizon, BATCH)
                if batch:
                    new = _raise_flags(session, _drafts(session, settings, [r for _p, r in batch]))
                    last, size = batch[-1][0], len(batch)
        except ROW_FAULTS:
            log.warning("fraud checks failed on a batch; checking it row by row", exc_info=True)
            new, last, size = _row_by_row(session, settings, position, horizon)
        if last is None:
            return raised
        raised += new
        repository.move_cursor(session, last)
        session.flush()
        if size < BATCH:
            return raised


def _raise_flags(session: Session, drafts: list[FlagDraft]) -> int:
    new = repository.add_flags(session, drafts, utcnow())
    for rule in new:
        FRAUD_FLAGS.labels(rule).inc()
    return len(new)


def _row_by_row(
    session: Session, settings: Settings, after: FeedPosition, horizon: int
) -> tuple[int, FeedPosition | None, int]:
    """Check the next batch one row at a time; set aside each row whose checks fail.

    Returns the new flags, the last position covered (None: nothing to check) and how many
    rows the batch had."""
    raised = 0
    positions = repository.new_positions(session, after, horizon, BATCH)
    for position, row_id in positions:
        try:
            with session.begin_nested():
                rows = repository.rows_at(session, [position])
                raised += _raise_flags(session, _drafts(session, settings, rows))
        except ROW_FAULTS as exc:
            log.error("fraud checks set aside redemption row %s: %r", row_id, exc)
            events.append(
                session,
                kind="fraud_row_skipped",
                actor="fraud-checks",
                subject=f"redemption:{row_id}",
                payload={"error": f"{type(exc).__name__}: {exc}"[:500]},
            )
    last = positions[-1][0] if positions else None
    return raised, last, len(positions)


def _widen(moment: datetime, by: timedelta) -> datetime:
    """``moment ± by``, saturating at the ends of Python's time (year 1, year 9999)."""
    try:
        return moment + by
    except OverflowError:
        return _LAST_MOMENT if by > timedelta(0) else _FIRST_MOMENT


def _drafts(session: Session, settings: Settings, rows: list[ScanRow]) -> list[FlagDraft]:
    new_ids = {r.id for r in rows}
    drafts = rules.per_row_flags(rows, settings.clock_skew_tolerance_s)

    by_device: dict[str, list[ScanRow]] = defaultdict(list)
    for row in rows:
        by_device[row.device_id].append(row)
    rate_window = 60.0
    burst_window = float(settings.fraud_rejected_burst_window_s)
    widest = timedelta(seconds=max(rate_window, burst_window))
    for device_id, device_new in by_device.items():
        start = _widen(min(r.scanned_at for r in device_new), -widest)
        end = _widen(max(r.scanned_at for r in device_new), widest)
        around = repository.device_rows(session, device_id, start, end)
        drafts += rules.window_flags(
            "scan_rate",
            around,
            threshold=settings.fraud_scans_per_minute,
            window_s=rate_window,
            new_ids=new_ids,
        )
        drafts += rules.window_flags(
            "rejected_burst",
            [r for r in around if r.refused],
            threshold=settings.fraud_rejected_burst - 1,
            window_s=burst_window,
            new_ids=new_ids,
        )
        located = [r for r in around if r.located]
        if located:
            earlier = repository.previous_located(
                session, device_id=device_id, serial=None, before=located[0].scanned_at
            )
            drafts += rules.travel_flags(
                f"device:{device_id}",
                earlier + located,
                max_speed_m_s=settings.fraud_max_speed_m_s,
                new_ids=new_ids,
            )

    serials = sorted({r.serial for r in rows if r.serial is not None})
    by_serial: dict[int, list[ScanRow]] = defaultdict(list)
    for row in repository.serial_rows(session, serials):
        assert row.serial is not None
        by_serial[row.serial].append(row)
    for serial, serial_rows in by_serial.items():
        drafts += rules.business_flags(serial, serial_rows)
        drafts += rules.travel_flags(
            f"serial:{serial}",
            serial_rows,
            max_speed_m_s=settings.fraud_max_speed_m_s,
            new_ids=new_ids,
        )

    offers = sorted(
        {r.offer_id for r in rows if r.offer_id is not None and r.outcome == "accepted"}
    )
    for offer_id, business_id, cap, accepted in repository.over_cap(session, offers):
        drafts.append(
            FlagDraft(
                "offer_cap",
                f"offer:{offer_id}/{accepted}",
                business_id,
                None,
                None,
                {"offer_id": offer_id, "cap_total": cap, "accepted": accepted},
            )
        )
    return _unique(drafts)


def _unique(drafts: list[FlagDraft]) -> list[FlagDraft]:
    seen: dict[tuple[str, str], FlagDraft] = {}
    for d in drafts:
        seen.setdefault((d.rule, d.dedupe_key), d)
    return list(seen.values())


def review(session: Session, flag_id: int, status: str, note: str, actor: str) -> FraudFlag:
    flag = repository.get_flag(session, flag_id)
    if flag is None:
        raise NotFound(f"no fraud flag {flag_id}")
    flag.status = status
    flag.review_note = note
    flag.reviewed_at = utcnow()
    events.append(
        session,
        kind="fraud_flag_reviewed",
        actor=actor,
        subject=f"flag:{flag_id}",
        business_id=flag.business_id,
        payload={"status": status, "note": note, "rule": flag.rule},
    )
    return flag
