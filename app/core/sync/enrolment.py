"""Enrolling a kiosk, enrolling it again, and wiping it when head office revokes it.

Enrolment is split at the thread boundary: :func:`parse_enrolment_text` and the network call
(:meth:`SyncApi.enrol`) run off the store thread; :func:`apply_enrolment` runs on the store
thread and writes what the answer holds: the API key into the OS keyring (first, so a keyring
failure writes nothing), then the device identity, the server address and the business's
public keys into the store. Offers and vouchers follow with the first pull.

Re-enrolment is allowed for the same business once every queued item has left the outbox
(items carry the old device id, which the backend would refuse from the new one). A kiosk holds
one business's data only: enrolling it for another business needs a wipe first.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from stdnum import luhn

from app.core.device import DeviceIdentity, NotEnrolledError, read_identity, write_identity
from app.core.store import KioskStore, Unsendable, forget_database_key
from app.core.sync.credentials import forget_api_key, save_api_key
from app.core.sync.errors import EnrolmentRefusedError, InvalidEnrolmentCodeError
from app.core.sync.pull import CURSOR_SETTING, add_public_keys
from pika_protocol import sync_wire
from pika_protocol.tokens import SHORT_CODE_ALPHABET

SERVER_URL_SETTING = "sync.server_url"
KEY_ROTATE_AFTER_SETTING = "sync.key_rotate_after"
#: Optional QR form carrying the server address too: ``pika-enrol:<code>@<url>``.
#: Left beside the store after a wipe so the next start can say why the kiosk is empty.
WIPE_NOTE = "wiped.json"
MAX_PENDING_CHECKED = 1_000_000
CODE_DATA_CHARS = 10  # the backend's enrolment codes: 10 Crockford base32 characters + 1 check


@dataclass(frozen=True, slots=True)
class EnrolmentCode:
    code: str  # canonical form, e.g. "ABCDE-FGHJK7"
    server_url: str | None = None


def parse_enrolment_text(text: str) -> EnrolmentCode:
    """Read a scanned or typed enrolment code, checking its check character before any network.

    Accepts the bare code as ``pika-backend enrolment-code`` prints it (dash, spaces, case and
    the look-alikes O/I/L are forgiven, as on the backend) or ``pika-enrol:<code>@<url>``.
    """
    if not isinstance(text, str) or not text.strip():
        raise InvalidEnrolmentCodeError("no enrolment code was given")
    text = text.strip()
    server_url = None
    if text.lower().startswith(sync_wire.ENROL_URI_SCHEME):
        rest = text[len(sync_wire.ENROL_URI_SCHEME) :]
        text, _, server_url = rest.partition("@")
        server_url = check_server_url(server_url)
    compact = "".join(ch for ch in text.upper() if ch.isalnum()).translate(
        str.maketrans("OIL", "011")
    )
    if len(compact) != CODE_DATA_CHARS + 1 or any(ch not in SHORT_CODE_ALPHABET for ch in compact):
        raise InvalidEnrolmentCodeError(
            f"{text!r} is not an enrolment code (expected 11 letters and digits, as XXXXX-XXXXXX)"
        )
    if not luhn.is_valid(compact, alphabet=SHORT_CODE_ALPHABET):
        raise InvalidEnrolmentCodeError(
            f"{text!r} has a typing mistake (its check character does not match)"
        )
    return EnrolmentCode(f"{compact[:5]}-{compact[5:]}", server_url)


def check_server_url(url: str) -> str:
    """The backend address, as ``http(s)://host[:port][/prefix]`` without a trailing slash."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidEnrolmentCodeError(f"{url!r} is not a server address (https://host:port)")
    return url.strip().rstrip("/")


def check_can_enrol(store: KioskStore) -> DeviceIdentity | None:
    """Refuse a re-enrolment that would strand queued items; return the current identity."""
    try:
        current = read_identity(store)
    except NotEnrolledError:
        return None
    # Only items the wire can carry count: one it refuses (a wild clock, a damaged row) could
    # never be synced and must not lock a kiosk out of enrolling again for ever.
    queued = store.outbox.pending(MAX_PENDING_CHECKED, include_held=True)
    pending = sum(1 for item in queued if not isinstance(item.payload, Unsendable))
    # Set-aside items (the server failed on them) are unsent redemptions too.
    pending += len(store.outbox.set_aside_items(MAX_PENDING_CHECKED))
    if pending:
        raise EnrolmentRefusedError(
            f"this kiosk still has {pending} item(s) waiting to sync as device "
            f"{current.device_name}; sync them (or wipe the kiosk) before enrolling it again"
        )
    return current


def apply_enrolment(
    store: KioskStore,
    answer: sync_wire.EnrolResponse,
    *,
    server_url: str,
    device_name: str,
) -> DeviceIdentity:
    """Keep what the backend answered to an enrolment. Runs on the store thread."""
    current = check_can_enrol(store)
    if current is not None and current.business_id != answer.business.id:
        raise EnrolmentRefusedError(
            f"this kiosk holds the data of {current.business_name or current.business_id}; "
            f"wipe it before enrolling it for {answer.business.name}"
        )
    save_api_key(store.path, answer.api_key)
    device = DeviceIdentity(
        device_id=answer.device_id,
        device_name=device_name,
        business_id=answer.business.id,
        business_name=answer.business.name,
    )
    write_identity(store, device)
    store.settings.set(SERVER_URL_SETTING, check_server_url(server_url))
    store.settings.set(KEY_ROTATE_AFTER_SETTING, answer.rotate_after.isoformat())
    store.settings.set(CURSOR_SETTING, "")  # a new device pulls the whole feed once
    added = add_public_keys(store, answer.public_keys)
    store.activity.record_event(
        "device.enrolled",
        {
            "device_id": device.device_id,
            "business_id": device.business_id,
            "previous_device_id": None if current is None else current.device_id,
            "public_keys": added.public_keys,
            "problems": added.problems,
        },
        at=datetime.now(UTC),
    )
    return device


@dataclass(frozen=True, slots=True)
class WipeNote:
    wiped_at: datetime
    reason: str
    device_id: str


def wipe_local_data(store: KioskStore, *, reason: str) -> WipeNote:
    """Close the store and delete it, its database key and the device API key.

    Runs on the store thread. The store file is SQLCipher-encrypted, so once its key is gone
    nothing readable is left; the files are deleted too. A short note (time, reason, device id,
    nothing else) stays beside where the store was, so the next start can say why it is empty.
    """
    path = store.path
    device_id = store.settings.get("device_id") or ""
    store.close()
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    forget_database_key(path)
    forget_api_key(path)
    note = WipeNote(datetime.now(UTC), reason, device_id)
    note_path = path.with_name(WIPE_NOTE)
    temporary = note_path.with_suffix(".tmp")
    temporary.write_text(
        json.dumps(
            {"wiped_at": note.wiped_at.isoformat(), "reason": reason, "device_id": device_id}
        ),
        encoding="utf-8",
    )
    os.replace(temporary, note_path)
    return note


def read_wipe_note(data_dir: Path) -> WipeNote | None:
    """Why this kiosk's data was wiped, if it was (shown on the enrolment screen)."""
    try:
        raw = json.loads((Path(data_dir) / WIPE_NOTE).read_text(encoding="utf-8"))
        return WipeNote(datetime.fromisoformat(raw["wiped_at"]), raw["reason"], raw["device_id"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
