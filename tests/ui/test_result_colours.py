"""Each result, rendered, stays apart from the others under colour-blind simulations.

The panel is drawn offscreen and grabbed; the background is the colour most pixels have. Those
backgrounds go through the Machado et al. (2009) dichromacy matrices (tests/support/
colour_vision.py, which names the source) and must stay apart: CIE76 ΔE of at least
``MIN_DELTA_E`` between every two results, and valid at least ``MIN_LUMINANCE_RATIO`` brighter
than any refusal (luminance survives every colour deficiency). The colours the kiosk had before
fail the same check: see test_the_old_colours_fail_the_check.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from PySide6.QtGui import QImage

from app.core.counter import ScanOutcome, Tone
from app.core.screen import Screen, ScreenState
from app.core.store import ScanSource
from app.ui.result_panel import ResultPanel
from tests.support.colour_vision import (
    MACHADO_2009,
    Floats,
    delta_e,
    hex_linear,
    luminance,
    simulate,
    to_linear,
)
from tests.ui.manager_support import DemoKiosk, kiosk

__all__ = ["kiosk"]

MIN_DELTA_E = 40.0
MIN_LUMINANCE_RATIO = 3.0
VISIONS = ["normal", *MACHADO_2009]


def background(image: QImage) -> Floats:
    """The most common colour of a grabbed widget, as linear RGB."""
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    width, height, stride = image.width(), image.height(), image.bytesPerLine()
    raw = np.frombuffer(image.constBits(), dtype=np.uint8, count=stride * height)
    pixels = raw.reshape(height, stride)[:, : width * 3].reshape(-1, 3)
    colours, counts = np.unique(pixels, axis=0, return_counts=True)
    return to_linear(colours[counts.argmax()].astype(np.float64) / 255)


def separation(backgrounds: dict[str, Floats], vision: str) -> tuple[float, float]:
    """(smallest ΔE between any two results, valid's luminance ratio over the brightest
    refusal) as seen with ``vision``."""
    seen = {
        name: colour if vision == "normal" else simulate(colour, vision)
        for name, colour in backgrounds.items()
    }
    smallest = min(delta_e(seen[a], seen[b]) for a, b in itertools.combinations(seen, 2))
    refusal = max(float(luminance(seen[name])) for name in seen if name != "valid")
    return smallest, (float(luminance(seen["valid"])) + 0.05) / (refusal + 0.05)


def outcomes(kiosk: DemoKiosk) -> dict[str, ScanOutcome]:
    def scan(token: str) -> ScanOutcome:
        return kiosk.ops.store_op(lambda: kiosk.counter.scan(token, ScanSource.CAMERA)).result()

    valid = kiosk.scan(0)
    return {"valid": valid, "used": kiosk.scan(0), "refused": scan(kiosk.catalogue.revoked.token)}


def rendered(qtbot, kiosk: DemoKiosk) -> dict[str, tuple[ResultPanel, QImage]]:
    shots = {}
    for number, (name, outcome) in enumerate(outcomes(kiosk).items(), start=1):
        panel = ResultPanel()
        qtbot.addWidget(panel)
        panel.resize(760, 520)
        panel.show_state(ScreenState(Screen.RESULT, outcome, 0.0, number))
        shots[name] = (panel, panel.grab().toImage())
    return shots


@pytest.mark.parametrize("vision", VISIONS)
def test_results_stay_apart_for_every_colour_vision(qtbot, kiosk, vision) -> None:
    shots = rendered(qtbot, kiosk)
    backgrounds = {name: background(image) for name, (_panel, image) in shots.items()}
    smallest, ratio = separation(backgrounds, vision)
    assert smallest >= MIN_DELTA_E, f"{vision}: two results only ΔE {smallest:.1f} apart"
    assert ratio >= MIN_LUMINANCE_RATIO, f"{vision}: valid only {ratio:.2f}:1 over a refusal"


def test_each_result_has_its_own_shape_and_first_word(qtbot, kiosk) -> None:
    shots = rendered(qtbot, kiosk)
    icons = {panel.icon.text() for panel, _ in shots.values()}
    first_words = {panel.title.text().split()[0] for panel, _ in shots.values()}
    assert icons == {"✓", "!", "✗"}
    assert len(first_words) == 3
    assert {panel.property("tone") for panel, _ in shots.values()} == {t.value for t in Tone}


def test_every_refusal_says_do_not_apply_largest_and_the_amount_is_not_bold(qtbot, kiosk) -> None:
    shots = rendered(qtbot, kiosk)
    for name in ("used", "refused"):
        panel = shots[name][0]
        assert panel.headline.text() == "Do not apply the discount"
        others = (panel.title, panel.reason, panel.offer, panel.detail, panel.status)
        assert all(panel.headline.font().pixelSize() > w.font().pixelSize() for w in others)
        assert "₲" in panel.offer.text() and not panel.offer.font().bold()
        assert "₲" not in panel.headline.text()
    assert "₲" in shots["valid"][0].headline.text()


def test_two_valid_results_in_a_row_differ_on_screen(qtbot, kiosk) -> None:
    panel = ResultPanel()
    qtbot.addWidget(panel)
    first, second = kiosk.scan(1), kiosk.scan(2)
    panel.show_state(ScreenState(Screen.RESULT, first, 0.0, 1))
    before = panel.status.text()
    qtbot.waitUntil(lambda: not panel.flashing, timeout=2000)
    panel.show_state(ScreenState(Screen.RESULT, second, 1.0, 2))
    assert panel.flashing  # the border flashes for the new result
    assert panel.status.text() != before
    assert "Scan 2" in panel.status.text()
    assert second.recorded.claims is not None
    assert str(second.recorded.claims.serial) in panel.status.text()


def test_the_old_colours_fail_the_check() -> None:
    """Green #1b7f3b, yellow #f2c200 and red #c62828, as the kiosk had them: the check above
    would have caught them (deuteranopia: valid and refused 20 ΔE apart, 1.13:1)."""
    old = {"valid": "#1b7f3b", "used": "#f2c200", "refused": "#c62828"}
    backgrounds = {name: hex_linear(colour) for name, colour in old.items()}
    smallest, ratio = separation(backgrounds, "deuteranopia")
    assert smallest < MIN_DELTA_E and ratio < MIN_LUMINANCE_RATIO
