"""A realistic year of voucher life for the manager demo and the analytics benchmark.

A few dozen businesses of Paraguay's voucher book, each with its usual ticket, what it paid
(placement fees, some a subscription), kiosks, offers printed and handed out; then a year of
counter activity with December's rush and February's lull, busy Saturdays and quiet Sundays,
lunch and evening peaks, refused scans with their reasons, a few voids, and sale totals typed
for about a third of the redemptions. Two A/B tests: one whose variant B really does better,
one whose variants do the same. Deterministic for a seed.

Everything is written as lifecycle events (``lifecycle_events``: Postgres COPY, or batched
inserts on SQLite), then the rollups are rebuilt from them in one pass (``rollups.rebuild``),
which is also what proves a generated year equals its live figures. The year is the 365 days
that end yesterday (in the shops' calendar), so the dashboard always shows a recent year.
"""

from __future__ import annotations

import math
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from pika_protocol.discounts import DiscountKind
from sync_backend.analytics import rollups
from sync_backend.analytics.lifecycle import BusinessCalendar, LifecycleKind, PaymentKind
from sync_backend.analytics.money import discount_given
from sync_backend.analytics.projector import HEAD_OFFICE_CURSOR
from sync_backend.dialects import dialect_of
from sync_backend.models import (
    AnalyticsCursor,
    Business,
    BusinessPayment,
    Device,
    LifecycleEvent,
    Offer,
    utcnow,
)

K = LifecycleKind
NAMES = (
    "Panadería Ñandutí",
    "Heladería Sur",
    "Ferretería Don Pedro",
    "Farmacia Central",
    "Librería El Lector",
    "Pizzería Bella Napoli",
    "Café Asunción",
    "Óptica Visión",
    "Zapatería La Huella",
    "Chipería Barrero",
    "Verdulería Doña Rosa",
    "Carnicería El Gaucho",
    "Peluquería Estilo",
    "Bicicletería Rueda",
    "Tienda Ao Po'i",
    "Supermercado Luque",
    "Restaurante Mburucuyá",
    "Lomitería San Lorenzo",
    "Gimnasio Fuerza",
    "Vivero Yvoty",
    "Juguetería Arcoíris",
    "Mueblería Lapacho",
    "Cervecería Itá",
    "Pastelería Dulce Guaraní",
    "Lavandería Blanca",
    "Tecnología Py",
    "Perfumería Aroma",
    "Sushi Encarnación",
    "Empanadas Villarrica",
    "Mercería Hilos",
    "Barbería Clásica",
    "Floristería Orquídea",
    "Veterinaria Amigos",
    "Kiosco Central",
    "Hamburguesería Ruta 2",
    "Confitería Caacupé",
)
#: Monday .. Sunday: Saturday busiest, Sunday quietest.
WEEKDAY = (0.85, 0.9, 0.95, 1.0, 1.2, 1.55, 0.55)
#: January .. December: February's lull, December's rush.
MONTH = (0.85, 0.7, 0.95, 1.0, 1.0, 0.95, 1.05, 1.0, 1.0, 1.05, 1.15, 1.6)
#: Opening hours 7..21, lunch and evening peaks.
HOURS = {
    7: 2,
    8: 4,
    9: 5,
    10: 6,
    11: 8,
    12: 12,
    13: 10,
    14: 5,
    15: 5,
    16: 6,
    17: 8,
    18: 11,
    19: 10,
    20: 6,
    21: 2,
}
#: Share of the copies handed out that come back redeemed (a variant's rate scales it).
REDEEMED_SHARE = 0.14
#: Of the scans at a counter: refused (one event), else redeemed (scan + redemption), a few
#: of those voided (one more event).
REFUSED_SHARE = 0.08
VOIDED_SHARE = 0.01
EVENTS_PER_VISIT = REFUSED_SHARE + (1 - REFUSED_SHARE) * (2 + VOIDED_SHARE)
REFUSALS = (
    ("already_redeemed", 5),
    ("expired", 4),
    ("malformed", 3),
    ("other_business", 2),
    ("not_yet_valid", 1),
    ("revoked", 1),
    ("forged_signature", 0.3),
)
DISCOUNTS = (
    ("20%", DiscountKind.PERCENT, 20),
    ("10%", DiscountKind.PERCENT, 10),
    ("Gs. 15.000", DiscountKind.AMOUNT, 15_000),
    ("2x1", DiscountKind.OTHER, None),
)


@dataclass(frozen=True)
class DemoYear:
    businesses: int
    events: int
    first_day: date
    last_day: date
    ab_winner_business: int
    ab_even_business: int


@dataclass
class _Shop:
    id: int
    ticket: int
    kiosks: list[str]
    offers: list[tuple[int, DiscountKind, int | None, dict[int, float]]]  # id, kind, value, rates
    fee_per_copy: int  # what a placement costs per copy handed out (guaraníes)


