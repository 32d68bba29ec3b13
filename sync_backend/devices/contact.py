"""When each kiosk was last heard from, and its outbox as it said then (issue 15).

Every kiosk pulls every ``poll_interval_s`` (30 s by default), mostly to find nothing new;
writing each pull would turn the busiest read into a write. A process writes a device's row
at most once a ``CONTACT_WRITE_INTERVAL_S``, and at once when its outbox turns empty or stops
being empty, so an outbox alert clears (or starts counting) with the pull that shows it.

What head office learns from this is only what a kiosk in contact says: a kiosk that cannot
reach the server reports nothing, and shows as silent instead (devices/watch.py).
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from pika_protocol import sync_wire
from sync_backend.models import Device

CONTACT_WRITE_INTERVAL_S = 60.0


class ContactBook:
    """Which devices this process wrote lately (a few bytes per kiosk: they are bounded)."""

    def __init__(self, interval_s: float = CONTACT_WRITE_INTERVAL_S) -> None:
        self.interval_s = interval_s
        self._written: dict[str, tuple[float, bool]] = {}
        self._lock = threading.Lock()

    def note_pull(
        self, session: Session, device_id: str, now: datetime, outbox_header: str | None
    ) -> bool:
        """Record a pull of ``device_id`` with its ``OUTBOX_HEADER`` (if it sent one) in the
        pull's transaction, unless this process did lately. Whether it wrote."""
        report = sync_wire.read_outbox_report(outbox_header)
        empty = report is None or report[0] == 0
        moment = time.monotonic()
        with self._lock:
            last = self._written.get(device_id)
            if last is not None and moment - last[0] < self.interval_s and last[1] == empty:
                return False
            self._written[device_id] = (moment, empty)
        values: dict[str, object] = {"last_seen_at": now}
        if report is not None:
            items, age_s = report
            values["outbox_items"] = items
            values["outbox_oldest_at"] = now - timedelta(seconds=age_s) if items else None
        session.execute(sa.update(Device).where(Device.id == device_id).values(**values))
        return True


#: The server's: one per process, as the throttle is.
CONTACTS = ContactBook()
