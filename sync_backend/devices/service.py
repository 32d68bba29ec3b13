"""Device rules: enrolment, API key checks and rotation, revocation.

API keys are 256-bit random secrets, so a plain SHA-256 is a safe way to store them (no
password stretching needed) and lets one indexed lookup find the key's device.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from pika_protocol import sync_wire
from sync_backend import credentials
from sync_backend.devices import repository
from sync_backend.errors import DeviceRevoked, NotAuthenticated, NotFound
from sync_backend.events import repository as events
from sync_backend.models import Business, utcnow
from sync_backend.settings import Settings, sha256_hex
from sync_backend.vouchers import signing


@dataclass(frozen=True, slots=True)
class DeviceContext:
    """The authenticated device behind a request: everything below is scoped by it."""

    device_id: str
    device_name: str
    business_id: int
    tier: str
    rotate_key: bool
    #: The API key row the request came with (what a rotation keeps for the overlap).
    key_id: int | None = None


def authenticate(session: Session, api_key: str | None, now: datetime) -> DeviceContext:
    return check_key_owner(repository.find_key_owner(session, key_hash(api_key)), now)


def key_hash(api_key: str | None) -> str:
    """The stored form of a presented API key; no key at all is refused here."""
    if not api_key:
        raise NotAuthenticated("device API key required (Authorization: Bearer ...)")
    if api_key.startswith(credentials.MANAGER_KEY_PREFIX):
        raise NotAuthenticated(
            "this is a shop manager's key: a kiosk uses its own", code="manager_key_refused"
        )
    return sha256_hex(api_key)


def check_key_owner(owner: repository.KeyOwner | None, now: datetime) -> DeviceContext:
    """The device a looked-up key stands for, or the typed refusal (unknown, revoked, expired).

    Split from the lookup so the push path can read the owner in its own first round trip.
    """
    if owner is None:
        raise NotAuthenticated("API key not recognised", code="invalid_api_key")
    if owner.device_revoked_at is not None:
        raise DeviceRevoked()
    if owner.expires_at is not None and owner.expires_at <= now:
        raise NotAuthenticated(
            "API key was rotated out; use the newer key or enrol again", code="api_key_expired"
        )
    return DeviceContext(
        device_id=owner.device_id,
        device_name=owner.device_name,
        business_id=owner.business_id,
        tier=owner.tier,
        rotate_key=owner.expires_at is None and owner.rotate_after <= now,
        key_id=owner.key_row_id,
    )


def new_enrolment_code() -> str:
    return credentials.new_one_time_code()


def normalise_enrolment_code(text: str) -> str:
    return credentials.normalise_one_time_code(
        text, error_code="invalid_enrolment_code", what="an enrolment code"
    )


def create_enrolment_code(
    session: Session, settings: Settings, business_id: int, actor: str
) -> tuple[str, datetime]:
    if session.get(Business, business_id) is None:
        raise NotFound(f"no business {business_id}")
    code = new_enrolment_code()
    now = utcnow()
    expires_at = now + timedelta(hours=settings.enrolment_code_ttl_hours)
    repository.add_enrolment_code(
        session,
        code_hash=sha256_hex(normalise_enrolment_code(code)),
        business_id=business_id,
        now=now,
        expires_at=expires_at,
    )
    events.append(
        session,
        kind="enrolment_code_created",
        actor=actor,
        subject=f"business:{business_id}",
        business_id=business_id,
        payload={"expires_at": expires_at.isoformat()},
    )
    return code, expires_at


def enrol(
    session: Session, settings: Settings, request: sync_wire.EnrolRequest
) -> sync_wire.EnrolResponse:
    now = utcnow()
    claimed = repository.claim_enrolment_code(
        session, sha256_hex(normalise_enrolment_code(request.code)), now
    )
    if claimed is None:
        raise NotAuthenticated(
            "enrolment code unknown, already used or expired", code="enrolment_code_refused"
        )
    device_id = str(uuid.uuid4())
    api_key = credentials.new_api_key(credentials.DEVICE_KEY_PREFIX)
    rotate_after = now + settings.api_key_rotate_after
    repository.add_device(
        session,
        device_id=device_id,
        business_id=claimed.business_id,
        name=request.device_name,
        now=now,
    )
    repository.add_key(
        session,
        device_id=device_id,
        key_hash=sha256_hex(api_key),
        now=now,
        rotate_after=rotate_after,
    )
    claimed.used_at = now
    claimed.device_id = device_id
    business = session.get(Business, claimed.business_id)
    assert business is not None
    events.append(
        session,
        kind="device_enrolled",
        actor=f"device:{device_id}",
        subject=f"device:{device_id}",
        business_id=business.id,
        payload={"name": request.device_name},
    )
    return sync_wire.EnrolResponse(
        device_id=device_id,
        api_key=api_key,
        business=sync_wire.Business(id=business.id, name=business.name, tier=business.tier),
        public_keys=signing.public_keys_wire(session),
        server_time=now,
        rotate_after=rotate_after,
    )


def rotate_key(
    session: Session, settings: Settings, device: DeviceContext
) -> sync_wire.KeyRotation:
    """A new API key; the key the request came with keeps working for the overlap window.

    A device has at most two live keys, the new one and the caller's, so whoever calls this
    (a kiosk whose answer was lost, a stolen key in a loop) never holds a pile of working
    credentials: every other key of the device ends now. The caller's key, not "the newest
    but one", is the one kept: a kiosk that lost the answer to its last rotation still holds
    the key it rotated with, and must not be locked out by asking again.
    """
    now = utcnow()
    # One rotation of a device at a time: two at once would each keep their own new key.
    repository.lock_device(session, device.device_id)
    api_key = credentials.new_api_key(credentials.DEVICE_KEY_PREFIX)
    rotate_after = now + settings.api_key_rotate_after
    key = repository.add_key(
        session,
        device_id=device.device_id,
        key_hash=sha256_hex(api_key),
        now=now,
        rotate_after=rotate_after,
    )
    overlap_end = now + settings.api_key_overlap
    keep = {key.id} if device.key_id is None else {key.id, device.key_id}
    repository.expire_other_keys(session, device_id=device.device_id, keep_ids=keep, expires_at=now)
    if device.key_id is not None:
        repository.expire_keys(session, ids={device.key_id}, expires_at=overlap_end)
    events.append(
        session,
        kind="device_key_rotated",
        actor=f"device:{device.device_id}",
        subject=f"device:{device.device_id}",
        business_id=device.business_id,
        payload={"previous_key_expires_at": overlap_end.isoformat()},
    )
    return sync_wire.KeyRotation(
        api_key=api_key, rotate_after=rotate_after, previous_key_expires_at=overlap_end
    )


def revoke_device(session: Session, device_id: str, actor: str) -> None:
    device = repository.get_device(session, device_id)
    if device is None:
        raise NotFound(f"no device {device_id}")
    if device.revoked_at is None:
        device.revoked_at = utcnow()
        events.append(
            session,
            kind="device_revoked",
            actor=actor,
            subject=f"device:{device_id}",
            business_id=device.business_id,
        )
