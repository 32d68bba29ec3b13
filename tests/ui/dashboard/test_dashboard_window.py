"""pytest-qt: the manager window's sign-in, pickers, loading (fresh, offline, refused, signed
out by head office) and exports (issue 14)."""

from __future__ import annotations

import csv
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QAbstractButton, QLabel, QTabWidget, QWidget

from tests.core.dashboard.head_office import ADMIN_TOKEN, INVITATION, SERVER
from tests.core.dashboard.sample import AS_OF
from tests.ui.dashboard.conftest import Manager

pytestmark = pytest.mark.time_machine(AS_OF)


def _sign_in(qtbot, manager: Manager) -> None:
    manager.app.start()
    qtbot.waitUntil(lambda: manager.app.dialog is not None and manager.app.dialog.isVisible())
    dialog = manager.app.dialog
    assert dialog is not None
    qtbot.keyClicks(dialog.invitation, f"pika-manager:{INVITATION}@{SERVER}")
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: manager.app.window.figures is not None, timeout=5000)


def _ask_march(qtbot, manager: Manager) -> None:
    pickers = manager.app.window.pickers
    pickers.first_day.setDate(QDate(2025, 3, 1))
    pickers.last_day.setDate(QDate(2025, 3, 31))
    before = len(manager.head_office.requests)
    qtbot.mouseClick(pickers.show_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(manager.head_office.requests) > before, timeout=5000)
    qtbot.waitUntil(lambda: not manager.app.window.progress.isVisible(), timeout=5000)


def test_signing_in_with_the_qr_text_shows_the_business_figures(qtbot, manager: Manager) -> None:
    _sign_in(qtbot, manager)
    window = manager.app.window
    assert "Panadería Ñandutí" in window.heading.text()
    assert not window.pickers.business.isEnabled()  # a manager sees their own business only
    funnel = window.funnel_table.texts()
    assert funnel[0][:2] == ["Vales repartidos", "140"]
    assert ["Escaneados con el celular", "aún no se mide", "—"] in funnel  # never a 0
    assert window.funnel_chart.texts[-3:] == ["aún no se mide"] * 3
    assert window.offline_badge.isHidden()
    assert window.as_of.text().startswith("Cifras al ")
    assert [r[0] for r in window.kiosks_table.texts()] == ["Caja 2", "Caja 1"]
    assert window.ab_table.texts()[0][-1] == "aún no hay datos suficientes"
    assert window.heat_map.cell_text(5, 18) == "sábado 18:00 — 5 canjes"
    assert "sábado 18:00 (5)" in window.busiest.text()
    assert not window.tabs.isTabVisible(5)  # the ranking is head office's


def test_the_pickers_build_the_question_and_offer_the_answers_choices(
    qtbot, manager: Manager
) -> None:
    _sign_in(qtbot, manager)
    pickers = manager.app.window.pickers
    assert [pickers.offer.itemText(i) for i in range(pickers.offer.count())] == [
        "Todas las ofertas",
        "Chipa 10 %",
        "Café gratis",
    ]
    assert not pickers.variant.isEnabled()
    pickers.offer.setCurrentIndex(1)
    assert pickers.variant.isEnabled() and pickers.variant.itemText(2) == "B"
    pickers.variant.setCurrentIndex(2)
    pickers.bucket.setCurrentIndex(pickers.bucket.findData("week"))
    pickers.first_day.setDate(QDate(2025, 3, 1))
    pickers.last_day.setDate(QDate(2025, 3, 31))
    assert pickers.question().cache_key() == "7:2025-03-01:2025-03-31:3:2:week"
    qtbot.mouseClick(pickers.show_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: manager.head_office.requests[-1].url.params.get("variant") == "2", timeout=5000
    )
    params = manager.head_office.requests[-1].url.params
    assert (params["offer_id"], params["bucket"], params["first_day"]) == (
        "3",
        "week",
        "2025-03-01",
    )
    qtbot.mouseClick(pickers.presets["this_year"], Qt.MouseButton.LeftButton)
    assert pickers.first_day.date() == QDate(2025, 1, 1)
    assert pickers.last_day.date() == QDate(2025, 4, 2)


def test_a_bad_range_is_explained_and_never_asked(qtbot, manager: Manager) -> None:
    _sign_in(qtbot, manager)
    window = manager.app.window
    asked = len(manager.head_office.requests)
    window.pickers.first_day.setDate(QDate(2025, 3, 31))
    window.pickers.last_day.setDate(QDate(2025, 3, 1))
    qtbot.mouseClick(window.pickers.show_button, Qt.MouseButton.LeftButton)
    assert window.message.text() == "El último día es anterior al primero."
    window.pickers.first_day.setDate(QDate(2020, 1, 1))
    qtbot.mouseClick(window.pickers.show_button, Qt.MouseButton.LeftButton)
    assert "tres años" in window.message.text()
    assert len(manager.head_office.requests) == asked


