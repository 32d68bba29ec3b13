"""Every limit holds exactly in any window span (issue 12, defect 8).

The issue measured 174 admitted in one 60 s span at 100/minute under the sliding-window
counter, which weighs the previous fixed window by how much of it is left and so lets a burst
at the end of one window be followed by most of a figure early in the next. The backend's
limits are moving windows: each admitted unit is remembered with its time, and the count of
any span of the window's length never passes the figure. The probe below is the counter's
worst case: quiet, a full burst just before a fixed window turns, then as many as will pass
every second after it.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
import time_machine

from sync_backend.devices.service import DeviceContext
from sync_backend.errors import RateLimited
from sync_backend.limits.service import TierLimiter
from sync_backend.settings import Tier
from tests.backend.support import make_settings

FIGURE, WINDOW_S = 100, 60
LIMIT = f"{FIGURE}/minute"
#: A whole minute since the epoch, so the counter's fixed windows turn at :00.
START = datetime(2031, 3, 3, 8, 0, tzinfo=UTC)
DEVICE = DeviceContext("device-1", "Caja 1", 7, Tier.BASIC.value, False)


def most_in_any_span(times: list[float], span: float) -> int:
    """The most admitted units inside any closed interval ``[t, t + span]``."""
    return max((bisect.bisect_right(times, t + span) - i for i, t in enumerate(times)), default=0)


def admitted_times(hit: Callable[[], None], clock: time_machine.Coordinates) -> list[float]:
    """Quiet for 59 s, then every second for three minutes: as many units as the limit
    lets through (stop at the first refusal), noted with the clock's time."""
    times: list[float] = []
    clock.shift(WINDOW_S - 1)
    for _ in range(3 * WINDOW_S):
        for _ in range(FIGURE + 1):
            try:
                hit()
            except RateLimited:
                break
            times.append(datetime.now(UTC).timestamp())
        clock.shift(1)
    return times


@pytest.mark.parametrize("bucket", ["items", "sync", "enrolments"])
@pytest.mark.parametrize("storage", ["memory", "redis"])
def test_no_window_span_admits_more_than_the_figure(
    bucket: str, storage: str, request: pytest.FixtureRequest
) -> None:
    redis_url = request.getfixturevalue("redis_url") if storage == "redis" else ""
    settings = make_settings(
        "postgresql+psycopg://unused@127.0.0.1/unused",
        redis_url=redis_url,
        tier_limits={Tier.BASIC: LIMIT, Tier.PREMIUM: LIMIT, Tier.ENTERPRISE: LIMIT},
        device_sync_limit=LIMIT,
        enrolment_limit=LIMIT,
    )
    with time_machine.travel(START, tick=False) as clock:
        limiter = TierLimiter(settings)
        hits: dict[str, Callable[[], None]] = {
            "items": lambda: limiter.charge_items(DEVICE, 1),
            "sync": lambda: limiter.hit_sync(DEVICE),
            "enrolments": lambda: limiter.hit_enrolment("192.0.2.7"),
        }
        times = admitted_times(hits[bucket], clock)
    assert most_in_any_span(times, WINDOW_S) == FIGURE
    # And the figure is there to use: three minutes of trying take three windows' worth.
    assert len(times) == 3 * FIGURE
