"""The screen language, switchable while the kiosk runs.

Spanish is the kiosk's first language; the source text is English and needs no file. Qt sends
every widget a LanguageChange event when the translator changes, and each view re-labels
itself (see ``retranslate`` in the window and the panels). Qt's own words (file dialogs, the
buttons of a start-up error box) come from Qt's qtbase translations shipped with PySide6, and
numbers follow the language's locale (Spanish writes 2,5 s), so one screen speaks one language.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtWidgets import QApplication

from app.ui.resources import resources_dir

log = logging.getLogger(__name__)
TRANSLATIONS = resources_dir() / "translations"
#: Qt's own translations (qtbase_es.qm …), in PySide6's package.
QT_TRANSLATIONS = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)


class Language:
    """The screen language, switchable while the kiosk runs (Qt re-labels every widget)."""

    def __init__(self, app: QApplication) -> None:
        self._app = app
        self._translator: QTranslator | None = None
        self._qt_translator: QTranslator | None = None
        self.current = "en"

    def switch(self, language: str) -> bool:
        """Show ``language`` ('es' or 'en'); False if its translation file is missing."""
        for installed in (self._translator, self._qt_translator):
            if installed is not None:
                self._app.removeTranslator(installed)
        self._translator = self._qt_translator = None
        self.current = "en"
        QLocale.setDefault(QLocale("en_US"))
        if language == "en":  # English is the source text and needs no file
            return True
        locale = QLocale(language)
        translator = QTranslator(self._app)
        if not translator.load(locale, "pika", "_", str(TRANSLATIONS)):
            log.warning("no %s translation found in %s; showing English", language, TRANSLATIONS)
            return False
        qt_translator = QTranslator(self._app)
        if qt_translator.load(locale, "qtbase", "_", QT_TRANSLATIONS):
            self._app.installTranslator(qt_translator)
            self._qt_translator = qt_translator
        else:
            log.warning("no Qt %s translation in %s", language, QT_TRANSLATIONS)
        self._app.installTranslator(translator)
        self._translator = translator
        QLocale.setDefault(locale)
        self.current = language
        return True

    def reset(self) -> None:
        self.switch("en")
