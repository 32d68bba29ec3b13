"""The store is meant for one worker thread, but calls from two threads are serialised."""

from __future__ import annotations

import threading

from pika_protocol.validation import Reason
from tests.core.store.conftest import Counter
from tests.core.store.test_record_scan import table_counts


def test_two_threads_recording_at_once_lose_nothing_and_redeem_once(counter: Counter) -> None:
    tokens = [counter.voucher(serial) for serial in range(9000, 9040)]
    validations = [counter.validate(token) for token in tokens]  # all valid, made up front
    results: dict[int, list[Reason]] = {0: [], 1: []}
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def worker(index: int) -> None:
        start.wait()
        try:
            for token, validation in zip(tokens, validations, strict=True):
                results[index].append(counter.scan(token, validation=validation).reason)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    # Each voucher was accepted exactly once across the two threads; the other saw the race.
    for position in range(len(tokens)):
        pair = sorted([results[0][position], results[1][position]])
        assert pair == sorted([Reason.VALID, Reason.ALREADY_REDEEMED])
    assert table_counts(counter.store) == {
        "scans": 80,
        "redemptions": 40,
        "outbox": 80,
        "events": 80,
    }
