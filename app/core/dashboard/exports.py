"""What a manager sends on: a CSV file per table, and a PDF report with its charts.

The report is drawn with fpdf2 (as the voucher sheets are): vector shapes and real text, so it
is sharp at any zoom, small, and searchable; its charts are drawn from the figures, not
photographed from the screen. Colours are one blue hue in steps plus the numbers themselves,
so the report reads the same for colour-blind eyes and on a black-and-white printer.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from fpdf import FPDF, FontFace, XPos, YPos

from app.core.dashboard.kiosk_pick import kiosk_on_screen
from app.core.dashboard.tables import (
    WEEKDAYS,
    Language,
    Table,
    cell_text,
    kiosk_hours_table,
    kiosk_name,
    tables,
    word,
)
from pika_print.pdf_fonts import embed_fonts, printable
from pika_protocol.analytics_wire import DashboardOut, KioskHoursOut

_BLUES = ((239, 243, 255), (189, 215, 231), (107, 174, 214), (49, 130, 189), (8, 81, 156))
_INK = (33, 37, 41)

_HOW = {
    "es": (
        "Cómo se calculan: el embudo cuenta los vales repartidos hasta el fin del período; "
        "en circulación resta los vencidos o canjeados antes de su inicio; escaneos y canjes son "
        "los del período (un canje anulado no cuenta). Valor estimado = canjes × ticket habitual; "
        "valor registrado = totales de venta tipeados en caja. Retorno = (valor − descuento dado "
        "− inversión) / inversión. Las pruebas A/B comparan cada variante con la primera (prueba "
        "de dos proporciones, intervalos de Wilson al 95 %) y dicen «aún no hay datos "
        "suficientes» hasta alcanzar el tamaño de muestra fijado de antemano (potencia 80 %, "
        "significancia 5 %)."
    ),
    "en": (
        "How they are computed: the funnel counts vouchers distributed up to the period's end; "
        "in circulation takes off those expired or redeemed before it began; scans and "
        "redemptions are the period's own (a voided redemption does not count). Estimated value "
        "= redemptions × usual ticket; recorded value = sale totals typed at the counter. "
        "Return = (value − discount given − investment) / investment. A/B tests compare each "
        'variant with the first (two-proportion test, 95 % Wilson intervals) and read "not '
        'enough data yet" until the sample size fixed up front is reached (80 % power, 5 % '
        "significance)."
    ),
}


def write_csv(table: Table, path: Path) -> Path:
    """One table as CSV (UTF-8 with BOM, so spreadsheet programs read the accents)."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(table.headers)
        for row in table.rows:
            writer.writerow(["" if cell is None else cell for cell in row])
    return path


def write_all_csv(
    figures: DashboardOut,
    folder: Path,
    language: Language,
    kiosk: KioskHoursOut | None = None,
) -> list[Path]:
    """Every table of the dashboard, one file each, named after the table; with ``kiosk`` (the
    map the hours tab shows), that kiosk's hours too, in a file named after the kiosk. A map
    that does not answer ``figures`` (other business or days) is left out, not passed off."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = _stem(figures)
    paths = [write_csv(t, folder / f"{stem}-{t.name}.csv") for t in tables(figures, language)]
    shown = _kiosk(kiosk, figures)
    if shown is not None:
        name = f"{stem}-hours-{file_safe(kiosk_name(shown), fallback='caja')}.csv"
        paths.append(write_csv(kiosk_hours_table(shown, language), folder / name))
    return paths


def _stem(figures: DashboardOut) -> str:
    who = f"negocio-{figures.business_id}" if figures.business_id else "todos"
    return f"pika-{who}-{figures.first_day}-{figures.last_day}"


def _kiosk(kiosk: KioskHoursOut | None, figures: DashboardOut) -> KioskHoursOut | None:
    """``kiosk`` if it is one kiosk's map for the business and days of ``figures``."""
    return kiosk_on_screen(kiosk, figures, kiosk.device_id if kiosk is not None else None)


