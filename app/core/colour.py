"""Colour arithmetic the result screen is checked with: WCAG 2.x relative luminance and
contrast ratio of sRGB colours written as ``#rrggbb``.

Pure Python so the rules that choose the result colours (app.core.result_look) and the tests
that hold them to WCAG AA use the same numbers.
"""

from __future__ import annotations

#: WCAG 2.x AA: normal text needs 4.5:1 against its background (large text 3:1).
AA_TEXT = 4.5


def parse_hex(colour: str) -> tuple[int, int, int]:
    """``"#1b7f3b" -> (27, 127, 59)``; anything else is a ValueError."""
    text = colour.strip()
    if len(text) != 7 or not text.startswith("#"):
        raise ValueError(f"not a #rrggbb colour: {colour!r}")
    try:
        return int(text[1:3], 16), int(text[3:5], 16), int(text[5:7], 16)
    except ValueError:
        raise ValueError(f"not a #rrggbb colour: {colour!r}") from None


def linear(channel: int) -> float:
    """One 0–255 sRGB channel to linear light (the sRGB transfer function, IEC 61966-2-1)."""
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    """WCAG 2.x relative luminance, 0 (black) to 1 (white)."""
    r, g, b = (linear(c) for c in parse_hex(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str, b: str) -> float:
    """WCAG 2.x contrast ratio, 1 (same luminance) to 21 (black on white), either order."""
    la, lb = relative_luminance(a), relative_luminance(b)
    high, low = max(la, lb), min(la, lb)
    return (high + 0.05) / (low + 0.05)
