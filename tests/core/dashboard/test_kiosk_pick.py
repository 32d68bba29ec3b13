"""One kiosk's hours in the manager app's core: the client's request, the session's refusal
offline (not kept), and which kiosks the picker offers and keeps."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from app.core.dashboard.client import DashboardQuery
from app.core.dashboard.kiosk_pick import (
    KioskChoice,
    answers,
    kept_pick,
    kiosk_choices,
    kiosk_on_screen,
    kiosk_question,
)
from app.core.dashboard.session import ManagerSession
from app.core.sync.errors import RequestRefusedError, TransientSyncError
from tests.core.dashboard.head_office import INVITATION, SERVER, FakeHeadOffice, overview
from tests.core.dashboard.sample import AS_OF, sample_dashboard

pytestmark = pytest.mark.time_machine(AS_OF, tick=False)
MARCH = DashboardQuery(7, date(2025, 3, 1), date(2025, 3, 31))


@pytest.fixture
def signed_in(tmp_path: Path) -> tuple[ManagerSession, FakeHeadOffice]:
    head_office = FakeHeadOffice()
    session = ManagerSession(
        tmp_path / "config", tmp_path / "data", client_factory=head_office.client
    )
    session.sign_in_with_invitation(f"pika-manager:{INVITATION}@{SERVER}")
    return session, head_office


def test_a_kiosks_map_is_asked_with_the_business_days_and_kiosk(signed_in) -> None:  # type: ignore[no-untyped-def]
    session, head_office = signed_in
    answer = session.load_kiosk_hours(MARCH, "k2")
    request = head_office.requests[-1]
    assert request.url.path == "/v1/analytics/businesses/7/hour-weekday"
    assert dict(request.url.params) == {
        "first_day": "2025-03-01",
        "last_day": "2025-03-31",
        "kiosk": "k2",
    }
    assert answer.kiosk_name == "Caja 2" and answer.hour_weekday.redeemed[5][18] == 5
    with pytest.raises(RequestRefusedError) as refused:
        session.load_kiosk_hours(MARCH, "k9")
    assert refused.value.code == "unknown_kiosk"
    session.close()


def test_offline_a_kiosks_map_is_not_made_up(signed_in) -> None:  # type: ignore[no-untyped-def]
    session, head_office = signed_in
    session.load(MARCH)  # the dashboard is kept; a kiosk's map never is
    head_office.mode = "offline"
    with pytest.raises(TransientSyncError):
        session.load_kiosk_hours(MARCH, "k1")
    assert session.load(MARCH).offline  # the dashboard still shows from the copy
    session.close()


def test_the_picker_offers_the_businesss_kiosks_by_name() -> None:
    figures = sample_dashboard()
    assert kiosk_choices(figures) == [KioskChoice("k1", "Caja 1"), KioskChoice("k2", "Caja 2")]
    assert kiosk_choices(overview()) == []  # every business: asked per business only
    choices = kiosk_choices(figures)
    assert kept_pick("k2", choices, online=True) == "k2"
    assert kept_pick("k2", choices, online=False) is None
    assert kept_pick("gone", choices, online=True) is None


def test_an_answer_counts_only_for_the_figures_on_screen(signed_in) -> None:  # type: ignore[no-untyped-def]
    session, _ = signed_in
    figures = sample_dashboard()
    question = kiosk_question(figures)
    assert (question.business_id, question.first_day, question.last_day) == (
        7,
        date(2025, 3, 1),
        date(2025, 3, 31),
    )
    answer = session.load_kiosk_hours(question, "k1")
    assert answers(answer, figures, "k1")
    assert not answers(answer, figures, "k2")  # another kiosk was picked since
    april = figures.model_copy(
        update={"first_day": date(2025, 4, 1), "last_day": date(2025, 4, 30)}
    )
    assert not answers(answer, april, "k1")  # other days were shown since
    session.close()


def test_an_export_takes_a_kiosks_map_only_while_the_screen_shows_it(signed_in) -> None:  # type: ignore[no-untyped-def]
    session, _ = signed_in
    figures = sample_dashboard()
    caja_2 = session.load_kiosk_hours(kiosk_question(figures), "k2")
    assert kiosk_on_screen(caja_2, figures, "k2") is caja_2
    assert kiosk_on_screen(caja_2, figures, None) is None  # every kiosk picked since
    assert kiosk_on_screen(caja_2, figures, "k1") is None  # Caja 1 picked, still loading
    assert kiosk_on_screen(None, figures, "k2") is None  # not loaded (offline, loading)
    april = figures.model_copy(
        update={"first_day": date(2025, 4, 1), "last_day": date(2025, 4, 30)}
    )
    assert kiosk_on_screen(caja_2, april, "k2") is None  # March's map under April's figures
    session.close()


def test_the_client_asks_a_kiosks_map_per_business_only() -> None:
    from app.core.dashboard.client import AnalyticsClient

    client = AnalyticsClient("http://head-office.test", api_key="k")
    with pytest.raises(ValueError):
        client.kiosk_hours(DashboardQuery(None, date(2025, 3, 1), date(2025, 3, 31)), "k1")
    client.close()
