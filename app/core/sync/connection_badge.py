"""Which connection badge the counter screen shows, decided without Qt.

A cashier glances at one badge: online, waiting to send or offline (and still working), or
why not, and a warning when the kiosk's clock is off by more than head office accepts. The
words are the UI's (translated there); which badge, its colour and the minutes are decided here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from app.core.sync.loop import Connection, SyncStatus


class Badge(Enum):
    DEMO = "demo"  # demo mode: nothing is ever sent
    NOT_ENROLLED = "not_enrolled"  # no sync at all: the kiosk works offline
    CONNECTING = "connecting"  # syncing, no pass finished yet
    ONLINE = "online"
    #: Head office answered, but the shop is over its tier for now: nothing is wrong at the
    #: counter, the redemptions go when head office takes them again.
    WAITING_TO_SEND = "waiting_to_send"
    NOT_AUTHORISED = "not_authorised"  # enrol again
    OFFLINE = "offline"  # offline, working normally


COLOURS = {
    Badge.DEMO: "#6d4c41",
    Badge.NOT_ENROLLED: "#757575",
    Badge.CONNECTING: "#757575",
    Badge.ONLINE: "#2e7d32",
    Badge.WAITING_TO_SEND: "#1565c0",
    Badge.NOT_AUTHORISED: "#c62828",
    Badge.OFFLINE: "#757575",
}
#: A skewed clock turns any badge this colour: redemptions it dates are flagged.
SKEWED_COLOUR = "#ef6c00"


@dataclass(frozen=True, slots=True)
class BadgeLook:
    """The badge, its background colour, and the clock skew to add in minutes (or None)."""

    badge: Badge
    colour: str
    skew_minutes: int | None = None


def connection_badge(status: SyncStatus | None, *, demo: bool, syncing: bool) -> BadgeLook:
    """The badge for the latest sync ``status`` (None before the first); ``syncing`` says
    whether this kiosk syncs at all (a demo or unenrolled kiosk does not)."""
    connection = status.connection if status is not None else Connection.UNKNOWN
    if demo:
        badge = Badge.DEMO
    elif not syncing:
        badge = Badge.NOT_ENROLLED
    elif connection is Connection.UNKNOWN:
        badge = Badge.CONNECTING
    elif connection is Connection.ONLINE:
        badge = Badge.ONLINE
    elif connection is Connection.WAITING_TO_SEND:
        badge = Badge.WAITING_TO_SEND
    elif connection is Connection.NOT_AUTHORISED:
        badge = Badge.NOT_AUTHORISED
    else:
        badge = Badge.OFFLINE
    if status is not None and status.clock_skewed and status.clock_skew_s is not None:
        return BadgeLook(badge, SKEWED_COLOUR, round(status.clock_skew_s / 60))
    return BadgeLook(badge, COLOURS[badge])
