"""``pika-kiosk --self-check``: prove an installed or frozen kiosk has all its parts.

Frozen builds lose pieces silently (Qt plugins, keyring backends, Alembic revision files, the
zbar library): this makes a throwaway store exactly as a normal start makes the real one (its
key kept in the OS keyring: no usable keyring fails here as it fails a normal start), redeems
a demo voucher through the real counter, decodes a QR image through the decoder chain, loads
the translations and sounds, and lists the keyring backends. It prints one JSON object and
exits 0 only if every check passed. IT runs it after installing; the build script runs it on
every build, inside a D-Bus session with an unlocked gnome-keyring like a counter PC's.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _check_store_and_counter() -> str:
    """What a normal start needs, through the function it uses (``open_kiosk_store`` outside
    demo mode): the database key made and kept in the OS keyring, an encrypted store made and
    migrated. Then a demo voucher is redeemed through the real counter. The throwaway store's
    key is taken out of the keyring again afterwards."""
    from app.core import demo
    from app.core.counter import Counter
    from app.core.device import read_identity
    from app.core.session import STORE_FILE
    from app.core.store import ScanSource, forget_database_key, open_kiosk_store

    with tempfile.TemporaryDirectory(prefix="pika-selfcheck-") as tmp:
        path = Path(tmp) / STORE_FILE
        store = open_kiosk_store(path, demo=False).store
        try:
            catalogue = demo.make_catalogue()
            demo.install(store, catalogue)
            outcome = Counter(store, read_identity(store)).scan(
                catalogue.vouchers[0].token, ScanSource.MANUAL
            )
        finally:
            store.close()
            for leftover in Path(tmp).iterdir():
                leftover.unlink()
            forget_database_key(path)
        return f"{outcome.reason.value}, migrations at head, database key kept in the keyring"


def _check_decoders() -> str:
    import numpy as np

    from app.core.demo import make_catalogue
    from app.core.scanning import DecoderChain
    from app.core.scanning.other_decoders import OpenCVDecoder, PyzbarDecoder
    from pika_print.voucher_sheet import qr_image

    token = make_catalogue().vouchers[0].token
    image = np.asarray(qr_image(token).convert("L"))
    read = [c.text for c in DecoderChain().decode(image)]
    assert read == [token], "zxing-cpp did not read the demo QR"
    assert [c.text for c in PyzbarDecoder()(image)] == [token], "pyzbar/libzbar unusable"
    assert token in [c.text for c in OpenCVDecoder()(image)], "OpenCV QR decoder unusable"
    return "zxing-cpp, pyzbar, OpenCV"


def _check_qt() -> str:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QCoreApplication, qVersion
    from PySide6.QtMultimedia import QSoundEffect
    from PySide6.QtWidgets import QApplication

    from app.ui.language import Language
    from app.ui.resources import resources_dir
    from app.ui.sounds import SOUND_FILES

    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    language = Language(app)
    assert language.switch("es"), "Spanish translation missing"
    # Qt's own words (file dialogs, message box buttons) come from PySide6's qtbase_es.qm
    qt_spanish = QCoreApplication.translate("QPlatformTheme", "Cancel") == "Cancelar"
    language.reset()
    assert qt_spanish, "Qt's own Spanish translation (qtbase_es.qm) missing"
    missing = [n for n in SOUND_FILES.values() if not (resources_dir() / "sounds" / n).exists()]
    assert not missing, f"sounds missing: {missing}"
    QSoundEffect()  # QtMultimedia and its backend plugin load
    return f"Qt {qVersion()}, es translation (ours and Qt's), sounds, QtMultimedia"


def _check_keyring() -> str:
    """Which keyring a normal start would use, and every backend this build can load (frozen
    builds lose backends); whether it is usable is store_and_counter's verdict."""
    import keyring.backend

    def name(backend: object) -> str:
        return type(backend).__module__ + "." + type(backend).__name__

    names = sorted(name(b) for b in keyring.backend.get_all_keyring())
    return f"in use: {name(keyring.get_keyring())}; loadable: {', '.join(names) or 'none'}"


CHECKS: dict[str, Callable[[], str]] = {
    "store_and_counter": _check_store_and_counter,
    "decoders": _check_decoders,
    "qt": _check_qt,
    "keyring_backends": _check_keyring,
}


def run() -> int:
    results: dict[str, Any] = {}
    ok = True
    for name, check in CHECKS.items():
        try:
            results[name] = {"ok": True, "detail": check()}
        except Exception as exc:  # a self-check reports every failure, it never stops at one
            ok = False
            results[name] = {"ok": False, "detail": f"{type(exc).__name__}: {exc}"}
    results["frozen"] = bool(getattr(sys, "frozen", False))
    results["ok"] = ok
    print(json.dumps(results, indent=2))
    return 0 if ok else 1