def test_offline_the_kept_figures_show_with_their_time_and_a_badge(qtbot, manager: Manager) -> None:
    _sign_in(qtbot, manager)
    _ask_march(qtbot, manager)
    window = manager.app.window
    window.figures = None
    manager.head_office.mode = "offline"
    _ask_march(qtbot, manager)
    qtbot.waitUntil(lambda: window.figures is not None, timeout=5000)
    assert window.offline_badge.isVisible()
    assert window.loaded is not None and window.loaded.offline
    assert window.loaded.as_of == AS_OF
    assert window.funnel_table.texts()[0][1] == "140"
    # a question never answered on this PC: said so, nothing made up
    window.pickers.first_day.setDate(QDate(2025, 2, 1))
    window.pickers.ask()
    qtbot.waitUntil(lambda: "nunca se cargaron" in window.message.text(), timeout=5000)


def test_head_office_refusing_the_key_goes_back_to_sign_in(qtbot, manager: Manager) -> None:
    _sign_in(qtbot, manager)
    manager.app.dialog = None
    manager.head_office.mode = "unauthorised"
    _ask_march(qtbot, manager)
    qtbot.waitUntil(lambda: manager.app.dialog is not None, timeout=5000)
    assert manager.app.dialog.isVisible()
    assert manager.app.dialog.server.text() == SERVER
    assert manager.session.signed_in is None
    window = manager.app.window
    assert window.figures is None and window.funnel_table.rowCount() == 0  # nothing stays
    assert not window.export_pdf_button.isEnabled()


def test_a_refusal_is_worded_for_the_manager(qtbot, manager: Manager) -> None:
    _sign_in(qtbot, manager)
    manager.head_office.mode = "unknown_offer"
    _ask_march(qtbot, manager)
    window = manager.app.window
    qtbot.waitUntil(lambda: window.message.text() != "", timeout=5000)
    assert window.message.text() == "Esa oferta no es de este negocio."


def test_english_relabels_the_window_and_its_tables(qtbot, manager: Manager) -> None:
    _sign_in(qtbot, manager)
    window = manager.app.window
    window.language_picker.setCurrentIndex(window.language_picker.findData("en"))
    qtbot.waitUntil(lambda: window.tabs.tabText(0) == "F&unnel", timeout=2000)
    assert window.funnel_table.texts()[-1][1] == "not measured yet"
    assert window.pickers.show_button.text() == "&Show figures"


def test_exports_write_a_csv_per_table_and_a_pdf_with_the_business(
    qtbot, manager: Manager, tmp_path: Path
) -> None:
    _sign_in(qtbot, manager)
    window = manager.app.window
    written = window.export_csv(tmp_path / "csv").result(timeout=30)
    qtbot.waitUntil(lambda: "CSV" in window.message.text(), timeout=5000)
    funnel = next(p for p in written if p.name.endswith("-funnel.csv"))
    with funnel.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["Paso", "Cantidad", "Conversión"]
    assert rows[1][:2] == ["Vales repartidos", "140"]
    report = window.export_pdf(tmp_path / "report.pdf").result(timeout=60)
    document = pdfium.PdfDocument(report)
    text = "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    assert "Panadería Ñandutí" in text and "2025-03-01" in text


def test_head_office_picks_any_business_and_sees_the_ranking(qtbot, manager: Manager) -> None:
    manager.app.start()
    qtbot.waitUntil(lambda: manager.app.dialog is not None and manager.app.dialog.isVisible())
    dialog = manager.app.dialog
    assert dialog is not None
    dialog.head_office.setChecked(True)
    assert dialog.invitation.echoMode() == dialog.invitation.EchoMode.Password
    qtbot.keyClicks(dialog.invitation, ADMIN_TOKEN)
    qtbot.keyClicks(dialog.server, SERVER)
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    window = manager.app.window
    qtbot.waitUntil(lambda: window.figures is not None, timeout=5000)
    assert manager.head_office.requests[-1].url.path == "/v1/analytics/overview"
    assert window.tabs.isTabVisible(5) and window.ranking_table.texts()[0][0] == "Panadería Ñandutí"
    pickers = window.pickers
    assert pickers.business.isEnabled() and pickers.business.count() == 3
    pickers.business.setCurrentIndex(pickers.business.findData(7))
    _ask_march(qtbot, manager)
    qtbot.waitUntil(lambda: window.figures is not None and window.figures.business_id == 7)
    assert manager.head_office.requests[-1].url.path == "/v1/analytics/businesses/7/dashboard"
    # the business's answer lists no businesses: the pick and the choices stay
    assert pickers.business.currentText() == "Panadería Ñandutí" and pickers.business.count() == 3
    assert not window.tabs.isTabVisible(5)


def _mnemonics(window: QWidget) -> list[str]:
    texts = [w.text() for w in window.findChildren(QAbstractButton) + window.findChildren(QLabel)]
    tabs = window.findChild(QTabWidget)
    assert tabs is not None
    texts += [tabs.tabText(i) for i in range(tabs.count())]
    return [t[t.index("&") + 1].lower() for t in texts if "&" in t.replace("&&", "")]


@pytest.mark.parametrize("lang", ["es", "en"])
def test_every_field_has_its_own_mnemonic(qtbot, manager: Manager, lang: str) -> None:
    """Keyboard only: Alt+letter reaches each picker and button, no letter twice."""
    manager.language.switch(lang)
    window = manager.app.window
    show = "&Mostrar cifras" if lang == "es" else "&Show figures"
    qtbot.waitUntil(lambda: window.pickers.show_button.text() == show, timeout=2000)
    keys = _mnemonics(window)
    assert len(keys) >= 18
    assert len(keys) == len(set(keys)), sorted(keys)
