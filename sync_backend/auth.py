"""Head office's admin authentication: one bearer token from settings, compared by hash.

Kept apart from device API keys on purpose: a stolen kiosk key can never reach admin routes.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request

from sync_backend.deps import SettingsDep
from sync_backend.errors import NotAuthenticated
from sync_backend.settings import sha256_hex


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def require_admin(request: Request, settings: SettingsDep) -> None:
    token = bearer_token(request)
    if token is None:
        raise NotAuthenticated("admin token required (Authorization: Bearer ...)")
    if not hmac.compare_digest(sha256_hex(token), settings.admin_token_digest):
        raise NotAuthenticated("admin token not recognised", code="invalid_admin_token")


AdminAuth = Annotated[None, Depends(require_admin)]