def _copies(per_shop: float, size: float, shop: _Shop, rates: dict[int, float]) -> int:
    """Copies printed per variant of one offer: about one in seven handed out comes back
    (the best variant a half more)."""
    redemptions = per_shop * size * 365 / len(shop.offers)
    return int(redemptions / REDEEMED_SHARE * max(rates.values()) / sum(rates.values()))


def _weighted(rng: random.Random, pairs: Any) -> Any:
    total = sum(w for _, w in pairs)
    pick = rng.random() * total
    for value, weight in pairs:
        pick -= weight
        if pick <= 0:
            return value
    return pairs[-1][0]


def generate(
    session: Session,
    calendar: BusinessCalendar,
    *,
    businesses: int = 36,
    events: int = 1_000_000,
    seed: int = 2024,
    today: date | None = None,
) -> DemoYear:
    """Fill an empty analytics database with a year; returns what was made."""
    rng = random.Random(seed)
    today = today or calendar.local(utcnow())[0]
    last_day = today - timedelta(days=1)
    first_day = last_day - timedelta(days=364)
    shops = [_make_shop(session, rng, calendar, i, first_day, last_day) for i in range(businesses)]
    session.flush()
    # some shops far busier than others; scaled to average 1, so the year has the events asked
    sizer = random.Random(seed + 1)
    sizes = [sizer.uniform(0.4, 1.8) for _ in shops]
    sizes = [size * len(sizes) / sum(sizes) for size in sizes]
    weight_sum = sum(
        WEEKDAY[(first_day + timedelta(days=d)).weekday()]
        * MONTH[(first_day + timedelta(days=d)).month - 1]
        for d in range(365)
    )
    per_shop = max(1.0, events / EVENTS_PER_VISIT / len(shops) / weight_sum)
    for shop, size in zip(shops, sizes, strict=True):
        # the book placement, priced by the copies handed out: a year's return of a few times
        # what was paid, not hundreds
        copies = sum(_copies(per_shop, size, shop, o[3]) * len(o[3]) for o in shop.offers)
        session.add(
            BusinessPayment(
                business_id=shop.id,
                kind=PaymentKind.PLACEMENT.value,
                amount=max(100_000, round(copies * shop.fee_per_copy, -5)),
                starts=first_day,
            )
        )
    rows = _events(rng, calendar, list(zip(shops, sizes, strict=True)), first_day, per_shop)
    written = _write(session, rows)
    rollups.rebuild(session)
    _head_office_events_rolled_up(session)
    return DemoYear(len(shops), written, first_day, last_day, shops[0].id, shops[1].id)


def _head_office_events_rolled_up(session: Session) -> None:
    """The rebuild rolled up the year's print runs and distributions: move the projector's
    head-office cursor past them, or a server started on this database would add them again."""
    head_office = (K.PRINTED.value, K.DISTRIBUTED.value)
    last = session.execute(
        sa.select(LifecycleEvent.txid, LifecycleEvent.id)
        .where(LifecycleEvent.kind.in_(head_office))
        .order_by(LifecycleEvent.txid.desc(), LifecycleEvent.id.desc())
        .limit(1)
    ).first()
    if last is None:
        return
    cursor = session.get(AnalyticsCursor, HEAD_OFFICE_CURSOR)
    if cursor is None:
        session.add(AnalyticsCursor(name=HEAD_OFFICE_CURSOR, last_txid=last[0], last_seq=last[1]))
    else:
        cursor.last_txid, cursor.last_seq = last[0], last[1]
    session.flush()


def _make_shop(
    session: Session,
    rng: random.Random,
    calendar: BusinessCalendar,
    index: int,
    first_day: date,
    last_day: date,
) -> _Shop:
    name = NAMES[index % len(NAMES)] + ("" if index < len(NAMES) else f" {index // len(NAMES) + 1}")
    ticket = rng.choice((25_000, 40_000, 60_000, 75_000, 90_000, 120_000, 150_000))
    business = Business(
        name=name, tier=rng.choice(("BASIC", "PREMIUM", "ENTERPRISE")), usual_ticket=ticket
    )
    session.add(business)
    session.flush()
    fee_per_copy = rng.choice((600, 1_000, 1_500))  # the placement is paid once its size is known
    if rng.random() < 0.5:
        session.add(
            BusinessPayment(
                business_id=business.id,
                kind=PaymentKind.SUBSCRIPTION.value,
                amount=rng.choice((300_000, 600_000, 900_000)),
                starts=first_day,
            )
        )
    kiosks = []
    for k in range(rng.choice((1, 1, 2, 2, 3, 4))):
        device = Device(
            id=str(uuid.UUID(int=rng.getrandbits(128))),
            business_id=business.id,
            name=f"Caja {k + 1}",
        )
        session.add(device)
        kiosks.append(device.id)
    offers = []
    ab = index in (0, 1)  # shop 0: B really better; shop 1: A and B the same
    for o in range(1 if ab else rng.choice((1, 2, 3))):
        text, kind, value = DISCOUNTS[(index + o) % len(DISCOUNTS)]
        variants = (
            [{"variant": 1, "label": "A", "weight": 1}, {"variant": 2, "label": "B", "weight": 1}]
            if ab
            else []
        )
        offer = Offer(
            business_id=business.id,
            title=f"{text} — {name}"[:200],
            discount=text,
            discount_kind=kind.value,
            discount_value=value,
            valid_from=datetime.combine(first_day, time(0), tzinfo=calendar.timezone),
            valid_until=datetime.combine(
                last_day + timedelta(days=200), time(0), tzinfo=calendar.timezone
            ),
            variants=variants,
            seq=dialect_of(session).next_seqs(session, 1)[0],
        )
        session.add(offer)
        session.flush()
        rates = {1: 1.0, 2: 1.5 if index == 0 else 1.0} if ab else {0: 1.0}
        offers.append((offer.id, kind, value, rates))
    return _Shop(business.id, ticket, kiosks, offers, fee_per_copy)


