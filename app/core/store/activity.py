"""The counter-activity room (``store.activity``): what happened at this kiosk's counter.

Scans (accepted or not), the redemptions they made, voids, the redemptions other kiosks of the
business made (learned from sync), the reports the manager reads, and the append-only event
log. Each write is one transaction on the store's connection: recording a scan writes the scan
row, its outbox item (:func:`app.core.store.outbox.queue`) and its event always, plus the
redemption row when the scan was accepted, together or not at all. A second live redemption of
a serial is refused by a partial unique index in the database itself, not by a check before
the insert.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.core.store import schema
from app.core.store.column_types import to_iso_utc
from app.core.store.database import INSERT_EVENT, Database, require_serial, utc_now
from app.core.store.errors import InvalidRecordError, UnknownRedemptionError
from app.core.store.outbox import queue, release
from app.core.store.outbox_payload import ScanEvidence, scan_payload, void_payload
from app.core.store.records import (
    CounterRow,
    OutboxKind,
    OutboxState,
    RecordedScan,
    RemoteRedemption,
    ScanRecord,
    ScanSource,
    require_utc_aware,
)
from app.core.store.settings import SettingKey, Settings
from pika_protocol.validation import PriorRedemption, Reason, Validation


class CounterActivity:
    """Scans, redemptions, voids, remote redemptions, reports and the event log."""

    #: How much of a scanned text is kept as evidence; ``raw_length`` keeps the full length.
    RAW_EXCERPT_CHARS = 512
    DETAIL_CHARS = 500

    def __init__(self, db: Database, settings: Settings) -> None:
        self._db = db
        self._settings = settings

    def _business_id(self) -> int | None:
        text = self._settings.get(SettingKey.BUSINESS_ID)
        return int(text) if text and text.isdigit() else None

    def find_redemption(self, serial: int) -> PriorRedemption | None:
        """The live (not voided) redemption of ``serial``; a :data:`RedemptionLookup`."""
        with self._db.transaction() as conn:
            return _find_live_redemption(conn, serial)

    def record_scan(
        self,
        validation: Validation,
        *,
        scan_id: uuid.UUID,
        scanned_at: datetime,
        device_id: str,
        source: str,
        raw_text: str,
        hold_for: timedelta | None = None,
    ) -> RecordedScan:
        """Keep one scan, accepted or not, in ONE transaction; return what was committed.

        Always writes the scan row, one outbox item (kind ``redemption`` when accepted, else
        ``scan``) and one event; when the validation accepted the voucher, also the redemption
        row, whose id is ``scan_id``. If the database refuses that redemption because the serial
        already has a live one (a race, or a redemption that arrived since validation), the scan
        is recorded as ``already_redeemed`` with the earlier redemption as ``prior``.

        ``scan_id`` is the idempotency key: recording the same id again writes nothing and
        returns the first result with ``replayed=True``.

        With ``hold_for``, a redemption's outbox item is held from the push that long at most
        (the cashier may type the sale total, :mod:`app.core.store.sale_totals`); the
        redemption itself is committed here all the same, so a killed kiosk loses nothing.
        """
        scan_source = _scan_source(source)
        if not isinstance(validation, Validation):
            raise InvalidRecordError("record_scan needs the Validation of this scan")
        if not isinstance(scan_id, uuid.UUID):
            raise InvalidRecordError(f"scan_id must be a UUID, got {scan_id!r}")
        require_utc_aware("scanned_at", scanned_at)
        if not isinstance(device_id, str) or not device_id:
            raise InvalidRecordError("device_id must be non-empty text")
        if not isinstance(raw_text, str):
            raise InvalidRecordError("raw_text must be the scanned text")
        if hold_for is not None and hold_for <= timedelta(0):
            raise InvalidRecordError(f"a hold must be positive, got {hold_for}")
        claims = validation.claims
        if validation.accepted and (claims is None or validation.token is None):
            raise InvalidRecordError("an accepted validation must carry the voucher's claims")

        with self._db.transaction() as conn:
            replay = _recorded_scan(conn, scan_id, validation)
            if replay is not None:
                return replay
            reason, prior, refused = validation.reason, validation.prior, False
            if validation.accepted and claims is not None:
                inserted = conn.execute(
                    _INSERT_REDEMPTION,
                    {
                        "redemption_id": scan_id,
                        "serial": claims.serial,
                        "offer_id": claims.offer_id,
                        "business_id": claims.business_id,
                        "variant": claims.variant,
                        "redeemed_at": scanned_at,
                        "device_id": device_id,
                        "device_name": self._settings.get(SettingKey.DEVICE_NAME) or "",
                        "source": scan_source.value,
                        "origin": "local",
                    },
                )
                if inserted.rowcount == 0:
                    reason, refused = Reason.ALREADY_REDEEMED, True
                    prior = _find_live_redemption(conn, claims.serial)
            accepted = reason is Reason.VALID
            redemption_id = scan_id if accepted else None
            detail = validation.detail[: self.DETAIL_CHARS]
            if refused:
                detail = "the database already holds a live redemption of this serial"
            conn.execute(
                _INSERT_SCAN,
                {
                    "scan_id": scan_id,
                    "scanned_at": scanned_at,
                    "device_id": device_id,
                    "source": scan_source.value,
                    "reason": reason.value,
                    "serial": None if claims is None else claims.serial,
                    "offer_id": None if claims is None else claims.offer_id,
                    "business_id": None if claims is None else claims.business_id,
                    "variant": None if claims is None else claims.variant,
                    "raw_excerpt": raw_text[: self.RAW_EXCERPT_CHARS],
                    "raw_length": len(raw_text),
                    "detail": detail,
                    "refused_by_store": refused,
                    "redemption_id": redemption_id,
                },
            )
            facts: dict[str, Any] = {
                "scan_id": str(scan_id),
                "redemption_id": None if redemption_id is None else str(redemption_id),
                "reason": reason.value,
                "serial": None if claims is None else claims.serial,
                "offer_id": None if claims is None else claims.offer_id,
                "business_id": None if claims is None else claims.business_id,
                "variant": None if claims is None else claims.variant,
                "scanned_at": to_iso_utc(scanned_at),
                "device_id": device_id,
                "source": scan_source.value,
                "prior_redemption_id": None if prior is None else prior.redemption_id,
                "refused_by_store": refused,
            }
            kind = OutboxKind.REDEMPTION if accepted else OutboxKind.SCAN
            evidence = ScanEvidence(
                detail=detail,
                raw_excerpt=raw_text[: self.RAW_EXCERPT_CHARS],
                raw_length=len(raw_text),
                prior_redemption_id=None if prior is None else prior.redemption_id,
                refused_by_store=refused,
            )
            payload = scan_payload(
                item_id=scan_id,
                kind=kind,
                token=validation.token,
                claims=claims,
                business_id=self._business_id(),
                reason=reason,
                scanned_at=scanned_at,
                device_id=device_id,
                source=scan_source,
                evidence=evidence,
            )
            held = accepted and hold_for is not None
            hold = utc_now() + hold_for if held and hold_for is not None else None
            queue(conn, scan_id, kind, payload, held_until=hold)
            conn.execute(
                INSERT_EVENT,
                {
                    "at": scanned_at,
                    "type": "redemption.recorded" if accepted else "scan.rejected",
                    "payload": facts,
                },
            )
        return RecordedScan(
            scan_id=scan_id,
            reason=reason,
            scanned_at=scanned_at,
            device_id=device_id,
            source=scan_source,
            claims=claims,
            prior=prior,
            refused_by_store=refused,
            held=held,
        )

    def void_redemption(
        self, redemption_id: uuid.UUID, *, reason: str, voided_at: datetime, device_id: str
    ) -> None:
        """Undo a mistaken redemption (cashier) or void it (manager), in one transaction with
        its outbox item and event. The voucher becomes redeemable again; the row stays."""
        if not isinstance(reason, str) or not reason.strip():
            raise InvalidRecordError("voiding a redemption needs a reason")
        require_utc_aware("voided_at", voided_at)
        r = schema.redemptions
        with self._db.transaction() as conn:
            row = conn.execute(
                select(r.c.serial).where(
                    r.c.redemption_id == redemption_id, r.c.voided_at.is_(None)
                )
            ).first()
            if row is None:
                raise UnknownRedemptionError(f"no live redemption {redemption_id}")
            conn.execute(
                update(r)
                .where(r.c.redemption_id == redemption_id)
                .values(voided_at=voided_at, void_reason=reason)
            )
            facts = {
                "redemption_id": str(redemption_id),
                "serial": row.serial,
                "void_reason": reason,
                "voided_at": to_iso_utc(voided_at),
                "device_id": device_id,
            }
            item_id = uuid.uuid4()
            payload = void_payload(
                item_id=item_id,
                redemption_id=redemption_id,
                serial=row.serial,
                void_reason=reason,
                voided_at=voided_at,
                business_id=self._business_id(),
                device_id=device_id,
            )
            # The redemption goes before its void: a held one (its prompt still open) is let go.
            release(conn, [redemption_id])
            queue(conn, item_id, OutboxKind.VOID, payload)
            conn.execute(
                INSERT_EVENT, {"at": voided_at, "type": "redemption.voided", "payload": facts}
            )

    def add_remote_redemptions(self, redemptions: Iterable[RemoteRedemption]) -> int:
        """Learn redemptions made at the business's other kiosks (from sync); return how many
        were new. One transaction; this kiosk's own redemptions echoed back are skipped.

        If this kiosk holds its own live redemption of the same serial (both redeemed it
        offline), the local row stays, the backend decides which one counts, and a
        ``redemption.conflict_seen`` event records the other one: the discount was given twice.
        """
        items = list(redemptions)
        for item in items:
            if not isinstance(item, RemoteRedemption):
                raise InvalidRecordError(f"expected RemoteRedemption, got {type(item).__name__}")
        r = schema.redemptions
        added = 0
        with self._db.transaction() as conn:
            for item in items:
                known = conn.execute(
                    select(r.c.redemption_id).where(r.c.redemption_id == item.redemption_id)
                ).first()
                if known is not None:
                    continue
                inserted = conn.execute(
                    _INSERT_REDEMPTION,
                    {
                        "redemption_id": item.redemption_id,
                        "serial": item.serial,
                        "offer_id": item.offer_id,
                        "business_id": item.business_id,
                        "variant": item.variant,
                        "redeemed_at": item.redeemed_at,
                        "device_id": item.device_id,
                        "device_name": item.device_name,
                        "source": item.source.value,
                        "origin": "remote",
                    },
                )
                if inserted.rowcount:
                    added += 1
                    continue
                prior = _find_live_redemption(conn, item.serial)
                conn.execute(
                    INSERT_EVENT,
                    {
                        "at": utc_now(),
                        "type": "redemption.conflict_seen",
                        "payload": {
                            "serial": item.serial,
                            "remote_redemption_id": str(item.redemption_id),
                            "remote_device_id": item.device_id,
                            "remote_redeemed_at": to_iso_utc(item.redeemed_at),
                            "local_redemption_id": None if prior is None else prior.redemption_id,
                        },
                    },
                )
        return added

    def void_remote_redemptions(self, voids: Iterable[tuple[uuid.UUID, datetime]]) -> int:
        """Let go of redemptions other kiosks took back (from sync): each known remote
        redemption named in ``voids`` (id, voided at) is marked voided, so its copy is free
        here too; return how many changed. Unknown ids and this kiosk's own rows are left
        alone (a kiosk's own voids are its own business). One transaction, one event each."""
        r = schema.redemptions
        changed = 0
        with self._db.transaction() as conn:
            for redemption_id, voided_at in voids:
                require_utc_aware("voided_at", voided_at)
                row = conn.execute(
                    update(r)
                    .where(
                        r.c.redemption_id == redemption_id,
                        r.c.origin == "remote",
                        r.c.voided_at.is_(None),
                    )
                    .values(voided_at=voided_at, void_reason="voided at the other kiosk")
                    .returning(r.c.serial, r.c.device_id)
                ).first()
                if row is None:
                    continue
                changed += 1
                conn.execute(
                    INSERT_EVENT,
                    {
                        "at": voided_at,
                        "type": "redemption.remote_voided",
                        "payload": {
                            "redemption_id": str(redemption_id),
                            "serial": row.serial,
                            "remote_device_id": row.device_id,
                            "voided_at": to_iso_utc(voided_at),
                        },
                    },
                )
        return changed

    def recent_scans(self, limit: int = 50) -> list[ScanRecord]:
        """The latest scans, newest first, with whether each has been answered by the server."""
        s, o = schema.scans, schema.outbox
        query = (
            select(s, o.c.state, o.c.server_result, o.c.set_aside_at)
            .select_from(s.outerjoin(o, o.c.item_id == s.c.scan_id))
            .order_by(s.c.scanned_at.desc(), s.c.scan_id)
            .limit(max(0, int(limit)))
        )
        with self._db.transaction() as conn:
            rows = conn.execute(query).all()
        return [
            ScanRecord(
                scan_id=row.scan_id,
                scanned_at=row.scanned_at,
                device_id=row.device_id,
                source=ScanSource(row.source),
                reason=Reason(row.reason),
                serial=row.serial,
                offer_id=row.offer_id,
                business_id=row.business_id,
                variant=row.variant,
                redemption_id=row.redemption_id,
                detail=row.detail,
                synced=row.state == OutboxState.DONE.value,
                sync_result=row.server_result,
                set_aside=row.state == OutboxState.PENDING.value and row.set_aside_at is not None,
            )
            for row in rows
        ]

    def scan_counts(self, since: datetime) -> dict[Reason, int]:
        """How many scans got each reason from ``since`` on (e.g. today, for the manager);
        reasons with no scan are left out. Counted by the database, not by reading rows."""
        require_utc_aware("since", since)
        s = schema.scans
        query = select(s.c.reason, func.count()).where(s.c.scanned_at >= since).group_by(s.c.reason)
        with self._db.transaction() as conn:
            rows = conn.execute(query).all()
        return {Reason(reason): int(count) for reason, count in rows}

    def counter_rows(self, since: datetime, until: datetime) -> list[CounterRow]:
        """This kiosk's scans from ``since`` until (not including) ``until``, each with, for a
        redemption, whether it still stands and the sale total typed: what the manager's
        today / this week view counts (a week at one counter is a few thousand rows)."""
        require_utc_aware("since", since)
        require_utc_aware("until", until)
        s, r = schema.scans, schema.redemptions
        query = (
            select(s.c.scanned_at, s.c.reason, r.c.voided_at, r.c.sale_total)
            .select_from(s.outerjoin(r, r.c.redemption_id == s.c.redemption_id))
            .where(s.c.scanned_at >= since, s.c.scanned_at < until)
        )
        with self._db.transaction() as conn:
            rows = conn.execute(query).all()
        return [
            CounterRow(
                scanned_at=row.scanned_at,
                reason=Reason(row.reason),
                voided=row.voided_at is not None,
                sale_total=row.sale_total,
            )
            for row in rows
        ]

    def record_event(self, event_type: str, payload: Mapping[str, Any], *, at: datetime) -> None:
        """Append one event that is not part of a scan (sync: clock skew seen, key rotated,
        device revoked). The event log stays append-only; ``payload`` must be JSON-able."""
        if not isinstance(event_type, str) or not event_type:
            raise InvalidRecordError("an event needs a non-empty type")
        require_utc_aware("at", at)
        with self._db.transaction() as conn:
            conn.execute(INSERT_EVENT, {"at": at, "type": event_type, "payload": dict(payload)})


_INSERT_REDEMPTION = sqlite_insert(schema.redemptions).on_conflict_do_nothing(
    index_elements=[schema.redemptions.c.serial],
    index_where=schema.redemptions.c.voided_at.is_(None),
)
_INSERT_SCAN = schema.scans.insert()


def _scan_source(source: str) -> ScanSource:
    try:
        return ScanSource(source)
    except ValueError as exc:
        allowed = ", ".join(s.value for s in ScanSource)
        raise InvalidRecordError(f"scan source must be one of {allowed}, got {source!r}") from exc


def _find_live_redemption(conn: Connection, serial: int) -> PriorRedemption | None:
    require_serial(serial)
    r = schema.redemptions
    row = conn.execute(
        select(r.c.redemption_id, r.c.redeemed_at, r.c.device_id, r.c.device_name).where(
            r.c.serial == serial, r.c.voided_at.is_(None)
        )
    ).first()
    if row is None:
        return None
    return PriorRedemption(
        redemption_id=str(row.redemption_id),
        redeemed_at=row.redeemed_at,
        device_id=row.device_id,
        device_name=row.device_name,
    )


def _recorded_scan(
    conn: Connection, scan_id: uuid.UUID, validation: Validation
) -> RecordedScan | None:
    """The first result for a scan id already recorded, rebuilt from its rows."""
    s = schema.scans
    row = conn.execute(select(s).where(s.c.scan_id == scan_id)).first()
    if row is None:
        return None
    reason = Reason(row.reason)
    prior = None
    if reason is Reason.ALREADY_REDEEMED and row.serial is not None:
        prior = _find_live_redemption(conn, row.serial)
    return RecordedScan(
        scan_id=scan_id,
        reason=reason,
        scanned_at=row.scanned_at,
        device_id=row.device_id,
        source=ScanSource(row.source),
        claims=validation.claims,
        prior=prior,
        refused_by_store=row.refused_by_store,
        replayed=True,
    )
