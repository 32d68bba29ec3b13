"""The kiosk's local encrypted store: reference data from sync, and every scan made here.

One :class:`KioskStore` owns one SQLCipher connection for its whole life (see
:mod:`app.core.store.connection` for why). It is meant to be used from one thread at a time:
the UI routes every call through one worker. The store does not rely on that for safety,
though: each public method holds the store's lock for its whole transaction, so calls from
two threads are serialised, never interleaved on the shared connection.

Recording a scan is one transaction (:meth:`KioskStore.record_scan`): the scan row, its outbox
item and its event always, plus the redemption row when the scan was accepted, commit together
or not at all. A second live redemption of a serial is refused by a partial unique index in
the database itself, not by a check before the insert.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import Connection, Engine, Row, Select, bindparam, func, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError

from app.core.store import schema
from app.core.store.column_types import to_iso_utc
from app.core.store.connection import (
    SQLITE_BUSY,
    SQLITE_CORRUPT,
    SQLITE_LOCKED,
    SQLITE_NOTADB,
    open_engine,
)
from app.core.store.errors import (
    CorruptStoreError,
    InvalidRecordError,
    InvalidVoucherError,
    PublicKeyConflictError,
    SchemaTooNewError,
    StoreBusyError,
    StoreClosedError,
    StoreError,
    StoreIOError,
    UnknownRedemptionError,
)
from app.core.store.migrate import current_revisions, unknown_revisions, upgrade_to_head
from app.core.store.records import (
    DiscountKind,
    Offer,
    OutboxItem,
    OutboxKind,
    OutboxState,
    RecordedScan,
    RemoteRedemption,
    ScanRecord,
    ScanSource,
    require_utc_aware,
)
from pika_protocol.tokens import (
    TokenError,
    load_public_key,
    normalise_text,
    short_code_for,
)
from pika_protocol.tokens import decode as decode_token
from pika_protocol.validation import PriorRedemption, Reason, Validation

_U16 = 0xFFFF
_U64 = 2**64 - 1
_IN_CHUNK = 500  # rows per IN (...) query: far below SQLite's bound-parameter limit


class SettingKey:
    """Names of the settings the kiosk itself relies on (any other key may be stored too)."""

    DEVICE_ID = "device_id"
    DEVICE_NAME = "device_name"
    BUSINESS_ID = "business_id"


class KioskStore:
    """The encrypted local store of one kiosk. Open with :meth:`open`, end with :meth:`close`."""

    #: How much of a scanned text is kept as evidence; ``raw_length`` keeps the full length.
    RAW_EXCERPT_CHARS = 512
    DETAIL_CHARS = 500

    def __init__(self, path: Path, engine: Engine, connection: Connection) -> None:
        """Use :meth:`open`; this only wires an already opened, migrated connection (the
        benchmark also wires an unencrypted one here, to price the encryption)."""
        self.path = path
        self._engine = engine
        self._conn: Connection | None = connection
        self._lock = threading.RLock()
        self._public_keys: dict[int, Ed25519PublicKey] | None = None
        self._revoked: frozenset[int] | None = None
        self._settings: dict[str, str] = {}
        self._load_settings()

    # -- lifecycle ------------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path, key: bytes) -> KioskStore:
        """Open the store at ``path`` with its 32-byte key; create and migrate it if new.

        A new store is built under a temporary name and renamed into place once migrated, so
        ``path`` either does not exist or is a complete store. An existing file is opened only
        if the key is right and every page is intact; otherwise a typed :class:`StoreError` is
        raised and the file is left exactly as it was.
        """
        path = Path(path)
        try:
            if not path.exists():
                _create(path, key)
            engine, connection = open_engine(path, key, create=False)
        except DBAPIError as exc:
            raise _translate(path, exc) from exc
        try:
            unknown = unknown_revisions(current_revisions(connection))
            if unknown:
                raise SchemaTooNewError(path, unknown)
            upgrade_to_head(connection)
            return cls(path, engine, connection)
        except BaseException as exc:
            connection.close()
            engine.dispose()
            if isinstance(exc, DBAPIError):
                raise _translate(path, exc) from exc
            raise

    def close(self) -> None:
        """Close the connection (WAL is checkpointed by SQLite). Calling it twice is harmless."""
        with self._lock:
            if self._conn is None:
                return
            conn, self._conn = self._conn, None
            conn.close()
            self._engine.dispose()

    @property
    def closed(self) -> bool:
        return self._conn is None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[Connection]:
        """One serialised transaction on the store's connection, errors made typed."""
        with self._lock:
            conn = self._conn
            if conn is None:
                raise StoreClosedError(f"the kiosk store {self.path} is closed")
            try:
                with conn.begin():
                    yield conn
            except DBAPIError as exc:
                raise _translate(self.path, exc) from exc

    # -- settings -------------------------------------------------------------------------------

    def _load_settings(self) -> None:
        with self._transaction() as conn:
            rows = conn.execute(select(schema.settings.c.key, schema.settings.c.value))
            self._settings = {key: value for key, value in rows}

    def get_setting(self, key: str) -> str | None:
        with self._lock:
            return self._settings.get(key)

    def set_setting(self, key: str, value: str) -> None:
        if not isinstance(key, str) or not key or not isinstance(value, str):
            raise InvalidRecordError("a setting needs a non-empty text key and a text value")
        stmt = sqlite_insert(schema.settings).values(key=key, value=value)
        stmt = stmt.on_conflict_do_update(index_elements=["key"], set_={"value": value})
        with self._lock:
            with self._transaction() as conn:
                conn.execute(stmt)
            self._settings[key] = value  # only once committed

    # -- signing keys ---------------------------------------------------------------------------

    def add_public_key(self, key_id: int, raw: bytes) -> None:
        """Trust a head-office signing key. Re-adding the same key is a no-op."""
        if not isinstance(key_id, int) or not 0 <= key_id <= _U16:
            raise InvalidRecordError(f"key id must be an integer in 0..{_U16}, got {key_id!r}")
        try:
            load_public_key(bytes(raw))
        except (TypeError, ValueError) as exc:
            raise InvalidRecordError(f"key {key_id} is not a raw Ed25519 public key") from exc
        t = schema.signing_keys
        with self._transaction() as conn:
            known = conn.execute(select(t.c.public_key).where(t.c.key_id == key_id)).scalar()
            if known is not None:
                if bytes(known) != bytes(raw):
                    raise PublicKeyConflictError(
                        f"signing key {key_id} is already known with different bytes; "
                        "a rotated key must get a new id"
                    )
                return
            conn.execute(t.insert().values(key_id=key_id, public_key=bytes(raw), added_at=_now()))
            self._public_keys = None

    def public_keys(self) -> dict[int, Ed25519PublicKey]:
        with self._lock:
            if self._public_keys is None:
                t = schema.signing_keys
                with self._transaction() as conn:
                    rows = conn.execute(select(t.c.key_id, t.c.public_key)).all()
                self._public_keys = {kid: load_public_key(bytes(raw)) for kid, raw in rows}
            return dict(self._public_keys)

    # -- offers ---------------------------------------------------------------------------------

    def upsert_offer(self, offer: Offer) -> None:
        if not isinstance(offer, Offer):
            raise InvalidRecordError(f"expected an Offer, got {type(offer).__name__}")
        values: dict[str, Any] = {
            "offer_id": offer.offer_id,
            "business_id": offer.business_id,
            "title": offer.title,
            "discount_text": offer.discount_text,
            "discount_kind": offer.discount_kind.value,
            "discount_value": offer.discount_value,
            "valid_from": offer.valid_from,
            "valid_until": offer.valid_until,
            "variant_labels": {str(k): v for k, v in offer.variant_labels.items()},
            "updated_at": _now(),
        }
        stmt = sqlite_insert(schema.offers).values(**values)
        stmt = stmt.on_conflict_do_update(index_elements=["offer_id"], set_=values)
        with self._transaction() as conn:
            conn.execute(stmt)

    def offer(self, offer_id: int) -> Offer | None:
        t = schema.offers
        with self._transaction() as conn:
            row = conn.execute(select(t).where(t.c.offer_id == offer_id)).first()
        return None if row is None else _offer_from_row(row)

    def offers(self) -> list[Offer]:
        t = schema.offers
        with self._transaction() as conn:
            rows = conn.execute(select(t).order_by(t.c.offer_id)).all()
        return [_offer_from_row(row) for row in rows]

    # -- vouchers cache -------------------------------------------------------------------------

    def cache_vouchers(self, tokens: Iterable[str]) -> int:
        """Keep tokens from sync so their printed short codes can be typed in; return how many
        were new or changed. All or nothing: one unreadable token refuses the whole batch.

        Short codes are 40-bit hashes, so two tokens can share one. Such a code is then kept
        off both vouchers (and remembered as ambiguous): typing it must never pick the other
        customer's voucher. Those vouchers can still be scanned.
        """
        batch: dict[int, tuple[int, int, str, str]] = {}
        for index, text in enumerate(tokens):
            try:
                claims, _body, _signature = decode_token(text)
            except TokenError as exc:
                raise InvalidVoucherError(
                    f"voucher #{index} from sync cannot be read ({exc}); nothing was cached"
                ) from exc
            token = normalise_text(text)
            batch[claims.serial] = (claims.offer_id, claims.business_id, token, "")
        if not batch:
            return 0
        v, amb = schema.vouchers, schema.ambiguous_short_codes
        with self._transaction() as conn:
            known: dict[int, str] = {}
            for chunk in _chunks(list(batch)):
                query = select(v.c.serial, v.c.token).where(v.c.serial.in_(chunk))
                known.update((serial, token) for serial, token in conn.execute(query))
            changed = {
                serial: (offer_id, business_id, token, short_code_for(token))
                for serial, (offer_id, business_id, token, _) in batch.items()
                if known.get(serial) != token
            }
            if not changed:
                return 0
            codes = [code for *_, code in changed.values()]
            owners: dict[str, int] = {}
            ambiguous: set[str] = set()
            for chunk in _chunks(sorted(set(codes))):
                owned = select(v.c.short_code, v.c.serial).where(v.c.short_code.in_(chunk))
                owners.update((code, serial) for code, serial in conn.execute(owned))
                marked = select(amb.c.short_code).where(amb.c.short_code.in_(chunk))
                ambiguous.update(conn.execute(marked).scalars())
            in_batch = Counter(codes)
            newly_ambiguous = {
                code
                for serial, (*_, code) in changed.items()
                if in_batch[code] > 1 or owners.get(code, serial) != serial
            } - ambiguous
            if newly_ambiguous:
                conn.execute(
                    sqlite_insert(amb).on_conflict_do_nothing(),
                    [{"short_code": code} for code in sorted(newly_ambiguous)],
                )
                conn.execute(
                    update(v).where(v.c.short_code.in_(newly_ambiguous)).values(short_code=None)
                )
            ambiguous |= newly_ambiguous
            now = _now()
            stmt = sqlite_insert(v)
            stmt = stmt.on_conflict_do_update(
                index_elements=["serial"],
                set_={
                    "offer_id": stmt.excluded.offer_id,
                    "business_id": stmt.excluded.business_id,
                    "token": stmt.excluded.token,
                    "short_code": stmt.excluded.short_code,
                    "cached_at": stmt.excluded.cached_at,
                },
            )
            conn.execute(
                stmt,
                [
                    {
                        "serial": serial,
                        "offer_id": offer_id,
                        "business_id": business_id,
                        "token": token,
                        "short_code": None if code in ambiguous else code,
                        "cached_at": now,
                    }
                    for serial, (offer_id, business_id, token, code) in changed.items()
                ],
            )
        return len(changed)

    def voucher_token(self, serial: int) -> str | None:
        """The cached token of a printed copy, if sync has delivered it (sync reads the offer
        and variant of a redemption made at another kiosk from it)."""
        _require_serial(serial)
        v = schema.vouchers
        with self._transaction() as conn:
            return conn.execute(select(v.c.token).where(v.c.serial == serial)).scalar()

    def token_for_short_code(self, code: str) -> str | None:
        """The cached token printed with ``code`` (canonical form, as returned by
        :func:`pika_protocol.tokens.parse_short_code`); ``None`` if unknown or ambiguous."""
        v = schema.vouchers
        with self._transaction() as conn:
            return conn.execute(select(v.c.token).where(v.c.short_code == code)).scalar()

    def short_code_is_ambiguous(self, code: str) -> bool:
        """Whether ``code`` was printed on more than one cached voucher (ask for the QR)."""
        amb = schema.ambiguous_short_codes
        with self._transaction() as conn:
            found = conn.execute(select(amb.c.short_code).where(amb.c.short_code == code))
            return found.first() is not None

    # -- revocations ----------------------------------------------------------------------------

    def revoke(self, serial: int) -> None:
        _require_serial(serial)
        stmt = sqlite_insert(schema.revocations).values(serial=serial, revoked_at=_now())
        with self._transaction() as conn:
            conn.execute(stmt.on_conflict_do_nothing())
            self._revoked = None

    def revoked_serials(self) -> frozenset[int]:
        """All revoked serials; cached, since every scan asks (invalidated by :meth:`revoke`)."""
        with self._lock:
            if self._revoked is None:
                with self._transaction() as conn:
                    rows = conn.execute(select(schema.revocations.c.serial)).scalars()
                    self._revoked = frozenset(rows)
            return self._revoked

    # -- redemptions and scans ------------------------------------------------------------------

    def find_redemption(self, serial: int) -> PriorRedemption | None:
        """The live (not voided) redemption of ``serial``; a :data:`RedemptionLookup`."""
        with self._transaction() as conn:
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
    ) -> RecordedScan:
        """Keep one scan, accepted or not, in ONE transaction; return what was committed.

        Always writes the scan row, one outbox item (kind ``redemption`` when accepted, else
        ``scan``) and one event; when the validation accepted the voucher, also the redemption
        row, whose id is ``scan_id``. If the database refuses that redemption because the serial
        already has a live one (a race, or a redemption that arrived since validation), the scan
        is recorded as ``already_redeemed`` with the earlier redemption as ``prior``.

        ``scan_id`` is the idempotency key: recording the same id again writes nothing and
        returns the first result with ``replayed=True``.
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
        claims = validation.claims
        if validation.accepted and (claims is None or validation.token is None):
            raise InvalidRecordError("an accepted validation must carry the voucher's claims")

        with self._transaction() as conn:
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
                        "device_name": self._settings.get(SettingKey.DEVICE_NAME, ""),
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
            conn.execute(
                _INSERT_OUTBOX,
                {
                    "item_id": scan_id,
                    "kind": kind.value,
                    "payload": {
                        "id": str(scan_id),
                        "kind": kind.value,
                        **facts,
                        "token": validation.token,
                        "detail": detail,
                        "raw_excerpt": raw_text[: self.RAW_EXCERPT_CHARS],
                        "raw_length": len(raw_text),
                    },
                    "created_at": _now(),
                    "attempts": 0,
                    "state": OutboxState.PENDING.value,
                    "last_error": None,
                },
            )
            conn.execute(
                _INSERT_EVENT,
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
        with self._transaction() as conn:
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
            conn.execute(
                _INSERT_OUTBOX,
                {
                    "item_id": item_id,
                    "kind": OutboxKind.VOID.value,
                    "payload": {"id": str(item_id), "kind": OutboxKind.VOID.value, **facts},
                    "created_at": _now(),
                    "attempts": 0,
                    "state": OutboxState.PENDING.value,
                    "last_error": None,
                },
            )
            conn.execute(
                _INSERT_EVENT, {"at": voided_at, "type": "redemption.voided", "payload": facts}
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
        with self._transaction() as conn:
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
                    _INSERT_EVENT,
                    {
                        "at": _now(),
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
        with self._transaction() as conn:
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
                    _INSERT_EVENT,
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
        with self._transaction() as conn:
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
        with self._transaction() as conn:
            rows = conn.execute(query).all()
        return {Reason(reason): int(count) for reason, count in rows}

    def record_event(self, event_type: str, payload: Mapping[str, Any], *, at: datetime) -> None:
        """Append one event that is not part of a scan (sync: clock skew seen, key rotated,
        device revoked). The event log stays append-only; ``payload`` must be JSON-able."""
        if not isinstance(event_type, str) or not event_type:
            raise InvalidRecordError("an event needs a non-empty type")
        require_utc_aware("at", at)
        with self._transaction() as conn:
            conn.execute(_INSERT_EVENT, {"at": at, "type": event_type, "payload": dict(payload)})

    # -- outbox ---------------------------------------------------------------------------------

    def pending_outbox_count(self) -> int:
        """Items in the push queue (set-aside items are counted apart: :meth:`set_aside_count`)."""
        o = schema.outbox
        with self._transaction() as conn:
            count = conn.execute(
                select(func.count())
                .select_from(o)
                .where(o.c.state == OutboxState.PENDING.value, o.c.set_aside_at.is_(None))
            ).scalar_one()
        return int(count)

    def set_aside_count(self) -> int:
        """Items kept out of the push queue because the server fails on them (still unsent)."""
        o = schema.outbox
        with self._transaction() as conn:
            count = conn.execute(
                select(func.count())
                .select_from(o)
                .where(o.c.state == OutboxState.PENDING.value, o.c.set_aside_at.is_not(None))
            ).scalar_one()
        return int(count)

    def pending_outbox(
        self, limit: int = 100, *, excluding: Iterable[uuid.UUID] = ()
    ) -> list[OutboxItem]:
        """The oldest items in the push queue (not set aside), still waiting for a final answer;
        ``excluding`` leaves out a few (the ones the sync pass is still judging)."""
        o = schema.outbox
        query = select(o).where(o.c.state == OutboxState.PENDING.value, o.c.set_aside_at.is_(None))
        return self._oldest_outbox(query, limit, excluding)

    def set_aside_outbox(
        self,
        limit: int = 100,
        *,
        set_aside_by: datetime | None = None,
        excluding: Iterable[uuid.UUID] = (),
    ) -> list[OutboxItem]:
        """Set-aside items, oldest first; with ``set_aside_by``, only those set aside then or
        earlier (due for their next try alone); ``excluding`` leaves out a few."""
        o = schema.outbox
        query = select(o).where(
            o.c.state == OutboxState.PENDING.value, o.c.set_aside_at.is_not(None)
        )
        if set_aside_by is not None:
            require_utc_aware("set_aside_by", set_aside_by)
            query = query.where(o.c.set_aside_at <= set_aside_by)
        return self._oldest_outbox(query, limit, excluding)

    def _oldest_outbox(
        self, query: Select[Any], limit: int, excluding: Iterable[uuid.UUID]
    ) -> list[OutboxItem]:
        """Run an outbox ``query``: oldest first, at most ``limit``, without ``excluding``."""
        o = schema.outbox
        left_out = list(excluding)
        if left_out:
            query = query.where(o.c.item_id.not_in(left_out))
        query = query.order_by(o.c.created_at, o.c.item_id).limit(max(0, int(limit)))
        with self._transaction() as conn:
            rows = conn.execute(query).all()
        return [_outbox_item(row) for row in rows]

    def outbox_set_aside(self, problems: Mapping[uuid.UUID, str], *, at: datetime) -> int:
        """Keep these pending items out of the push queue from ``at`` on, each with the problem
        the server had with it (the failed tries were counted by :meth:`outbox_attempt_failed`).
        Nothing is deleted: the item stays pending, and is set aside again, with the new time,
        when a later try alone fails. Returns how many changed."""
        require_utc_aware("at", at)
        o = schema.outbox
        stmt = (
            update(o)
            .where(o.c.item_id == bindparam("aside_id"))
            .where(o.c.state == OutboxState.PENDING.value)
            .values(last_error=bindparam("problem"), set_aside_at=at)
        )
        changed = 0
        with self._transaction() as conn:
            for item_id, problem in problems.items():
                params = {"aside_id": item_id, "problem": str(problem)[:500]}
                changed += conn.execute(stmt, params).rowcount
        return changed

    def outbox_answered(self, answers: Mapping[uuid.UUID, str]) -> int:
        """Mark items the server answered for good, with its answer (accepted, duplicate,
        conflict, or a 4xx rejection code). Only these leave the queue; the row and the answer
        stay for the history. Returns how many were still pending."""
        for item_id, result in answers.items():
            if not isinstance(item_id, uuid.UUID) or not isinstance(result, str) or not result:
                raise InvalidRecordError(f"an answer needs a UUID and a result code: {item_id!r}")
        o = schema.outbox
        stmt = (
            update(o)
            .where(o.c.item_id == bindparam("answered_id"))
            .where(o.c.state == OutboxState.PENDING.value)
            .values(
                state=OutboxState.DONE.value,
                attempts=o.c.attempts + 1,
                server_result=bindparam("result"),
            )
        )
        done = 0
        with self._transaction() as conn:
            for item_id, result in answers.items():
                done += conn.execute(stmt, {"answered_id": item_id, "result": result}).rowcount
        return done

    def outbox_attempt_failed(self, item_ids: Sequence[uuid.UUID], error: str) -> None:
        """Note a try that got no final answer (5xx, broken connection): items stay pending."""
        o = schema.outbox
        with self._transaction() as conn:
            for chunk in _chunks(list(item_ids)):
                conn.execute(
                    update(o)
                    .where(o.c.item_id.in_(chunk), o.c.state == OutboxState.PENDING.value)
                    .values(attempts=o.c.attempts + 1, last_error=str(error)[:500])
                )


# -- statements on the hot path, built once (SQLAlchemy caches their compiled form) ---------------

_INSERT_REDEMPTION = sqlite_insert(schema.redemptions).on_conflict_do_nothing(
    index_elements=[schema.redemptions.c.serial],
    index_where=schema.redemptions.c.voided_at.is_(None),
)
_INSERT_SCAN = schema.scans.insert()
_INSERT_OUTBOX = schema.outbox.insert()
_INSERT_EVENT = schema.events.insert()


# -- helpers ------------------------------------------------------------------------------------


def _outbox_item(row: Row[Any]) -> OutboxItem:
    return OutboxItem(
        item_id=row.item_id,
        kind=OutboxKind(row.kind),
        payload=row.payload,
        created_at=row.created_at,
        attempts=row.attempts,
        state=OutboxState(row.state),
        last_error=row.last_error,
        server_result=row.server_result,
        set_aside_at=row.set_aside_at,
    )


def _now() -> datetime:
    return datetime.now(UTC)


def _chunks(items: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(items), _IN_CHUNK):
        yield items[start : start + _IN_CHUNK]


def _require_serial(serial: int) -> None:
    if not isinstance(serial, int) or not 0 <= serial <= _U64:
        raise InvalidRecordError(f"a serial is an unsigned 64-bit integer, got {serial!r}")


def _scan_source(source: str) -> ScanSource:
    try:
        return ScanSource(source)
    except ValueError as exc:
        allowed = ", ".join(s.value for s in ScanSource)
        raise InvalidRecordError(f"scan source must be one of {allowed}, got {source!r}") from exc


def _find_live_redemption(conn: Connection, serial: int) -> PriorRedemption | None:
    _require_serial(serial)
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


def _offer_from_row(row: Row[Any]) -> Offer:
    labels: Mapping[str, str] = row.variant_labels or {}
    return Offer(
        offer_id=row.offer_id,
        business_id=row.business_id,
        title=row.title,
        discount_text=row.discount_text,
        discount_kind=DiscountKind(row.discount_kind),
        discount_value=row.discount_value,
        valid_from=row.valid_from,
        valid_until=row.valid_until,
        variant_labels={int(k): v for k, v in labels.items()},
    )


def _translate(path: Path, exc: DBAPIError) -> StoreError:
    code = getattr(exc.orig, "sqlite_errorcode", None)
    code = None if code is None else int(code) & 0xFF
    if code in (SQLITE_CORRUPT, SQLITE_NOTADB):
        return CorruptStoreError(path, str(exc.orig))
    if code in (SQLITE_BUSY, SQLITE_LOCKED):
        return StoreBusyError(f"the kiosk store {path} is locked by another program: {exc.orig}")
    return StoreIOError(f"the kiosk store {path} failed: {exc.orig}")


def _create(path: Path, key: bytes) -> None:
    """Build a migrated store beside ``path`` and rename it into place.

    The half-built file has its own name, so a crash during creation never leaves something
    at ``path`` that a later start would take for a store. A leftover half-built file is ours
    by construction and is discarded.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    building = path.with_name(path.name + ".creating")
    for leftover in (building, *_sidecars(building)):
        leftover.unlink(missing_ok=True)
    engine, connection = open_engine(building, key, create=True)
    try:
        upgrade_to_head(connection)
        # Fold the WAL into the main file so the rename below moves the whole store.
        raw = connection.connection.dbapi_connection
        assert raw is not None
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
        engine.dispose()
    wal, shm = _sidecars(building)
    if wal.exists() and wal.stat().st_size:
        raise StoreIOError(f"could not finish creating the kiosk store {path}")
    wal.unlink(missing_ok=True)
    shm.unlink(missing_ok=True)
    os.replace(building, path)
    _fsync_directory(path.parent)


def _sidecars(path: Path) -> tuple[Path, Path]:
    return path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")


def _fsync_directory(directory: Path) -> None:
    """Make the rename durable on POSIX; Windows cannot open directories and needs none."""
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
