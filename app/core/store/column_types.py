"""Column types that keep the store's values exact on SQLite.

SQLite has no timestamp type and its integers are signed 64-bit, while a voucher serial is an
unsigned 64-bit number. These decorators make both round-trip without loss.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BigInteger, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

_ISO_UTC = "%Y-%m-%dT%H:%M:%S.%fZ"
_TWO_63 = 2**63
_TWO_64 = 2**64


class UtcDateTime(TypeDecorator[datetime]):
    """An aware datetime stored as fixed-width ISO-8601 UTC text.

    Fixed width (always microseconds, always ``Z``) means text order is time order, so indexes
    on these columns sort correctly; text keeps the file readable with the ``sqlcipher`` shell.
    Naive datetimes are refused: a kiosk and the server must agree what an instant is.
    """

    impl = String(27)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r} cannot be stored; give it a timezone")
        return value.astimezone(UTC).strftime(_ISO_UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return datetime.strptime(value, _ISO_UTC).replace(tzinfo=UTC)


def to_iso_utc(value: datetime) -> str:
    """The same text form for JSON payloads (outbox, events)."""
    return value.astimezone(UTC).strftime(_ISO_UTC)


class Serial(TypeDecorator[int]):
    """An unsigned 64-bit voucher serial in SQLite's signed 64-bit INTEGER.

    Two's complement: serials below 2**63 are stored as themselves (readable when debugging),
    larger ones wrap to negative numbers. The mapping is one-to-one, so uniqueness and equality
    hold; only ``ORDER BY serial`` would be off, and nothing orders by serial.
    """

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: int | None, dialect: Dialect) -> int | None:
        if value is None:
            return None
        if not 0 <= value < _TWO_64:
            raise ValueError(f"serial {value} is not an unsigned 64-bit number")
        return value - _TWO_64 if value >= _TWO_63 else value

    def process_result_value(self, value: Any, dialect: Dialect) -> int | None:
        if value is None:
            return None
        return int(value) + _TWO_64 if value < 0 else int(value)
