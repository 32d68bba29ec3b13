"""The rollup tables as a specification: what each counter adds up, applied live or rebuilt.

Each counter is a sum of terms over lifecycle events ("quantity of ``redeemed`` events, minus
that of ``voided`` ones, where a sale total was typed"). The same specification drives the live
update (:func:`apply`, in the transaction that records the events) and the rebuild from the
event log (:func:`rebuilt_rows`, one ``GROUP BY`` in SQL), so ``pika-backend analytics rebuild
--verify`` compares two independent computations of one definition.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sync_backend.analytics.lifecycle import LifecycleKind
from sync_backend.dialects import dialect_of
from sync_backend.models import (
    Base,
    BusinessHourly,
    DailyRollup,
    DayTotals,
    HourlyRollup,
    HourlyTotals,
    KioskDailyRollup,
    LifecycleEvent,
    RefusalRollup,
    RefusalTotals,
)

K = LifecycleKind


class Measure(Enum):
    QUANTITY = "quantity"
    SALE_TOTAL = "sale_total"
    DISCOUNT = "discount"


class When(Enum):
    ALWAYS = "always"
    REFUSED = "refused"  # a scan with a refusal reason
    RECORDED = "recorded"  # a sale total was typed
    VALUED = "valued"  # the discount has a guaraní value
    UNVALUED = "unvalued"  # ... it has none


@dataclass(frozen=True)
class Term:
    kind: LifecycleKind
    measure: Measure = Measure.QUANTITY
    when: When = When.ALWAYS
    sign: int = 1


def _net(measure: Measure, when: When = When.ALWAYS) -> tuple[Term, ...]:
    """A redemption's figure, taken back by its void (the void carries the same figures)."""
    return (Term(K.REDEEMED, measure, when), Term(K.VOIDED, measure, when, -1))


@dataclass(frozen=True)
class RollupTable:
    model: type[Base]
    #: key column -> the event column it groups by (None keys become 0 or '')
    key: Mapping[str, str]
    counters: Mapping[str, tuple[Term, ...]]
    #: events this table counts at all
    kinds: frozenset[LifecycleKind] = field(default_factory=lambda: frozenset(LifecycleKind))
    refused_only: bool = False

    @property
    def target(self) -> sa.Table:
        return cast(sa.Table, self.model.__table__)


_DIMENSIONS = {
    "business_id": "business_id",
    "local_day": "local_day",
    "offer_id": "offer_id",
    "variant": "variant",
    "device_id": "device_id",
}

