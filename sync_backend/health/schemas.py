"""Shapes of the health answers, for the OpenAPI contract (the routes write them directly)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel


class Readiness(BaseModel):
    """``/health/ready``: 200 when the backend can serve, 503 when it cannot."""

    status: Literal["ok", "unavailable"]
    checks: dict[str, bool]


class DependencyCheck(BaseModel):
    name: str
    ok: bool
    latency_ms: float
    detail: dict[str, Any]


class ProcessFigures(BaseModel):
    """The worker process that answered."""

    pid: int
    uptime_s: float
    memory_rss_bytes: int | None
    requests_in_flight: int


class HealthDetail(BaseModel):
    """``/health/detail``: 200 when every dependency is fine, 503 when one is not."""

    status: Literal["ok", "degraded"]
    checks: list[DependencyCheck]
    process: ProcessFigures
