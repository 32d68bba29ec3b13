"""The dashboard's tables, their CSV files and the PDF report (no Qt, no server)."""

from __future__ import annotations

import csv
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from app.core.dashboard.exports import write_all_csv, write_report
from app.core.dashboard.tables import cell_text, tables
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
