"""The screen language, switchable while the kiosk runs.

Spanish is the kiosk's first language; the source text is English and needs no file. Qt sends
every widget a LanguageChange event when the translator changes, and each view re-labels
itself (see ``retranslate`` in the window and the panels).
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QLocale, QTranslator
from PySide6.QtWidgets import QApplication

from app.ui.resources import resources_dir

log = logging.getLogger(__name__)
TRANSLATIONS = resources_dir() / "translations"


class Language:
    """The screen language, switchable while the kiosk runs (Qt re-labels every widget)."""

    def __init__(self, app: QApplication) -> None:
        self._app = app
        self._translator: QTranslator | None = None
        self.current = "en"

    def switch(self, language: str) -> bool:
        """Show ``language`` ('es' or 'en'); False if its translation file is missing."""
        if self._translator is not None:
            self._app.removeTranslator(self._translator)
            self._translator = None
        self.current = "en"
        if language == "en":  # English is the source text and needs no file
            return True
        translator = QTranslator(self._app)
        if not translator.load(QLocale(language), "pika", "_", str(TRANSLATIONS)):
            log.warning("no %s translation found in %s; showing English", language, TRANSLATIONS)
            return False
        self._app.installTranslator(translator)
        self._translator = translator
        self.current = language
        return True

    def reset(self) -> None:
        self.switch("en")
