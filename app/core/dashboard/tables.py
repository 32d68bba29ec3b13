"""The dashboard's figures as named tables: what the screens list, the CSV files hold and the
PDF report prints, with headers in Spanish (first) or English.

Cells keep plain numbers (guaraníes as whole numbers, ratios as fractions) so a CSV opens in a
spreadsheet that can sum it; :func:`cell_text` writes them the way a Paraguayan shop reads
them (₲ 150.000, 12,5 %) for the screen and the report.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from app.core.money import format_guaranies
from pika_protocol.analytics_wire import DashboardOut, HourWeekdayOut, KioskHoursOut

Language = Literal["es", "en"]
Kind = Literal["text", "count", "money", "ratio", "percent"]

WEEKDAYS = {
    "es": ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}

_WORDS: dict[str, tuple[str, str]] = {
    # (Spanish, English)
    "funnel": ("Embudo", "Funnel"),
    "refusals": ("Escaneos rechazados", "Refused scans"),
    "roi": ("Retorno por período", "Return by period"),
    "kiosks": ("Cajas", "Kiosks"),
    "hours": ("Canjes por hora y día", "Redemptions by hour and weekday"),
    "kiosk_hours": ("Canjes por hora y día — {kiosk}", "Redemptions by hour and weekday — {kiosk}"),
    "every_kiosk_hours": (
        "Canjes por hora y día — todas las cajas",
        "Redemptions by hour and weekday — all kiosks",
    ),
    "ab": ("Pruebas A/B", "A/B tests"),
    "ranking": ("Negocios por retorno", "Businesses by return"),
    "step": ("Paso", "Step"),
    "value": ("Cantidad", "Count"),
    "conversion": ("Conversión", "Conversion"),
    "reason": ("Motivo", "Reason"),
    "scans": ("Escaneos", "Scans"),
    "from": ("Desde", "From"),
    "to": ("Hasta", "To"),
    "investment": ("Inversión (₲)", "Investment (₲)"),
    "redemptions": ("Canjes", "Redemptions"),
    "estimated_value": ("Valor estimado (₲)", "Estimated value (₲)"),
    "recorded_value": ("Valor registrado (₲)", "Recorded value (₲)"),
    "recorded_redemptions": ("Canjes con total", "Redemptions with a total"),
    "discount_cost": ("Descuento dado (₲)", "Discount given (₲)"),
    "estimated_roi": ("Retorno estimado", "Estimated return"),
    "recorded_roi": ("Retorno registrado", "Recorded return"),
    "kiosk": ("Caja", "Kiosk"),
    "scanned": ("Escaneos", "Scans"),
    "refused": ("Rechazados", "Refused"),
    "redeemed": ("Canjes", "Redemptions"),
    "voided": ("Anulados", "Voided"),
    "weekday": ("Día", "Weekday"),
    "offer": ("Oferta", "Offer"),
    "variant": ("Variante", "Variant"),
    "in_circulation": ("En circulación", "In circulation"),
    "rate": ("Tasa de canje", "Redemption rate"),
    "interval_low": ("Intervalo 95 % desde", "95 % interval from"),
    "interval_high": ("Intervalo 95 % hasta", "95 % interval to"),
    "verdict": ("Resultado", "Result"),
    "business": ("Negocio", "Business"),
    "not_measured": ("aún no se mide", "not measured yet"),
    "not_enough_data": ("aún no hay datos suficientes", "not enough data yet"),
    "winner": ("ganadora: {winner}", "winner: {winner}"),
    "no_clear_winner": ("sin ganadora clara", "no clear winner"),
    "distributed": ("Vales repartidos", "Vouchers distributed"),
    "scanned_step": ("Escaneados en caja", "Scanned at a counter"),
    "redeemed_step": ("Canjeados", "Redeemed"),
    "scanned_by_phone": ("Escaneados con el celular", "Scanned by a phone"),
    "claimed": ("Guardados por el cliente", "Saved by the customer"),
    "redeemed_again": ("Canjeados otra vez", "Redeemed again"),
}

_STEP_WORD = {
    "distributed": "distributed",
    "in_circulation": "in_circulation",
    "scanned": "scanned_step",
    "redeemed": "redeemed_step",
    "scanned_by_phone": "scanned_by_phone",
    "claimed": "claimed",
    "redeemed_again": "redeemed_again",
}

_REASONS: dict[str, tuple[str, str]] = {
    "already_redeemed": ("ya usado", "already used"),
    "expired": ("vencido", "expired"),
    "not_yet_valid": ("aún no vale", "not valid yet"),
    "other_business": ("de otro negocio", "another business's"),
    "revoked": ("anulado por la oficina", "cancelled by head office"),
    "unknown_key": ("no reconocido", "not recognised"),
    "forged_signature": ("falso", "fake"),
    "malformed": ("ilegible", "unreadable"),
}


def word(key: str, language: Language) -> str:
    spanish, english = _WORDS[key]
    return spanish if language == "es" else english


def reason_text(code: str, language: Language) -> str:
    pair = _REASONS.get(code)
    if pair is None:
        return code
    return pair[0] if language == "es" else pair[1]


Cell = str | int | float | None


@dataclass(frozen=True)
class Table:
    name: str  # stable, for file names: funnel, refusals, roi, kiosks, hours, ab, ranking
    title: str
    headers: tuple[str, ...]
    kinds: tuple[Kind, ...]
    rows: tuple[tuple[Cell, ...], ...]


def cell_text(value: Cell, kind: Kind, language: Language) -> str:
    """A cell as a person reads it; ``None`` is "—" (nothing to show), never 0."""
    if value is None:
        return "—"
    if kind == "money" and isinstance(value, int):
        return format_guaranies(value)
    if kind in ("ratio", "percent") and isinstance(value, int | float):
        number = f"{value * 100:.1f}" if kind == "percent" else f"{value:.2f}"
        if language == "es":
            number = number.replace(".", ",")
        return f"{number} %" if kind == "percent" else number
    if kind == "count" and isinstance(value, int):
        text = f"{value:,}"
        return text.replace(",", ".") if language == "es" else text
    return str(value)


_ROI_KINDS: tuple[Kind, ...] = (
    *("text", "text", "money", "count", "money", "money", "count", "money"),
    *("ratio", "ratio"),
)
_COUNT: Kind = "count"
_HOUR_KINDS: tuple[Kind, ...] = ("text", *([_COUNT] * 24))


def hours_table(grid: HourWeekdayOut, language: Language) -> Table:
    """Redemptions by weekday (rows) and hour: the business's, or one kiosk's on screen."""
    return Table(
        "hours",
        word("hours", language),
        (word("weekday", language), *(f"{h:02d}" for h in range(24))),
        _HOUR_KINDS,
        tuple((WEEKDAYS[language][day], *grid.redeemed[day]) for day in range(7)),
    )


def kiosk_name(answer: KioskHoursOut) -> str:
    """The kiosk as the picker names it (its device id if head office sent no name)."""
    return answer.kiosk_name or answer.device_id or ""


def kiosk_hours_table(answer: KioskHoursOut, language: Language) -> Table:
    """One kiosk's map, titled with its name: the exports add it after the business's so a
    report never passes one kiosk's hours off as the business's, nor the reverse."""
    title = word("kiosk_hours", language).format(kiosk=kiosk_name(answer))
    return replace(hours_table(answer.hour_weekday, language), name="kiosk_hours", title=title)


def tables(figures: DashboardOut, language: Language) -> list[Table]:
    """Every table of one dashboard, in the order the report prints them."""
    w = lambda key: word(key, language)  # noqa: E731 - a short alias keeps the rows readable
    out = [
        Table(
            "funnel",
            w("funnel"),
            (w("step"), w("value"), w("conversion")),
            ("text", "count", "percent"),
            tuple(
                (
                    w(_STEP_WORD[s.name]),
                    s.value if s.measured else w("not_measured"),
                    s.conversion,
                )
                for s in figures.funnel.steps
            ),
        ),
        Table(
            "refusals",
            w("refusals"),
            (w("reason"), w("scans")),
            ("text", "count"),
            tuple(
                (reason_text(code, language), count)
                for code, count in sorted(figures.funnel.refused_by_reason.items())
            ),
        ),
    ]
    if figures.roi_over_time:
        out.append(
            Table(
                "roi",
                w("roi"),
                tuple(
                    w(k)
                    for k in (
                        "from",
                        "to",
                        "investment",
                        "redemptions",
                        "estimated_value",
                        "recorded_value",
                        "recorded_redemptions",
                        "discount_cost",
                        "estimated_roi",
                        "recorded_roi",
                    )
                ),
                _ROI_KINDS,
                tuple(
                    (
                        r.first_day.isoformat(),
                        r.last_day.isoformat(),
                        r.investment,
                        r.redemptions,
                        r.estimated_value,
                        r.recorded_value,
                        r.recorded_redemptions,
                        r.discount_cost,
                        r.estimated_roi,
                        r.recorded_roi,
                    )
                    for r in figures.roi_over_time
                ),
            )
        )
    out.append(
        Table(
            "kiosks",
            w("kiosks"),
            (w("kiosk"), w("scanned"), w("refused"), w("redeemed"), w("voided")),
            ("text", "count", "count", "count", "count"),
            tuple((k.name, k.scanned, k.refused, k.redeemed, k.voided) for k in figures.kiosks),
        )
    )
    out.append(hours_table(figures.hour_weekday, language))
    ab_rows: list[tuple[Cell, ...]] = []
    for offer in figures.ab_tests:
        verdict = w(offer.verdict).format(winner=offer.winner or "")
        for v in offer.variants:
            low, high = v.interval if v.interval else (None, None)
            ab_rows.append(
                (offer.title, v.label, v.in_circulation, v.redeemed, v.rate, low, high, verdict)
            )
    out.append(
        Table(
            "ab",
            w("ab"),
            tuple(
                w(k)
                for k in (
                    "offer",
                    "variant",
                    "in_circulation",
                    "redeemed",
                    "rate",
                    "interval_low",
                    "interval_high",
                    "verdict",
                )
            ),
            ("text", "text", "count", "count", "percent", "percent", "percent", "text"),
            tuple(ab_rows),
        )
    )
    if figures.ranking:
        out.append(
            Table(
                "ranking",
                w("ranking"),
                (w("business"), w("investment"), w("estimated_value"), w("estimated_roi")),
                ("text", "money", "money", "ratio"),
                tuple(
                    (r.name, r.roi.investment, r.roi.estimated_value, r.roi.estimated_roi)
                    for r in figures.ranking
                ),
            )
        )
    return out
