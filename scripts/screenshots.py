"""Screenshots of every kiosk state, for docs/screenshots/ and the README.

Runs the real window (demo store, Spanish by default) on a real X display at one screen size:
start it through scripts/screenshots.sh, which provides one with Xvfb for each size. Each state
is reached the way a cashier reaches it (typed code, scanner, camera stand-in), never by
painting a fake state. PNGs are saved as 256-colour palettes (Pillow), a tenth of the size.
"""

from __future__ import annotations

import argparse
import base64
import io
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PIL import Image
from PySide6.QtCore import QBuffer, QIODevice
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QApplication, QWidget

from app.core.counter import ScanSource
from app.core.demo import DEMO_KEY_ID, DemoCatalogue
from app.core.manager_pin import DEMO_PIN
from app.core.session import open_session
from app.ui.app import build_window
from app.ui.kiosk_window import KioskWindow
from app.ui.language import Language
from app.ui.operations import Operations
from pika_protocol.tokens import VoucherClaims, short_code_for, sign

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"


def forged(token: str) -> str:
    raw = bytearray(base64.b32decode(token + "=" * (-len(token) % 8)))
    raw[-1] ^= 0x55  # one altered signature byte
    return base64.b32encode(bytes(raw)).decode().rstrip("=")


def unknown_key(catalogue: DemoCatalogue) -> str:
    claims = VoucherClaims(
        key_id=DEMO_KEY_ID + 7,
        business_id=1,
        offer_id=101,
        serial=5,
        valid_from=0,
        valid_until=2**32 - 1,
    )
    return sign(claims, Ed25519PrivateKey.generate())


def steps(catalogue: DemoCatalogue) -> list[tuple[str, Callable[[KioskWindow], None]]]:
    first = catalogue.vouchers[0]

    def typed(code: str) -> Callable[[KioskWindow], None]:
        def run(window: KioskWindow) -> None:
            window.entry.setText(code)
            window.submit_entry()

        return run

    def scanned(token: str) -> Callable[[KioskWindow], None]:
        return lambda window: window.submit_scan(token, ScanSource.CAMERA)

    return [
        ("01-valid", typed(short_code_for(first.token))),
        ("02-already-used", scanned(first.token)),
        ("03-expired", scanned(catalogue.expired.token)),
        ("04-not-yet-valid", scanned(catalogue.not_yet_valid.token)),
        ("05-other-business", scanned(catalogue.other_business.token)),
        ("06-revoked", scanned(catalogue.revoked.token)),
        ("07-forged", scanned(forged(catalogue.vouchers[1].token))),
        ("08-unknown-key", scanned(unknown_key(catalogue))),
        ("09-unreadable", typed("7KQ2-M9XD-Q")),
        # two valid scans in a row: the second must look new (scan number, serial, flash)
        ("10-valid-again", typed(short_code_for(catalogue.vouchers[2].token))),
        ("11-valid-next", scanned(catalogue.vouchers[3].token)),
    ]


#: States photographed during the border flash that marks a new result.
FLASHING = {"11-valid-next"}


def save_png(pixmap: QPixmap, path: Path) -> None:
    """Save small: a UI screenshot has few colours, so a 256-colour palette loses little."""
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    pixmap.save(buffer, "PNG")
    image = Image.open(io.BytesIO(bytes(buffer.data().data()))).convert("RGB")
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)


def grab(widget: QWidget, path: Path) -> None:
    save_png(widget.grab(), path)
    print(path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lang", default="es", choices=("es", "en"))
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--size", default="1280x800", help="window size, e.g. 1024x768")
    args = parser.parse_args()
    width, height = (int(n) for n in args.size.split("x"))
    out: Path = args.out / args.size
    out.mkdir(parents=True, exist_ok=True)

    app = QApplication(sys.argv)
    Language(app).switch(args.lang)
    ops = Operations()
    session = ops.store_op(lambda: open_session(Path(tempfile.mkdtemp()), demo=True)).result()
    assert session.demo is not None
    window = build_window(session, ops)
    window.setGeometry(0, 0, width, height)
    window.show()

    def settle() -> None:
        for _ in range(20):
            app.processEvents()

    def save(name: str) -> None:
        settle()
        # Results are shown steady, after their arrival flash; one is caught mid-flash.
        while window.result_panel.flashing and name not in FLASHING:
            app.processEvents()
        grab(window, out / f"{args.lang}-{name}.png")

    save("00-ready")
    shown: list[object] = []
    window.outcome_shown.connect(lambda outcome: shown.append(outcome))
    for name, action in steps(session.demo):
        before = len(shown)
        action(window)
        while len(shown) == before:
            app.processEvents()
        save(name)
        if name == "01-valid":
            sale_total_screens(app, window, save)
    # the undo bar belongs to a redemption: back on "ready" it is offered again
    window.result_panel.show_state(window.machine.reset())
    window.undo_bar.follow(window.machine.state)
    save("12-ready-undo")
    window.camera_column.say_unavailable("camera 0 cannot be opened")
    save("13-no-camera")
    manager_screens(app, window, out, args.lang, settle, (width, height))
    window.exit_kiosk()
    ops.shutdown(close_store=session.store.close)
    return 0


def sale_total_screens(
    app: QApplication, window: KioskWindow, save: Callable[[str], None]
) -> None:
    """The sale-total prompt after the first valid scan: a figure typed, an absurd one refused
    (the demo shop's usual sale is ₲ 60.000), then a total saved."""
    prompt = window.sale_prompt
    prompt.field.setText("150.000")
    save("01a-sale-total-typed")
    prompt.field.setText("9.000.000")
    prompt.submit()
    while "✗" not in prompt.message.text():
        app.processEvents()
    save("01b-sale-total-absurd")
    prompt.field.setText("150.000")
    prompt.submit()
    while prompt.is_open:
        app.processEvents()
    save("01c-sale-total-saved")


def manager_screens(
    app: QApplication,
    window: KioskWindow,
    out: Path,
    lang: str,
    settle: Callable[[], None],
    size: tuple[int, int],
) -> None:
    """The PIN pad, then the manager panel's scans, settings and today / this week, reached
    with the demo PIN."""
    panels: list[object] = []
    window.manager.panel_opened.connect(lambda panel: panels.append(panel))
    window.manager.open()
    pad = window.manager.pad
    assert pad is not None
    for digit in DEMO_PIN[:2]:
        pad.press(digit)
    settle()
    grab(pad, out / f"{lang}-20-manager-pin.png")
    for digit in DEMO_PIN[2:]:
        pad.press(digit)
    pad.submit()
    while not panels:
        app.processEvents()
    panel = window.manager.panel
    assert panel is not None
    panel.resize(*size)
    for _ in range(50):
        app.processEvents()
    grab(panel, out / f"{lang}-21-manager-scans.png")
    panel.tabs.setCurrentIndex(1)
    settle()
    grab(panel, out / f"{lang}-22-manager-settings.png")
    panel.tabs.setCurrentWidget(panel.week_tab)
    while panel.week_tab.week is None:
        app.processEvents()
    settle()
    grab(panel, out / f"{lang}-23-manager-week.png")
    panel.close()


if __name__ == "__main__":
    sys.exit(main())
