"""The counter's connection badge: which one, its colour, and the clock warning."""

from __future__ import annotations

import pytest

from app.core.sync.connection_badge import (
    COLOURS,
    SKEWED_COLOUR,
    Badge,
    BadgeLook,
    connection_badge,
)
from app.core.sync.loop import Connection, SyncStatus


@pytest.mark.parametrize(
    ("connection", "badge"),
    [
        (Connection.UNKNOWN, Badge.CONNECTING),
        (Connection.ONLINE, Badge.ONLINE),
        (Connection.WAITING_TO_SEND, Badge.WAITING_TO_SEND),
        (Connection.NOT_AUTHORISED, Badge.NOT_AUTHORISED),
        (Connection.OFFLINE, Badge.OFFLINE),
        (Connection.REVOKED, Badge.OFFLINE),
    ],
)
def test_a_syncing_kiosk_shows_its_connection(connection: Connection, badge: Badge) -> None:
    look = connection_badge(SyncStatus(connection=connection), demo=False, syncing=True)
    assert look == BadgeLook(badge, COLOURS[badge])


def test_before_the_first_pass_it_is_connecting() -> None:
    assert connection_badge(None, demo=False, syncing=True).badge is Badge.CONNECTING


def test_demo_and_unenrolled_kiosks_say_so_whatever_the_status() -> None:
    online = SyncStatus(connection=Connection.ONLINE)
    assert connection_badge(online, demo=True, syncing=True).badge is Badge.DEMO
    assert connection_badge(None, demo=True, syncing=False).badge is Badge.DEMO
    assert connection_badge(online, demo=False, syncing=False).badge is Badge.NOT_ENROLLED


def test_waiting_to_send_is_not_offline() -> None:
    look = connection_badge(
        SyncStatus(connection=Connection.WAITING_TO_SEND), demo=False, syncing=True
    )
    assert look.badge is Badge.WAITING_TO_SEND and look.colour != COLOURS[Badge.OFFLINE]


def test_a_clock_off_beyond_head_office_limit_is_warned_in_minutes() -> None:
    skewed = SyncStatus(connection=Connection.ONLINE, clock_skew_s=-361, clock_skew_limit_s=300)
    assert connection_badge(skewed, demo=False, syncing=True) == BadgeLook(
        Badge.ONLINE, SKEWED_COLOUR, -6
    )
    within = SyncStatus(connection=Connection.ONLINE, clock_skew_s=299, clock_skew_limit_s=300)
    assert connection_badge(within, demo=False, syncing=True).skew_minutes is None
