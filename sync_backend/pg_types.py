"""What a client may send where Postgres will hold or compare it: one place, every route.

An integer beyond its column's type, or text with a NUL byte, made Postgres raise inside the
request and the client got a 500 (issue 12). Every body field, path and query parameter that
reaches the database uses one of these types instead of a bare ``int``/``str``, so pydantic
refuses the value first with a 422 in the usual error envelope (and the OpenAPI schema says
the bounds). ``tests/backend/test_hostile_input.py`` walks every route to keep it so.
"""

from __future__ import annotations

from typing import Annotated

import annotated_types
from pydantic import Strict

from pika_protocol.sync_wire import Text

PG_INT_MAX = 2**31 - 1
PG_BIGINT_MAX = 2**63 - 1

#: A value for an ``integer`` column (business, offer, book, flag ids; counts).
PgInt = Annotated[int, annotated_types.Interval(ge=-(2**31), le=PG_INT_MAX)]
#: A value for a ``bigint`` column (voucher serials, amounts in guaraníes).
PgBigInt = Annotated[int, annotated_types.Interval(ge=-(2**63), le=PG_BIGINT_MAX)]
#: A row id of an ``integer`` serial column: none is below 1.
PgId = Annotated[int, annotated_types.Interval(ge=1, le=PG_INT_MAX)]
#: A count or page size for an ``integer`` column: at least 1. (Give a narrower bound as its
#: own type: a ``Field(ge=...)`` beside one of these is overridden by the type's own bound.)
PgCount = Annotated[int, annotated_types.Interval(ge=1, le=PG_INT_MAX)]
#: A voucher serial (``bigint``): none is below 1.
PgSerial = Annotated[int, annotated_types.Interval(ge=1, le=PG_BIGINT_MAX)]
#: Text for a ``text``/``varchar`` column or filter: no NUL byte.
PgText = Text

# In a JSON body a number must be a JSON integer (``true`` is not 1 copy, ``"5"`` not 5); path
# and query parameters are text by nature, so they use the lax types above.
StrictPgCount = Annotated[PgCount, Strict()]
StrictPgBigInt = Annotated[PgBigInt, Strict()]
StrictPgId = Annotated[PgId, Strict()]


def fits_bigint(value: int) -> bool:
    """Whether a number from a client (a token's serial, say) can be a bigint at all."""
    return -(2**63) <= value <= PG_BIGINT_MAX


def pg_text(text: str) -> str:
    """``text`` as Postgres can store it: a NUL byte becomes U+FFFD (the replacement mark).

    Only for text kept as evidence that must not be refused for one bad byte: a scanned
    token (hostile QR content) or a cashier's void reason. The item is decided on the text
    as sent; only the stored copy carries the mark."""
    return text.replace("\x00", "\ufffd")
