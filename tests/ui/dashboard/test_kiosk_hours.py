"""pytest-qt: the hours tab's kiosk picker ("every kiosk" first) loads one kiosk's heat map
off the UI thread, says when offline it cannot, and is head office's only per business."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PySide6.QtCore import Qt

from tests.core.dashboard.head_office import ADMIN_TOKEN, SERVER
from tests.core.dashboard.sample import AS_OF
from tests.ui.dashboard.conftest import Manager
from tests.ui.dashboard.test_dashboard_window import _sign_in

pytestmark = pytest.mark.time_machine(AS_OF)


def _items(manager: Manager) -> list[str]:
    picker = manager.app.window.hours_panel.kiosk
    return [picker.itemText(i) for i in range(picker.count())]


def _pick(qtbot, manager: Manager, name: str) -> None:
    picker = manager.app.window.hours_panel.kiosk
    before = len(manager.head_office.requests)
    picker.setCurrentIndex(picker.findText(name))
    qtbot.waitUntil(lambda: len(manager.head_office.requests) > before, timeout=5000)
    qtbot.waitUntil(lambda: not manager.app.window.progress.isVisible(), timeout=5000)


def test_picking_a_kiosk_shows_its_heat_map_and_busiest_hours(qtbot, manager: Manager) -> None:
    _sign_in(qtbot, manager)
    window = manager.app.window
    assert _items(manager) == ["Todas las cajas", "Caja 1", "Caja 2"]
    assert window.hours_panel.kiosk.isEnabled() and window.hours_panel.current() is None
    assert window.hours_panel.kiosk_label.text() == "Caja de&l mapa:"
    assert window.heat_map.cell_text(5, 18) == "sábado 18:00 — 5 canjes"  # every kiosk
    _pick(qtbot, manager, "Caja 1")
    qtbot.waitUntil(lambda: window.kiosk_hours is not None, timeout=5000)
    request = manager.head_office.requests[-1]
    assert request.url.path == "/v1/analytics/businesses/7/hour-weekday"
    assert (request.url.params["kiosk"], request.url.params["first_day"]) == ("k1", "2025-03-01")
    # Caja 1's map: Monday 10:00 only; Saturday's five were Caja 2's
    assert window.heat_map.cell_text(0, 10) == "lunes 10:00 — 3 canjes"
    assert window.heat_map.cell_text(5, 18) == "sábado 18:00 — 0 canjes"
    assert window.busiest.text() == "Horas con más canjes: lunes 10:00 (3)"
    assert window.hours_table.texts()[0][11] == "3" and window.hours_table.texts()[5][19] == "0"
    assert window.hours_panel.note.text() == ""
    # the whole business's again, from the figures on screen: no request
    asked = len(manager.head_office.requests)
    window.hours_panel.kiosk.setCurrentIndex(0)
    assert window.heat_map.cell_text(5, 18) == "sábado 18:00 — 5 canjes"
    assert len(manager.head_office.requests) == asked


def _exported(manager: Manager, folder: Path) -> dict[str, list[list[str]]]:
    """The CSV export, by the end of each file's name after the period."""
    written = manager.app.window.export_csv(folder).result(timeout=30)
    out = {}
    for path in written:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            out[path.name.removeprefix("pika-negocio-7-2025-03-01-2025-03-31-")] = list(
                csv.reader(handle)
            )
    return out


def test_the_exports_carry_the_kiosk_shown_and_only_while_it_shows(
    qtbot, manager: Manager, tmp_path: Path
) -> None:
    _sign_in(qtbot, manager)
    window = manager.app.window
    _pick(qtbot, manager, "Caja 1")
    qtbot.waitUntil(lambda: window.kiosk_hours is not None, timeout=5000)
    files = _exported(manager, tmp_path / "caja-1")
    assert files["hours-caja-1.csv"][1][1 + 10] == "3"  # Monday 10:00, Caja 1's own
    assert files["hours-caja-1.csv"][6][1 + 18] == "0"
    assert files["hours.csv"][6][1 + 18] == "5"  # the business's, as before
    report = window.export_pdf(tmp_path / "caja-1.pdf").result(timeout=60)
    document = pdfium.PdfDocument(report)
    text = "".join(page.get_textpage().get_text_range() for page in document)
    assert "Canjes por hora y día — Caja 1" in text
    assert "Canjes por hora y día — todas las cajas" in text
    # every kiosk picked again: Caja 1's map is still kept, but no longer what shows
    window.hours_panel.kiosk.setCurrentIndex(0)
    assert window.kiosk_hours is not None
    assert sorted(_exported(manager, tmp_path / "every")) == [
        "ab.csv",
        "funnel.csv",
        "hours.csv",
        "kiosks.csv",
        "refusals.csv",
        "roi.csv",
    ]
    # Caja 2 picked and still loading (its answer comes back on this thread, after the
    # export has taken what shows): Caja 1's map is not sent on as if it were Caja 2's
    window.hours_panel.kiosk.setCurrentIndex(window.hours_panel.kiosk.findText("Caja 2"))
    assert window.hours_panel.note.text() == "Cargando Caja 2…"
    assert not any(name.startswith("hours-") for name in _exported(manager, tmp_path / "wait"))
    qtbot.waitUntil(
        lambda: window.kiosk_hours is not None and window.kiosk_hours.device_id == "k2",
        timeout=5000,
    )
    assert "hours-caja-2.csv" in _exported(manager, tmp_path / "caja-2")
    # Caja 1 picked but head office unreachable: back to every kiosk, and so are the exports
    manager.head_office.mode = "offline"
    _pick(qtbot, manager, "Caja 1")
    qtbot.waitUntil(lambda: window.hours_panel.note.text().startswith("Sin conexión"), timeout=5000)
    assert not any(name.startswith("hours-") for name in _exported(manager, tmp_path / "off"))


