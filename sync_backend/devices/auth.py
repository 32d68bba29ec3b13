"""The device dependency: every kiosk-facing route receives the authenticated device."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from sync_backend.auth import bearer_token
from sync_backend.deps import SessionDep
from sync_backend.devices.service import DeviceContext, authenticate
from sync_backend.models import utcnow


def current_device(request: Request, session: SessionDep) -> DeviceContext:
    return authenticate(session, bearer_token(request), utcnow())


AuthDevice = Annotated[DeviceContext, Depends(current_device)]
