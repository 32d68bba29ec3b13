"""Head office rules for offers, printing books of signed vouchers, and revocation."""

from __future__ import annotations

import dataclasses
import random
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from pika_print.voucher_sheet import PrintableVoucher, render_pdf
from pika_protocol.discounts import DiscountKind
from pika_protocol.tokens import VoucherClaims, sign
from sync_backend.analytics import ledger
from sync_backend.analytics.lifecycle import BusinessCalendar, LifecycleDraft, LifecycleKind
from sync_backend.businesses import service as businesses
from sync_backend.dialects import dialect_of
from sync_backend.errors import Conflict, NotFound, Unprocessable
from sync_backend.events import repository as events
from sync_backend.models import Book, Offer, Voucher, utcnow
from sync_backend.settings import Settings
from sync_backend.vouchers import repository, signing
from sync_backend.vouchers.copies import PrintedCopy, printed_copies, printed_digest
from sync_backend.vouchers.schemas import MAX_BOOK_COPIES, BookOut, OfferIn
from sync_backend.vouchers.unique_codes import sign_with_unique_codes

#: Largest book the admin API renders as one PDF; bigger runs are printed from the CLI in parts.
MAX_SHEET_COPIES = 5000


def create_offer(session: Session, body: OfferIn, actor: str) -> Offer:
    businesses.get(session, body.business_id)
    offer = repository.add_offer(
        session,
        Offer(
            business_id=body.business_id,
            title=body.title,
            discount=body.discount,
            discount_kind=(body.discount_kind or DiscountKind.OTHER).value,
            discount_value=body.discount_value,
            valid_from=body.valid_from.astimezone(UTC),
            valid_until=body.valid_until.astimezone(UTC),
            cap_total=body.cap_total,
            cap_per_customer=body.cap_per_customer,
            variants=[v.model_dump() for v in body.variants],
            created_at=utcnow(),
            seq=dialect_of(session).next_seqs(session, 1)[0],
        ),
    )
    events.append(
        session,
        kind="offer_created",
        actor=actor,
        subject=f"offer:{offer.id}",
        business_id=offer.business_id,
        payload=body.model_dump(mode="json"),
    )
    return offer


def split_by_weight(copies: int, variants: list[dict[str, int]]) -> dict[int, int]:
    """Copies per variant, proportional to the weights (largest remainder, so they add up)."""
    if not variants:
        return {0: copies}
    total = sum(v["weight"] for v in variants)
    exact = {v["variant"]: copies * v["weight"] / total for v in variants}
    counts = {k: int(x) for k, x in exact.items()}
    left = copies - sum(counts.values())
    for k in sorted(exact, key=lambda k: exact[k] - counts[k], reverse=True)[:left]:
        counts[k] += 1
    return counts