def _events(
    rng: random.Random,
    calendar: BusinessCalendar,
    shops: list[tuple[_Shop, float]],
    first_day: date,
    per_shop: float,
) -> Iterator[dict[str, Any]]:
    n = 0

    def event(kind: LifecycleKind, when: datetime, shop: _Shop, **kw: Any) -> dict[str, Any]:
        nonlocal n
        n += 1
        day, hour = calendar.local(when)
        return {
            "source_key": f"demo:{n}",
            "kind": kind.value,
            "occurred_at": when,
            "local_day": day,
            "local_hour": hour,
            "business_id": shop.id,
            "offer_id": kw.get("offer_id"),
            "variant": kw.get("variant"),
            "device_id": kw.get("device_id"),
            "quantity": kw.get("quantity", 1),
            "reason": kw.get("reason"),
            "sale_total": kw.get("sale_total"),
            "discount": kw.get("discount"),
        }

    tz = calendar.timezone
    hours = list(HOURS.items())
    for shop, size in shops:
        printed_at = datetime.combine(first_day - timedelta(days=20), time(9), tzinfo=tz)
        for offer_id, _kind, _value, rates in shop.offers:
            copies = _copies(per_shop, size, shop, rates)
            for variant in rates:
                v = variant or None
                yield event(
                    K.PRINTED, printed_at, shop, offer_id=offer_id, variant=v, quantity=copies
                )
                for quarter in range(4):  # handed out in four rounds
                    when = datetime.combine(
                        first_day + timedelta(days=91 * quarter - 5), time(0), tzinfo=tz
                    )
                    yield event(
                        K.DISTRIBUTED,
                        when,
                        shop,
                        offer_id=offer_id,
                        variant=v,
                        quantity=copies // 4,
                    )
        for d in range(365):
            day = first_day + timedelta(days=d)
            mean = per_shop * size * WEEKDAY[day.weekday()] * MONTH[day.month - 1]
            count = max(0, round(rng.gauss(mean, math.sqrt(mean))))
            for _ in range(count):
                offer_id, kind, value, rates = rng.choice(shop.offers)
                variant = _weighted(rng, list(rates.items()))
                hour = _weighted(rng, hours)
                when = datetime.combine(day, time(hour, rng.randrange(60)), tzinfo=tz)
                device = rng.choice(shop.kiosks)
                v = variant or None
                if rng.random() < REFUSED_SHARE:
                    yield event(
                        K.SCANNED,
                        when,
                        shop,
                        offer_id=offer_id,
                        variant=v,
                        device_id=device,
                        reason=_weighted(rng, REFUSALS),
                    )
                    continue
                sale = None
                if rng.random() < 0.33:
                    sale = max(
                        1_000, int(round(rng.lognormvariate(math.log(shop.ticket), 0.45), -3))
                    )
                money = {
                    "sale_total": sale,
                    "discount": discount_given(
                        kind, value, sale_total=sale, usual_ticket=shop.ticket
                    ),
                }
                common = {"offer_id": offer_id, "variant": v, "device_id": device}
                yield event(K.SCANNED, when, shop, **common)
                yield event(K.REDEEMED, when, shop, **common, **money)
                if rng.random() < VOIDED_SHARE:
                    yield event(K.VOIDED, when + timedelta(minutes=3), shop, **common, **money)


_COLUMNS = (
    "source_key",
    "kind",
    "occurred_at",
    "local_day",
    "local_hour",
    "business_id",
    "offer_id",
    "variant",
    "device_id",
    "quantity",
    "reason",
    "sale_total",
    "discount",
)


def _write(session: Session, rows: Iterator[dict[str, Any]]) -> int:
    """COPY on Postgres (millions of rows in seconds); batched INSERTs on SQLite."""
    table = cast(sa.Table, LifecycleEvent.__table__)
    return dialect_of(session).bulk_load(session, table, _COLUMNS, _batches(rows, 20_000))


def _batches(rows: Iterator[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
