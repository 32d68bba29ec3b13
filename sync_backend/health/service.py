"""Dependency checks with latencies: Postgres (or SQLite), Redis, the migration head, and the
analytics read replica's lag when there is one."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sync_backend.health import replica
from sync_backend.limits.service import TierLimiter
from sync_backend.migrate import current_revision, head_revision


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    ok: bool
    latency_ms: float
    detail: dict[str, Any]


def _timed(name: str, probe: Any) -> Check:
    start = time.perf_counter()
    try:
        detail = probe()
        ok = bool(detail.pop("ok", True))
    except Exception as exc:  # a failing dependency is reported, not raised
        detail, ok = {"error": f"{type(exc).__name__}: {exc}"[:300]}, False
    return Check(name, ok, round((time.perf_counter() - start) * 1000, 2), detail)


def check_database(engine: Engine) -> Check:
    def probe() -> dict[str, Any]:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        return {"dialect": engine.dialect.name}

    return _timed("database", probe)


def check_migrations(engine: Engine) -> Check:
    def probe() -> dict[str, Any]:
        with engine.connect() as conn:
            current = current_revision(conn)
        head = head_revision()
        return {"ok": current == head, "current": current, "head": head}

    return _timed("migrations", probe)


def check_redis(limiter: TierLimiter) -> Check:
    def probe() -> dict[str, Any]:
        if limiter.storage_uri.startswith("memory://"):
            return {"configured": False, "note": "in-process rate limits (one process only)"}
        return {"ok": limiter.check_storage(), "configured": True}

    return _timed("redis", probe)


def check_pool(engine: Engine) -> Check:
    def probe() -> dict[str, Any]:
        pool: Any = engine.pool
        if not hasattr(pool, "checkedout"):
            return {"kind": type(pool).__name__}
        return {"size": pool.size(), "checked_out": pool.checkedout(), "overflow": pool.overflow()}

    return _timed("pool", probe)


def check_replica(primary: Engine, replica_engine: Engine | None) -> Check:
    """The read replica: a standby (else the setting names a primary by mistake), and how far
    behind it is. Lag alone does not fail the check: the dashboards are still right, only
    late, and the alert rules judge how late is too late."""

    def probe() -> dict[str, Any]:
        if replica_engine is None:
            return {"configured": False, "note": "analytics reads go to the primary"}
        lag = replica.measure(primary, replica_engine)
        return {
            "ok": lag.in_recovery,
            "configured": True,
            "in_recovery": lag.in_recovery,
            "lag_s": lag.lag_s,
            "lag_bytes": lag.lag_bytes,
        }

    return _timed("replica", probe)
