"""Nothing readable on disk; a wrong key or a damaged file is a typed error that changes nothing."""

from __future__ import annotations

import secrets
import shutil
import sqlite3
from pathlib import Path

import pytest

from app.core.store import CorruptStoreError, KioskStore, StoreError, WrongKeyError
from app.core.store.connection import PAGE_SIZE
from tests.core.store.conftest import Counter, sample_offer

DISTINCT_TITLE = "Empanadas de la Abuela Ñandutí 7Q4Z"


def files_of(path: Path) -> dict[str, bytes]:
    """The store file and its WAL/shared-memory sidecars, as raw bytes."""
    return {p.name: p.read_bytes() for p in path.parent.iterdir() if p.name.startswith(path.name)}


def fill(counter: Counter) -> str:
    counter.store.reference.upsert_offer(sample_offer(title=DISTINCT_TITLE))
    token = counter.voucher(777_001)
    counter.store.reference.cache_vouchers([token])
    counter.scan(token)
    return token


def test_store_files_hold_no_plaintext_while_open_and_after_close(
    counter: Counter, store_path: Path
) -> None:
    token = fill(counter)
    secrets_on_disk = [
        token.encode(),
        token[:40].encode(),
        DISTINCT_TITLE.encode(),
        "Abuela".encode("utf-16-le"),
        b"redemption.recorded",
        b"CREATE TABLE",
        b"SQLite format 3",
    ]
    while_open = files_of(store_path)
    assert any(name.endswith("-wal") for name in while_open)  # WAL is really in use
    counter.store.close()
    after_close = files_of(store_path)
    for files in (while_open, after_close):
        for name, data in files.items():
            for secret in secrets_on_disk:
                assert secret not in data, f"{secret!r} readable in {name}"


def test_store_does_not_open_as_plain_sqlite(counter: Counter, store_path: Path) -> None:
    fill(counter)
    counter.store.close()
    plain = sqlite3.connect(store_path)
    with pytest.raises(sqlite3.DatabaseError, match="not a database"):
        plain.execute("SELECT * FROM sqlite_master").fetchall()
    plain.close()


def test_wrong_key_is_a_typed_error_and_leaves_the_file_unchanged(
    counter: Counter, store_path: Path
) -> None:
    fill(counter)
    counter.store.close()
    before = files_of(store_path)
    with pytest.raises(WrongKeyError) as raised:
        KioskStore.open(store_path, secrets.token_bytes(32))
    assert str(store_path) in str(raised.value)
    assert files_of(store_path) == before


def test_wrong_key_with_an_unchecked_wal_left_by_a_crash_changes_nothing(
    counter: Counter, store_path: Path, tmp_path: Path, key: bytes
) -> None:
    fill(counter)
    # Copy the files while the store is open: what a crash leaves (main file + live WAL).
    crashed = tmp_path / "crashed"
    crashed.mkdir()
    for name in files_of(store_path):
        shutil.copy(store_path.parent / name, crashed / name)
    copy = crashed / store_path.name
    before = files_of(copy)
    assert any(name.endswith("-wal") for name in before)
    with pytest.raises(WrongKeyError):
        KioskStore.open(copy, secrets.token_bytes(32))
    after = files_of(copy)
    assert {n: d for n, d in after.items() if not n.endswith("-shm")} == {
        n: d for n, d in before.items() if not n.endswith("-shm")
    }
    # ...and the right key still recovers everything the crash left.
    with KioskStore.open(copy, key) as recovered:
        assert recovered.activity.find_redemption(777_001) is not None


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda size: (100, b"\x00" * 32), id="first-page"),
        pytest.param(lambda size: (size // 2 + 200, b"\xff" * 16), id="middle-page"),
        pytest.param(lambda size: (size - 10, b"\x01" * 8), id="last-page"),
    ],
)
def test_damaged_file_is_corrupt_store_error_and_left_unchanged(
    counter: Counter, store_path: Path, tmp_path: Path, key: bytes, damage
) -> None:
    fill(counter)
    counter.store.close()
    copy = tmp_path / "damaged.db"
    shutil.copy(store_path, copy)
    size = copy.stat().st_size
    assert size >= 3 * PAGE_SIZE
    offset, junk = damage(size)
    with copy.open("r+b") as f:
        f.seek(offset)
        f.write(junk)
    before = files_of(copy)
    with pytest.raises(CorruptStoreError):
        KioskStore.open(copy, key)
    assert files_of(copy) == before


def test_truncated_file_is_corrupt(counter: Counter, store_path: Path, key: bytes) -> None:
    counter.store.close()
    data = store_path.read_bytes()
    store_path.write_bytes(data[: len(data) - 100])
    with pytest.raises(CorruptStoreError, match="whole number of pages"):
        KioskStore.open(store_path, key)
    assert store_path.read_bytes() == data[: len(data) - 100]


def test_plain_sqlite_file_is_refused_not_encrypted_over(tmp_path: Path, key: bytes) -> None:
    path = tmp_path / "plain.db"
    plain = sqlite3.connect(path)
    plain.execute("CREATE TABLE t (x)")
    plain.commit()
    plain.close()
    before = path.read_bytes()
    with pytest.raises(CorruptStoreError, match="unencrypted"):
        KioskStore.open(path, key)
    assert path.read_bytes() == before


def test_text_file_is_refused(tmp_path: Path, key: bytes) -> None:
    path = tmp_path / "notes.db"
    path.write_text("shopping list\n")
    with pytest.raises(StoreError):
        KioskStore.open(path, key)
    assert path.read_text() == "shopping list\n"


@pytest.mark.parametrize("bad_key", [b"", b"short", secrets.token_bytes(33)])
def test_key_must_be_32_bytes(tmp_path: Path, bad_key: bytes) -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        KioskStore.open(tmp_path / "s.db", bad_key)
    assert not (tmp_path / "s.db").exists()


def test_wrong_key_does_not_flood_stderr_and_keeps_the_log_level(
    counter: Counter, store_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    fill(counter)
    counter.store.close()
    capfd.readouterr()
    with pytest.raises(WrongKeyError):
        KioskStore.open(store_path, secrets.token_bytes(32))
    assert "hmac check failed" not in capfd.readouterr().err
    import sqlcipher3

    probe = sqlcipher3.connect(":memory:")
    assert probe.execute("PRAGMA cipher_log_level").fetchone()[0] != "NONE"
    probe.close()
