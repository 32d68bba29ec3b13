"""Manager rules: invitations, enrolment, key checks and rotation, revocation.

Shaped like a kiosk's enrolment (``devices.service``) on purpose, with its own tables and key
prefix: a manager key never opens a kiosk route and a device key never reads analytics.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sync_backend import credentials
from sync_backend.errors import Forbidden, NotAuthenticated, NotFound
from sync_backend.events import repository as events
from sync_backend.models import Business, Manager, ManagerInvitation, ManagerKey, utcnow
from sync_backend.settings import Settings, sha256_hex


@dataclass(frozen=True, slots=True)
class ManagerContext:
    """The authenticated manager behind a request: it reads ``business_id`` only."""

    manager_id: str
    business_id: int
    rotate_key: bool
    key_id: int


@dataclass(frozen=True, slots=True)
class Invitation:
    code: str
    business_id: int
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Enrolment:
    manager_id: str
    api_key: str
    business_id: int
    business_name: str
    rotate_after: datetime


@dataclass(frozen=True, slots=True)
class Rotation:
    api_key: str
    rotate_after: datetime
    previous_key_expires_at: datetime


def normalise_invitation_code(text: str) -> str:
    return credentials.normalise_one_time_code(
        text, error_code="invalid_invitation_code", what="a manager invitation code"
    )


def invite(session: Session, settings: Settings, business_id: int, actor: str) -> Invitation:
    """A single-use code for one business's manager, valid ``manager_invitation_ttl_hours``."""
    if session.get(Business, business_id) is None:
        raise NotFound(f"no business {business_id}")
    code = credentials.new_one_time_code()
    now = utcnow()
    expires_at = now + timedelta(hours=settings.manager_invitation_ttl_hours)
    session.add(
        ManagerInvitation(
            code_hash=sha256_hex(normalise_invitation_code(code)),
            business_id=business_id,
            created_at=now,
            expires_at=expires_at,
        )
    )
    session.flush()
    events.append(
        session,
        kind="manager_invited",
        actor=actor,
        subject=f"business:{business_id}",
        business_id=business_id,
        payload={"expires_at": expires_at.isoformat()},
    )
    return Invitation(code, business_id, expires_at)


def enrol(session: Session, settings: Settings, code: str, name: str) -> Enrolment:
    """Exchange an invitation for a manager key (the app keeps it in the OS keyring only)."""
    now = utcnow()
    invitation = session.scalars(
        sa.select(ManagerInvitation)
        .where(
            ManagerInvitation.code_hash == sha256_hex(normalise_invitation_code(code)),
            ManagerInvitation.used_at.is_(None),
            ManagerInvitation.expires_at > now,
        )
        .with_for_update()  # two apps racing for one code: one wins
    ).one_or_none()
    if invitation is None:
        raise NotAuthenticated(
            "invitation unknown, already used or expired", code="invitation_refused"
        )
    manager = Manager(
        id=str(uuid.uuid4()), business_id=invitation.business_id, name=name, created_at=now
    )
    session.add(manager)
    session.flush()
    api_key = credentials.new_api_key(credentials.MANAGER_KEY_PREFIX)
    rotate_after = now + settings.api_key_rotate_after
    session.add(
        ManagerKey(
            manager_id=manager.id,
            key_hash=sha256_hex(api_key),
            created_at=now,
            rotate_after=rotate_after,
        )
    )
    invitation.used_at = now
    invitation.manager_id = manager.id
    session.flush()
    business = session.get(Business, invitation.business_id)
    assert business is not None  # foreign key
    events.append(
        session,
        kind="manager_enrolled",
        actor=f"manager:{manager.id}",
        subject=f"manager:{manager.id}",
        business_id=business.id,
        payload={"name": name},
    )
    return Enrolment(manager.id, api_key, business.id, business.name, rotate_after)


def authenticate(session: Session, api_key: str, now: datetime) -> ManagerContext:
    """The manager a key stands for, or a typed refusal (unknown, revoked, rotated out)."""
    if api_key.startswith(credentials.DEVICE_KEY_PREFIX):
        raise NotAuthenticated(
            "this is a kiosk's key: the manager app signs in with an invitation",
            code="device_key_refused",
        )
    row = session.execute(
        sa.select(ManagerKey.id, ManagerKey.rotate_after, ManagerKey.expires_at, Manager)
        .join(Manager, Manager.id == ManagerKey.manager_id)
        .where(ManagerKey.key_hash == sha256_hex(api_key))
    ).one_or_none()
    if row is None:
        raise NotAuthenticated("manager key not recognised", code="invalid_manager_key")
    key_id, rotate_after, expires_at, manager = row
    if manager.revoked_at is not None:
        raise Forbidden("this manager key was revoked by head office", code="manager_revoked")
    if expires_at is not None and expires_at <= now:
        raise NotAuthenticated(
            "manager key was rotated out; use the newer key or ask for a new invitation",
            code="manager_key_expired",
        )
    return ManagerContext(
        manager_id=manager.id,
        business_id=manager.business_id,
        rotate_key=expires_at is None and rotate_after <= now,
        key_id=key_id,
    )


def rotate_key(session: Session, settings: Settings, manager: ManagerContext) -> Rotation:
    """A new key; the one the request came with works for the overlap window, others end now
    (the same rule as a kiosk's: ``devices.service.rotate_key`` says why)."""
    now = utcnow()
    session.execute(  # one rotation of a manager at a time
        sa.select(Manager.id).where(Manager.id == manager.manager_id).with_for_update()
    )
    api_key = credentials.new_api_key(credentials.MANAGER_KEY_PREFIX)
    rotate_after = now + settings.api_key_rotate_after
    key = ManagerKey(
        manager_id=manager.manager_id,
        key_hash=sha256_hex(api_key),
        created_at=now,
        rotate_after=rotate_after,
    )
    session.add(key)
    session.flush()
    overlap_end = now + settings.api_key_overlap
    live = sa.or_(ManagerKey.expires_at.is_(None), ManagerKey.expires_at > now)
    session.execute(
        sa.update(ManagerKey)
        .where(
            ManagerKey.manager_id == manager.manager_id,
            ManagerKey.id.not_in({key.id, manager.key_id}),
            live,
        )
        .values(expires_at=now)
    )
    session.execute(
        sa.update(ManagerKey)
        .where(
            ManagerKey.id == manager.key_id,
            sa.or_(ManagerKey.expires_at.is_(None), ManagerKey.expires_at > overlap_end),
        )
        .values(expires_at=overlap_end)
    )
    events.append(
        session,
        kind="manager_key_rotated",
        actor=f"manager:{manager.manager_id}",
        subject=f"manager:{manager.manager_id}",
        business_id=manager.business_id,
        payload={"previous_key_expires_at": overlap_end.isoformat()},
    )
    return Rotation(api_key, rotate_after, overlap_end)


def revoke(session: Session, manager_id: str, actor: str) -> Manager:
    manager = session.get(Manager, manager_id)
    if manager is None:
        raise NotFound(f"no manager {manager_id}")
    if manager.revoked_at is None:
        manager.revoked_at = utcnow()
        events.append(
            session,
            kind="manager_revoked",
            actor=actor,
            subject=f"manager:{manager_id}",
            business_id=manager.business_id,
        )
    return manager


def list_managers(session: Session, business_id: int | None) -> list[Manager]:
    query = sa.select(Manager).order_by(Manager.created_at)
    if business_id is not None:
        query = query.where(Manager.business_id == business_id)
    return list(session.scalars(query))
