"""How far the analytics read replica is behind the primary (``read_replica_url``).

Two figures, because each alone misleads: ``lag_bytes`` is the primary's WAL position minus
what the replica has replayed (grows when streaming stops, whatever the replica thinks), and
``lag_s`` is the age of the last replayed transaction while the replica has received more than
it replayed (0 when it has replayed all it received; an idle primary is not lag). A dashboard
read from the replica is at most about ``lag_s`` old.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import sqlalchemy as sa
from prometheus_client import Gauge
from sqlalchemy.engine import Engine

from sync_backend.background import PeriodicJob

log = logging.getLogger(__name__)

REPLICA_LAG_SECONDS = Gauge(
    "pika_replica_lag_seconds",
    "Age of the analytics replica's last replayed transaction while it has more to replay",
    multiprocess_mode="livemax",
)
REPLICA_LAG_BYTES = Gauge(
    "pika_replica_lag_bytes",
    "Bytes of WAL the analytics replica has not replayed yet (primary position minus replica's)",
    multiprocess_mode="livemax",
)

_REPLICA_STATE = sa.text(
    "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text, "
    "CASE WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() "
    "THEN 0 ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) END"
)
_BEHIND = sa.text("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), CAST(:replayed AS pg_lsn))::bigint")


@dataclass(frozen=True, slots=True)
class ReplicaLag:
    #: A standby answers true; false means the setting names a primary (a mistake).
    in_recovery: bool
    lag_s: float | None
    lag_bytes: int | None


def measure(primary: Engine, replica: Engine) -> ReplicaLag:
    """Ask the replica what it has replayed, then the primary how far that is behind, and
    publish both as gauges."""
    with replica.connect() as conn:
        in_recovery, replayed, lag_s = conn.execute(_REPLICA_STATE).one()
    lag_bytes = None
    if replayed is not None:
        with primary.connect() as conn:
            lag_bytes = conn.execute(_BEHIND, {"replayed": replayed}).scalar_one()
        lag_bytes = max(0, int(lag_bytes))
        REPLICA_LAG_BYTES.set(lag_bytes)
    seconds = None if lag_s is None else max(0.0, float(lag_s))
    if seconds is not None:
        REPLICA_LAG_SECONDS.set(seconds)
    return ReplicaLag(bool(in_recovery), seconds, lag_bytes)


def replica_lag_job(primary: Engine, replica: Engine, interval_s: float) -> PeriodicJob:
    """Measures the lag every ``interval_s`` so the gauges stay current between scrapes."""
    return PeriodicJob("replica-lag", interval_s, lambda: measure(primary, replica))