DAILY = RollupTable(
    model=DailyRollup,
    key=_DIMENSIONS,
    counters={
        "printed": (Term(K.PRINTED),),
        "distributed": (Term(K.DISTRIBUTED),),
        "expired": (Term(K.EXPIRED),),
        "scanned": (Term(K.SCANNED),),
        "refused": (Term(K.SCANNED, when=When.REFUSED),),
        "redeemed": (Term(K.REDEEMED),),
        "voided": (Term(K.VOIDED),),
        "sales_recorded": _net(Measure.QUANTITY, When.RECORDED),
        "sales_sum": _net(Measure.SALE_TOTAL, When.RECORDED),
        "discount_all": _net(Measure.DISCOUNT, When.VALUED),
        "discount_recorded": (
            Term(K.REDEEMED, Measure.DISCOUNT, When.RECORDED),
            Term(K.VOIDED, Measure.DISCOUNT, When.RECORDED, -1),
        ),
        "discount_unvalued": _net(Measure.QUANTITY, When.UNVALUED),
    },
)
HOURLY = RollupTable(
    model=HourlyRollup,
    key={
        "business_id": "business_id",
        "device_id": "device_id",
        "local_day": "local_day",
        "local_hour": "local_hour",
    },
    counters={
        "scanned": (Term(K.SCANNED),),
        "redeemed": (Term(K.REDEEMED),),
        "voided": (Term(K.VOIDED),),
    },
    kinds=frozenset({K.SCANNED, K.REDEEMED, K.VOIDED}),
)
REFUSALS = RollupTable(
    model=RefusalRollup,
    key={**_DIMENSIONS, "reason": "reason"},
    counters={"scans": (Term(K.SCANNED),)},
    kinds=frozenset({K.SCANNED}),
    refused_only=True,
)
# Head office's all-business view: the same counters (the same terms, not a copy of them) with
# fewer dimensions, so it reads a business's days or the days themselves. Live and rebuilt like
# the others, so ``rebuild --verify`` covers them too.
KIOSK_DAILY = RollupTable(
    model=KioskDailyRollup,
    key={"business_id": "business_id", "local_day": "local_day", "device_id": "device_id"},
    counters=DAILY.counters,
    kinds=DAILY.kinds,
)
DAY_TOTALS = RollupTable(
    model=DayTotals,
    key={"local_day": "local_day"},
    counters=DAILY.counters,
    kinds=DAILY.kinds,
)
BUSINESS_HOURLY = RollupTable(
    model=BusinessHourly,
    key={"business_id": "business_id", "local_day": "local_day", "local_hour": "local_hour"},
    counters=HOURLY.counters,
    kinds=HOURLY.kinds,
)
HOURLY_TOTALS = RollupTable(
    model=HourlyTotals,
    key={"local_day": "local_day", "local_hour": "local_hour"},
    counters=HOURLY.counters,
    kinds=HOURLY.kinds,
)
REFUSAL_TOTALS = RollupTable(
    model=RefusalTotals,
    key={"local_day": "local_day", "reason": "reason"},
    counters=REFUSALS.counters,
    kinds=REFUSALS.kinds,
    refused_only=REFUSALS.refused_only,
)
TABLES: tuple[RollupTable, ...] = (
    DAILY,
    HOURLY,
    REFUSALS,
    KIOSK_DAILY,
    DAY_TOTALS,
    BUSINESS_HOURLY,
    HOURLY_TOTALS,
    REFUSAL_TOTALS,
)

#: What a missing dimension is stored as (key columns are NOT NULL).
_NONE_AS = {"offer_id": 0, "variant": 0, "device_id": ""}


# --- live update ------------------------------------------------------------------------------


def _holds(when: When, event: Mapping[str, Any]) -> bool:
    if when is When.ALWAYS:
        return True
    if when is When.REFUSED:
        return event["reason"] is not None
    if when is When.RECORDED:
        return event["sale_total"] is not None
    if when is When.VALUED:
        return event["discount"] is not None
    return event["discount"] is None  # UNVALUED


def _term_value(term: Term, event: Mapping[str, Any]) -> int:
    if event["kind"] != term.kind.value or not _holds(term.when, event):
        return 0
    return term.sign * int(event[term.measure.value] or 0)


def _key(table: RollupTable, event: Mapping[str, Any]) -> tuple[Any, ...]:
    values = []
    for column in table.key.values():
        value = event[column]
        values.append(_NONE_AS.get(column, value) if value is None else value)
    return tuple(values)


def _counts(table: RollupTable, event: Mapping[str, Any]) -> bool:
    if LifecycleKind(event["kind"]) not in table.kinds:
        return False
    return not table.refused_only or event["reason"] is not None


def deltas(
    table: RollupTable, events: Iterable[Mapping[str, Any]]
) -> dict[tuple[Any, ...], dict[str, int]]:
    """Per rollup key, what ``events`` add to each counter (keys adding nothing left out)."""
    out: dict[tuple[Any, ...], dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(table.counters, 0)
    )
    for event in events:
        if not _counts(table, event):
            continue
        row = out[_key(table, event)]
        for counter, terms in table.counters.items():
            row[counter] += sum(_term_value(t, event) for t in terms)
    return {k: v for k, v in out.items() if any(v.values())}


def insert_for(session: Session) -> Callable[..., Any]:
    """The dialect's INSERT with ON CONFLICT (Postgres and SQLite spell it alike)."""
    return dialect_of(session).insert


