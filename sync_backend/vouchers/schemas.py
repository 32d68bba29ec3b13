"""Admin API shapes for offers, books and revocations."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, Strict, model_validator

from pika_protocol.discounts import DiscountKind, discount_problem, read_discount
from pika_protocol.sync_wire import OfferVariant, PublicKey, WireTime
from sync_backend.pg_types import PgText, StrictPgBigInt, StrictPgCount, StrictPgId


class OfferIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    business_id: StrictPgId
    title: PgText = Field(min_length=1, max_length=200)
    discount: PgText = Field(min_length=1, max_length=200)
    #: Say the discount in numbers; left out, both are read from ``discount`` (a text that
    #: names no amount or percentage, like "2x1", is kind ``other`` with no value).
    discount_kind: DiscountKind | None = None
    discount_value: StrictPgBigInt | None = None
    valid_from: WireTime
    valid_until: WireTime
    cap_total: StrictPgCount | None = None
    cap_per_customer: StrictPgCount | None = None
    #: A/B variants with weights; empty = no A/B test (every copy gets variant 0).
    variants: list[OfferVariant] = Field(default_factory=list, max_length=16)

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.discount_kind is None:
            if self.discount_value is not None:
                raise ValueError("discount_value needs discount_kind")
            self.discount_kind, self.discount_value = read_discount(self.discount)
        problem = discount_problem(self.discount_kind, self.discount_value)
        if problem is not None:
            raise ValueError(problem)
        if self.valid_until <= self.valid_from:
            raise ValueError("valid_until must be after valid_from")
        if self.valid_until.timestamp() > 0xFFFF_FFFF or self.valid_from.timestamp() < 0:
            raise ValueError("validity window must fit the token (1970..2106)")
        numbers = [v.variant for v in self.variants]
        if len(set(numbers)) != len(numbers):
            raise ValueError("variant numbers must be distinct")
        return self


class OfferOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    business_id: int
    title: str
    discount: str
    discount_kind: DiscountKind
    discount_value: int | None
    valid_from: datetime
    valid_until: datetime
    cap_total: int | None
    cap_per_customer: int | None
    variants: list[OfferVariant]


#: Most copies one print run signs (the API and the CLI alike).
MAX_BOOK_COPIES = 100_000


class BookIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    copies: Annotated[int, Strict(), Field(ge=1, le=MAX_BOOK_COPIES)]


class BookOut(BaseModel):
    id: int
    offer_id: int
    copies: int
    key_id: int
    first_serial: int
    last_serial: int
    copies_per_variant: dict[int, int]


class RevokeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: PgText = Field(default="", max_length=200)


class SigningKeyOut(PublicKey):
    created_at: datetime
    rotation_due: bool