def file_safe(name: str, fallback: str) -> str:
    """``name`` as a piece of a file name any system and spreadsheet takes: ASCII letters and
    digits in lower case joined by "-" ("Caja Ñandú 2/B" → "caja-nandu-2-b"), at most 40."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    safe = re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:40].strip("-")
    return safe or fallback


class _Report:
    def __init__(self, language: Language) -> None:
        self.language = language
        self.pdf = FPDF(unit="mm", format="A4")
        self.pdf.set_creator("Pika Counter")
        self.pdf.set_auto_page_break(True, margin=15)
        self.sans, _mono = embed_fonts(self.pdf)
        self.pdf.add_page()

    def text(self, text: str, size: float = 10, bold: bool = False, height: float = 5) -> None:
        self.pdf.set_font(self.sans, "B" if bold else "", size)
        self.pdf.multi_cell(
            0, height, printable(text, self.sans), new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )

    def room(self, mm: float) -> None:
        if self.pdf.get_y() + mm > self.pdf.h - 15:
            self.pdf.add_page()

    def table(self, table: Table, note: str = "") -> None:
        """A table with fpdf2's own layout (headers wrap, rows break across pages)."""
        many = len(table.headers) > 12  # an hour table: a wider first column
        self.room(62 if many else 40)  # a title with its first rows; an hour table's 7 whole
        self.text(table.title, 12, bold=True, height=7)
        if note:
            self.text(note, 8.5, height=4.5)
        if not table.rows:
            self.text("—")
            return
        widths = (3, *([1] * (len(table.headers) - 1))) if many else None
        self.pdf.set_font(self.sans, "", 6.5 if many else 8)
        aligns = tuple("LEFT" if kind == "text" else "RIGHT" for kind in table.kinds)
        with self.pdf.table(
            col_widths=widths,
            text_align=aligns,
            headings_style=FontFace(emphasis="BOLD", fill_color=_BLUES[1]),
            line_height=4.2,
            padding=0.8,
        ) as layout:
            header = layout.row()
            for text in table.headers:
                header.cell(printable(text, self.sans))
            for values in table.rows:
                row = layout.row()
                for value, kind in zip(values, table.kinds, strict=True):
                    row.cell(printable(cell_text(value, kind, self.language), self.sans))
        self.pdf.ln(3)

    def bars(self, title: str, labels: Sequence[str], values: Sequence[int | None]) -> None:
        """Horizontal bars, each with its number (a step not measured gets no bar)."""
        self.room(10 + 7 * len(labels))
        self.text(title, 12, bold=True, height=7)
        top = max([v for v in values if v] or [1])
        self.pdf.set_font(self.sans, "", 8.5)
        for label, value in zip(labels, values, strict=True):
            y = self.pdf.get_y()
            self.pdf.set_xy(10, y)
            self.pdf.cell(55, 6, printable(label, self.sans))
            if value is not None:
                width = 110 * value / top
                self.pdf.set_fill_color(*_BLUES[3])
                self.pdf.rect(66, y + 1, max(width, 0.3), 4, style="F")
                self.pdf.set_xy(68 + width, y)
                self.pdf.cell(20, 6, cell_text(value, "count", self.language))
            else:
                self.pdf.set_xy(66, y)
                self.pdf.cell(60, 6, printable(word("not_measured", self.language), self.sans))
            self.pdf.set_y(y + 7)
        self.pdf.ln(3)

    def heat_map(
        self, title: str, grid: Sequence[Sequence[int]], days: Sequence[str], note: str = ""
    ) -> None:
        self.room(80)
        self.text(title, 12, bold=True, height=7)
        if note:
            self.text(note, 8.5, height=4.5)
        top = max((max(row) for row in grid), default=0) or 1
        cell_w, cell_h, left = 6.8, 7.0, 30.0
        y0 = self.pdf.get_y()
        self.pdf.set_font(self.sans, "", 6.5)
        for hour in range(24):
            self.pdf.set_xy(left + hour * cell_w, y0)
            self.pdf.cell(cell_w, 4, f"{hour:02d}", align="C")
        for day, row in enumerate(grid):
            y = y0 + 4 + day * cell_h
            self.pdf.set_xy(10, y)
            self.pdf.cell(left - 10, cell_h, printable(days[day], self.sans))
            for hour, count in enumerate(row):
                shade = _BLUES[min(4, round(4 * count / top))] if count else (255, 255, 255)
                self.pdf.set_fill_color(*shade)
                self.pdf.rect(left + hour * cell_w, y, cell_w, cell_h, style="DF")
                if count:
                    self.pdf.set_text_color(*((255, 255, 255) if shade in _BLUES[3:] else _INK))
                    self.pdf.set_xy(left + hour * cell_w, y)
                    self.pdf.cell(cell_w, cell_h, str(count), align="C")
                    self.pdf.set_text_color(*_INK)
        self.pdf.set_y(y0 + 4 + 7 * cell_h + 4)


