"""Admin API shapes for devices (the kiosk-facing ones are in ``pika_protocol.sync_wire``)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class EnrolmentCodeOut(BaseModel):
    #: Shown once: only its hash is stored. Print it as a QR for the kiosk to scan.
    code: str
    business_id: int
    expires_at: datetime
    #: What the QR holds: the code, or ``pika-enrol:<code>@<public_url>`` when the server's
    #: public URL is configured (the kiosk then needs nothing typed).
    qr_text: str
    #: That text as a QR (PNG, base64) for the kiosk's camera.
    qr_png_base64: str


class DeviceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    business_id: int
    name: str
    created_at: datetime
    revoked_at: datetime | None
    #: Its last pull (to within a minute), None before the first; with the outbox it reported
    #: then: items waiting, and since when (the alerts PikaKioskSilent, PikaOutboxNotDraining).
    last_seen_at: datetime | None = None
    outbox_items: int | None = None
    outbox_oldest_at: datetime | None = None
