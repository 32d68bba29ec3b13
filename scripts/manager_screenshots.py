"""Screenshots of pika-manager for docs/screenshots/manager-*.png, Spanish and English, 1280×800.

The real window and session, signed in through the real dialog, against head office served in
memory (``httpx.MockTransport``) with a realistic year (``pika_bench.manager_figures``).
Offscreen rendering: ``scripts/manager_screenshots.py`` needs no display.
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "tests.support.memory_keyring.MemoryKeyring")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
from PIL import Image
from PySide6.QtCore import QBuffer, QIODevice
from PySide6.QtWidgets import QApplication, QWidget

from app.core.dashboard.client import AnalyticsClient
from app.core.dashboard.session import ManagerSession
from app.ui.dashboard.app import ManagerApp
from app.ui.language import Language
from app.ui.operations import Operations
from pika_bench.manager_figures import AS_OF, year_dashboard

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
SERVER = "https://pika.example.com"
ADMIN = "admin-token"


def head_office(request: httpx.Request) -> httpx.Response:
    path = request.url.path
    if path == "/v1/analytics/me":
        return httpx.Response(
            200, json={"role": "head_office", "business_id": None, "business_name": None}
        )
    head = path == "/v1/analytics/overview"
    figures = year_dashboard(head_office=head)
    return httpx.Response(200, content=figures.model_dump_json())


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


def main() -> int:
    app = QApplication(sys.argv)
    language = Language(app)
    with tempfile.TemporaryDirectory() as folder:
        session = ManagerSession(
            Path(folder) / "config",
            Path(folder) / "data",
            client_factory=lambda url, key: AnalyticsClient(
                url, api_key=key, transport=httpx.MockTransport(head_office)
            ),
        )
        operations = Operations()
        for lang in ("es", "en"):
            language.switch(lang)
            manager = ManagerApp(session, operations, language, server=SERVER, today=AS_OF.date)
            manager.window.resize(1280, 800)
            manager.start()
            wait(app, lambda m=manager: m.dialog is not None and m.dialog.isVisible())
            dialog = manager.dialog
            assert dialog is not None
            if lang == "es":
                manager.window.resize(1280, 800)
                save(dialog, f"{lang}-sign-in")
            dialog.head_office.setChecked(True)
            dialog.invitation.setText(ADMIN)
            dialog.sign_in()
            wait(app, lambda m=manager: m.window.figures is not None)
            window = manager.window
            pickers = window.pickers
            pickers.business.setCurrentIndex(pickers.business.findData(1))
            pickers.set_range(date(2025, 1, 1), date(2025, 12, 31))
            window.figures = None
            pickers.ask()
            wait(app, lambda w=window: w.figures is not None and w.figures.business_id == 1)
            for index, name in ((0, "funnel"), (1, "return"), (2, "hours"), (4, "ab")):
                window.tabs.setCurrentIndex(index)
                wait(app, lambda: True)
                app.processEvents()
                save(window, f"{lang}-{name}")
            pickers.business.setCurrentIndex(0)
            window.figures = None
            pickers.ask()
            wait(app, lambda w=window: w.figures is not None and w.figures.business_id is None)
            window.tabs.setCurrentIndex(5)
            app.processEvents()
            save(window, f"{lang}-head-office")
            window.close()
            wait(app, lambda: True)
            operations.store_op(session.sign_out)
        operations.shutdown(close_store=session.close)
    language.reset()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
