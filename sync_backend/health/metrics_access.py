"""``/metrics`` on the API's port, for Prometheus only when a metrics token is set.

The alternative, a port of its own (``metrics_port``), is served by prometheus-client's own
HTTP server from ``pika-backend serve`` (see :func:`serve_metrics`), and then this route is not
mounted at all. A token of its own, not the admin token: a scrape config holds it in plain
text on the monitoring host, and it must open nothing but the metrics.
"""

from __future__ import annotations

import hmac
from pathlib import Path

from fastapi import APIRouter, Depends, Request, Response
from prometheus_client import start_http_server

from sync_backend.auth import bearer_token
from sync_backend.backups import archive
from sync_backend.deps import SettingsDep
from sync_backend.errors import NotAuthenticated
from sync_backend.observability.backup_age import BackupAge
from sync_backend.observability.metrics import metrics_response, scrape_registry
from sync_backend.settings import Settings, sha256_hex


def scraped_at_request(settings: Settings) -> list[BackupAge]:
    """Collectors read at each scrape beside the registered metrics: the newest complete
    backup's time, from the backup folder (observability/backup_age.py), when one is set."""
    if not settings.backup_dir:
        return []
    folder = Path(settings.backup_dir)
    return [BackupAge(lambda: newest_backup_time(folder))]


def newest_backup_time(folder: Path) -> float:
    newest = archive.newest_complete(folder)
    return newest.taken_at.timestamp() if newest is not None else 0.0


async def require_metrics_token(request: Request, settings: SettingsDep) -> None:
    """Async (no I/O): a sync dependency would wait for a worker thread, and metrics must
    answer while stuck requests hold every one of them."""
    if not settings.metrics_token:
        return  # development: open, as before (production refuses to start without either)
    token = bearer_token(request)
    if token is None:
        raise NotAuthenticated("metrics token required (Authorization: Bearer ...)")
    if not hmac.compare_digest(sha256_hex(token), sha256_hex(settings.metrics_token)):
        raise NotAuthenticated("metrics token not recognised", code="invalid_metrics_token")


router = APIRouter(tags=["health"], dependencies=[Depends(require_metrics_token)])


@router.get("/metrics", include_in_schema=False)
async def metrics(settings: SettingsDep) -> Response:
    """Async: no worker thread needed, so it answers while requests fill the thread pool."""
    return metrics_response(*scraped_at_request(settings))


def serve_metrics(settings: Settings) -> None:
    """Serve the metrics on ``metrics_host:metrics_port`` from this process, in a daemon
    thread: with several workers this is the supervisor, which reads every worker's metrics
    from ``PROMETHEUS_MULTIPROC_DIR``."""
    start_http_server(
        settings.metrics_port,
        addr=settings.metrics_host,
        registry=scrape_registry(*scraped_at_request(settings)),
    )
