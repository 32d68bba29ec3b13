"""The pull: everything that changed for a kiosk's business since its cursor.

The push's rules are ``pipeline`` (the unit of work) and ``decisions`` (one decision per
pushed item, through the kiosk's own ``validate``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from pika_protocol import sync_wire
from pika_protocol.sync_wire import ItemOutcome
from sync_backend.devices import repository as devices
from sync_backend.devices.service import DeviceContext
from sync_backend.dialects import dialect_of
from sync_backend.models import Business, Offer, Redemption, SigningKey, Voucher, utcnow
from sync_backend.redemptions import repository
from sync_backend.redemptions.repository import FeedPosition
from sync_backend.settings import Settings
from sync_backend.vouchers import copies, signing


def pull(
    session: Session,
    device: DeviceContext,
    cursor: str | None,
    limit: int,
    settings: Settings,
    private_keys: signing.PrivateKeyCache,
) -> sync_wire.PullResponse:
    """Everything that changed for the device's business since ``cursor``, oldest first, and
    how the kiosk should sync: when to pull again, which clock skew head office flags; and the
    business's usual ticket (every page: it is one figure, the kiosk checks typed totals).

    Voucher tokens are not stored: the page's are signed again from their claims
    (``vouchers.copies``) with ``private_keys``."""
    offline_after_s = settings.offline_after_s
    now = utcnow()
    after = FeedPosition.decode(cursor)
    horizon = dialect_of(session).feed_horizon(session)
    business = device.business_id
    sources: list[tuple[str, list[Any]]] = [
        (
            "key",
            repository.feed(session, SigningKey, after=after, horizon=horizon, limit=limit + 1),
        ),
        (
            "offer",
            repository.feed(
                session,
                Offer,
                after=after,
                horizon=horizon,
                limit=limit + 1,
                where=[Offer.business_id == business],
            ),
        ),
        (
            "voucher",
            repository.feed(
                session,
                Voucher,
                after=after,
                horizon=horizon,
                limit=limit + 1,
                where=[Voucher.business_id == business],
            ),
        ),
        (
            "redemption",
            repository.feed(
                session,
                Redemption,
                after=after,
                horizon=horizon,
                limit=limit + 1,
                where=[
                    Redemption.business_id == business,
                    Redemption.device_id != device.device_id,
                    Redemption.outcome.in_(
                        [ItemOutcome.ACCEPTED.value, ItemOutcome.CONFLICT.value]
                    ),
                    # A voided row comes again at its void's position, with ``voided_at``: a
                    # kiosk that learnt of the redemption frees the copy, one that did not
                    # has nothing to do.
                ],
            ),
        ),
    ]
    merged = sorted(
        ((row.txid, row.seq, kind, row) for kind, rows in sources for row in rows),
        key=lambda t: (t[0], t[1]),
    )
    page, more = merged[:limit], len(merged) > limit
    last = FeedPosition(page[-1][0], page[-1][1]) if page else after
    names = devices.device_names(
        session, {r.device_id for _t, _s, k, r in page if k == "redemption"}
    )
    tokens = copies.tokens(session, private_keys, [r for _t, _s, k, r in page if k == "voucher"])
    response: dict[str, list[Any]] = {
        "public_keys": [],
        "offers": [],
        "vouchers": [],
        "revocations": [],
        "redemptions": [],
    }
    for _txid, _seq, kind, row in page:
        if kind == "key":
            response["public_keys"].append(signing.to_wire(row))
        elif kind == "offer":
            response["offers"].append(sync_wire.Offer.model_validate(row, from_attributes=True))
        elif kind == "voucher":
            response["vouchers"].append(
                sync_wire.Voucher(
                    serial=row.serial,
                    offer_id=row.offer_id,
                    variant=row.variant,
                    token=tokens[row.serial],
                    short_code=row.short_code,
                    revoked_at=row.revoked_at,
                )
            )
            if row.revoked_at is not None:
                response["revocations"].append(
                    sync_wire.Revocation(
                        serial=row.serial,
                        revoked_at=row.revoked_at,
                        reason=row.revoked_reason or "",
                    )
                )
        else:
            response["redemptions"].append(
                sync_wire.RemoteRedemption(
                    id=row.id,
                    serial=row.serial,
                    offer_id=row.offer_id,
                    variant=row.variant,
                    source=sync_wire.ScanSource(row.source),
                    device_id=row.device_id,
                    device_name=names.get(row.device_id, ""),
                    redeemed_at=row.scanned_at,
                    received_at=row.received_at,
                    outcome=ItemOutcome(row.outcome),
                    made_offline=(row.received_at - row.scanned_at).total_seconds()
                    > offline_after_s,
                    voided_at=row.voided_at,
                )
            )
    return sync_wire.PullResponse(
        server_time=now,
        usual_ticket=_usual_ticket(session, business),
        cursor=last.encode() if last.txid >= 0 else "",
        more=more,
        rotate_key=device.rotate_key,
        poll_interval_s=settings.poll_interval_s,
        clock_skew_limit_s=settings.clock_skew_tolerance_s,
        **response,
    )


def _usual_ticket(session: Session, business_id: int) -> int | None:
    row = session.get(Business, business_id)
    return None if row is None else row.usual_ticket
