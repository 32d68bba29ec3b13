"""CPU seconds each side of a benchmark spends in a timed window: steady where wall time is not.

On a shared 2-core machine a run's rows/s move with whatever else runs; the CPU time the
server, Postgres and the client spend on the same rows hardly does. ``pika-bench ingest``
prints both, so a change in the push's cost shows even in a noisy run.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import psutil

#: Names a group of processes, found again at the window's end (some start inside it).
ProcessFinder = Callable[[], list[psutil.Process]]


def _cpu_seconds(process: psutil.Process) -> float | None:
    try:
        times = process.cpu_times()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return None
    return times.user + times.system


def server_processes(port: int) -> ProcessFinder:
    """The process serving 127.0.0.1:``port`` (``pika-backend serve``) and its workers."""

    def find() -> list[psutil.Process]:
        for process in psutil.process_iter(["cmdline"]):
            cmdline = process.info["cmdline"] or []
            if "serve" in cmdline and str(port) in cmdline:
                try:
                    return [process, *process.children(recursive=True)]
                except psutil.NoSuchProcess:
                    return []
        return []

    return find


def postgres_backends(database: str) -> ProcessFinder:
    """Postgres backends connected to ``database`` (their title names it)."""

    def find() -> list[psutil.Process]:
        found = []
        for process in psutil.process_iter(["cmdline"]):
            title = " ".join(process.info["cmdline"] or [])
            if title.startswith("postgres:") and f" {database} " in title:
                found.append(process)
        return found

    return find


def this_process() -> list[psutil.Process]:
    return [psutil.Process()]


class CpuWindow:
    """``start()`` … ``stop()``: CPU seconds per group. A process gone before ``stop`` is
    lost, so callers stop the window before closing their connections."""

    def __init__(self, groups: Mapping[str, ProcessFinder]) -> None:
        self._groups = dict(groups)
        self._at_start: dict[str, dict[int, float]] = {}
        self.seconds: dict[str, float] = {}

    def start(self) -> None:
        self._at_start = {
            name: {p.pid: t for p in find() if (t := _cpu_seconds(p)) is not None}
            for name, find in self._groups.items()
        }

    def stop(self) -> dict[str, float]:
        for name, find in self._groups.items():
            before = self._at_start.get(name, {})
            total = 0.0
            for process in find():
                now = _cpu_seconds(process)
                if now is not None:
                    total += now - before.get(process.pid, 0.0)
            self.seconds[name] = total
        return self.seconds

    def micros_per_row(self, rows: int) -> dict[str, float]:
        """The window's CPU per row, µs, per group and in total."""
        per_row = {name: round(s / rows * 1e6, 1) for name, s in self.seconds.items()}
        per_row["total"] = round(sum(self.seconds.values()) / rows * 1e6, 1)
        return per_row
