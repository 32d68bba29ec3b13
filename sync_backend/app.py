"""``create_app``: the FastAPI application with its routers, error handlers and services."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

from fastapi import FastAPI

from pika_protocol import sync_wire
from sync_backend.analytics.admin_endpoints import router as analytics_admin_router
from sync_backend.analytics.runner import analytics_job
from sync_backend.businesses.endpoints import router as businesses_router
from sync_backend.db import make_engine, make_sessionmaker
from sync_backend.deps import Services, install
from sync_backend.devices.endpoints import router as devices_router
from sync_backend.devices.watch import fleet_job
from sync_backend.errors import install_database_error_handlers, install_error_handlers
from sync_backend.events.endpoints import router as events_router
from sync_backend.fraud.endpoints import router as fraud_router
from sync_backend.fraud.runner import fraud_job
from sync_backend.health.endpoints import router as health_router
from sync_backend.health.metrics_access import router as metrics_router
from sync_backend.health.probe import DatabaseProbe, gate_engine
from sync_backend.health.replica import replica_lag_job
from sync_backend.limits.service import TierLimiter
from sync_backend.managers.endpoints import router as managers_router
from sync_backend.managers.reads import router as analytics_router
from sync_backend.middleware import BodySizeLimit, DatabaseGate, RequestLog, RequestMetrics
from sync_backend.observability.metrics import watch_pool
from sync_backend.openapi import install as install_openapi
from sync_backend.redemptions.endpoints import router as sync_router
from sync_backend.redemptions.group_commit import GroupCommitter
from sync_backend.redemptions.group_push import PushContext, run_group
from sync_backend.settings import Settings, get_settings
from sync_backend.vouchers.endpoints import router as vouchers_router
from sync_backend.vouchers.signing import PrivateKeyCache, PublicKeyCache


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    # The probe says whether the database answers; while it does not, the engine refuses
    # connections and checkouts at once (503) instead of waiting out its timeouts.
    probe = DatabaseProbe(settings)
    engine = make_engine(settings, before_connect=probe.refuse_if_down)
    gate_engine(engine, probe)
    # A restarted database left every pooled connection dead: start a fresh pool as soon as
    # it answers again, so no request meets a dead one (without this the first request in
    # each process to do so fails with 503, and SQLAlchemy then drops the others).
    probe.when_recovered(engine.dispose)
    watch_pool(engine)
    factory = make_sessionmaker(engine)
    background = [
        fraud_job(factory, settings),
        analytics_job(factory, settings),
        fleet_job(factory, settings),
    ]
    # Analytics reads from a streaming replica when one is named: the dashboards' scans then
    # cost the primary, which takes every push, nothing.
    replica_engine = (
        make_engine(settings.model_copy(update={"database_url": settings.read_replica_url}))
        if settings.read_replica_url
        else None
    )
    if replica_engine is not None:
        background.append(replica_lag_job(engine, replica_engine, settings.replica_lag_interval_s))

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await probe.start()
        for job in background:
            job.start()
        try:
            yield
        finally:
            for job in background:
                job.stop()
            await probe.stop()
            engine.dispose()
            if replica_engine is not None:
                replica_engine.dispose()

    app = FastAPI(
        title="Pika Counter sync backend",
        version="1",
        lifespan=lifespan,
        description="Enrolment, push/pull sync, head-office admin, fraud review, health.",
        # Metrics are Prometheus (observability/metrics.py); FastAPI's own OpenTelemetry hooks would
        # only cost a provider check on every request.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    sessions = make_sessionmaker(engine)
    public_keys = PublicKeyCache()
    push_context = PushContext(sessions, settings, public_keys)
    install(
        app,
        Services(
            settings=settings,
            engine=engine,
            sessionmaker=sessions,
            limiter=TierLimiter(settings),
            public_keys=public_keys,
            private_keys=PrivateKeyCache(settings),
            push_context=push_context,
            # Group commit is the Postgres path; SQLite (the demo) writes one push at a time.
            push_groups=(
                GroupCommitter(partial(run_group, push_context))
                if settings.push_groups and not settings.is_sqlite
                else None
            ),
            database_probe=probe,
            read_sessionmaker=(
                make_sessionmaker(replica_engine) if replica_engine is not None else sessions
            ),
            replica_engine=replica_engine,
        ),
    )

    app.add_middleware(
        BodySizeLimit,
        max_bytes=settings.max_body_bytes,
        route_max_bytes={sync_wire.PUSH_PATH: settings.max_push_body_bytes},
    )
    app.add_middleware(DatabaseGate, probe=probe, retry_after_s=settings.db_retry_after_s)
    app.add_middleware(RequestMetrics)
    app.add_middleware(RequestLog)  # outermost: its id is on every line, its line on every answer
    install_error_handlers(app)
    install_openapi(app)
    install_database_error_handlers(app, settings.db_retry_after_s)
    for router in (
        health_router,
        devices_router,
        sync_router,
        businesses_router,
        vouchers_router,
        fraud_router,
        events_router,
        managers_router,
        analytics_router,
        analytics_admin_router,
    ):
        app.include_router(router)
    if not settings.metrics_port:  # otherwise on its own port only (``pika-backend serve``)
        app.include_router(metrics_router)
    return app
