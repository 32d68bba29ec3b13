from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pika_protocol.validation import PriorRedemption, Reason, validate
from tests.vectors.loader import ValidationCase, load_validation_vectors

VECTORS = load_validation_vectors()


@pytest.mark.parametrize("case", VECTORS.cases, ids=lambda c: c.name)
def test_shared_vectors(case: ValidationCase) -> None:
    def find(serial: int) -> PriorRedemption | None:
        if serial in case.redeemed_serials:
            redeemed_at = VECTORS.now - timedelta(days=1)  # the vectors' own fixed now
            return PriorRedemption("r-1", redeemed_at, "dev-1", "Caja 1")
        return None

    result = validate(
        case.token,
        business_id=case.business_id,
        public_keys=VECTORS.public_keys,
        revoked_serials=case.revoked_serials,
        find_redemption=find,
        now=VECTORS.now,
    )
    assert result.reason == Reason(case.expected)
    if result.reason is Reason.ALREADY_REDEEMED:
        assert result.prior is not None and result.prior.device_name == "Caja 1"
    if result.reason in {Reason.MALFORMED, Reason.UNKNOWN_KEY, Reason.FORGED}:
        assert result.claims is None


def test_vectors_cover_every_reason() -> None:
    assert {Reason(c.expected) for c in VECTORS.cases} == set(Reason)


def test_vectors_file_is_what_the_generator_makes(tmp_path, monkeypatch) -> None:
    from tests.vectors import make_validation_vectors as gen

    before = gen.HERE.joinpath("validation.json").read_text(encoding="utf-8")
    monkeypatch.setattr(gen, "HERE", tmp_path)
    gen.main()
    assert tmp_path.joinpath("validation.json").read_text(encoding="utf-8") == before


def test_window_edges_are_inclusive() -> None:
    from pika_protocol.tokens import VoucherClaims, sign

    key = VECTORS.signing_keys[1]
    claims = VoucherClaims(
        key_id=1, business_id=7, offer_id=1, serial=5, valid_from=1_000_000, valid_until=2_000_000
    )
    token = sign(claims, key)

    def at(ts: int) -> Reason:
        return validate(
            token,
            business_id=7,
            public_keys=VECTORS.public_keys,
            revoked_serials=(),
            find_redemption=lambda s: None,
            now=datetime.fromtimestamp(ts, UTC),
        ).reason

    assert at(999_999) is Reason.NOT_YET_VALID
    assert at(1_000_000) is Reason.VALID
    assert at(2_000_000) is Reason.VALID
    assert at(2_000_001) is Reason.EXPIRED