def print_book(
    session: Session, settings: Settings, offer_id: int, copies: int, actor: str
) -> BookOut:
    """Sign ``copies`` vouchers for an offer: one serial each, variants shuffled by weight."""
    if not 1 <= copies <= MAX_BOOK_COPIES:  # the API's schema says so too; the CLI comes here
        raise Unprocessable(
            f"a book has 1 to {MAX_BOOK_COPIES:,} copies, not {copies}", code="invalid_copies"
        )
    offer = repository.get_offer(session, offer_id)
    if offer is None:
        raise NotFound(f"no offer {offer_id}")
    if offer.valid_until <= utcnow():
        raise Unprocessable("offer has already ended", code="offer_ended")
    key_id, private_key = signing.active_key(session, settings, actor)
    book = repository.add_book(
        session, Book(offer_id=offer.id, copies=copies, key_id=key_id, created_at=utcnow())
    )
    per_variant = split_by_weight(copies, offer.variants)
    variants = [v for v, n in per_variant.items() for _ in range(n)]
    random.Random(book.id).shuffle(variants)  # reproducible per book, mixed on the page
    book_claims = VoucherClaims(  # each copy's claims differ only by serial and variant
        key_id=key_id,
        business_id=offer.business_id,
        offer_id=offer.id,
        serial=0,
        valid_from=int(offer.valid_from.timestamp()),
        valid_until=int(offer.valid_until.timestamp()),
    )

    def sign_copy(serial: int, variant: int) -> str:
        return sign(dataclasses.replace(book_claims, serial=serial, variant=variant), private_key)

    signed = sign_with_unique_codes(session, variants, sign_copy)
    seqs = dialect_of(session).next_seqs(session, copies)
    rows = [
        {
            "serial": copy.serial,
            "book_id": book.id,
            "offer_id": offer.id,
            "business_id": offer.business_id,
            "variant": copy.variant,
            "valid_from": book_claims.valid_from_dt,
            "valid_until": book_claims.valid_until_dt,
            "token_version": book_claims.version,
            # The token itself is not kept: see ``vouchers.copies``.
            "token_sha256": printed_digest(copy.token),
            "short_code": copy.short_code,
            "seq": seq,
        }
        for copy, seq in zip(signed, seqs, strict=True)
    ]
    repository.add_vouchers(session, rows)
    events.append(
        session,
        kind="book_printed",
        actor=actor,
        subject=f"book:{book.id}",
        business_id=offer.business_id,
        payload={
            "offer_id": offer.id,
            "copies": copies,
            "first_serial": signed[0].serial,
            "last_serial": signed[-1].serial,
            "key_id": key_id,
        },
    )
    ledger.append(
        session,
        [
            LifecycleDraft(
                f"book:{book.id}:{variant}",
                LifecycleKind.PRINTED,
                book.created_at,
                business_id=offer.business_id,
                offer_id=offer.id,
                variant=variant,
                quantity=count,
            )
            for variant, count in sorted(per_variant.items())
            if count
        ],
        BusinessCalendar.named(settings.analytics_timezone),
    )
    return BookOut(
        id=book.id,
        offer_id=offer.id,
        copies=copies,
        key_id=key_id,
        first_serial=signed[0].serial,
        last_serial=signed[-1].serial,
        copies_per_variant=per_variant,
    )


def book_sheet(
    session: Session,
    keys: signing.PrivateKeyCache,
    book_id: int,
    *,
    limit: int | None = MAX_SHEET_COPIES,
) -> bytes:
    """The book's printable PDF; its tokens are signed again from their claims (``copies``)."""
    book = repository.get_book(session, book_id)
    if book is None:
        raise NotFound(f"no book {book_id}")
    if limit is not None and book.copies > limit:
        raise Unprocessable(
            f"book has {book.copies} copies; the API renders at most {limit} "
            "(use `pika-backend print-book --pdf` for larger runs)",
            code="sheet_too_large",
        )
    offer = repository.get_offer(session, book.offer_id)
    assert offer is not None
    return render_pdf(
        [
            PrintableVoucher(
                token=copy.token,
                title=offer.title,
                discount=offer.discount,
                valid_until=offer.valid_until,
                serial=copy.serial,
            )
            for copy in book_copies(session, keys, book_id)
        ]
    )


def book_copies(session: Session, keys: signing.PrivateKeyCache, book_id: int) -> list[PrintedCopy]:
    """A book's copies in serial order, each with its token signed again."""
    return printed_copies(session, keys, repository.book_vouchers(session, book_id))


def revoke_voucher(session: Session, serial: int, reason: str, actor: str) -> Voucher:
    existing = repository.get_voucher(session, serial)
    if existing is None:
        raise NotFound(f"no voucher with serial {serial}")
    if existing.revoked_at is not None:
        raise Conflict(f"voucher {serial} is already revoked", code="already_revoked")
    now: datetime = utcnow()
    seq = dialect_of(session).next_seqs(session, 1)[0]
    voucher = repository.revoke(session, serial, reason, now, seq)
    if voucher is None:
        raise Conflict(f"voucher {serial} is already revoked", code="already_revoked")
    events.append(
        session,
        kind="voucher_revoked",
        actor=actor,
        subject=f"serial:{serial}",
        business_id=voucher.business_id,
        payload={"reason": reason},
    )
    return voucher
