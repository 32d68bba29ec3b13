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

import httpx
from pydantic import BaseModel

from app.core.sync.api import DEFAULT_TIMEOUT, parse_answer
from app.core.sync.errors import NotEnrolledForSyncError, ServerUnreachableError
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


class AnalyticsClient:
    """One manager's (or head office's) view of the backend at ``base_url``."""

    def __init__(
        self,
        base_url: str,
        *,
        api_key: str | None = None,
        transport: httpx.BaseTransport | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self._http = httpx.Client(
            base_url=self.base_url,
            transport=transport,
            timeout=timeout,
            headers={"User-Agent": USER_AGENT},
            follow_redirects=False,
        )

    def close(self) -> None:
        self._http.close()

    def enrol(self, code: str, name: str) -> wire.ManagerEnrolment:
        body = wire.ManagerEnrolRequest(code=code, name=name)
        return self._call("POST", wire.MANAGER_ENROL_PATH, wire.ManagerEnrolment, body, auth=False)

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

    def _call(
        self,
        method: str,
        path: str,
        model: type[M],
        body: BaseModel | None = None,
        *,
        params: dict[str, str | int] | None = None,
        auth: bool = True,
    ) -> M:
        headers: dict[str, str] = {}
        if auth:
            if not self.api_key:
                raise NotEnrolledForSyncError("not signed in: use a manager invitation first")
            headers["Authorization"] = f"Bearer {self.api_key}"
        content = None
        if body is not None:
            content = body.model_dump_json().encode()
            headers["Content-Type"] = "application/json"
        try:
            response = self._http.request(
                method, path, content=content, params=params, headers=headers
            )
        except httpx.TransportError as exc:
            raise ServerUnreachableError(f"{method} {path}: {type(exc).__name__}: {exc}") from exc
        return parse_answer(response, model)
