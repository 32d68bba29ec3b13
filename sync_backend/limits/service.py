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
without it they live in this process only (the single-process demo). If Redis fails mid-way the
request is let through and ``pika_rate_limit_errors_total`` counts it: a limiter outage must
not stop shops from redeeming.
"""

from __future__ import annotations

import logging
import math
import time
from enum import StrEnum
from typing import TYPE_CHECKING

from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from prometheus_client import Counter

from sync_backend.errors import PayloadTooLarge, RateLimited
from sync_backend.settings import Settings, Tier

if TYPE_CHECKING:
    from sync_backend.devices.service import DeviceContext

log = logging.getLogger(__name__)

RATE_LIMIT_ERRORS = Counter(
    "pika_rate_limit_errors_total", "Rate-limit checks that failed open (storage unreachable)"
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
        options: dict[str, str | float | bool] = {}
        if settings.redis_url:
            options = {"key_prefix": settings.rate_limit_key_prefix, "socket_timeout": 0.5}
        self.storage = storage_from_string(uri, **options)
        self.limiter = MovingWindowRateLimiter(self.storage)
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
        try:
            if self.limiter.hit(item, bucket.value, identity, cost=cost):
                RATE_LIMIT_UNITS.labels(bucket.value).inc(cost)
                return
            stats = self.limiter.get_window_stats(item, bucket.value, identity)
        except Exception:  # any storage failure fails open, and is counted
            log.exception("rate limit storage failed; letting the request through")
            RATE_LIMIT_ERRORS.inc()
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

    def check_storage(self) -> bool:
        return bool(self.storage.check())
