"""How long to wait after a failed sync: exponential, capped, with jitter.

Many kiosks of one chain lose and regain the network together (the same ISP); without jitter
they would all retry in the same second. "Equal jitter" (half fixed, half random) keeps a floor
so a kiosk never hammers a server that just failed, and a ``Retry-After`` from the server is a
floor too: the kiosk never comes back sooner than it was asked to.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass(slots=True)
class Backoff:
    #: First wait, in seconds, after one failure.
    base_s: float = 2.0
    #: Longest wait between two attempts while offline.
    cap_s: float = 300.0
    #: The longest ``Retry-After`` honoured (a broken proxy must not park a kiosk for a day).
    max_retry_after_s: float = 3600.0
    rng: random.Random = field(default_factory=random.Random)
    failures: int = 0

    def next_delay(self, retry_after: float | None = None) -> float:
        """Count one more failure and return how long to wait before the next try."""
        self.failures += 1
        ceiling = min(self.cap_s, self.base_s * 2 ** min(self.failures - 1, 32))
        delay = ceiling / 2 + self.rng.uniform(0, ceiling / 2)
        if retry_after is not None and retry_after > 0:
            delay = max(delay, min(retry_after, self.max_retry_after_s))
        return delay

    def reset(self) -> None:
        """A try succeeded: the next failure starts from ``base_s`` again."""
        self.failures = 0
