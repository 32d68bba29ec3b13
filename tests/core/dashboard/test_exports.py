"""The dashboard's tables, their CSV files and the PDF report (no Qt, no server)."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from app.core.dashboard.exports import file_safe, write_all_csv, write_report
from app.core.dashboard.tables import cell_text, tables
from pika_protocol.analytics_wire import HourWeekdayOut, KioskHoursOut
from tests.core.dashboard.sample import AS_OF, sample_dashboard

# the figures' period is data; any clock a test reads is pinned to when they were asked
pytestmark = pytest.mark.time_machine(AS_OF, tick=False)


def test_tables_in_spanish_show_not_measured_steps_as_words() -> None:
    funnel = {t.name: t for t in tables(sample_dashboard(), "es")}["funnel"]
    assert funnel.headers == ("Paso", "Cantidad", "Conversión")
    assert funnel.rows[0] == ("Vales repartidos", 140, None)
    assert funnel.rows[4] == ("Escaneados con el celular", "aún no se mide", None)
    english = {t.name: t for t in tables(sample_dashboard(), "en")}["funnel"]
    assert english.rows[4][1] == "not measured yet"


@pytest.mark.parametrize(
    ("value", "kind", "language", "text"),
    [
        (150_000, "money", "es", "₲ 150.000"),
        (0.125, "percent", "es", "12,5 %"),
        (0.125, "percent", "en", "12.5 %"),
        (2.83871, "ratio", "es", "2,84"),
        (12_345, "count", "es", "12.345"),
        (None, "money", "es", "—"),
    ],
)
def test_cells_read_as_a_paraguayan_shop_writes_them(
    value: float | None, kind: str, language: str, text: str
) -> None:
    assert cell_text(value, kind, language) == text  # type: ignore[arg-type]


def test_every_table_goes_to_csv_and_parses_back(tmp_path: Path) -> None:
    figures = sample_dashboard()
    files = write_all_csv(figures, tmp_path, "es")
    names = sorted(p.name.rsplit("-", 1)[1] for p in files)
    assert names == ["ab.csv", "funnel.csv", "hours.csv", "kiosks.csv", "refusals.csv", "roi.csv"]
    by_name = {p.name.rsplit("-", 1)[1]: p for p in files}
    with by_name["kiosks.csv"].open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["Caja", "Escaneos", "Rechazados", "Canjes", "Anulados"]
    assert rows[1:] == [["Caja 2", "5", "0", "5", "0"], ["Caja 1", "7", "3", "3", "1"]]
    with by_name["roi.csv"].open(encoding="utf-8-sig", newline="") as handle:
        roi = list(csv.DictReader(handle))
    assert int(roi[0]["Valor estimado (₲)"]) == 400_000
    assert float(roi[0]["Retorno estimado"]) == pytest.approx(264_000 / 93_000)
    with by_name["hours.csv"].open(encoding="utf-8-sig", newline="") as handle:
        hours = list(csv.reader(handle))
    assert hours[1][0] == "lunes" and hours[1][1 + 10] == "3"
    assert hours[6][0] == "sábado" and hours[6][1 + 18] == "5"


@pytest.mark.parametrize("language", ["es", "en"])
def test_the_report_opens_and_holds_names_period_figures_and_method(
    tmp_path: Path, language: str
) -> None:
    path = write_report(sample_dashboard(), tmp_path / "report.pdf", language)  # type: ignore[arg-type]
    document = pdfium.PdfDocument(str(path))
    text = "".join(page.get_textpage().get_text_range() for page in document)
    assert "Panadería Ñandutí" in text
    assert "2025-03-01" in text and "2025-03-31" in text
    assert "₲ 400.000" in text  # the estimated value, as written in Paraguay
    assert "Caja 2" in text and "Chipa 10 %" in text
    how = "Cómo se calculan" if language == "es" else "How they are computed"
    assert how in text.replace("\r\n", " ").replace("\n", " ")
    not_measured = "aún no se mide" if language == "es" else "not measured yet"
    assert not_measured in text
    # the charts are vector drawings (paths), not pictures of the screen
    paths = sum(
        1
        for page in document
        for obj in page.get_objects()
        if obj.type == pdfium.raw.FPDF_PAGEOBJ_PATH
    )
    assert paths > 7 * 24  # at least the heat map's cells
    assert path.stat().st_size < 200_000


def _kiosk_map(
    name: str = "Caja 2", device_id: str | None = "k2", **other: object
) -> KioskHoursOut:
    """A kiosk's map for the sample's business and days: 4 on Wednesday at 09:00 and 1 on
    Sunday at 20:00 (neither is in the business's map, so they can only come from here)."""
    grid = [[0] * 24 for _ in range(7)]
    grid[2][9], grid[6][20] = 4, 1
    fields: dict[str, object] = {
        "business_id": 7,
        "device_id": device_id,
        "kiosk_name": name,
        "first_day": date(2025, 3, 1),
        "last_day": date(2025, 3, 31),
        "as_of": AS_OF,
        "hour_weekday": HourWeekdayOut(redeemed=grid, busiest=[(2, 9, 4), (6, 20, 1)]),
    }
    return KioskHoursOut.model_validate(fields | other)


def _read(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def _pdf_text(path: Path) -> str:
    document = pdfium.PdfDocument(str(path))
    return "".join(page.get_textpage().get_text_range() for page in document)


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_picked_kiosks_hours_go_to_a_file_of_their_own(tmp_path: Path, language: str) -> None:
    figures = sample_dashboard()
    files = write_all_csv(figures, tmp_path, language, _kiosk_map())  # type: ignore[arg-type]
    by_name = {p.name: p for p in files}
    stem = "pika-negocio-7-2025-03-01-2025-03-31"
    assert f"{stem}-hours.csv" in by_name and len(files) == 7
    kiosk = _read(by_name[f"{stem}-hours-caja-2.csv"])
    assert kiosk[0] == ["Día" if language == "es" else "Weekday", *(f"{h:02d}" for h in range(24))]
    cells = {(r, h): row[1 + h] for r, row in enumerate(kiosk[1:]) for h in range(24)}
    assert kiosk[3][0] == ("miércoles" if language == "es" else "Wednesday")
    assert (cells[(2, 9)], cells[(6, 20)]) == ("4", "1")
    assert {v for k, v in cells.items() if k not in {(2, 9), (6, 20)}} == {"0"}
    # the business's table stays every kiosk's: Saturday 18:00's five were Caja 2's and Caja 1's
    business = _read(by_name[f"{stem}-hours.csv"])
    assert business[6][1 + 18] == "5" and business[3][1 + 9] == "0"


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("Caja 2", "caja-2"),
        ("Caja Ñandú 2/B", "caja-nandu-2-b"),
        ("  ../..\\:*?  ", "caja"),
        (
            "Mostrador de la esquina de Mcal. López y Avda. España",
            "mostrador-de-la-esquina-de-mcal-lopez-y",
        ),
    ],
)
def test_a_kiosks_name_makes_a_safe_file_name(tmp_path: Path, name: str, safe: str) -> None:
    assert file_safe(name, fallback="caja") == safe
    files = write_all_csv(sample_dashboard(), tmp_path, "es", _kiosk_map(name, "k3"))
    kiosk = files[-1]
    assert kiosk.parent == tmp_path and kiosk.name.endswith(f"-hours-{safe}.csv")
    assert _read(kiosk)[3][1 + 9] == "4"


