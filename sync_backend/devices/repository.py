"""Every query about devices, their API keys and enrolment codes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sync_backend.dialects import dialect_of
from sync_backend.models import Business, Device, DeviceKey, EnrolmentCode


@dataclass(frozen=True, slots=True)
class KeyOwner:
    """What one API key lookup tells: the key's state, its device and the device's business."""

    key_row_id: int
    rotate_after: datetime
    expires_at: datetime | None
    device_id: str
    device_name: str
    device_revoked_at: datetime | None
    business_id: int
    tier: str


#: One API key's owner, in :class:`KeyOwner`'s order. Every kiosk request comes through here.
_KEY_OWNER = (
    sa.select(
        DeviceKey.id,
        DeviceKey.rotate_after,
        DeviceKey.expires_at,
        Device.id,
        Device.name,
        Device.revoked_at,
        Device.business_id,
        Business.tier,
    )
    .join(Device, Device.id == DeviceKey.device_id)
    .join(Business, Business.id == Device.business_id)
    .where(DeviceKey.key_hash == sa.bindparam("key_hash"))
)


def find_key_owner(session: Session, key_hash: str) -> KeyOwner | None:
    found = dialect_of(session).first(session, _KEY_OWNER, {"key_hash": key_hash})
    return None if found is None else KeyOwner(*found)


def claim_enrolment_code(session: Session, code_hash: str, now: datetime) -> EnrolmentCode | None:
    """Lock an unused, unexpired code so two kiosks cannot both enrol with it."""
    return session.scalars(
        sa.select(EnrolmentCode)
        .where(
            EnrolmentCode.code_hash == code_hash,
            EnrolmentCode.used_at.is_(None),
            EnrolmentCode.expires_at > now,
        )
        .with_for_update()
    ).one_or_none()


def add_enrolment_code(
    session: Session, *, code_hash: str, business_id: int, now: datetime, expires_at: datetime
) -> EnrolmentCode:
    code = EnrolmentCode(
        code_hash=code_hash, business_id=business_id, created_at=now, expires_at=expires_at
    )
    session.add(code)
    session.flush()
    return code


def add_device(
    session: Session, *, device_id: str, business_id: int, name: str, now: datetime
) -> Device:
    device = Device(id=device_id, business_id=business_id, name=name, created_at=now)
    session.add(device)
    session.flush()
    return device


def add_key(
    session: Session, *, device_id: str, key_hash: str, now: datetime, rotate_after: datetime
) -> DeviceKey:
    key = DeviceKey(
        device_id=device_id, key_hash=key_hash, created_at=now, rotate_after=rotate_after
    )
    session.add(key)
    session.flush()
    return key


def lock_device(session: Session, device_id: str) -> None:
    """Hold the device row until the transaction ends (serialises its key rotations)."""
    session.execute(sa.select(Device.id).where(Device.id == device_id).with_for_update())


def expire_other_keys(
    session: Session, *, device_id: str, keep_ids: set[int], expires_at: datetime
) -> None:
    """End every key of the device but ``keep_ids`` at ``expires_at`` (unless sooner)."""
    session.execute(
        sa.update(DeviceKey)
        .where(
            DeviceKey.device_id == device_id,
            DeviceKey.id.not_in(keep_ids),
            sa.or_(DeviceKey.expires_at.is_(None), DeviceKey.expires_at > expires_at),
        )
        .values(expires_at=expires_at)
    )


def expire_keys(session: Session, *, ids: set[int], expires_at: datetime) -> None:
    """Start the overlap window for ``ids``, unless they already end sooner."""
    session.execute(
        sa.update(DeviceKey)
        .where(
            DeviceKey.id.in_(ids),
            sa.or_(DeviceKey.expires_at.is_(None), DeviceKey.expires_at > expires_at),
        )
        .values(expires_at=expires_at)
    )


def get_device(session: Session, device_id: str) -> Device | None:
    return session.get(Device, device_id)


def list_devices(session: Session, business_id: int | None) -> list[Device]:
    query = sa.select(Device).order_by(Device.created_at)
    if business_id is not None:
        query = query.where(Device.business_id == business_id)
    return list(session.scalars(query))


def device_names(session: Session, device_ids: set[str]) -> dict[str, str]:
    if not device_ids:
        return {}
    rows = session.execute(sa.select(Device.id, Device.name).where(Device.id.in_(device_ids)))
    return {r[0]: r[1] for r in rows}
