"""Head office's analytics API as the manager app calls it: httpx underneath, wire models on top.

Failures come back as the kiosk's typed sync errors (``app.core.sync.errors``): no answer
(:class:`ServerUnreachableError`) means "show the figures kept offline"; 401 means "sign in
again"; a 4xx with a code (``reversed_range``, ``unknown_offer``...) is a message for the
manager. Blocking: call it from a worker thread, never the UI thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from pydantic import BaseModel

from app.core.sync.api import HeadOfficeClient
from pika_protocol import analytics_wire as wire

M = TypeVar("M", bound=BaseModel)
USER_AGENT = "pika-manager/1"


@dataclass(frozen=True)
class DashboardQuery:
    """What a dashboard shows: a business (None: every business) over whole days."""

    business_id: int | None
    first_day: date
    last_day: date
    offer_id: int | None = None
    variant: int | None = None
    bucket: str = "month"

    def cache_key(self) -> str:
        return (
            f"{self.business_id or 'all'}:{self.first_day}:{self.last_day}:"
            f"{self.offer_id or '-'}:{self.variant or '-'}:{self.bucket}"
        )


class AnalyticsClient(HeadOfficeClient):
    """One manager's (or head office's) view of the backend at ``base_url``."""

    user_agent = USER_AGENT
    missing_key = "not signed in: use a manager invitation first"

    def enrol(self, code: str, name: str) -> wire.ManagerEnrolment:
        body = wire.ManagerEnrolRequest(code=code, name=name)
        return self._call(
            "POST", wire.MANAGER_ENROL_PATH, wire.ManagerEnrolment, body=body, auth=False
        )

    def rotate_key(self) -> wire.ManagerKeyRotation:
        return self._call("POST", wire.MANAGER_ROTATE_PATH, wire.ManagerKeyRotation)

    def whoami(self) -> wire.Viewer:
        return self._call("GET", wire.WHOAMI_PATH, wire.Viewer)

    def dashboard(self, query: DashboardQuery) -> wire.DashboardOut:
        params: dict[str, str | int] = {
            "first_day": query.first_day.isoformat(),
            "last_day": query.last_day.isoformat(),
            "bucket": query.bucket,
        }
        if query.offer_id is not None:
            params["offer_id"] = query.offer_id
        if query.variant is not None:
            params["variant"] = query.variant
        if query.business_id is None:
            path = wire.OVERVIEW_PATH
        else:
            path = wire.DASHBOARD_PATH.format(business_id=query.business_id)
        return self._call("GET", path, wire.DashboardOut, params=params)

    def kiosk_hours(self, query: DashboardQuery, device_id: str | None) -> wire.KioskHoursOut:
        """One kiosk's hour × weekday map over the query's days (every offer, as the
        dashboard's map); a business's question only."""
        if query.business_id is None:
            raise ValueError("a kiosk's map is asked per business")
        params: dict[str, str | int] = {
            "first_day": query.first_day.isoformat(),
            "last_day": query.last_day.isoformat(),
        }
        if device_id is not None:
            params["kiosk"] = device_id
        path = wire.KIOSK_HOURS_PATH.format(business_id=query.business_id)
        return self._call("GET", path, wire.KioskHoursOut, params=params)