@pytest.mark.parametrize("language", ["es", "en"])
def test_the_report_holds_the_picked_kiosks_map_after_the_business(
    tmp_path: Path, language: str
) -> None:
    path = write_report(sample_dashboard(), tmp_path / "r.pdf", language, _kiosk_map())  # type: ignore[arg-type]
    text = _pdf_text(path).replace("\r\n", " ").replace("\n", " ")
    if language == "es":
        every, kiosk = "Canjes por hora y día — todas las cajas", "Canjes por hora y día — Caja 2"
        note = "Caja 2 · período 2025-03-01 — 2025-03-31 · datos al 2025-04-02 15:00 UTC"
    else:
        every = "Redemptions by hour and weekday — all kiosks"
        kiosk = "Redemptions by hour and weekday — Caja 2"
        note = "Caja 2 · period 2025-03-01 — 2025-03-31 · figures as of 2025-04-02 15:00 UTC"
    # heat maps first (the business's, then the kiosk's), then the tables in the same order
    assert text.count(every) == 2 and text.count(kiosk) == 2 and text.count(note) == 2
    assert text.index(every) < text.index(kiosk) < text.rindex(every) < text.rindex(kiosk)
    paths = sum(
        1
        for page in pdfium.PdfDocument(str(path))
        for obj in page.get_objects()
        if obj.type == pdfium.raw.FPDF_PAGEOBJ_PATH
    )
    assert paths > 2 * 7 * 24  # both heat maps are drawn


@pytest.mark.parametrize("language", ["es", "en"])
def test_without_a_pick_the_exports_show_the_business_only(tmp_path: Path, language: str) -> None:
    figures = sample_dashboard()
    files = write_all_csv(figures, tmp_path, language)  # type: ignore[arg-type]
    assert not any("hours-" in p.name for p in files) and len(files) == 6
    text = _pdf_text(write_report(figures, tmp_path / "r.pdf", language))  # type: ignore[arg-type]
    title = "Canjes por hora y día" if language == "es" else "Redemptions by hour and weekday"
    assert text.count(title) == 2 and f"{title} —" not in text


@pytest.mark.parametrize(
    "stale",
    [
        {"first_day": date(2025, 4, 1), "last_day": date(2025, 4, 30)},  # other days
        {"last_day": date(2025, 3, 30)},
        {"business_id": 8},  # another business's kiosk
        {"device_id": None, "kiosk_name": None},  # every kiosk's map, not one kiosk's
    ],
)
def test_a_map_that_does_not_answer_the_figures_is_not_exported(
    tmp_path: Path, stale: dict[str, object]
) -> None:
    figures = sample_dashboard()
    plain = write_all_csv(figures, tmp_path / "plain", "es")
    given = write_all_csv(figures, tmp_path / "given", "es", _kiosk_map(**stale))
    assert [p.name for p in given] == [p.name for p in plain]
    assert [p.read_bytes() for p in given] == [p.read_bytes() for p in plain]
    plain_pdf = _pdf_text(write_report(figures, tmp_path / "plain.pdf", "es"))
    given_pdf = _pdf_text(write_report(figures, tmp_path / "given.pdf", "es", _kiosk_map(**stale)))
    assert given_pdf == plain_pdf and "Caja 2 · período" not in given_pdf
