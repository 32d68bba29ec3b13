"""Who reads analytics: a shop manager (its own business only) or head office (every one).

The one gate every analytics route passes. The admin token is compared by hash as on admin
routes; a kiosk's key is refused by name (a kiosk never reads figures); a manager key must be
live and its manager not revoked; and :meth:`Viewer.may_read` refuses another business.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from sync_backend.auth import bearer_token
from sync_backend.deps import SessionDep, SettingsDep
from sync_backend.errors import Forbidden, NotAuthenticated
from sync_backend.managers import service
from sync_backend.models import utcnow
from sync_backend.settings import sha256_hex


@dataclass(frozen=True, slots=True)
class Viewer:
    business_id: int | None  # None: head office, every business
    manager: service.ManagerContext | None

    @property
    def head_office(self) -> bool:
        return self.business_id is None

    def may_read(self, business_id: int) -> None:
        if self.business_id is not None and self.business_id != business_id:
            raise Forbidden("a manager reads their own business only", code="other_business")

    def head_office_only(self) -> None:
        if not self.head_office:
            raise Forbidden("only head office sees every business", code="head_office_only")


def current_viewer(request: Request, session: SessionDep, settings: SettingsDep) -> Viewer:
    token = bearer_token(request)
    if token is None:
        raise NotAuthenticated("a manager key or the admin token is required")
    if hmac.compare_digest(sha256_hex(token), settings.admin_token_digest):
        return Viewer(None, None)
    manager = service.authenticate(session, token, utcnow())
    return Viewer(manager.business_id, manager)


def current_manager(viewer: Annotated[Viewer, Depends(current_viewer)]) -> service.ManagerContext:
    if viewer.manager is None:
        raise NotAuthenticated("a manager key is required here", code="manager_key_required")
    return viewer.manager


ViewerAuth = Annotated[Viewer, Depends(current_viewer)]
ManagerAuth = Annotated[service.ManagerContext, Depends(current_manager)]
