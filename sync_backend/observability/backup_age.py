"""``pika_backup_last_success_timestamp_seconds``: when the newest complete backup was taken.

``pika-backend backup`` runs from a timer and exits; the backend, which Prometheus scrapes
anyway, reports what the backup folder holds, read at each scrape (a directory listing), so
the figure is true after a restart of either and needs no file of its own. What "complete"
means is the backup command's (``sync_backend.backups.archive``: a dump and its checksum
file); the health domain hands this collector the reading (health/metrics_access.py). No
complete backup, or a folder the backend cannot read, reads as 0: "none", which the alert
``PikaBackupTooOld`` pages on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

METRIC = "pika_backup_last_success_timestamp_seconds"


class BackupAge(Collector):
    """The gauge, from ``last_success()`` (Unix seconds, 0 for none) at each scrape."""

    def __init__(self, last_success: Callable[[], float]) -> None:
        self.last_success = last_success

    def collect(self) -> Iterator[Metric]:
        try:
            value = float(self.last_success())
        except OSError:  # the folder unreadable: no backup the backend can vouch for
            value = 0.0
        gauge = GaugeMetricFamily(
            METRIC, "Unix time the newest complete backup was taken (0: none)"
        )
        gauge.add_metric([], value)
        yield gauge
