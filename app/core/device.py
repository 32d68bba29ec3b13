"""Who this kiosk is: one device serving exactly one business, kept in the store's settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.core.store import SettingKey, StoreError

if TYPE_CHECKING:
    from app.core.store import KioskStore

# Settings keys the kiosk keeps about itself (enrolment and the demo write them).
DEVICE_ID = SettingKey.DEVICE_ID
DEVICE_NAME = SettingKey.DEVICE_NAME
BUSINESS_ID = SettingKey.BUSINESS_ID
BUSINESS_NAME = "business_name"


@dataclass(frozen=True, slots=True)
class DeviceIdentity:
    device_id: str
    device_name: str
    business_id: int
    business_name: str


class NotEnrolledError(StoreError):
    """The store opened but this kiosk has no device identity yet."""


def read_identity(store: KioskStore) -> DeviceIdentity:
    values = {
        k: store.settings.get(k) for k in (DEVICE_ID, DEVICE_NAME, BUSINESS_ID, BUSINESS_NAME)
    }
    device_id, business_id = values[DEVICE_ID], values[BUSINESS_ID]
    if device_id is None or business_id is None:
        raise NotEnrolledError(
            "This kiosk is not enrolled yet. Ask head office for an enrolment code, "
            "or start it with --demo to try it out."
        )
    return DeviceIdentity(
        device_id=device_id,
        device_name=values[DEVICE_NAME] or device_id,
        business_id=int(business_id),
        business_name=values[BUSINESS_NAME] or "",
    )


def write_identity(store: KioskStore, device: DeviceIdentity) -> None:
    store.settings.set(DEVICE_ID, device.device_id)
    store.settings.set(DEVICE_NAME, device.device_name)
    store.settings.set(BUSINESS_ID, str(device.business_id))
    store.settings.set(BUSINESS_NAME, device.business_name)
