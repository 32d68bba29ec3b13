"""One validated settings object for the backend (FastAPI full-stack template habit).

Everything that differs between a laptop demo and production is here, read from ``PIKA_*``
environment variables (or a ``.env`` file). Outside ``environment=development`` the settings
refuse the built-in development secrets, so a forgotten variable stops the server at start
instead of running production with a known admin token or signing-key secret.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Self

from limits import parse
from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Environment(StrEnum):
    DEVELOPMENT = "development"
    STAGING = "staging"
    PRODUCTION = "production"


class OutagePolicy(StrEnum):
    """What a rate limit does while Redis, where the counters live, does not answer
    (README "Rate limits when Redis is down")."""

    #: Count in this process's memory, with the same figure (per process, not shared).
    LOCAL = "local"
    #: Let the request through, uncounted.
    OPEN = "open"
    #: Refuse it: 503 ``rate_limit_unavailable`` with Retry-After.
    CLOSED = "closed"


class Tier(StrEnum):
    """What a business pays for; decides its rate limit."""

    BASIC = "BASIC"
    PREMIUM = "PREMIUM"
    ENTERPRISE = "ENTERPRISE"


#: Development-only secrets. Known to everyone who reads this file, hence refused elsewhere.
DEV_ADMIN_TOKEN = "pika-dev-admin-token"
DEV_SIGNING_KEY_SECRET = "ZGV2LW9ubHktc2lnbmluZy1rZXktc2VjcmV0LTAwMDA="  # 32 bytes, base64
DEV_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/pika"


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PIKA_", env_file=".env", extra="ignore")

    environment: Environment = Environment.DEVELOPMENT
    #: The address kiosks reach this server at; put into enrolment QR codes when set.
    public_url: str = ""

    database_url: str = DEV_DATABASE_URL
    db_pool_size: int = Field(default=10, ge=1)
    db_max_overflow: int = Field(default=10, ge=0)
    db_idle_in_transaction_timeout_s: int = Field(default=60, ge=1)
    # Bounds on every wait for Postgres (README "Bounds"); a request that meets one gets 503
    # ``database_unavailable`` with Retry-After. libpq's connect timeout is at least 2 s.
    db_connect_timeout_s: int = Field(default=2, ge=2)
    db_pool_timeout_s: float = Field(default=2.0, gt=0)
    #: Server-side statement limit; the client also gives up on any one answer after this
    #: plus a second (a frozen server never reports its own timeout).
    db_statement_timeout_s: float = Field(default=5.0, gt=0)
    db_lock_timeout_s: float = Field(default=2.0, gt=0)
    #: Readiness probes the database this often, on its own connection, and goes red when a
    #: probe fails or takes longer than ``db_probe_timeout_s``.
    db_probe_interval_s: float = Field(default=0.5, gt=0)
    db_probe_timeout_s: float = Field(default=1.2, gt=0)
    #: Retry-After of a 503 for an unreachable database.
    db_retry_after_s: int = Field(default=5, ge=1)
    #: Empty means "no Redis": rate limits then live in this one process only.
    redis_url: str = ""
    #: Redis key prefix for rate-limit counters (lets test runs and deployments share a Redis).
    rate_limit_key_prefix: str = "pika"
    #: While Redis does not answer, per limit (see limits/service.py for why these defaults):
    #: a shop's pushed items and a device's sync count in this process's memory, so shops keep
    #: syncing; enrolment and manager sign-in attempts, which guard one-time codes against
    #: guessing, are refused with 503 until Redis is back.
    rate_limit_outage_items: OutagePolicy = OutagePolicy.LOCAL
    rate_limit_outage_sync: OutagePolicy = OutagePolicy.LOCAL
    rate_limit_outage_enrolments: OutagePolicy = OutagePolicy.CLOSED
    #: After Redis fails, requests skip it for this long (no wait on a dead Redis for each
    #: one), then the next request tries it again.
    rate_limit_retry_s: float = Field(default=5.0, gt=0, le=300)
    #: A Postgres streaming replica (same database, read-only) for analytics reads: the
    #: dashboards, histories and flag lists of /v1/analytics. Empty: they read the primary.
    read_replica_url: str = ""
    #: How often the replica's lag is measured for ``pika_replica_lag_*`` (0: only when
    #: /health/detail asks).
    replica_lag_interval_s: float = Field(default=5.0, ge=0)

    #: Head office's admin API token. Give either the token (hashed at start) or its SHA-256.
    admin_token: str = ""
    admin_token_sha256: str = ""
    #: Fernet key (urlsafe base64 of 32 bytes) that encrypts signing private keys at rest.
    signing_key_secret: str = DEV_SIGNING_KEY_SECRET

    # Devices
    api_key_rotate_after_days: int = Field(default=30, ge=1)
    api_key_overlap_days: int = Field(default=7, ge=0)
    enrolment_code_ttl_hours: int = Field(default=72, ge=1)
    #: How long a shop manager's invitation (code and QR) can be used.
    manager_invitation_ttl_hours: int = Field(default=72, ge=1)

    # Signing keys: a new one signs books after this many days; old ones keep verifying.
    signing_key_rotate_after_days: int = Field(default=365, ge=1)

    # Push / pull limits
    max_batch_items: int = Field(default=500, ge=1)
    #: Postgres: pushes that arrive while another is being written share its next
    #: transaction (group commit, see redemptions/group_commit.py). Off: one each.
    push_groups: bool = True
    #: Only pushes of at most this many items join groups: a bigger batch already spreads a
    #: transaction's fixed costs over its items, and is better written alongside a group.
    push_group_request_items: int = Field(default=20, ge=1)
    #: Request bodies, counted as they stream in (chunked or not): 413 past the limit. Every
    #: route but push takes small JSON; push carries up to ``max_batch_items`` items.
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    max_push_body_bytes: int = Field(default=1_000_000, ge=1024)
    max_pull_page: int = Field(default=1000, ge=1)
    idempotency_ttl_hours: int = Field(default=24, ge=1)
    #: Kiosk clock further off than this (in either direction) flags the items it sends. Pull
    #: answers tell kiosks this figure, so a kiosk warns exactly when head office flags.
    clock_skew_tolerance_s: int = Field(default=300, ge=1)
    #: How often an idle kiosk pulls, told to kiosks in every pull answer (``poll_interval_s``).
    #: Lower means other kiosks' redemptions are seen sooner, at more requests per device.
    poll_interval_s: int = Field(default=30, ge=5, le=3600)
    #: A redemption received this long after its scan counts as made offline.
    offline_after_s: int = Field(default=120, ge=1)

    # Fraud thresholds
    fraud_scans_per_minute: int = Field(default=10, ge=1)
    fraud_max_speed_m_s: float = Field(default=50.0, gt=0)
    fraud_rejected_burst: int = Field(default=5, ge=1)
    fraud_rejected_burst_window_s: int = Field(default=60, ge=1)
    fraud_interval_s: float = Field(
        default=10.0, ge=0, description="0 disables the in-process loop"
    )

    # Analytics (docs/analytics.md): the projector turns pushes into rollups every interval,
    # so a redemption shows in the dashboard about this long after its push.
    analytics_interval_s: float = Field(
        default=1.0, ge=0, description="0 disables the in-process projector"
    )
    #: The shops' calendar: days and hours of the figures (Paraguay is UTC−3 all year).
    analytics_timezone: str = "America/Asuncion"

    #: How often each process counts silent kiosks and waiting outboxes for the metrics
    #: (devices/watch.py): one small query over the devices table.
    fleet_interval_s: float = Field(
        default=30.0, ge=0, description="0 disables the in-process watch"
    )

    # Rate limits per tier, in `limits` notation; one unit = one pushed item (redemption, scan,
    # void) of the business's kiosks. Pulls are not counted here (see device_sync_limit).
    tier_limits: dict[Tier, str] = Field(
        default_factory=lambda: {
            Tier.BASIC: "100/hour",
            Tier.PREMIUM: "1000/hour",
            Tier.ENTERPRISE: "10000/hour",
        }
    )

    #: Each device's own budget for pull pages and key rotations (``limits`` notation): only
    #: there to stop a runaway client, so it must leave room for at least twice the polls
    #: ``poll_interval_s`` asks for, plus page walks and the manager's "Sync now".
    device_sync_limit: str = "600/hour"

    #: Enrolment attempts per client address (``limits`` notation); behind a reverse proxy,
    #: set ``forwarded_allow_ips`` so the address is the client's, not the proxy's.
    enrolment_limit: str = "20/hour"
    #: Reverse proxies whose ``X-Forwarded-For``/``-Proto`` are believed (uvicorn's
    #: ``forwarded_allow_ips``: addresses or networks, comma-separated). Empty: none, the TCP
    #: peer is the client. uvicorn alone would believe 127.0.0.1, so anything on the proxy's
    #: host could pose as any address and step round the enrolment limit.
    forwarded_allow_ips: str = ""

    #: ``/metrics`` tells routes, traffic and error counts. Either Prometheus sends this token
    #: (``Authorization: Bearer``, its scrape config's ``authorization``) ...
    metrics_token: str = ""
    #: ... or the metrics are served on their own address, not on the API's port at all
    #: (``metrics_port`` 0: on the API's port). Outside development one of the two is required.
    metrics_host: str = "127.0.0.1"
    metrics_port: int = Field(default=0, ge=0, le=65535)

    # Backups (README "Backups", sync_backend/backups). The systemd timer runs
    # ``pika-backend backup --if-due`` every hour: it dumps when the newest complete backup is
    # ``backup_interval_hours`` old, then prunes complete backups older than
    # ``backup_keep_days`` (never the newest one). The backend's /metrics reports the newest
    # complete one's time from this folder (health/metrics_access.py); empty: not reported.
    backup_dir: str = "/var/backups/pika"
    backup_interval_hours: float = Field(default=6, gt=0)
    backup_keep_days: float = Field(default=7, gt=0)
    #: The role pg_dump and pg_restore connect as (one that can read and create every table:
    #: the owner that runs migrations, not the backend's role). Empty: ``database_url``.
    backup_database_url: str = ""
    #: Folder of pg_dump/pg_restore of the server's major version; empty: Debian's
    #: /usr/lib/postgresql/<major>/bin, else PATH (sync_backend/backups/postgres_tools.py).
    pg_bin_dir: str = ""
    #: node_exporter textfile (e.g. /var/lib/prometheus/node-exporter/pika_backup.prom) each
    #: backup run rewrites (sync_backend/backups/metrics_file.py); empty: none.
    backup_metrics_file: str = ""

    @model_validator(mode="after")
    def _limits_make_sense(self) -> Self:
        """Every limit parses (the limiter's own parser), and the device budget leaves room
        for the polls the backend advises."""
        try:
            for text in [*self.tier_limits.values(), self.enrolment_limit]:
                parse(text)
            device = parse(self.device_sync_limit)
        except ValueError as exc:
            raise ValueError(f"a rate limit is not in `limits` notation: {exc}") from None
        polls = device.get_expiry() / self.poll_interval_s
        if device.amount < 2 * polls:
            raise ValueError(
                f"device_sync_limit {self.device_sync_limit!r} allows fewer than twice the "
                f"{polls:.0f} polls that poll_interval_s={self.poll_interval_s} asks for"
            )
        return self

    @model_validator(mode="after")
    def _refuse_unsafe_defaults(self) -> Self:
        if self.environment is Environment.DEVELOPMENT:
            if not self.admin_token and not self.admin_token_sha256:
                self.admin_token = DEV_ADMIN_TOKEN
            return self
        problems = []
        if self.admin_token == DEV_ADMIN_TOKEN or not (self.admin_token or self.admin_token_sha256):
            problems.append("PIKA_ADMIN_TOKEN (or PIKA_ADMIN_TOKEN_SHA256) must be set")
        if self.admin_token and len(self.admin_token) < 24:
            problems.append("PIKA_ADMIN_TOKEN must be at least 24 characters")
        if self.signing_key_secret == DEV_SIGNING_KEY_SECRET:
            problems.append("PIKA_SIGNING_KEY_SECRET must be set (Fernet.generate_key())")
        if self.database_url == DEV_DATABASE_URL or self.database_url.startswith("sqlite"):
            problems.append("PIKA_DATABASE_URL must name the production Postgres")
        if not self.redis_url:
            problems.append("PIKA_REDIS_URL must be set so rate limits hold across processes")
        if not self.metrics_token and not self.metrics_port:
            problems.append(
                "PIKA_METRICS_TOKEN or PIKA_METRICS_PORT must be set: /metrics is not for everyone"
            )
        elif self.metrics_token and len(self.metrics_token) < 24:
            problems.append("PIKA_METRICS_TOKEN must be at least 24 characters")
        if problems:
            raise ValueError(f"unsafe settings for {self.environment}: " + "; ".join(problems))
        return self

    @property
    def admin_token_digest(self) -> str:
        return self.admin_token_sha256.lower() or sha256_hex(self.admin_token)

    @property
    def api_key_rotate_after(self) -> timedelta:
        return timedelta(days=self.api_key_rotate_after_days)

    @property
    def api_key_overlap(self) -> timedelta:
        return timedelta(days=self.api_key_overlap_days)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read once. Tests build their own ``Settings`` instead."""
    return Settings()
