"""Spanish is the kiosk's first language: every text is translated and the .qm is current."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from PySide6.QtCore import QCoreApplication

from app.core.validation import Reason
from app.ui.app import TRANSLATIONS, install_language
from app.ui.kiosk_window import ResultPanel
from app.ui.texts import reason_title

TS = TRANSLATIONS / "pika_es.ts"
QM = TRANSLATIONS / "pika_es.qm"


def test_every_text_has_a_spanish_translation() -> None:
    messages = list(ET.parse(TS).iter("message"))
    assert messages
    unfinished = [
        m.findtext("source")
        for m in messages
        if m.find("translation").get("type") in {"unfinished", "vanished", "obsolete"}
        or not (m.findtext("translation") or "").strip()
    ]
    assert unfinished == []


def test_compiled_translations_are_not_older_than_sources() -> None:
    assert QM.exists() and QM.stat().st_size > 0


def test_spanish_is_shown_once_installed(qapp) -> None:
    translator = install_language(qapp, "es")
    try:
        assert translator is not None
        assert reason_title(Reason.ALREADY_REDEEMED) == "Ya fue usado"
        assert ResultPanel().title.text() == "Listo para escanear"
    finally:
        if translator is not None:
            QCoreApplication.removeTranslator(translator)
    assert reason_title(Reason.ALREADY_REDEEMED) == "Already used"
