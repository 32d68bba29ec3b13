"""Rate limits per business tier with the ``limits`` library.

One unit is one pushed item (a batch of 40 redemptions costs 40; a replay of a stored answer
costs nothing) or one pull. Units are counted per business, over all its kiosks, in a
sliding-window counter: ``BASIC 100/hour`` means 100 units in any hour. Pushed items and pulls are
counted apart, each against the tier's figure, so a kiosk that polls for changes never eats
the budget for uploading redemptions.

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
from limits.strategies import SlidingWindowCounterRateLimiter
from prometheus_client import Counter

from sync_backend.errors import RateLimited
from sync_backend.settings import Settings, Tier

if TYPE_CHECKING:
    from sync_backend.devices.service import DeviceContext

log = logging.getLogger(__name__)

RATE_LIMIT_ERRORS = Counter(
    "pika_rate_limit_errors_total", "Rate-limit checks that failed open (storage unreachable)"
)
RATE_LIMITED = Counter("pika_rate_limited_total", "Requests refused with 429", ["tier", "bucket"])


class Bucket(StrEnum):
    ITEMS = "items"  # pushed redemptions and scans
    REQUESTS = "requests"  # pulls, key rotations
    ENROLMENTS = "enrolments"  # enrolment attempts, per client address (no key yet)


class TierLimiter:
    def __init__(self, settings: Settings) -> None:
        uri = settings.redis_url or "memory://"
        self.storage_uri = uri
        options: dict[str, str | float | bool] = {}
        if settings.redis_url:
            options = {"key_prefix": settings.rate_limit_key_prefix, "socket_timeout": 0.5}
        self.storage = storage_from_string(uri, **options)
        self.limiter = SlidingWindowCounterRateLimiter(self.storage)
        self.items: dict[Tier, RateLimitItem] = {
            tier: parse(text) for tier, text in settings.tier_limits.items()
        }
        self.enrolments = parse(settings.enrolment_limit)

    def limit_for(self, tier: str) -> RateLimitItem:
        return self.items[Tier(tier)]

    def hit(self, *, business_id: int, tier: str, bucket: Bucket, cost: int = 1) -> None:
        """Count ``cost`` units or raise :class:`RateLimited` with Retry-After."""
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
        """Count a push's items against the device's business (the push path's ``charge``)."""
        self.hit(business_id=device.business_id, tier=device.tier, bucket=Bucket.ITEMS, cost=items)

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
        ``label`` names the limit in the refusal metric (a tier, or "enrolment")."""
        try:
            if self.limiter.hit(item, bucket.value, identity, cost=cost):
                return
            stats = self.limiter.get_window_stats(item, bucket.value, identity)
        except Exception:  # any storage failure fails open, and is counted
            log.exception("rate limit storage failed; letting the request through")
            RATE_LIMIT_ERRORS.inc()
            return
        retry_after = max(1, math.ceil(stats.reset_time - time.time()))
        RATE_LIMITED.labels(label, bucket.value).inc()
        raise RateLimited(
            f"{refusal} of {item} {bucket.value}",
            extra={
                **extra,
                "limit": str(item),
                "bucket": bucket.value,
                "cost": cost,
                "remaining": stats.remaining,
                "retry_after_s": retry_after,
            },
            headers={"Retry-After": str(retry_after)},
        )

    def check_storage(self) -> bool:
        return bool(self.storage.check())
