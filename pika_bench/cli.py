"""``pika-bench``: print measured figures, never assert them.

Each subcommand lives in its own module under ``pika_bench`` with ``add_arguments(parser)``
and ``run(args) -> dict``; the dict is printed as JSON with ``--json`` or as aligned lines
otherwise. Modules are imported lazily so ``pika-bench verify`` does not load Qt or Postgres.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import signal
import sys
import threading
from collections.abc import Iterator
from typing import Any

#: subcommand -> (module, one-line help)
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "verify": ("pika_bench.verify", "µs to parse and verify one voucher token"),
    "record": ("pika_bench.record", "ms to record one redemption in the encrypted store"),
    "scan": ("pika_bench.scan", "QR read rate and ms per image of the kiosk's decoder chain"),
    "frame": ("pika_bench.frame", "ms per 1280x720 camera frame, without and with a voucher"),
    "scan-set": (
        "pika_bench.scan_set",
        "codes read by bucket and effect on a photo set with an index.csv",
    ),
    "scan-latency": ("pika_bench.scan_latency", "ms from camera frame to validated scan"),
    "drain": ("pika_bench.drain", "s to drain 10,000 offline redemptions to a real backend"),
    "ingest": ("pika_bench.ingest", "redemptions/s through the push API vs raw batched INSERTs"),
    "ingest-single": ("pika_bench.ingest_single", "one redemption per request at 32 clients"),
    "sheet": ("pika_bench.sheet", "s to print a 2,500-voucher book as one PDF"),
    "analytics": (
        "pika_bench.analytics",
        "dashboard p95 on a year of events vs the naive GROUP BY; push-to-dashboard seconds",
    ),
    "backup": (
        "pika_bench.backup",
        "s to back up, verify and restore a year of data; dump and database bytes",
    ),
    "replica": (
        "pika_bench.replica",
        "pushes to the primary while dashboards read a streaming replica: lag, freshness",
    ),
    "manager-paint": (
        "pika_bench.manager_paint",
        "ms from a year's dashboard answer to the manager window painted",
    ),
    "soak": (
        "pika_bench.soak",
        "a simulated day in the real kiosk window: crashes, RSS slope, open files, threads",
    ),
}


@contextlib.contextmanager
def _terminate_as_exit() -> Iterator[None]:
    """SIGTERM (``timeout``, ``kill``, a CI runner giving up) becomes ``SystemExit(143)`` in
    the main thread, so every ``with`` block unwinds as on Ctrl-C: throwaway databases are
    dropped, servers stopped, temporary files removed. Python's default for SIGTERM is to die
    on the spot and leave them all behind. The previous handler comes back afterwards."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread
        return

    def exit_(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, exit_)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pika-bench", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    subparsers = {}
    for name, (_module_name, help_text) in SUBCOMMANDS.items():
        p = sub.add_parser(name, help=help_text)
        p.add_argument("--json", action="store_true", help="print one JSON object")
        subparsers[name] = p
    # Only the chosen subcommand's module is imported, then it adds its own options.
    known, _rest = parser.parse_known_args(argv)
    module = importlib.import_module(SUBCOMMANDS[known.command][0])
    module.add_arguments(subparsers[known.command])
    args = parser.parse_args(argv)
    with _terminate_as_exit():
        result: dict[str, Any] = module.run(args)
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>24}  {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
