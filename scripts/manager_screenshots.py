"""Screenshots of pika-manager for docs/screenshots/manager-*.png, Spanish and English, 1280×800.

The real window and session, signed in through the real dialog (with the demo's admin token),
against the demo head office of ``scripts/manager-demo``: the real backend as a child process
on the demo year it filled (``~/.cache/pika-manager/demo``, made here first if missing). Under
Xvfb, as the kiosk's shots are made::

    xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python scripts/manager_screenshots.py
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
from datetime import date
from pathlib import Path

os.environ.setdefault("PYTHON_KEYRING_BACKEND", "tests.support.memory_keyring.MemoryKeyring")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PIL import Image
from PySide6.QtCore import QBuffer, QIODevice
from PySide6.QtWidgets import QApplication, QWidget

from app.core.dashboard.demo_backend import DemoBackend, default_demo_dir
from app.core.dashboard.session import ManagerSession
from app.ui.dashboard.app import ManagerApp
from app.ui.dashboard.window import DashboardWindow
from app.ui.language import Language
from app.ui.operations import Operations

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"


def save(widget: QWidget, name: str) -> None:
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    widget.grab().save(buffer, "PNG")
    image = Image.open(io.BytesIO(bytes(buffer.data().data()))).convert("RGB")
    image.quantize(256).save(OUT / f"manager-{name}.png", optimize=True)
    print(OUT / f"manager-{name}.png")


def wait(app: QApplication, until: object) -> None:
    while not until():  # type: ignore[operator]
        app.processEvents()


def hours_of_one_kiosk(app: QApplication, window: DashboardWindow) -> None:
    """The hours tab of the first business with several kiosks, its busiest kiosk picked."""
    pickers = window.pickers
    for index in range(1, pickers.business.count()):
        pickers.business.setCurrentIndex(index)
        window.figures = None
        pickers.ask()
        wait(app, lambda w=window: w.figures is not None and w.figures.business_id is not None)
        assert window.figures is not None
        if len(window.figures.kiosks) > 1:
            break
    busiest = window.figures.kiosks[0].device_id  # the table lists the busiest first
    window.tabs.setCurrentIndex(2)
    window.hours_panel.kiosk.setCurrentIndex(window.hours_panel.kiosk.findData(busiest))
    wait(app, lambda: window.kiosk_hours is not None and window.kiosk_hours.device_id == busiest)
    app.processEvents()


def main() -> int:
    app = QApplication(sys.argv)
    language = Language(app)
    backend = DemoBackend(default_demo_dir())
    year = backend.fill(date.today(), progress=sys.stderr)
    server = backend.start()
    shown = year.ab_winner_business
    try:
        with tempfile.TemporaryDirectory() as folder:
            session = ManagerSession(Path(folder) / "config", Path(folder) / "data")
            operations = Operations()
            for lang in ("es", "en"):
                language.switch(lang)
                manager = ManagerApp(session, operations, language, server=server)
                manager.window.resize(1280, 800)
                manager.start()
                wait(app, lambda m=manager: m.dialog is not None and m.dialog.isVisible())
                dialog = manager.dialog
                assert dialog is not None
                if lang == "es":
                    save(dialog, f"{lang}-sign-in")
                dialog.head_office.setChecked(True)
                dialog.invitation.setText(backend.admin_token)
                dialog.sign_in()
                wait(app, lambda m=manager: m.window.figures is not None)
                window = manager.window
                pickers = window.pickers
                pickers.business.setCurrentIndex(pickers.business.findData(shown))
                pickers.set_range(year.first_day, year.last_day)
                window.figures = None
                pickers.ask()
                wait(app, lambda w=window: w.figures is not None and w.figures.business_id == shown)
                tabs = ((0, "funnel"), (1, "return"), (2, "hours"), (4, "ab"))
                for index, name in tabs:
                    window.tabs.setCurrentIndex(index)
                    wait(app, lambda: True)
                    app.processEvents()
                    save(window, f"{lang}-{name}")
                pickers.business.setCurrentIndex(0)
                window.figures = None
                pickers.ask()
                wait(app, lambda w=window: w.figures is not None and w.figures.business_id is None)
                every = ((0, "all-funnel"), (2, "all-hours"), (3, "all-kiosks"), (5, "head-office"))
                for index, name in every:
                    window.tabs.setCurrentIndex(index)
                    app.processEvents()
                    save(window, f"{lang}-{name}")
                hours_of_one_kiosk(app, window)
                save(window, f"{lang}-hours-kiosk")
                window.close()
                wait(app, lambda: True)
                operations.store_op(session.sign_out)
            operations.shutdown(close_store=session.close)
    finally:
        backend.stop()
    language.reset()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
