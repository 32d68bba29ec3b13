"""How each result looks, decided without Qt: shape, colours, which line is largest, and
font sizes from the window's size.

A cashier must tell "give the discount" from "do not" at 1.5 m, whatever their colour vision
(about 1 man in 12 sees red and green alike). So every result differs in three ways at once:
a shape (✓ valid, ! already used, ✗ refused), a first word (Valid / Already used / Refused),
and a background whose *luminance* differs, not only its hue: valid is dark text on a light
green, every refusal light text on a dark ground. On a refusal the largest line is "Do not
apply the discount"; the discount itself is never the loudest thing on a refusal.
tests/core/test_result_look.py holds the colours to WCAG AA; tests/ui/test_result_colours.py
renders each result and checks colour-blind simulations keep them apart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from app.core.counter import Tone
from app.core.money import format_guaranies


class Headline(StrEnum):
    """What the largest line of a result says (the UI words it)."""

    PROMPT = "prompt"  # ready: show or type a code
    DISCOUNT = "discount"  # valid: the discount to give
    DO_NOT_APPLY = "do_not_apply"  # any refusal: "Do not apply the discount"


@dataclass(frozen=True, slots=True)
class ResultLook:
    """The parts of a result's look the core decides (the UI words and draws them)."""

    tone: Tone | None  # None: ready, no result on screen
    icon: str
    background: str
    foreground: str
    headline: Headline
    #: Whether the offer (title and discount) is shown bold. Never on a refusal.
    offer_bold: bool


READY_LOOK = ResultLook(None, "", "#f4f4f4", "#1a1a1a", Headline.PROMPT, offer_bold=False)

LOOKS = {
    # Dark green text on light green: luminance 0.66, far above both refusals (≤ 0.04).
    Tone.VALID: ResultLook(Tone.VALID, "✓", "#9ee6a8", "#06311a", Headline.DISCOUNT, True),
    # A used voucher is a refusal; navy (not yellow) keeps it dark like the other refusals
    # and apart from red in every colour-blind simulation; amber text says "attention".
    Tone.WARNING: ResultLook(
        Tone.WARNING, "!", "#1d3461", "#ffd54f", Headline.DO_NOT_APPLY, offer_bold=False
    ),
    Tone.INVALID: ResultLook(
        Tone.INVALID, "✗", "#8e0b0b", "#ffffff", Headline.DO_NOT_APPLY, offer_bold=False
    ),
}


def look_for(tone: Tone | None) -> ResultLook:
    """The look of a result of ``tone``; None is the ready screen."""
    return READY_LOOK if tone is None else LOOKS[tone]


def unbreakable(text: str) -> str:
    """Text a line must never split (money: "₲ 150.000"): spaces become no-break spaces."""
    return text.replace(" ", "\u00a0")


def discount_amount(amount: int) -> str:
    """The discount as the headline shows it: "−₲ 150.000", kept on one line."""
    return unbreakable(f"−{format_guaranies(amount)}")


@dataclass(frozen=True, slots=True)
class TypeScale:
    """Font sizes in pixels for one window size (pixels, not points: a kiosk screen's DPI is
    often reported wrong, and the size that matters is relative to the screen)."""

    icon: int
    headline: int
    verdict: int
    reason: int
    body: int
    status: int
    header: int
    entry: int


#: The window size the base sizes were chosen for.
BASE_SIZE = (1280, 800)


def type_scale(width: int, height: int) -> TypeScale:
    """Sizes for a ``width``×``height`` window: scaled by the tighter of the two dimensions,
    so a line that fits at 1280×800 fits at any size, and text grows on a larger screen."""
    px = _pixels(width, height)
    return TypeScale(
        icon=px(96),
        headline=px(60),
        verdict=px(46),
        reason=px(32),
        body=px(24),
        status=px(22),
        header=px(22),
        entry=px(26),
    )


@dataclass(frozen=True, slots=True)
class PanelTypeScale:
    """Font sizes in pixels for the manager panel (history, settings, Sync tab, its buttons).

    Read at arm's length, not from 1.5 m, so smaller than the counter's; but scaled the same
    way, so at 1920×1080 the panel is not a page of 9 pt text on a large screen.
    """

    body: int
    heading: int
    table: int
    button: int
    #: Row height of the history table and minimum height of the panel's main buttons:
    #: touch targets grow with the text.
    row: int
    button_height: int
    #: Side of a check box's box and width of a spin box's up/down buttons: Qt draws them at
    #: a fixed ~16 px whatever the text's size, a small target next to 26 px words.
    indicator: int
    spin_button: int


def panel_type_scale(width: int, height: int) -> PanelTypeScale:
    """Sizes for a manager panel of ``width``×``height``, scaled like :func:`type_scale`.
    At 1280×800 the body text is 17 px (about 13 pt at 96 dpi)."""
    px = _pixels(width, height)
    return PanelTypeScale(
        body=px(17),
        heading=px(22),
        table=px(16),
        button=px(18),
        row=px(34),
        button_height=max(40, px(52)),
        indicator=max(16, px(22)),
        spin_button=max(16, px(26)),
    )


def panel_style_sheet(scale: PanelTypeScale) -> str:
    """The manager panel's style sheet for ``scale``: check boxes and spin-box arrows sized
    with the text (fonts are set on the widgets; a sheet only sizes these sub-controls, so
    the platform style still draws them)."""
    box, button = scale.indicator, scale.spin_button
    return (
        f"QCheckBox::indicator {{ width: {box}px; height: {box}px; }}"
        f" QAbstractSpinBox::up-button, QAbstractSpinBox::down-button {{ width: {button}px; }}"
        f" QAbstractSpinBox::up-arrow, QAbstractSpinBox::down-arrow"
        f" {{ width: {button // 2}px; height: {button // 4}px; }}"
    )


def _pixels(width: int, height: int) -> Callable[[float], int]:
    """Base size at :data:`BASE_SIZE` -> pixels for ``width``×``height``: scaled by the tighter
    of the two dimensions (a line that fits at 1280×800 fits at any size), never below 10."""
    if width <= 0 or height <= 0:
        raise ValueError("window size must be positive")
    scale = max(0.5, min(width / BASE_SIZE[0], height / BASE_SIZE[1]))

    def px(base: float) -> int:
        return max(10, round(base * scale))

    return px
