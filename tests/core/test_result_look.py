"""The result looks the core decides: AA contrast, a shape and look per kind, sizes that scale."""

from __future__ import annotations

import pytest

from app.core.colour import AA_TEXT, contrast_ratio, parse_hex, relative_luminance
from app.core.counter import Tone
from app.core.result_look import (
    LOOKS,
    READY_LOOK,
    Headline,
    discount_amount,
    look_for,
    panel_type_scale,
    type_scale,
)


def test_wcag_figures_match_the_spec_examples() -> None:
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert relative_luminance("#ffffff") == pytest.approx(1.0)
    with pytest.raises(ValueError):
        parse_hex("red")


@pytest.mark.parametrize("look", [READY_LOOK, *LOOKS.values()])
def test_every_text_colour_meets_wcag_aa(look) -> None:
    assert contrast_ratio(look.background, look.foreground) >= AA_TEXT


def test_valid_and_refusals_differ_in_luminance_not_only_hue() -> None:
    """Before: green #1b7f3b and red #c62828 were 1.11:1 apart."""
    valid = LOOKS[Tone.VALID].background
    for tone in (Tone.WARNING, Tone.INVALID):
        assert contrast_ratio(valid, LOOKS[tone].background) >= 4.5


def test_each_result_has_its_own_shape_and_refusals_never_lead_with_the_discount() -> None:
    assert {look.icon for look in LOOKS.values()} == {"✓", "!", "✗"}
    assert look_for(Tone.VALID).headline is Headline.DISCOUNT
    for tone in (Tone.WARNING, Tone.INVALID):
        assert look_for(tone).headline is Headline.DO_NOT_APPLY
        assert not look_for(tone).offer_bold
    assert look_for(None) is READY_LOOK


def test_an_amount_never_splits_across_lines() -> None:
    text = discount_amount(150_000)
    assert text == "−₲\u00a0150.000"
    assert " " not in text


@pytest.mark.parametrize(
    ("size", "header_px"), [((1024, 768), 18), ((1280, 800), 22), ((1920, 1080), 30)]
)
def test_text_grows_with_the_window(size, header_px) -> None:
    scale = type_scale(*size)
    assert scale.header == header_px
    # the largest line stays the largest, whatever the size
    assert scale.headline > scale.verdict > scale.reason > scale.body


def test_type_scale_refuses_an_empty_window() -> None:
    with pytest.raises(ValueError):
        type_scale(0, 800)


@pytest.mark.parametrize(
    ("size", "body_px"), [((1024, 768), 14), ((1280, 800), 17), ((1920, 1080), 23)]
)
def test_the_manager_panel_text_grows_with_its_window(size, body_px) -> None:
    """Before, the panel kept Qt's default ~13 px at every size: tiny on a 1920×1080 screen."""
    panel = panel_type_scale(*size)
    assert panel.body == body_px
    assert panel.heading > panel.body >= panel.table
    # a row and a button hold their text with room to spare (touch targets grow with it)
    assert panel.row >= 2 * panel.table and panel.button_height >= 2 * panel.button
    with pytest.raises(ValueError):
        panel_type_scale(1024, 0)