def apply(session: Session, events: Sequence[Mapping[str, Any]]) -> None:
    """Add newly recorded events to every rollup, in the caller's transaction."""
    if not events:
        return
    insert = insert_for(session)
    for table in TABLES:
        rows = [
            {**dict(zip(table.key, key, strict=True)), **counters}
            for key, counters in sorted(deltas(table, events).items())
        ]
        if not rows:
            continue
        target = table.target
        statement = insert(target)
        statement = statement.on_conflict_do_update(
            index_elements=list(table.key),
            set_={c: target.c[c] + statement.excluded[c] for c in table.counters},
        )
        session.execute(statement, rows)


# --- rebuild from the event log ---------------------------------------------------------------


def _condition(when: When) -> sa.ColumnElement[bool] | None:
    e = LifecycleEvent
    return {
        When.ALWAYS: None,
        When.REFUSED: e.reason.is_not(None),
        When.RECORDED: e.sale_total.is_not(None),
        When.VALUED: e.discount.is_not(None),
        When.UNVALUED: e.discount.is_(None),
    }[when]


def _sum(terms: tuple[Term, ...]) -> sa.ColumnElement[Any]:
    e = LifecycleEvent
    parts: list[sa.ColumnElement[Any]] = []
    for term in terms:
        test = e.kind == term.kind.value
        extra = _condition(term.when)
        if extra is not None:
            test = sa.and_(test, extra)
        measure = sa.func.coalesce(getattr(e, term.measure.value), 0)
        parts.append(sa.case((test, measure * term.sign), else_=0))
    total = parts[0]
    for part in parts[1:]:
        total = total + part
    return sa.func.coalesce(sa.func.sum(total), 0)


def rebuild_query(table: RollupTable) -> sa.Select[Any]:
    """The table's rows as one GROUP BY over ``lifecycle_events``."""
    e = LifecycleEvent
    keys = []
    for name, column in table.key.items():
        expr = getattr(e, column)
        if column in _NONE_AS:
            expr = sa.func.coalesce(expr, _NONE_AS[column])
        keys.append(expr.label(name))
    query = sa.select(*keys, *(_sum(t).label(c) for c, t in table.counters.items())).where(
        e.kind.in_([k.value for k in table.kinds])
    )
    if table.refused_only:
        query = query.where(e.reason.is_not(None))
    return query.group_by(*keys)


def _as_rows(
    table: RollupTable, result: Iterable[Sequence[Any]]
) -> dict[tuple[Any, ...], tuple[int, ...]]:
    width = len(table.key)
    out = {}
    for row in result:
        counters = tuple(int(v) for v in row[width:])
        if any(counters):
            out[tuple(row[:width])] = counters
    return out


def rebuilt_rows(session: Session, table: RollupTable) -> dict[tuple[Any, ...], tuple[int, ...]]:
    return _as_rows(table, session.execute(rebuild_query(table)))


def live_rows(session: Session, table: RollupTable) -> dict[tuple[Any, ...], tuple[int, ...]]:
    target = table.target
    columns = [target.c[c] for c in (*table.key, *table.counters)]
    return _as_rows(table, session.execute(sa.select(*columns)))


@dataclass(frozen=True)
class Difference:
    table: str
    key: tuple[Any, ...]
    live: tuple[int, ...] | None
    rebuilt: tuple[int, ...] | None


def differences(session: Session) -> list[Difference]:
    """Every rollup row where the live table and the rebuild from events disagree."""
    found = []
    for table in TABLES:
        live, rebuilt = live_rows(session, table), rebuilt_rows(session, table)
        name = table.model.__tablename__
        for key in sorted(live.keys() | rebuilt.keys(), key=repr):
            if live.get(key) != rebuilt.get(key):
                found.append(Difference(name, key, live.get(key), rebuilt.get(key)))
    return found


def rebuild(session: Session) -> None:
    """Replace every rollup with its rebuild from the event log (one transaction)."""
    for table in TABLES:
        target = table.target
        session.execute(sa.delete(target))
        query = rebuild_query(table)
        session.execute(sa.insert(target).from_select([*table.key, *table.counters], query))