def test_the_pick_survives_new_figures_and_a_language_change(qtbot, manager: Manager) -> None:
    _sign_in(qtbot, manager)
    window = manager.app.window
    _pick(qtbot, manager, "Caja 2")
    qtbot.waitUntil(lambda: window.kiosk_hours is not None, timeout=5000)
    april = {"first_day": date(2025, 4, 1), "last_day": date(2025, 4, 30)}
    manager.head_office.figures = manager.head_office.figures.model_copy(update=april)
    window.pickers.ask()  # new figures, other days: Caja 2's map is asked again for them
    # the answer arrives on the UI thread later: wait for April's map, not the March one shown
    qtbot.waitUntil(
        lambda: (
            window.kiosk_hours is not None and window.kiosk_hours.first_day == april["first_day"]
        ),
        timeout=5000,
    )
    assert window.hours_panel.note.text() == ""
    assert window.hours_panel.current() == "k2"
    asked = [r.url.params for r in manager.head_office.requests if r.url.path.endswith("weekday")]
    assert [(p["kiosk"], p["first_day"]) for p in asked] == [
        ("k2", "2025-03-01"),
        ("k2", "2025-04-01"),
    ]
    assert window.heat_map.cell_text(5, 18) == "sábado 18:00 — 5 canjes"
    assert window.heat_map.cell_text(0, 10) == "lunes 10:00 — 0 canjes"
    manager.language.switch("en")
    qtbot.waitUntil(lambda: window.hours_panel.kiosk.itemText(0) == "All kiosks", timeout=2000)
    assert window.hours_panel.kiosk_label.text() == "Kiosk sho&wn:"
    assert window.busiest.text() == "Busiest hours: Saturday 18:00 (5)"
    assert window.hours_panel.current() == "k2"


def test_offline_the_map_of_one_kiosk_is_said_to_need_head_office(qtbot, manager: Manager) -> None:
    _sign_in(qtbot, manager)
    window = manager.app.window
    manager.head_office.mode = "offline"
    _pick(qtbot, manager, "Caja 1")
    # "Cargando Caja 1…" first, then why it cannot be shown
    qtbot.waitUntil(lambda: window.hours_panel.note.text().startswith("Sin conexión"), timeout=5000)
    assert window.hours_panel.current() is None  # back to every kiosk's, which is what shows
    assert window.heat_map.cell_text(5, 18) == "sábado 18:00 — 5 canjes"
    # figures from the offline copy: the picker waits for head office
    window.pickers.ask()
    qtbot.waitUntil(lambda: window.loaded is not None and window.loaded.offline, timeout=5000)
    assert not window.hours_panel.kiosk.isEnabled()
    assert "necesitan la central" in window.hours_panel.note.text()


def test_an_unknown_kiosk_is_worded_and_every_kiosk_shown(qtbot, manager: Manager) -> None:
    _sign_in(qtbot, manager)
    window = manager.app.window
    del manager.head_office.kiosk_maps["k2"]  # moved to another shop since the figures
    _pick(qtbot, manager, "Caja 2")
    qtbot.waitUntil(
        lambda: window.hours_panel.note.text() == "Esa caja no es de este negocio.", timeout=5000
    )
    assert window.hours_panel.current() is None and _items(manager)[-1] == "Caja 2"


def test_head_office_picks_a_business_before_a_kiosk(qtbot, manager: Manager) -> None:
    manager.app.start()
    qtbot.waitUntil(lambda: manager.app.dialog is not None and manager.app.dialog.isVisible())
    dialog = manager.app.dialog
    assert dialog is not None
    dialog.head_office.setChecked(True)
    qtbot.keyClicks(dialog.invitation, ADMIN_TOKEN)
    qtbot.keyClicks(dialog.server, SERVER)
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    window = manager.app.window
    qtbot.waitUntil(lambda: window.figures is not None, timeout=5000)
    assert not window.hours_panel.kiosk.isEnabled() and _items(manager) == ["Todas las cajas"]
    assert window.hours_panel.note.text() == "Elija un negocio para ver las horas de una caja."
