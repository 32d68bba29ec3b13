"""The manager panel's Backup tab: export with progress off the GUI thread, refusals said in
words, and a restore that swaps the store and asks the kiosk to start again."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QObject

from app.core import demo
from app.core.device import DeviceIdentity, read_identity, write_identity
from app.core.error_kinds import ErrorKind
from app.core.kiosk_backup import describe
from app.core.store.database_key import open_kiosk_store
from app.ui.backup_tab import BackupTab
from app.ui.texts import error_text
from tests.ui.manager_support import DemoKiosk, kiosk

__all__ = ["kiosk"]
PASSPHRASE = "tereré con limón"


class Steps(QObject):
    """Notes each progress step, and the thread it was delivered on."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[int] = []
        self.threads: set[int] = set()

    def note(self, done: int, _total: int) -> None:
        self.seen.append(done)
        self.threads.add(threading.get_ident())


def make_tab(qtbot, kiosk: DemoKiosk) -> tuple[BackupTab, list[tuple[str, bool]]]:
    tab = BackupTab(kiosk.ops, kiosk.store)
    qtbot.addWidget(tab)
    said: list[tuple[str, bool]] = []
    tab.said.connect(lambda text, error: said.append((text, error)))
    return tab, said


def test_export_writes_a_sealed_file_with_progress(qtbot, kiosk: DemoKiosk, tmp_path: Path) -> None:
    kiosk.scan(0)
    tab, said = make_tab(qtbot, kiosk)
    # Progress is emitted on the background thread; a QObject receiver gets it queued on the
    # GUI thread, as the tab's own bar does. (With a lambda connected here instead, 3 of 6
    # runs of tests/ui crashed later in test_kiosk_mode; 0 of 5 with this receiver.)
    steps = Steps()
    tab.relay.moved.connect(steps.note)
    tab.passphrase.setText(PASSPHRASE)
    tab.passphrase_again.setText(PASSPHRASE)
    stick = tmp_path / "usb"
    stick.mkdir()
    tab.export_to(stick)
    assert not tab.progress.isHidden()  # busy until the background thread is done
    qtbot.waitUntil(lambda: bool(said), timeout=10000)
    [(text, error)] = said
    [exported] = list(stick.glob("*.pikabackup"))
    assert not error and str(exported) in text
    assert steps.seen and steps.threads == {threading.get_ident()} and tab.progress.isHidden()
    assert describe(exported)["scans"] == 1
    assert tab.passphrase.text() == ""  # not kept in the widget


def test_refusals_are_said_in_words(qtbot, kiosk: DemoKiosk, tmp_path: Path) -> None:
    tab, said = make_tab(qtbot, kiosk)
    tab.passphrase.setText(PASSPHRASE)
    tab.passphrase_again.setText(PASSPHRASE + "!")
    tab.export_to(tmp_path)
    tab.passphrase_again.setText("corta")
    tab.passphrase.setText("corta")
    tab.export_to(tmp_path)
    junk = tmp_path / "junk.pikabackup"
    junk.write_bytes(b"not an export at all")
    tab.show_export(junk)
    qtbot.waitUntil(lambda: len(said) == 3, timeout=5000)
    assert [error for _t, error in said] == [True, True, True]
    assert said[1][0] == error_text(ErrorKind.BACKUP_PASSPHRASE_WEAK)
    assert said[2][0] == error_text(ErrorKind.BACKUP_NOT_AN_EXPORT)


def test_a_restore_replaces_the_blank_store_and_asks_for_a_restart(
    qtbot, kiosk: DemoKiosk, tmp_path: Path
) -> None:
    kiosk.scan(0)
    kiosk.scan(1)
    exporter, said = make_tab(qtbot, kiosk)
    exporter.passphrase.setText(PASSPHRASE)
    exporter.passphrase_again.setText(PASSPHRASE)
    stick = tmp_path / "usb"
    stick.mkdir()
    exporter.export_to(stick)
    qtbot.waitUntil(lambda: bool(said), timeout=10000)
    [exported] = list(stick.glob("*.pikabackup"))

    # The replacement PC: its own store (key in the keyring), enrolled as another device.
    replacement = kiosk.ops.store_op(
        lambda: open_kiosk_store(tmp_path / "new" / "store.db").store
    ).result()
    new_device = DeviceIdentity("dev-new-pc", "Caja nueva", demo.DEMO_DEVICE.business_id, "Demo")
    kiosk.ops.store_op(lambda: write_identity(replacement, new_device)).result()
    tab = BackupTab(kiosk.ops, replacement)
    qtbot.addWidget(tab)
    messages: list[tuple[str, bool]] = []
    tab.said.connect(lambda text, error: messages.append((text, error)))
    tab.show_export(exported)
    qtbot.waitUntil(tab.restore_button.isEnabled, timeout=5000)
    assert "made" in tab.about.text() or "hecho" in tab.about.text()
    tab.restore_passphrase.setText("otra frase larga")
    tab.restore()
    qtbot.waitUntil(lambda: bool(messages), timeout=10000)
    assert messages[-1] == (error_text(ErrorKind.BACKUP_PASSPHRASE_WRONG), True)
    assert not replacement.closed

    tab.restore_passphrase.setText(PASSPHRASE)
    with qtbot.waitSignal(tab.restored, timeout=10000):
        tab.restore()
    assert replacement.closed and messages[-1][1] is False
    reopened = kiosk.ops.store_op(
        lambda: open_kiosk_store(tmp_path / "new" / "store.db").store
    ).result()
    try:
        assert read_identity(reopened).device_id == "dev-new-pc"
        assert reopened.activity_counts()["scans"] == 2
    finally:
        kiosk.ops.store_op(reopened.close).result()
