"""Real ``pika-backend serve`` processes for the fault and scale-out tests: their URL, their log,
and their Prometheus metrics as numbers."""

from __future__ import annotations

import subprocess
import tempfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

from pika_bench.backend_server import free_port, settings_env, start_server, stop_server
from sync_backend.settings import Settings


@dataclass(frozen=True)
class Served:
    url: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def metric(self, name: str, **labels: str) -> float:
        """The sum of the samples of ``name`` whose labels include ``labels`` (0 if none)."""
        text = httpx.get(self.url + "/metrics", timeout=10).text
        total = 0.0
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                if sample.name == name and all(
                    sample.labels.get(k) == v for k, v in labels.items()
                ):
                    total += sample.value
        return total


@contextmanager
def serving(
    settings: Settings,
    *,
    workers: int = 1,
    extra_env: dict[str, str] | None = None,
    extra_args: Sequence[str] = (),
) -> Iterator[Served]:
    """``pika-backend serve`` for ``settings`` on a free port until the block ends."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="pika-test-serve-") as folder:
        log_path = Path(folder) / "server.log"
        env = {**settings_env(settings), **(extra_env or {})}
        process = start_server(env, port, workers=workers, log_path=log_path, extra_args=extra_args)
        try:
            yield Served(f"http://127.0.0.1:{port}", log_path)
        finally:
            stop_server(process)


@contextmanager
def serving_together(settings: Settings, count: int) -> Iterator[list[Served]]:
    """``count`` separate ``pika-backend serve`` processes (as on ``count`` hosts), started at
    the same time: as quick as starting one on a busy machine."""
    ports = [free_port() for _ in range(count)]
    processes: list[subprocess.Popen[bytes] | None] = [None] * count
    errors: list[BaseException] = []
    with tempfile.TemporaryDirectory(prefix="pika-test-serve-") as folder:
        logs = [Path(folder) / f"server-{i}.log" for i in range(count)]

        def start(i: int) -> None:
            try:
                processes[i] = start_server(
                    settings_env(settings), ports[i], workers=1, log_path=logs[i], timeout_s=90
                )
            except BaseException as exc:  # raised below, after every start has ended
                errors.append(exc)

        threads = [threading.Thread(target=start, args=(i,)) for i in range(count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        try:
            if errors:
                raise errors[0]
            yield [
                Served(f"http://127.0.0.1:{port}", log)
                for port, log in zip(ports, logs, strict=True)
            ]
        finally:
            for process in processes:
                if process is not None:
                    stop_server(process)


def dashboard_path(business_id: int) -> str:
    """A business's dashboard over the days around now (the shops' calendar is UTC-3)."""
    today = datetime.now(UTC).date()
    first, last = today - timedelta(days=2), today + timedelta(days=2)
    return (
        f"/v1/analytics/businesses/{business_id}/dashboard"
        f"?first_day={first.isoformat()}&last_day={last.isoformat()}&bucket=day"
    )


def redeemed(answer: dict[str, Any]) -> int:
    """Redemptions a dashboard answer counts, over its kiosks."""
    return sum(kiosk["redeemed"] for kiosk in answer["kiosks"])
