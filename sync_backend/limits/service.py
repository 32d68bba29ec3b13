"""Rate limits with the ``limits`` library: the business's tier counts its redemption traffic,
each device's own sync has a budget of its own.

* ``items`` (per business, the tier's figure): one unit per pushed item (a batch of 40
  redemptions costs 40; a replay of a stored answer costs nothing). This is what a business
  pays for: ``BASIC 100/hour`` means 100 pushed items in any hour, over all its kiosks.
* ``sync`` (per device, ``device_sync_limit``): one unit per pull page and per key rotation.
  A shop's own background sync must never push it into 429, so polling is not the tier's
  business: an idle kiosk's pulls that find nothing new cost the tier nothing. The device
  budget still keeps a runaway client (a kiosk polling in a loop, a stolen key) from costing
  the server more than a fixed number of requests an hour. Kiosks poll as often as the pull
  answer says (``poll_interval_s``), and the settings refuse a device budget below twice that.
* ``enrolments`` (per client address): see :meth:`TierLimiter.hit_enrolment`.

The windows are *moving* windows (the ``limits`` moving-window strategy): a refusal means that
exactly the figure was used in the last window, never more and never fewer (the sliding-window
counter only approximates, and lets more through just after a busy window). The moving window
also keeps time the same way in memory and in Redis: entries carry this process's
``time.time()``, and Redis compares them in its script (the sliding-window counter takes its
time from Redis key TTLs instead). So the counting follows the backend's own clock, several
processes on one Redis agree as long as their clocks do (NTP), and a test can move the clock
(time-machine) and see the windows move with it.

With ``PIKA_REDIS_URL`` set the counters live in Redis and hold across every backend process;
without it they live in this process only (the single-process demo).

Redis down (:class:`~sync_backend.settings.OutagePolicy`, one setting per bucket; the outage is
logged once when it starts and once when it ends, every degraded check is counted in
``pika_rate_limit_errors_total{bucket,policy}``, and ``pika_rate_limit_storage_up`` is 0):

* ``items`` and ``sync`` count in this process's memory (``local``), with the same figures.
  A limiter outage must not stop shops from redeeming or syncing, and "let everything
  through" (``open``) would leave a runaway client or a stolen key unbounded for as long as
  the outage lasts. The price: with N processes a business may push up to N times its figure
  while Redis is down, and what was counted in memory is not carried into Redis afterwards.
* ``enrolments`` (kiosk enrolment and manager sign-in: each attempt a guess at a one-time
  code) fail ``closed``: 503 ``rate_limit_unavailable`` with Retry-After. The limit is there
  against guessing; counted per process it would multiply an attacker's attempts by the
  number of processes (and by every restart), and an attacker able to upset Redis would
  choose that moment. Enrolment is rare and done by a person, who tries again a little
  later; kiosks already enrolled go on syncing.

After a failure Redis is left alone for ``rate_limit_retry_s`` (requests do not each wait on a
dead server's timeout), then the next check tries it again; the first one that succeeds ends
the outage.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from limits import RateLimitItem, WindowStats, parse
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import MovingWindowRateLimiter
from prometheus_client import Counter, Gauge
from redis.backoff import NoBackoff
from redis.retry import Retry

from sync_backend.errors import PayloadTooLarge, RateLimited, RateLimitUnavailable
from sync_backend.settings import OutagePolicy, Settings, Tier

if TYPE_CHECKING:
    from sync_backend.devices.service import DeviceContext

log = logging.getLogger(__name__)

RATE_LIMIT_ERRORS = Counter(
    "pika_rate_limit_errors_total",
    "Rate-limit checks made while the shared storage (Redis) did not answer, by bucket and by "
    "what was done instead (local, open, closed)",
    ["bucket", "policy"],
)
RATE_LIMIT_STORAGE_UP = Gauge(
    "pika_rate_limit_storage_up",
    "1 while the rate limits' shared storage (Redis) answers, 0 during an outage",
    multiprocess_mode="livemin",
)
RATE_LIMITED = Counter("pika_rate_limited_total", "Requests refused with 429", ["tier", "bucket"])
RATE_LIMIT_UNITS = Counter(
    "pika_rate_limit_units_total", "Units charged against a rate limit", ["bucket"]
)


class Bucket(StrEnum):
    ITEMS = "items"  # pushed redemptions, scans and voids, per business (the tier)
    SYNC = "sync"  # pull pages and key rotations, per device
    ENROLMENTS = "enrolments"  # enrolment attempts, per client address (no key yet)


class TierLimiter:
    def __init__(self, settings: Settings) -> None:
        uri = settings.redis_url or "memory://"
        self.storage_uri = uri
        options: dict[str, Any] = {}
        if settings.redis_url:
            options = {
                "key_prefix": settings.rate_limit_key_prefix,
                "socket_timeout": 0.5,
                "socket_connect_timeout": 0.5,
                # One immediate retry (a pooled connection that died with a Redis restart is
                # replaced), not redis-py's default ten with backoff: seconds per request.
                "retry": Retry(NoBackoff(), 1),
            }
        self.storage = storage_from_string(uri, **options)
        self.limiter = MovingWindowRateLimiter(self.storage)
        #: Counts while Redis is down, for the buckets whose policy is ``local``.
        self.local_limiter = MovingWindowRateLimiter(MemoryStorage())
        self.shared = bool(settings.redis_url)
        self.outage_policy = {
            Bucket.ITEMS: settings.rate_limit_outage_items,
            Bucket.SYNC: settings.rate_limit_outage_sync,
            Bucket.ENROLMENTS: settings.rate_limit_outage_enrolments,
        }
        self.retry_s = settings.rate_limit_retry_s
        self._state = threading.Lock()
        self._outage_since: float | None = None  # time.monotonic() of the first failure
        self._skip_until = 0.0  # time.monotonic() before which Redis is not tried
        RATE_LIMIT_STORAGE_UP.set(1)
        self.items: dict[Tier, RateLimitItem] = {
            tier: parse(text) for tier, text in settings.tier_limits.items()
        }
        self.device_sync = parse(settings.device_sync_limit)
        self.enrolments = parse(settings.enrolment_limit)

    def limit_for(self, tier: str) -> RateLimitItem:
        return self.items[Tier(tier)]

    def hit(self, *, business_id: int, tier: str, bucket: Bucket, cost: int = 1) -> None:
        """Count ``cost`` units of the business's tier or raise :class:`RateLimited`."""
        self._hit(
            self.limit_for(tier),
            bucket,
            str(business_id),
            cost,
            label=tier,
            refusal=f"business {business_id} is over its {tier} limit",
            extra={"tier": tier},
        )

    def charge_items(self, device: DeviceContext, items: int) -> None:
        """Count a push's items against the device's business (the push path's ``charge``).

        A batch larger than the tier's whole figure could never pass, so it is not a 429 (the
        kiosk would wait and send it again for ever) but 413 ``batch_too_large`` with
        ``max_batch_items``: the kiosk splits it, as it does for the server's batch cap.
        """
        figure = self.limit_for(device.tier).amount
        if items > figure:
            raise PayloadTooLarge(
                f"batch of {items} items; the {device.tier} tier takes at most {figure} in "
                f"{self.limit_for(device.tier)}",
                code="batch_too_large",
                extra={"max_batch_items": figure},
            )
        self.hit(business_id=device.business_id, tier=device.tier, bucket=Bucket.ITEMS, cost=items)

    def hit_sync(self, device: DeviceContext) -> None:
        """Count one sync request (a pull page, a key rotation) against the device's own
        budget; the business's tier is not touched (see the module docstring)."""
        self._hit(
            self.device_sync,
            Bucket.SYNC,
            device.device_id,
            1,
            label=device.tier,
            refusal=f"device {device.device_id} is over its sync budget",
            extra={"tier": device.tier},
        )

    def hit_enrolment(self, address: str) -> None:
        """Count one enrolment attempt from ``address``: enrolment has no API key to count
        against, and each attempt is a guess at a one-time code."""
        self._hit(
            self.enrolments,
            Bucket.ENROLMENTS,
            address,
            1,
            label="enrolment",
            refusal="too many enrolment attempts from this address",
            extra={},
        )

    def _hit(
        self,
        item: RateLimitItem,
        bucket: Bucket,
        identity: str,
        cost: int,
        *,
        label: str,
        refusal: str,
        extra: dict[str, str],
    ) -> None:
        """Count ``cost`` units of ``identity`` in ``bucket`` or raise :class:`RateLimited`;
        ``label`` names the limit in the refusal metric (a tier, or "enrolment").

        The refusal says ``remaining`` (units free now) and, in Retry-After, when the oldest
        unit in the window leaves it: a kiosk that then sends at most ``remaining + 1`` items
        fits (see ``app.core.sync.engine``)."""
        stats = self._count(item, bucket, identity, cost)
        if stats is None:
            return
        # The oldest unit leaves the window strictly after reset_time (the moving window still
        # counts an entry exactly one window old), so the next whole second after it.
        retry_after = max(1, math.floor(stats.reset_time - time.time()) + 1)
        RATE_LIMITED.labels(label, bucket.value).inc()
        raise RateLimited(
            f"{refusal} of {item} {bucket.value}",
            extra={
                **extra,
                "limit": str(item),
                "limit_units": item.amount,
                "bucket": bucket.value,
                "cost": cost,
                "remaining": stats.remaining,
                "retry_after_s": retry_after,
            },
            headers={"Retry-After": str(retry_after)},
        )

    def _count(
        self, item: RateLimitItem, bucket: Bucket, identity: str, cost: int
    ) -> WindowStats | None:
        """Count the units: None if they fit, the window's state if they do not. In Redis when
        it answers, otherwise as the bucket's outage policy says."""
        if self.shared and time.monotonic() >= self._skip_until:
            try:
                stats = _count_on(self.limiter, item, bucket, identity, cost)
            except Exception as exc:  # any storage failure: the outage policy decides
                self._storage_failed(exc)
            else:
                if self._outage_since is not None:
                    self._storage_back()
                return stats
        elif not self.shared:
            return _count_on(self.limiter, item, bucket, identity, cost)
        policy = self.outage_policy[bucket]
        RATE_LIMIT_ERRORS.labels(bucket.value, policy.value).inc()
        if policy is OutagePolicy.OPEN:
            return None
        if policy is OutagePolicy.CLOSED:
            retry_after = max(1, math.ceil(self.retry_s))
            raise RateLimitUnavailable(
                f"the {bucket.value} limit cannot be counted now (its storage is not "
                "answering); nothing was done, try again after Retry-After",
                extra={"bucket": bucket.value, "retry_after_s": retry_after},
                headers={"Retry-After": str(retry_after)},
            )
        return _count_on(self.local_limiter, item, bucket, identity, cost)

    def _storage_failed(self, exc: Exception) -> None:
        with self._state:
            self._skip_until = time.monotonic() + self.retry_s
            if self._outage_since is not None:
                return
            self._outage_since = time.monotonic()
        RATE_LIMIT_STORAGE_UP.set(0)
        policies = ", ".join(f"{b.value} {p.value}" for b, p in self.outage_policy.items())
        log.error(
            "rate limit storage not answering (%s); limits degrade (%s), Redis tried again "
            "every %g s",
            f"{type(exc).__name__}: {exc}".splitlines()[0][:200],
            policies,
            self.retry_s,
        )

    def _storage_back(self) -> None:
        with self._state:
            since, self._outage_since = self._outage_since, None
        if since is not None:
            RATE_LIMIT_STORAGE_UP.set(1)
            log.warning(
                "rate limit storage answering again after %.1f s; limits shared again",
                time.monotonic() - since,
            )

    @property
    def storage_outage(self) -> bool:
        """Whether the last try of the shared storage failed (and none has succeeded since)."""
        return self._outage_since is not None

    def check_storage(self) -> bool:
        return bool(self.storage.check())


def _count_on(
    limiter: MovingWindowRateLimiter,
    item: RateLimitItem,
    bucket: Bucket,
    identity: str,
    cost: int,
) -> WindowStats | None:
    if limiter.hit(item, bucket.value, identity, cost=cost):
        RATE_LIMIT_UNITS.labels(bucket.value).inc(cost)
        return None
    return limiter.get_window_stats(item, bucket.value, identity)
