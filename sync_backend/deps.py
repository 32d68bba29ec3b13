"""Typed FastAPI dependencies: what a route may ask of the running app, by name and type.

``create_app`` builds one :class:`Services` and :func:`install`\\ s it; routes then ask for its
parts (``SettingsDep``, ``SessionDep``, ``LimiterDep``, ...) instead of reading
``request.app.state``, whose attributes mypy cannot see: a misspelt or missing service is a
type error here, not an ``AttributeError`` in production. This module is the only reader of
``app.state``.

Infrastructure, not a domain: domains import it, so at run time it imports none of them. The
domain classes below are named for the type checker only (``TYPE_CHECKING``; FastAPI needs
only the provider functions), which the import-linter contracts allow explicitly and
``tests/test_architecture.py`` keeps that way.

The providers are ``async`` on purpose: they only read attributes, and an async dependency
runs on the event loop instead of waiting for a worker thread (the health and metrics routes
must answer while every worker thread is stuck on the database).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request
from sqlalchemy import orm
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette

from sync_backend.db import transaction
from sync_backend.settings import Settings

if TYPE_CHECKING:
    from sync_backend.health.probe import DatabaseProbe
    from sync_backend.limits.service import TierLimiter
    from sync_backend.redemptions.group_commit import GroupCommitter
    from sync_backend.redemptions.group_push import PushContext, PushJob
    from sync_backend.vouchers.signing import PrivateKeyCache, PublicKeyCache


@dataclass(frozen=True, slots=True)
class Services:
    """Everything the app builds once and every request shares."""

    settings: Settings
    engine: Engine
    sessionmaker: sessionmaker[Session]
    #: Rate limits: enrolment per address, sync per device, pushed items per business tier.
    limiter: TierLimiter
    #: Verifying keys, read from the database once; cleared when a key is made.
    public_keys: PublicKeyCache
    #: Signing keys, unsealed once (pull answers and printed sheets sign tokens).
    private_keys: PrivateKeyCache
    push_context: PushContext
    #: Group commit (Postgres); ``None`` writes each push on its own (SQLite, or turned off).
    push_groups: GroupCommitter[PushJob] | None
    #: Whether the database answers, refreshed in the background (``/health/ready``).
    database_probe: DatabaseProbe
    #: Analytics reads: the read replica's sessions (``read_replica_url``), else the primary's.
    read_sessionmaker: orm.sessionmaker[Session]
    #: The read replica's engine, when one is configured (its lag: health/replica.py).
    replica_engine: Engine | None = None


def install(app: Starlette, services: Services) -> None:
    """Give ``app`` its services (once, in ``create_app``)."""
    app.state.services = services


def services_of(app: Starlette) -> Services:
    """The services :func:`install` gave ``app`` (tests and the CLI reach them this way)."""
    services: Services = app.state.services
    return services


async def get_services(request: Request) -> Services:
    return services_of(request.app)


async def get_app_settings(request: Request) -> Settings:
    return services_of(request.app).settings


async def get_limiter(request: Request) -> TierLimiter:
    return services_of(request.app).limiter


async def get_private_keys(request: Request) -> PrivateKeyCache:
    return services_of(request.app).private_keys


async def get_public_keys(request: Request) -> PublicKeyCache:
    return services_of(request.app).public_keys


async def get_database_probe(request: Request) -> DatabaseProbe:
    return services_of(request.app).database_probe


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed when the route returns, rolled back if it raises."""
    with transaction(services_of(request.app).sessionmaker) as session:
        yield session


def get_read_session(
    request: Request, primary: Annotated[Session, Depends(get_session, scope="function")]
) -> Iterator[Session]:
    """A transaction on the read replica when one is configured (analytics reads: they may be
    a moment behind the primary), else the request's own primary session (one connection,
    not two: the routes that read also check the caller's key on the primary)."""
    services = services_of(request.app)
    if services.replica_engine is None:
        yield primary
        return
    with transaction(services.read_sessionmaker) as session:
        yield session


ServicesDep = Annotated[Services, Depends(get_services)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
LimiterDep = Annotated["TierLimiter", Depends(get_limiter)]
#: Signing keys (a printed sheet signs its tokens).
SigningKeysDep = Annotated["PrivateKeyCache", Depends(get_private_keys)]
PublicKeysDep = Annotated["PublicKeyCache", Depends(get_public_keys)]
ProbeDep = Annotated["DatabaseProbe", Depends(get_database_probe)]
#: ``scope="function"``: commit (or roll back) before the response is sent, so a client never
#: sees an answer for writes that then fail to commit.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
#: Reads that may come from the replica (``read_replica_url``): never for a write.
ReadSessionDep = Annotated[Session, Depends(get_read_session, scope="function")]
