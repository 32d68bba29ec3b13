"""Liveness (the process answers), readiness (it can serve), detail (every dependency, admin).

``live`` and ``ready`` are for the load balancer and say only yes or no; ``detail`` names
every dependency with its latency and errors, so it wants the head-office admin token.
"""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from sync_backend.auth import AdminAuth
from sync_backend.deps import ProbeDep, ServicesDep
from sync_backend.health import service
from sync_backend.health.schemas import HealthDetail, Readiness
from sync_backend.middleware import RequestMetrics
from sync_backend.openapi import ADMIN_TOKEN, PROBE, route_kind

router = APIRouter(tags=["health"])

READY = route_kind(
    413, answers={503: {"model": Readiness, "description": "Not ready: a check failed."}}
)
DETAIL = route_kind(
    401,
    413,
    auth=ADMIN_TOKEN,
    answers={503: {"model": HealthDetail, "description": "Degraded: a check failed."}},
)


@router.get("/health/live", **PROBE)
async def live() -> dict[str, str]:
    """Async and touching nothing: it answers while the database hangs and every worker
    thread waits on it."""
    return {"status": "ok"}


@router.get("/health/ready", response_model=Readiness, **READY)
async def ready(probe: ProbeDep) -> JSONResponse:
    """The background probe's last answer (health/probe.py): red within about 2 s of the
    database hanging, and never waiting on it."""
    result = probe.result
    ok = result.database and result.migrations
    return JSONResponse(
        {
            "status": "ok" if ok else "unavailable",
            "checks": {"database": result.database, "migrations": result.migrations},
        },
        status_code=200 if ok else 503,
    )


@router.get("/health/detail", response_model=HealthDetail, **DETAIL)
def detail(_admin: AdminAuth, services: ServicesDep) -> JSONResponse:
    """Head office only: it names the database, Redis and pool state an attacker would like.
    Also the answering process's uptime, memory and requests in flight (this one counted)."""
    checks = [
        service.check_database(services.engine),
        service.check_migrations(services.engine),
        service.check_redis(services.limiter),
        service.check_pool(services.engine),
        service.check_replica(services.engine, services.replica_engine),
    ]
    ok = all(c.ok for c in checks)
    return JSONResponse(
        {
            "status": "ok" if ok else "degraded",
            "checks": [asdict(c) for c in checks],
            "process": service.process_figures(RequestMetrics.in_flight),
        },
        status_code=200 if ok else 503,
    )
