"""The reference-data room (``store.reference``): what head office sends a kiosk to judge scans.

Everything here arrives by sync (or the demo's catalogue) and is only read at the counter:
the signing keys that vouchers are checked against, the offers shown to the cashier, the
voucher cache that lets a printed short code be typed in, the revoked serials, and the
business's usual ticket (a typed sale total far above it is refused as a slip). The keys
and the revocations are asked for on every scan, so both are cached in memory and the cache
is dropped by the write that changes them. Settings (the kiosk's own identity and
preferences) are not reference data: they live in ``store.settings``
(:mod:`app.core.store.settings`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import Row, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.core.store import schema
from app.core.store.database import Database, chunks, require_serial, utc_now
from app.core.store.errors import InvalidRecordError, InvalidVoucherError, PublicKeyConflictError
from app.core.store.records import DiscountKind, Offer
from pika_protocol.tokens import TokenError, load_public_key, normalise_text, short_code_for
from pika_protocol.tokens import decode as decode_token

_U16 = 0xFFFF


class ReferenceData:
    """Signing keys, offers, the voucher cache and revocations, on the store's connection."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._public_keys: dict[int, Ed25519PublicKey] | None = None
        self._revoked: frozenset[int] | None = None

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
        with self._db.transaction() as conn:
            known = conn.execute(select(t.c.public_key).where(t.c.key_id == key_id)).scalar()
            if known is not None:
                if bytes(known) != bytes(raw):
                    raise PublicKeyConflictError(
                        f"signing key {key_id} is already known with different bytes; "
                        "a rotated key must get a new id"
                    )
                return
            conn.execute(
                t.insert().values(key_id=key_id, public_key=bytes(raw), added_at=utc_now())
            )
            self._public_keys = None

    def public_keys(self) -> dict[int, Ed25519PublicKey]:
        with self._db.lock:
            if self._public_keys is None:
                t = schema.signing_keys
                with self._db.transaction() as conn:
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
            "updated_at": utc_now(),
        }
        stmt = sqlite_insert(schema.offers).values(**values)
        stmt = stmt.on_conflict_do_update(index_elements=["offer_id"], set_=values)
        with self._db.transaction() as conn:
            conn.execute(stmt)

    def offer(self, offer_id: int) -> Offer | None:
        t = schema.offers
        with self._db.transaction() as conn:
            row = conn.execute(select(t).where(t.c.offer_id == offer_id)).first()
        return None if row is None else _offer_from_row(row)

    def offers(self) -> list[Offer]:
        t = schema.offers
        with self._db.transaction() as conn:
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
        with self._db.transaction() as conn:
            known: dict[int, str] = {}
            for chunk in chunks(list(batch)):
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
            for chunk in chunks(sorted(set(codes))):
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
            now = utc_now()
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
        require_serial(serial)
        v = schema.vouchers
        with self._db.transaction() as conn:
            return conn.execute(select(v.c.token).where(v.c.serial == serial)).scalar()

    def token_for_short_code(self, code: str) -> str | None:
        """The cached token printed with ``code`` (canonical form, as returned by
        :func:`pika_protocol.tokens.parse_short_code`); ``None`` if unknown or ambiguous."""
        v = schema.vouchers
        with self._db.transaction() as conn:
            return conn.execute(select(v.c.token).where(v.c.short_code == code)).scalar()

    def short_code_is_ambiguous(self, code: str) -> bool:
        """Whether ``code`` was printed on more than one cached voucher (ask for the QR)."""
        amb = schema.ambiguous_short_codes
        with self._db.transaction() as conn:
            found = conn.execute(select(amb.c.short_code).where(amb.c.short_code == code))
            return found.first() is not None

    # -- revocations ----------------------------------------------------------------------------

    def revoke(self, serial: int) -> None:
        require_serial(serial)
        stmt = sqlite_insert(schema.revocations).values(serial=serial, revoked_at=utc_now())
        with self._db.transaction() as conn:
            conn.execute(stmt.on_conflict_do_nothing())
            self._revoked = None

    def revoked_serials(self) -> frozenset[int]:
        """All revoked serials; cached, since every scan asks (invalidated by :meth:`revoke`)."""
        with self._db.lock:
            if self._revoked is None:
                with self._db.transaction() as conn:
                    rows = conn.execute(select(schema.revocations.c.serial)).scalars()
                    self._revoked = frozenset(rows)
            return self._revoked

    # -- the business ---------------------------------------------------------------------------

    def set_usual_ticket(self, business_id: int, amount: int | None) -> None:
        """Keep head office's usual ticket of the business (guaraníes; None: it has none)."""
        if not isinstance(business_id, int) or isinstance(business_id, bool):
            raise InvalidRecordError(f"business id must be an integer, got {business_id!r}")
        if amount is not None and (
            isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0
        ):
            raise InvalidRecordError(f"a usual ticket is whole guaraníes above 0, got {amount!r}")
        t = schema.business_facts
        stmt = sqlite_insert(t).values(
            business_id=business_id, usual_ticket=amount, updated_at=utc_now()
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=[t.c.business_id],
            set_={"usual_ticket": amount, "updated_at": stmt.excluded.updated_at},
        )
        with self._db.transaction() as conn:
            conn.execute(stmt)

    def usual_ticket(self, business_id: int) -> int | None:
        """The business's usual ticket as head office last said it (None: not said yet)."""
        t = schema.business_facts
        with self._db.transaction() as conn:
            value = conn.execute(
                select(t.c.usual_ticket).where(t.c.business_id == business_id)
            ).scalar()
        return None if value is None else int(value)


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
