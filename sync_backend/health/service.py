"""Dependency checks with latencies: Postgres (or SQLite), Redis, the migration head, and the
analytics read replica's lag when there is one; and the answering process's own figures
(uptime, memory, requests in flight)."""

from __future__ import annotations

import os
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
        size, checked_out = pool.size(), pool.checkedout()
        return {
            "size": size,
            "checked_out": checked_out,
            "overflow": pool.overflow(),
            # what the PikaDbPoolBusy alert compares with 0.8
            "in_use": round(checked_out / size, 3) if size else None,
        }

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


#: When this process imported the backend (create_app follows at once).
_STARTED = time.monotonic()


def process_figures(requests_in_flight: int) -> dict[str, Any]:
    """The answering process (one worker of several, if so: ``pid`` says which)."""
    return {
        "pid": os.getpid(),
        "uptime_s": round(time.monotonic() - _STARTED, 1),
        "memory_rss_bytes": resident_bytes(),
        "requests_in_flight": requests_in_flight,
    }


def resident_bytes() -> int | None:
    """Resident memory now (Linux ``/proc``; the backend's hosts), None where unknown."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            pages = int(statm.read().split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE")
