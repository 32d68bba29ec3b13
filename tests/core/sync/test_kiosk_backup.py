"""The kiosk's encrypted export and its restore on a replacement PC enrolled again, against the
real head office (``create_app``, tests/support/head_office.py)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from app.core.device import read_identity
from app.core.kiosk_backup import (
    DamagedExportError,
    NotAnExportError,
    RestoreRefusedError,
    WeakPassphraseError,
    WrongPassphraseError,
    adopt,
    check_can_restore,
    describe,
    take_snapshot,
    unseal,
    write_export,
)
from app.core.store import (
    KioskStore,
    OutboxState,
    QueuedScan,
    RemoteRedemption,
    ScanSource,
    schema,
)
from app.core.store.database_key import load_database_key, open_kiosk_store
from app.core.sync import SyncApi, SyncEngine, TransientSyncError, apply_enrolment
from app.core.sync.credentials import load_api_key
from pika_protocol import sync_wire
from tests.core.store.conftest import BUSINESS_ID, DEVICE_ID, NOW, OFFER_ID, Counter
from tests.core.sync.conftest import DEVICE, Clock
from tests.support.head_office import BASE_URL, HeadOffice

PASSPHRASE = "chipa y cocido 2026"
ROOT = Path(__file__).resolve().parents[3]


def enrol(store: KioskStore, backend: HeadOffice, name: str) -> None:
    answer = SyncApi(BASE_URL, transport=backend.transport()).enrol(
        backend.new_enrolment_code(), name
    )
    apply_enrolment(store, answer, server_url=BASE_URL, device_name=name)


def replacement_pc(tmp_path: Path, backend: HeadOffice) -> KioskStore:
    """A new PC: its own store (its own key in the keyring), enrolled again as a new device."""
    store = open_kiosk_store(tmp_path / "new-pc" / "store.db").store
    enrol(store, backend, "Caja 1 (nueva)")
    return store


def export(store: KioskStore, tmp_path: Path, **kw: object) -> Path:
    stick = tmp_path / "usb"
    stick.mkdir(exist_ok=True)
    return write_export(take_snapshot(store), stick, PASSPHRASE, **kw)  # type: ignore[arg-type]


def test_a_restored_export_sends_what_was_waiting_once(
    counter: Counter, store: KioskStore, backend: HeadOffice, clock: Clock, tmp_path: Path
) -> None:
    api = SyncApi(BASE_URL, api_key=backend.api_key, transport=backend.transport())
    old_pc = SyncEngine(store, api, DEVICE, batch_size=1, clock=clock)
    counter.scan(counter.voucher(1))
    assert old_pc.push().answered == 1
    counter.scan(counter.voucher(2))
    counter.scan(counter.voucher(3))
    path = export(store, tmp_path)
    about = describe(path)
    assert (about["device_id"], about["unsent"], about["scans"]) == (DEVICE_ID, 2, 3)
    assert path.name.endswith(".pikabackup") and not list(path.parent.glob(".*"))
    # The old PC sends voucher 2 and dies before hearing the answer; voucher 3 never leaves.
    backend.cut_after_commit = 1
    with pytest.raises(TransientSyncError):
        old_pc.push()
    assert set(backend.accepted) == {1, 2}

    new_pc = replacement_pc(tmp_path, backend)
    new_id = read_identity(new_pc).device_id
    assert new_id != DEVICE_ID
    # Its sync pulls at once: what other kiosks redeemed is learnt, and is not work of its own.
    first_api = SyncApi(BASE_URL, api_key=load_api_key(new_pc.path), transport=backend.transport())
    SyncEngine(new_pc, first_api, read_identity(new_pc), clock=clock).pull()
    first_api.close()
    [v1] = [item_id for item_id, state, _r in _all_items(store) if state == "done"]
    learnt = RemoteRedemption(
        v1, 1, OFFER_ID, BUSINESS_ID, 0, NOW, DEVICE_ID, "Caja 1", ScanSource.CAMERA
    )
    assert new_pc.activity.add_remote_redemptions([learnt]) == 1
    assert check_can_restore(new_pc).device_id == new_id
    key = load_database_key(new_pc.path).key
    unsealed = unseal(path, PASSPHRASE, new_pc.path)
    report = adopt(new_pc, unsealed, key)
    assert (report.previous_device_id, report.device_id, report.unsent) == (DEVICE_ID, new_id, 2)
    assert new_pc.closed and not list(new_pc.path.parent.glob("*copy*"))

    restored = open_kiosk_store(new_pc.path).store
    try:
        identity = read_identity(restored)
        assert (identity.device_id, identity.device_name) == (new_id, "Caja 1 (nueva)")
        waiting = restored.outbox.pending()
        assert len(waiting) == 2
        assert all(
            isinstance(i.payload, QueuedScan) and i.payload.item.device_id == new_id
            for i in waiting
        )
        assert restored.activity_counts()["scans"] == 3  # the history came along
        with restored._db.transaction() as conn:
            restores = conn.execute(
                select(func.count())
                .select_from(schema.events)
                .where(schema.events.c.type == "store.restored")
            ).scalar_one()
        assert restores == 1

        received = backend.items_received
        outcomes: list[str] = []

        def noting(request: httpx.Request) -> httpx.Response:
            response = backend.handle(request)
            if request.url.path == sync_wire.PUSH_PATH:
                outcomes.extend(r["outcome"] for r in json.loads(response.content)["results"])
            return response

        api_new = SyncApi(
            BASE_URL, api_key=load_api_key(restored.path), transport=httpx.MockTransport(noting)
        )
        pushed = SyncEngine(restored, api_new, identity, clock=clock).push()
        assert pushed.answered == 2
        assert sorted(outcomes) == ["accepted", "duplicate"]  # voucher 3 new, voucher 2 seen
        states = sorted(state for _id, state, _result in _all_items(restored))
        assert states == [OutboxState.DONE.value] * 3
        # Head office holds each copy once: voucher 2 was a duplicate, voucher 3 new.
        assert set(backend.accepted) == {1, 2, 3}
        assert len(backend.stored) == 3
        assert backend.items_received == received + 2
        assert SyncEngine(restored, api_new, identity, clock=clock).push().answered == 0
        api_new.close()
    finally:
        restored.close()
        api.close()


def frame_starts(data: bytes) -> list[int]:
    """Where each sealed part of an export starts (after the header and its checksum)."""
    at = 8 + 4 + int.from_bytes(data[8:12], "big") + 32
    starts = []
    while at < len(data):
        starts.append(at)
        at += 4 + int.from_bytes(data[at : at + 4], "big")
    return starts


def _all_items(store: KioskStore) -> list[tuple[uuid.UUID, str, str | None]]:
    """Every outbox row: (item id, state, head office's answer)."""
    o = schema.outbox
    with store._db.transaction() as conn:
        rows = conn.execute(select(o.c.item_id, o.c.state, o.c.server_result))
        return [(row.item_id, row.state, row.server_result) for row in rows]


def test_a_wrong_passphrase_and_damaged_files_are_refused_and_change_nothing(
    counter: Counter, store: KioskStore, backend: HeadOffice, tmp_path: Path
) -> None:
    for serial in range(1, 40):
        counter.scan(counter.voucher(serial))
    path = export(store, tmp_path, chunk_size=4096)
    new_pc = replacement_pc(tmp_path, backend)
    data = path.read_bytes()
    header_end = data.index(b'"about"')
    assert len(frame_starts(data)) > 3

    def refused(content: bytes, error: type[Exception], match: str, passphrase: str = PASSPHRASE):
        bad = tmp_path / "usb" / "bad.pikabackup"
        bad.write_bytes(content)
        with pytest.raises(error, match=match):
            unseal(bad, passphrase, new_pc.path)
        assert not list(new_pc.path.parent.glob("*copy*"))

    refused(data, WrongPassphraseError, "does not open", passphrase="not the passphrase")
    flipped = bytearray(data)
    flipped[frame_starts(data)[2] + 10] ^= 0x40  # inside the third part's ciphertext
    refused(bytes(flipped), DamagedExportError, "does not authenticate")
    refused(data[: len(data) // 2], DamagedExportError, "cut short")
    refused(data[: frame_starts(data)[-1]], DamagedExportError, "cut short")  # between parts
    refused(data + b"\0" * 20, DamagedExportError, "cut short|impossible part length")
    header = bytearray(data)
    header[header_end + 3] ^= 0x01
    refused(bytes(header), DamagedExportError, "header is damaged")
    refused(b"SQLite format 3\x00" + data[16:], NotAnExportError, "not a Pika kiosk export")
    # Nothing happened to the new PC: still blank and enrolled.
    assert check_can_restore(new_pc).device_id == read_identity(new_pc).device_id
    new_pc.close()


def test_a_restore_goes_only_onto_a_blank_kiosk_of_the_same_business(
    counter: Counter,
    store: KioskStore,
    backend: HeadOffice,
    tmp_path: Path,
    head_office_template: Path,
) -> None:
    counter.scan(counter.voucher(1))
    path = export(store, tmp_path)
    blank = open_kiosk_store(tmp_path / "blank" / "store.db").store
    with pytest.raises(RestoreRefusedError, match="enrol this kiosk"):
        check_can_restore(blank)
    blank.close()
    with pytest.raises(RestoreRefusedError, match="already has scans"):
        check_can_restore(store)
    with HeadOffice.running(tmp_path, head_office_template, business_id=77) as other:
        elsewhere = open_kiosk_store(tmp_path / "other" / "store.db").store
        enrol(elsewhere, other, "Caja 9")
        unsealed = unseal(path, PASSPHRASE, elsewhere.path)
        with pytest.raises(RestoreRefusedError, match="business 42"):
            adopt(elsewhere, unsealed, load_database_key(elsewhere.path).key)
        assert not unsealed.path.exists() and not elsewhere.closed
        assert elsewhere.activity_counts() == {"scans": 0, "redemptions": 0, "unsent": 0}
        elsewhere.close()
    with pytest.raises(WeakPassphraseError):
        write_export(take_snapshot(store), tmp_path, "short")
    assert not list(store.path.parent.glob("*copy*"))


KILLED_EXPORT = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from app.core.kiosk_backup import take_snapshot, write_export
    from app.core.store import KioskStore

    store = KioskStore.open(Path(sys.argv[1]), bytes.fromhex(sys.argv[2]))
    snapshot = take_snapshot(store)

    def progress(done, total):
        if done >= 8192:
            print("sealing", flush=True)
            time.sleep(60)

    write_export(snapshot, Path(sys.argv[3]), sys.argv[4], chunk_size=4096, progress=progress)
    """
)


def test_a_killed_export_leaves_nothing_that_looks_like_an_export(
    counter: Counter, store: KioskStore, store_path: Path, key: bytes, tmp_path: Path
) -> None:
    for serial in range(1, 20):
        counter.scan(counter.voucher(serial))
    store.close()
    stick = tmp_path / "usb"
    stick.mkdir()
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_EXPORT, str(store_path), key.hex(), str(stick), PASSPHRASE],
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
    )
    assert child.stdout is not None
    assert child.stdout.readline() == b"sealing\n"
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    assert not list(stick.glob("*.pikabackup"))  # only a hidden .partial is there
    [partial] = list(stick.iterdir())
    assert partial.name.startswith(".") and partial.name.endswith(".partial")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    # Whatever reached the disk before the kill (buffered), it does not open.
    with pytest.raises((DamagedExportError, NotAnExportError)):
        unseal(partial, PASSPHRASE, elsewhere / "store.db")
    assert not list(elsewhere.iterdir())
    reopened = KioskStore.open(store_path, key)
    assert list(store_path.parent.glob("*export-copy*"))  # the dead run's one-time copy ...
    take_snapshot(reopened).discard()
    assert not list(store_path.parent.glob("*export-copy*"))  # ... goes with the next export
    reopened.close()


def test_export_progress_reaches_the_whole_size(
    counter: Counter, store: KioskStore, tmp_path: Path
) -> None:
    seen: list[tuple[int, int]] = []
    export(store, tmp_path, chunk_size=4096, progress=lambda d, t: seen.append((d, t)))
    assert len(seen) > 2 and seen[-1][0] == seen[-1][1]
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
