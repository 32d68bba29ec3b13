"""Key rotation is bounded (issue 12, defect 6): a device never has more than two working API
keys, and every rotation is charged to the device's own sync budget."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from pika_protocol import sync_wire
from sync_backend.app import create_app
from sync_backend.models import DeviceKey
from tests.backend.support import Kit, make_settings


def live_keys(session: Session, device_id: str) -> int:
    now = datetime.now(UTC)
    session.rollback()  # see the app's commits
    return session.execute(
        sa.select(sa.func.count())
        .select_from(DeviceKey)
        .where(
            DeviceKey.device_id == device_id,
            sa.or_(DeviceKey.expires_at.is_(None), DeviceKey.expires_at > now),
        )
    ).scalar_one()


def bearer(api_key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key}"}


def rotate(client: TestClient, api_key: str) -> str:
    answer = client.post(sync_wire.ROTATE_KEY_PATH, headers=bearer(api_key))
    assert answer.status_code == 200, answer.text
    return sync_wire.KeyRotation.model_validate(answer.json()).api_key


def pull_status(client: TestClient, api_key: str) -> tuple[int, str]:
    answer = client.get(sync_wire.PULL_PATH, headers=bearer(api_key))
    code = answer.json()["error"]["code"] if answer.status_code != 200 else ""
    return answer.status_code, code


def test_a_kiosk_rotating_again_and_again_keeps_two_working_keys(
    client: TestClient, kit: Kit, session: Session
) -> None:
    """Each rotation with the newest key: the new key and the one it came with work (the
    kiosk may still be storing the new one), every key before them is refused."""
    kiosk = kit.kiosk(kit.business())
    keys = [kiosk.api_key]
    for _ in range(5):
        keys.append(rotate(client, keys[-1]))
        assert live_keys(session, kiosk.device_id) == 2
        assert pull_status(client, keys[-1])[0] == 200
        assert pull_status(client, keys[-2])[0] == 200  # the overlap: still working
    for old in keys[:-2]:
        assert pull_status(client, old) == (401, "api_key_expired")


def test_a_stolen_key_rotating_in_a_loop_mints_no_pile_of_keys(
    client: TestClient, kit: Kit, session: Session
) -> None:
    """The issue's device ended with 204 working keys. Rotating over and over with the same
    key leaves that key and the latest new one; the keys minted before are dead. The kiosk
    whose answer was lost (it still holds the key it rotated with) is not locked out."""
    kiosk = kit.kiosk(kit.business())
    minted = [rotate(client, kiosk.api_key) for _ in range(8)]
    assert live_keys(session, kiosk.device_id) == 2
    assert pull_status(client, kiosk.api_key)[0] == 200
    assert pull_status(client, minted[-1])[0] == 200
    for dead in minted[:-1]:
        assert pull_status(client, dead) == (401, "api_key_expired")


def test_rotations_are_charged_to_the_device_budget(database_url: str, kit: Kit) -> None:
    """A rotation costs one unit of the device's sync budget, like a pull page: a loop of
    rotations meets 429, and the shop's other kiosks are not touched."""
    settings = make_settings(database_url, poll_interval_s=1800, device_sync_limit="4/hour")
    with TestClient(create_app(settings)) as client:
        business = kit.business()
        kiosk, other = kit.kiosk(business), kit.kiosk(business, "Caja 2")
        key = kiosk.api_key
        for _ in range(4):
            key = rotate(client, key)
        refused = client.post(sync_wire.ROTATE_KEY_PATH, headers=bearer(key))
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
        assert refused.json()["error"]["bucket"] == "sync"
        assert client.get(sync_wire.PULL_PATH, headers=bearer(other.api_key)).status_code == 200
