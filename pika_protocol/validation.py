"""Whether a scanned voucher may be redeemed here and now.

One pure function decides, with no I/O: the kiosk calls it offline with its local state and
the backend calls it with the server's state, so the rules cannot drift apart. The shared test
vectors in ``tests/vectors/validation.json`` pin every outcome for both sides.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from pika_protocol.tokens import SignedToken, TokenError, TokenProblem, VoucherClaims, verify


class Reason(StrEnum):
    """The one answer a scan gets. Values are stable codes stored and sent over the wire."""

    VALID = "valid"
    ALREADY_REDEEMED = "already_redeemed"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    OTHER_BUSINESS = "other_business"
    REVOKED = "revoked"
    UNKNOWN_KEY = "unknown_key"
    FORGED = "forged_signature"
    MALFORMED = "malformed"

    @property
    def accepted(self) -> bool:
        return self is Reason.VALID


_FROM_TOKEN_PROBLEM = {
    TokenProblem.MALFORMED: Reason.MALFORMED,
    TokenProblem.UNKNOWN_KEY: Reason.UNKNOWN_KEY,
    TokenProblem.FORGED: Reason.FORGED,
}


@dataclass(frozen=True, slots=True)
class PriorRedemption:
    """An earlier redemption of the same printed copy, shown to the cashier as when/where."""

    redemption_id: str
    redeemed_at: datetime
    device_id: str
    device_name: str = ""


#: Looks up the accepted redemption of a serial, locally or as learned from sync.
RedemptionLookup = Callable[[int], PriorRedemption | None]


@dataclass(frozen=True, slots=True)
class Validation:
    """The decision for one scan: a reason code plus what the cashier needs to see."""

    reason: Reason
    claims: VoucherClaims | None = None
    token: str | None = None
    prior: PriorRedemption | None = None
    detail: str = ""

    @property
    def accepted(self) -> bool:
        return self.reason.accepted


def validate(
    token_text: str | SignedToken,
    *,
    business_id: int,
    public_keys: Mapping[int, Ed25519PublicKey],
    revoked_serials: Collection[int],
    find_redemption: RedemptionLookup,
    now: datetime,
    trusted_digests: Collection[bytes] = (),
) -> Validation:
    """Decide one scan. Never raises for bad input: every failure is a :class:`Reason`.

    Order matters and is part of the contract: a forged token says nothing trustworthy, so
    signature comes first; a voucher of another business is reported as such even if it was
    revoked or used there; revoked beats already-redeemed so the cashier sees the real cause;
    a used voucher shows when/where even after it has expired.

    ``token_text`` may come already read (``tokens.read``); ``trusted_digests`` are the
    signer's own tokens, accepted without the signature maths (see ``tokens.verify``).
    """
    try:
        voucher = verify(token_text, public_keys, trusted_digests=trusted_digests)
    except TokenError as exc:
        return Validation(reason=_FROM_TOKEN_PROBLEM[exc.problem], detail=exc.detail)

    claims = voucher.claims
    token = voucher.token
    if claims.business_id != business_id:
        return Validation(reason=Reason.OTHER_BUSINESS, claims=claims, token=token)
    if claims.serial in revoked_serials:
        return Validation(reason=Reason.REVOKED, claims=claims, token=token)
    prior = find_redemption(claims.serial)
    if prior is not None:
        return Validation(reason=Reason.ALREADY_REDEEMED, prior=prior, claims=claims, token=token)
    timestamp = now.timestamp()
    if timestamp < claims.valid_from:
        return Validation(reason=Reason.NOT_YET_VALID, claims=claims, token=token)
    if timestamp > claims.valid_until:
        return Validation(reason=Reason.EXPIRED, claims=claims, token=token)
    return Validation(reason=Reason.VALID, claims=claims, token=token)
