"""Spanish is the kiosk's first language: every text is translated and the .qm is current."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from PySide6.QtCore import QCoreApplication, QLocale

from app.ui.language import TRANSLATIONS, Language
from app.ui.result_panel import ResultPanel
from app.ui.texts import reason_title
from pika_protocol.validation import Reason

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


def test_language_switches_while_running(qtbot, qapp) -> None:
    language = Language(qapp)
    panel = ResultPanel()
    qtbot.addWidget(panel)
    try:
        assert language.switch("es")
        assert reason_title(Reason.ALREADY_REDEEMED) == "Ya fue usado"
        # re-labelled by the LanguageChange event Qt posts to every widget
        qtbot.waitUntil(lambda: panel.title.text() == "Listo para escanear", timeout=2000)
        assert language.switch("en")
        qtbot.waitUntil(lambda: panel.title.text() == "Ready to scan", timeout=2000)
        assert reason_title(Reason.ALREADY_REDEEMED) == "Already used"
    finally:
        language.reset()


def test_qt_own_words_and_numbers_follow_the_language(qapp) -> None:
    """File dialogs and message boxes use Qt's own words; Spanish writes 2,5 not 2.5."""
    language = Language(qapp)
    try:
        assert language.switch("es")
        assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "Cancelar"
        assert QLocale().toString(2.5, "f", 1) == "2,5"
        assert language.switch("en")
        assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "Cancel"
        assert QLocale().toString(2.5, "f", 1) == "2.5"
    finally:
        language.reset()


def test_one_word_for_the_manager(qapp) -> None:
    """The button and the PIN pad name the same person ("encargado", never "Gerente")."""
    spanish = ET.tostring(ET.parse(TS).getroot(), encoding="unicode")
    assert "Gerente" not in spanish and "gerente" not in spanish
    assert "Encargado" in spanish
