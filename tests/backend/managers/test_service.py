"""Manager invitations and keys: single use, expiring, rotated with overlap, revocable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy.orm import Session

from sync_backend.errors import Forbidden, NotAuthenticated, NotFound, Unprocessable
from sync_backend.managers import service
from sync_backend.settings import Settings
from tests.backend.support import Kit


def test_an_invitation_becomes_a_key_for_its_business_once(
    session: Session, settings: Settings, kit: Kit
) -> None:
    business = kit.business("Heladería Sur")
    invitation = service.invite(session, settings, business, actor="admin")
    enrolled = service.enrol(session, settings, invitation.code.lower(), "Oficina")
    assert enrolled.business_id == business and enrolled.business_name == "Heladería Sur"
    assert enrolled.api_key.startswith("pikam_")
    context = service.authenticate(session, enrolled.api_key, datetime.now(UTC))
    assert context.business_id == business and not context.rotate_key
    with pytest.raises(NotAuthenticated) as refused:
        service.enrol(session, settings, invitation.code, "Otra PC")
    assert refused.value.code == "invitation_refused"


def test_an_invitation_expires(session: Session, settings: Settings, kit: Kit) -> None:
    invitation = service.invite(session, settings, kit.business(), actor="admin")
    later = datetime.now(UTC) + timedelta(hours=settings.manager_invitation_ttl_hours, minutes=1)
    with time_machine.travel(later, tick=False), pytest.raises(NotAuthenticated):
        service.enrol(session, settings, invitation.code, "Oficina")


def test_codes_that_cannot_be_right_are_refused_before_a_lookup(
    session: Session, settings: Settings
) -> None:
    for text in ("", "hello", "ABCDE-FGHJK0"):
        with pytest.raises(Unprocessable):
            service.enrol(session, settings, text, "Oficina")


def test_a_device_key_and_unknown_keys_are_refused(session: Session, kit: Kit) -> None:
    kiosk = kit.kiosk(kit.business())
    with pytest.raises(NotAuthenticated) as refused:
        service.authenticate(session, kiosk.api_key, datetime.now(UTC))
    assert refused.value.code == "device_key_refused"
    with pytest.raises(NotAuthenticated) as refused:
        service.authenticate(session, "pikam_not-a-key", datetime.now(UTC))
    assert refused.value.code == "invalid_manager_key"


def test_rotation_keeps_the_old_key_for_the_overlap_only(
    session: Session, settings: Settings, kit: Kit
) -> None:
    invitation = service.invite(session, settings, kit.business(), actor="admin")
    enrolled = service.enrol(session, settings, invitation.code, "Oficina")
    now = datetime.now(UTC)
    old = service.authenticate(session, enrolled.api_key, now)
    rotated = service.rotate_key(session, settings, old)
    assert service.authenticate(session, rotated.api_key, now).manager_id == old.manager_id
    assert service.authenticate(session, enrolled.api_key, now)  # still, within the overlap
    after = rotated.previous_key_expires_at + timedelta(seconds=1)
    with pytest.raises(NotAuthenticated) as refused:
        service.authenticate(session, enrolled.api_key, after)
    assert refused.value.code == "manager_key_expired"
    assert service.authenticate(session, rotated.api_key, after)
    due = rotated.rotate_after + timedelta(seconds=1)
    assert service.authenticate(session, rotated.api_key, due).rotate_key


def test_a_revoked_manager_is_refused(session: Session, settings: Settings, kit: Kit) -> None:
    invitation = service.invite(session, settings, kit.business(), actor="admin")
    enrolled = service.enrol(session, settings, invitation.code, "Oficina")
    service.revoke(session, enrolled.manager_id, actor="admin")
    with pytest.raises(Forbidden):
        service.authenticate(session, enrolled.api_key, datetime.now(UTC))
    with pytest.raises(NotFound):
        service.revoke(session, "no-such-manager", actor="admin")
    with pytest.raises(NotFound):
        service.invite(session, settings, 987_654, actor="admin")
