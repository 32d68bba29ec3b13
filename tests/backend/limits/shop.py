"""A shop's kiosks against backend apps in this process, on a clock the test moves.

The kiosks are the real kiosk core (encrypted store, ``Counter``, ``SyncEngine``, ``SyncLoop``);
the backend is the real app (Postgres, Redis, the real ``TierLimiter``), answering through
Starlette's TestClient so that ``time-machine`` moves both sides' clocks at once, and with
them the rate limiter's windows (its moving window takes its time from Python, see
``sync_backend.limits.service``). A real backend process would keep the real time.

:class:`ShopDay` plays a day as events: each kiosk's next sync pass when its loop asked for it,
and each redemption at the counter, which wakes the kiosk's loop as ``send_soon()`` wakes the
sync thread. Passes run ``SyncLoop.run_pass()``, exactly what the thread runs between waits.
"""

from __future__ import annotations

import heapq
import itertools
import secrets
from collections import Counter as Tally
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import time_machine
from fastapi.testclient import TestClient

from app.core.counter import Counter
from app.core.store import KioskStore, ScanSource
from app.core.sync import SyncApi, SyncEngine, SyncLoop, apply_enrolment
from app.core.sync.credentials import load_api_key
from app.core.sync.loop import Connection
from pika_protocol.validation import Reason

SERVER = "http://head-office.test"


class AppTransport(httpx.BaseTransport):
    """The kiosk's HTTP answered by a backend app of this process; counts what it saw."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        #: (path, status) -> requests
        self.seen: Tally[tuple[str, int]] = Tally()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        answer = self.client.send(request)
        self.seen[(request.url.path, answer.status_code)] += 1
        return httpx.Response(answer.status_code, headers=answer.headers, content=answer.content)


@dataclass
class ShopKiosk:
    name: str
    store: KioskStore
    counter: Counter
    loop: SyncLoop
    transport: AppTransport

    @classmethod
    def enrol(cls, directory: Path, transport: AppTransport, code: str, name: str) -> ShopKiosk:
        directory.mkdir(parents=True, exist_ok=True)
        store = KioskStore.open(directory / "kiosk.db", secrets.token_bytes(32))
        api = SyncApi(SERVER, transport=transport)
        device = apply_enrolment(store, api.enrol(code, name), server_url=SERVER, device_name=name)
        api.api_key = load_api_key(store.path)
        loop = SyncLoop(SyncEngine(store, api, device))  # the kiosk's own defaults
        return cls(name, store, Counter(store, device), loop, transport)

    def close(self) -> None:
        self.loop.engine.api.close()
        self.store.close()


@dataclass
class ShopDay:
    """Plays redemptions at given times on given kiosks, and every sync pass in between."""

    traveller: time_machine.Coordinates
    kiosks: list[ShopKiosk]
    #: Connection states after each pass, per kiosk name.
    states: dict[str, Tally[Connection]] = field(default_factory=dict)
    passes: int = 0
    redeemed: int = 0
    _events: list[tuple[datetime, int, str, int, str]] = field(default_factory=list)
    _order: itertools.count[int] = field(default_factory=itertools.count)
    _version: dict[int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        now = datetime.now(UTC)
        for index, kiosk in enumerate(self.kiosks):
            self.states[kiosk.name] = Tally()
            self._schedule_pass(index, now)

    def redeem_at(self, when: datetime, kiosk: int, token: str) -> None:
        heapq.heappush(self._events, (when, next(self._order), "redeem", kiosk, token))

    def run_until(self, end: datetime) -> None:
        while self._events and self._events[0][0] <= end:
            when, _order, kind, index, payload = heapq.heappop(self._events)
            if kind == "pass" and int(payload) != self._version[index]:
                continue  # woken earlier by a redemption: this wait was cut short
            self.traveller.move_to(when)
            kiosk = self.kiosks[index]
            if kind == "redeem":
                outcome = kiosk.counter.scan(payload, ScanSource.CAMERA)
                assert outcome.reason is Reason.VALID, outcome.reason
                self.redeemed += 1
                kiosk.loop.send_soon()
                self._schedule_pass(index, when)  # the sync thread wakes at once
                continue
            delay = kiosk.loop.run_pass()
            assert delay is not None, f"{kiosk.name}'s sync loop ended"
            self.passes += 1
            self.states[kiosk.name][kiosk.loop.status().connection] += 1
            self._schedule_pass(index, when + timedelta(seconds=delay))
        self.traveller.move_to(end)

    def _schedule_pass(self, index: int, when: datetime) -> None:
        version = self._version.get(index, -1) + 1
        self._version[index] = version
        heapq.heappush(self._events, (when, next(self._order), "pass", index, str(version)))
