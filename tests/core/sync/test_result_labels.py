"""Every answer head office can give has plain words in the history, in both languages."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from app.core.sync import result_labels
from app.core.sync.outbox import KioskOutcome, SyncResult, refused_text, unsendable_text
from app.core.sync.result_labels import OTHER_REASON, SyncLabel, sync_label
from pika_protocol.sync_wire import ItemOutcome, PushItemResult, PushProblem
from pika_protocol.validation import Reason

TS = Path(__file__).resolve().parents[3] / "resources" / "translations" / "pika_es.ts"
#: The reason codes the wire carries: ``PushItemResult.reason`` is one of these.
WIRE_REASONS = [*Reason, *PushProblem]


def _spanish() -> dict[str, str]:
    context = next(
        c for c in ET.parse(TS).iter("context") if c.findtext("name") == result_labels.CONTEXT
    )
    return {
        m.findtext("source") or "": m.findtext("translation") or ""
        for m in context.iter("message")
        if m.find("translation").get("type") is None
    }


def test_the_wire_reason_enums_are_the_ones_labelled() -> None:
    annotation = PushItemResult.model_fields["reason"].annotation
    assert set(annotation.__args__) == {Reason, PushProblem}


@pytest.mark.parametrize("code", WIRE_REASONS, ids=str)
def test_every_reason_code_has_words_and_a_spanish_translation(code) -> None:
    label = sync_label(True, SyncResult(ItemOutcome.REJECTED, code.value).text())
    assert label.reason != OTHER_REASON
    assert "_" not in label.reason and label.reason != code.value  # words, not the code
    assert label.code == f"rejected: {code.value}"  # the raw code, for the tooltip
    spanish = _spanish()
    assert spanish.get(label.template), label.template
    assert spanish.get(label.reason), label.reason


@pytest.mark.parametrize("outcome", [*ItemOutcome, *KioskOutcome], ids=str)
def test_every_outcome_has_words_and_a_spanish_translation(outcome) -> None:
    label = sync_label(True, SyncResult(outcome, "expired").text())
    assert "{" not in label.template or label.reason
    assert label.template in _spanish(), label.template
    if label.reason:
        assert _spanish().get(label.reason), label.reason


def test_a_refusal_says_its_code_in_words_and_keeps_it_for_support() -> None:
    label = sync_label(True, refused_text(422, "invalid_request"))
    assert label == SyncLabel(
        result_labels.TEMPLATES[KioskOutcome.REFUSED],
        "its data was not accepted",
        "refused: http_422_invalid_request",
    )
    assert "http" not in label.template + label.reason


def test_codes_this_kiosk_does_not_know_get_plain_words_too() -> None:
    assert sync_label(True, refused_text(422, "bad")).reason == OTHER_REASON
    assert sync_label(True, "rejected:from_a_newer_server:").reason == OTHER_REASON
    damaged = sync_label(True, unsendable_text("outbox item x is damaged: serial: bad"))
    assert damaged.reason == result_labels.DAMAGED
    assert "serial" in damaged.code


def test_waiting_set_aside_and_synced() -> None:
    assert sync_label(False, None) == SyncLabel(result_labels.WAITING)
    assert sync_label(False, None, set_aside=True) == SyncLabel(result_labels.SET_ASIDE)
    synced = sync_label(True, SyncResult(ItemOutcome.ACCEPTED, "valid").text())
    assert synced == SyncLabel(result_labels.SYNCED, "", "accepted: valid")
