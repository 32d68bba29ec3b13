"""The hours tab's kiosk picker: which kiosks it offers, which pick survives new figures, and
whether a kiosk's map still answers what the screen shows.

A kiosk's map is asked per business (``KIOSK_HOURS_PATH``) and never kept offline, so head
office's all-business view and figures read from the offline copy offer no kiosk.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.core.dashboard.client import DashboardQuery
from pika_protocol.analytics_wire import DashboardOut, KioskHoursOut


@dataclass(frozen=True)
class KioskChoice:
    device_id: str
    name: str


def kiosk_choices(figures: DashboardOut) -> list[KioskChoice]:
    """The per-kiosk table's kiosks, by name; none when the figures are every business's."""
    if figures.business_id is None:
        return []
    return sorted(
        (KioskChoice(k.device_id, k.name) for k in figures.kiosks),
        key=lambda c: (c.name.casefold(), c.device_id),
    )


def kept_pick(current: str | None, choices: list[KioskChoice], *, online: bool) -> str | None:
    """The kiosk still picked after new figures: the same one if offered and head office
    answers; otherwise every kiosk (None)."""
    if not online or current is None:
        return None
    return current if any(c.device_id == current for c in choices) else None


def kiosk_question(figures: DashboardOut) -> DashboardQuery:
    """The question a kiosk's map answers: the shown figures' business and days."""
    return DashboardQuery(figures.business_id, figures.first_day, figures.last_day)


def answers(answer: KioskHoursOut, figures: DashboardOut, device_id: str | None) -> bool:
    """True when ``answer`` is ``device_id``'s map for the business and days on screen (an
    answer to an older question, overtaken by new figures, is dropped)."""
    return (
        answer.device_id == device_id
        and answer.business_id == figures.business_id
        and (answer.first_day, answer.last_day) == (figures.first_day, figures.last_day)
    )


def kiosk_on_screen(
    answer: KioskHoursOut | None, figures: DashboardOut, pick: str | None
) -> KioskHoursOut | None:
    """The kiosk's map the hours tab shows, which the exports add: ``answer`` only while its
    kiosk is the one picked and it answers the figures on screen. None for every kiosk, and
    while the pick is loading or cannot load (offline), so an export never carries a stale map
    of another kiosk or other days."""
    if answer is None or pick is None or not answers(answer, figures, pick):
        return None
    return answer