def write_report(
    figures: DashboardOut,
    path: Path,
    language: Language,
    kiosk: KioskHoursOut | None = None,
) -> Path:
    """The PDF report: who, which period, as of when, the charts, every table, and how; with
    ``kiosk`` (the map the hours tab shows), its heat map and table after the business's,
    titled with its name. A map that does not answer ``figures`` is left out."""
    report = _Report(language)
    who = figures.business_name or ("Todos los negocios" if language == "es" else "All businesses")
    report.text(f"Pika — {who}", 16, bold=True, height=9)
    period = f"{figures.first_day.isoformat()} — {figures.last_day.isoformat()}"
    as_of = figures.as_of.strftime("%Y-%m-%d %H:%M UTC")
    report.text(("Período: " if language == "es" else "Period: ") + period)
    report.text(("Datos al: " if language == "es" else "Figures as of: ") + as_of)
    report.pdf.ln(3)
    all_tables = {t.name: t for t in tables(figures, language)}
    funnel = all_tables["funnel"]
    report.bars(
        funnel.title,
        [str(r[0]) for r in funnel.rows],
        [r[1] if isinstance(r[1], int) else None for r in funnel.rows],
    )
    if figures.roi_over_time:
        report.bars(
            "Valor estimado por período (₲)"
            if language == "es"
            else "Estimated value by period (₲)",
            [f"{r.first_day:%Y-%m}" for r in figures.roi_over_time],
            [r.estimated_value for r in figures.roi_over_time],
        )
    shown = _kiosk(kiosk, figures)
    if shown is not None:  # beside one kiosk's map, the business's says it is every kiosk's
        every = replace(all_tables["hours"], title=word("every_kiosk_hours", language))
        all_tables["hours"] = every
    report.heat_map(all_tables["hours"].title, figures.hour_weekday.redeemed, WEEKDAYS[language])
    if shown is not None:
        kiosk_table = kiosk_hours_table(shown, language)
        note = _kiosk_note(period, shown, language)
        report.heat_map(kiosk_table.title, shown.hour_weekday.redeemed, WEEKDAYS[language], note)
    for name in ("funnel", "refusals", "roi", "kiosks", "ab", "ranking", "hours"):
        if name in all_tables:
            report.table(all_tables[name])
    if shown is not None:
        report.table(kiosk_table, note)
    report.room(30)
    report.text(_HOW[language], 8.5, height=4.5)
    path.write_bytes(bytes(report.pdf.output()))
    return path


def _kiosk_note(period: str, kiosk: KioskHoursOut, language: Language) -> str:
    """Under a kiosk's map: the same period as the report's, and when head office answered."""
    as_of = kiosk.as_of.strftime("%Y-%m-%d %H:%M UTC")
    if language == "es":
        return f"{kiosk_name(kiosk)} · período {period} · datos al {as_of}"
    return f"{kiosk_name(kiosk)} · period {period} · figures as of {as_of}"
