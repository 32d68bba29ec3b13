"""The wire's own types (issue 12): strict where a lax reading would change the meaning, and
kiosk times bounded to a range every later step (fraud windows, clock skew) can compute with.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from pika_protocol import sync_wire

# The items below carry literal kiosk times; the clock is pinned beside them so no check that
# compares a time with "now" can ever turn with the calendar.
pytestmark = pytest.mark.time_machine(datetime(2026, 3, 4, 10, 11, 13, tzinfo=UTC), tick=False)


def _scan(**overrides: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "kind": "scan",
        "token": "HELLO",
        "business_id": 7,
        "serial": 12,
        "offer_id": 3,
        "variant": 1,
        "reason": "malformed",
        "scanned_at": "2026-03-04T10:11:12+00:00",
        "device_id": "dev-1",
        "source": "camera",
        "location": {"lat": -25.3, "lon": -57.6},
    }
    item.update(overrides)
    return item


def _void(**overrides: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "kind": "void",
        "redemption_id": str(uuid.uuid4()),
        "void_reason": "undo",
        "voided_at": "2026-03-04T10:11:12+00:00",
        "business_id": 7,
        "device_id": "dev-1",
    }
    item.update(overrides)
    return item


def _parse(*items: dict[str, Any], **request: Any) -> sync_wire.PushRequest:
    body = {"items": list(items), **request}
    return sync_wire.PushRequest.model_validate_json(json.dumps(body))


def test_a_real_scan_and_void_parse() -> None:
    parsed = _parse(_scan(), _void(), sent_at="2026-03-04T10:11:13Z")
    scan = parsed.items[0]
    assert isinstance(scan, sync_wire.OutboxItem)
    assert scan.scanned_at == datetime(2026, 3, 4, 10, 11, 12, tzinfo=UTC)
    assert scan.location is not None and scan.location.lat == -25.3
    # Whole degrees are numbers too.
    assert _parse(_scan(location={"lat": -25, "lon": -57})).items[0].location is not None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("scanned_at", 123),
        ("scanned_at", 1_700_000_000.5),
        ("scanned_at", "1700000000"),
        ("scanned_at", True),
        ("serial", True),
        ("serial", "12"),
        ("serial", 12.0),
        ("offer_id", True),
        ("business_id", True),
        ("business_id", "7"),
        ("variant", False),
        ("location", {"lat": True, "lon": 1.0}),
        ("location", {"lat": "1.5", "lon": 1.0}),
    ],
)
def test_a_lax_reading_is_refused(field: str, value: Any) -> None:
    with pytest.raises(ValidationError) as raised:
        _parse(_scan(**{field: value}))
    assert raised.value.errors()[0]["loc"][:3] == ("items", 0, "scan")


@pytest.mark.parametrize(
    ("field", "value"), [("voided_at", 123), ("business_id", True), ("voided_at", "0")]
)
def test_a_lax_reading_of_a_void_is_refused(field: str, value: Any) -> None:
    with pytest.raises(ValidationError):
        _parse(_void(**{field: value}))


@pytest.mark.parametrize("sent_at", [123, "123", True])
def test_sent_at_is_a_time_not_a_number(sent_at: Any) -> None:
    with pytest.raises(ValidationError):
        _parse(_scan(), sent_at=sent_at)


@pytest.mark.parametrize(
    "when",
    [
        "9999-12-31T23:59:59+00:00",
        "0001-01-01T00:00:00+00:00",
        "1969-12-31T23:59:59+00:00",
        "2106-02-07T06:28:16+00:00",
    ],
)
def test_a_kiosk_time_outside_the_tokens_clock_is_refused(when: str) -> None:
    with pytest.raises(ValidationError) as raised:
        _parse(_scan(scanned_at=when))
    assert "1970" in str(raised.value)
    with pytest.raises(ValidationError):
        _parse(_void(voided_at=when))


@pytest.mark.parametrize(
    "when", ["1970-01-01T00:00:00+00:00", "2000-01-01T00:00:00+00:00", "2106-02-07T06:28:15Z"]
)
def test_a_dead_clock_battery_is_still_a_time_the_backend_takes(when: str) -> None:
    """A kiosk whose clock reset to 1970 or 2000 still gave the discount: its items go out
    (and head office flags the clock), they are not refused."""
    assert _parse(_scan(scanned_at=when), _void(voided_at=when)).items


def test_sent_at_far_off_is_accepted_so_a_kiosk_never_fails_to_build_its_batch() -> None:
    assert _parse(_scan(), sent_at="9999-12-31T23:59:59+00:00").sent_at is not None
