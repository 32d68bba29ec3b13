"""The manager app's session against the real backend (``create_app`` on the SQLite demo
database): head office's invitation signs a manager in once, the kept sign-in is checked, the
dashboard and head office's overview are read and kept for offline use."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import keyring
import pytest
from fastapi.testclient import TestClient

from app.core.dashboard.client import AnalyticsClient, DashboardQuery
from app.core.dashboard.session import ManagerSession
from app.core.store.database_key import SERVICE
from app.core.sync.errors import RequestRefusedError
from sync_backend.app import create_app
from sync_backend.cli import demo_settings, seed_demo
from sync_backend.migrate import upgrade


def test_a_manager_signs_in_with_head_offices_invitation_and_reads_the_dashboard(
    tmp_path: Path,
) -> None:
    settings = demo_settings(tmp_path / "demo.db")
    upgrade(settings.database_url)
    seeded = seed_demo(settings)
    business_id = seeded["business_id"]
    admin = {"Authorization": f"Bearer {settings.admin_token}"}
    with TestClient(create_app(settings)) as http:
        answer = http.post(f"/v1/admin/businesses/{business_id}/manager-invitations", headers=admin)
        assert answer.status_code == 201, answer.text
        code = answer.json()["code"]
        server = str(http.base_url)

        def client(url: str, key: str | None) -> AnalyticsClient:
            # the app's own client, over the test client's in-process transport
            return AnalyticsClient(url, api_key=key, transport=http._transport)

        session = ManagerSession(tmp_path / "c1", tmp_path / "d1", client_factory=client)
        signed_in = session.sign_in_with_invitation(code, server)
        assert signed_in.role == "manager" and signed_in.business_id == business_id
        key = keyring.get_password(SERVICE, session.credentials._entry())
        assert key and key not in session.credentials.settings_path.read_text()
        session.close()

        restarted = ManagerSession(tmp_path / "c1", tmp_path / "d1", client_factory=client)
        assert restarted.resume() == signed_in  # GET /v1/analytics/me agrees
        today = date.today()
        query = DashboardQuery(business_id, today - timedelta(days=29), today)
        loaded = restarted.load(query)
        assert not loaded.offline and loaded.figures.business_name == signed_in.business_name
        steps = {s.name: s for s in loaded.figures.funnel.steps}
        assert not steps["claimed"].measured and steps["claimed"].value is None
        assert restarted._offline_copy().last(query.cache_key()) is not None
        restarted.close()

        other_pc = ManagerSession(tmp_path / "c2", tmp_path / "d2", client_factory=client)
        with pytest.raises(RequestRefusedError) as refused:
            other_pc.sign_in_with_invitation(code, server)
        assert refused.value.code == "invitation_refused"
        head_office = other_pc.sign_in_with_admin_token(server, settings.admin_token)
        assert head_office.role == "head_office"
        overview = other_pc.load(DashboardQuery(None, today - timedelta(days=29), today))
        assert overview.figures.business_id is None
        assert business_id in {b.id for b in overview.figures.businesses}
        other_pc.close()
