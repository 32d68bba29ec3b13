"""``pika-bench soak``: a day at the counter in a bounded time; crashes, memory, files, threads.

Sets up a real backend (fresh Postgres database, ``pika-backend serve`` with Redis) and a book
of printed copies, then runs the real kiosk window (``pika_bench.soak_child``) in a child
process, under a private Xvfb (``--display xvfb``, the default) or Qt's offscreen platform.
The child enrols, pulls the book and works through ``--scans`` scans (or ``--seconds``):
valid copies, already-used ones, forged and unreadable codes, by camera (a demo-writer video
and decoded payloads), scanner and typed short codes, with undos and manager-panel voids.

Meanwhile this process samples the child's RSS, open file descriptors and threads from /proc
every ``--sample-seconds``, and takes the backend away and back (``--offline-every``) so the
kiosk's sync goes offline and online. A child that dies (signal or non-zero exit) is a crash.
Memory is judged after warm-up (the first ``--warmup`` fraction of samples): the least-squares
slope of RSS over time, in MB per minute.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pika_bench.backend_server import DEFAULT_POSTGRES
from pika_bench.live_backend import DEFAULT_REDIS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scans", type=int, default=20_000, help="scans in the simulated day")
    parser.add_argument("--seconds", type=float, default=600, help="cap on the day's length")
    parser.add_argument(
        "--display",
        choices=("xvfb", "offscreen"),
        default="xvfb",
        help="a private Xvfb server, or Qt's offscreen platform",
    )
    parser.add_argument("--sample-seconds", type=float, default=2.0, help="/proc sampling")
    parser.add_argument(
        "--offline-every",
        type=float,
        default=40.0,
        help="seconds between taking the backend away (0: never)",
    )
    parser.add_argument("--offline-for", type=float, default=15.0, help="seconds offline")
    parser.add_argument(
        "--warmup",
        type=float,
        default=0.25,
        help="fraction of the samples left out of the RSS slope",
    )
    parser.add_argument(
        "--video-vouchers",
        type=int,
        default=6,
        help="copies filmed for the camera video (0: no video)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--tracemalloc",
        action="store_true",
        help="trace Python allocations in the kiosk (slower): what grew after warm-up",
    )
    parser.add_argument(
        "--heap-seconds",
        type=float,
        default=0,
        help="every so many seconds, where the kiosk's memory lives (glibc, SQLite, smaps)",
    )
    parser.add_argument(
        "--no-kiosk-trim",
        dest="kiosk_trim",
        action="store_false",
        help="stop the kiosk's own heap trim (to measure what it bounds)",
    )
    parser.add_argument(
        "--postgres", default=DEFAULT_POSTGRES, help="Postgres to create the throwaway database on"
    )
    parser.add_argument("--redis", default=DEFAULT_REDIS, help="Redis for the rate limiter")


@dataclass
class Sample:
    t: float
    rss_mb: float
    fds: int
    threads: int
    anon_mb: float = 0.0
    file_mb: float = 0.0


def proc_sample(pid: int, t: float) -> Sample | None:
    """RSS (VmRSS), open fds and threads of ``pid`` from /proc, or None once it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        fds = len(os.listdir(f"/proc/{pid}/fd"))
        threads = len(os.listdir(f"/proc/{pid}/task"))
    except (FileNotFoundError, ProcessLookupError):
        return None
    kb = {
        line.split(":")[0]: int(line.split()[1])
        for line in status.splitlines()
        if line.startswith(("VmRSS", "RssAnon", "RssFile"))
    }
    if "VmRSS" not in kb:  # exited, not yet reaped
        return None
    # RssFile is the libraries' and files' pages (Qt, OpenCV...: shared, given back under
    # memory pressure); RssAnon is the process's own memory, where a leak would show.
    return Sample(
        t,
        round(kb["VmRSS"] / 1024, 1),
        fds,
        threads,
        round(kb.get("RssAnon", 0) / 1024, 1),
        round(kb.get("RssFile", 0) / 1024, 1),
    )


def slope_per_minute(points: list[tuple[float, float]]) -> float | None:
    """Least-squares slope of (seconds, value) in value per minute."""
    if len(points) < 3:
        return None
    n = len(points)
    mean_t = sum(t for t, _ in points) / n
    mean_v = sum(v for _, v in points) / n
    var = sum((t - mean_t) ** 2 for t, _ in points)
    if var == 0:
        return None
    cov = sum((t - mean_t) * (v - mean_v) for t, v in points)
    return round(cov / var * 60, 3)


@dataclass
class ChildEvents:
    """The child's JSON lines, read on a thread of their own."""

    lines: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def read(self, stream: Any) -> None:
        for raw in stream:
            try:
                event = json.loads(raw)
            except json.JSONDecodeError:
                continue
            with self.lock:
                self.lines.append(event)

    def all(self, name: str) -> list[dict[str, Any]]:
        with self.lock:
            return [e for e in self.lines if e.get("event") == name]

    def last(self, name: str) -> dict[str, Any] | None:
        with self.lock:
            return next((e for e in reversed(self.lines) if e.get("event") == name), None)


def run(args: argparse.Namespace) -> dict[str, Any]:
    from pika_bench.live_backend import Backend, Database, HeadOffice, services_missing

    problem = services_missing(args.postgres, args.redis)
    if problem is not None:
        raise SystemExit(f"pika-bench soak: {problem}")
    copies = max(50, int(args.scans * 0.45) + args.video_vouchers)
    database = Database(args.postgres)
    backend = Backend(database.url, args.redis)
    display = None
    try:
        backend.start()
        office = HeadOffice(backend.url)
        business = office.business_with_book(copies)
        code = office.enrolment_code(business)
        office.close()
        env = dict(os.environ)
        env.setdefault("PYTHON_KEYRING_BACKEND", "tests.support.memory_keyring.MemoryKeyring")
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(Path(__file__).resolve().parents[1]), env.get("PYTHONPATH")) if p
        )
        if args.display == "xvfb":
            display = start_xvfb()
            env["DISPLAY"] = display[1]
            env["QT_QPA_PLATFORM"] = "xcb"
        else:
            env["QT_QPA_PLATFORM"] = "offscreen"
        return soak(args, backend, database, env, code, copies)
    finally:
        backend.stop()
        database.drop()
        if display is not None:
            display[0].terminate()
            display[0].wait(10)


def start_xvfb() -> tuple[subprocess.Popen[bytes], str]:
    """Xvfb on a free display (it picks one and says which through -displayfd)."""
    read, write = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as answer:
        number = answer.readline().strip()
    if not number:
        raise SystemExit(f"pika-bench soak: Xvfb did not start (exit {server.poll()})")
    return server, f":{number}"


def soak(
    args: argparse.Namespace,
    backend: Any,
    database: Any,
    env: dict[str, str],
    code: str,
    copies: int,
) -> dict[str, Any]:
    config = {
        "server_url": backend.url,
        "code": code,
        "copies": copies,
        "scans": args.scans,
        "seconds": args.seconds,
        "seed": args.seed,
        "video_vouchers": args.video_vouchers,
        "tracemalloc": args.tracemalloc,
        "heap_seconds": args.heap_seconds,
        "kiosk_trim": args.kiosk_trim,
        "video_every": max(1000, args.scans // 4),
        "manager_every": max(50, min(400, args.scans // 10)),
    }
    with tempfile.TemporaryDirectory(prefix="pika-soak-") as tmp:
        config_path = Path(tmp) / "config.json"
        config_path.write_text(json.dumps(config))
        stderr_path = Path(tmp) / "child.err"
        with stderr_path.open("wb") as stderr:
            child = subprocess.Popen(
                [sys.executable, "-m", "pika_bench.soak_child", str(config_path)],
                env=env,
                stdout=subprocess.PIPE,
                stderr=stderr,
                text=True,
            )
            events = ChildEvents()
            reader = threading.Thread(target=events.read, args=(child.stdout,), daemon=True)
            reader.start()
            result = watch(args, child, events, backend)
            reader.join(10)
        err_tail = stderr_path.read_text(errors="replace")[-4000:]
    finished = events.last("finished") or {}
    drained = events.last("drained") or {}
    samples: list[Sample] = result["samples"]
    ready_at = result["ready_at"]
    finished_at = result["finished_at"] or float("inf")
    # The day: from the first action to the last (set-up and the final drain left out).
    day = [s for s in samples if ready_at is not None and ready_at <= s.t < finished_at]
    warm = day[int(len(day) * args.warmup) :]
    on_server = None
    if drained.get("device_id"):
        on_server = int(
            database.scalar(
                "SELECT count(*) FROM redemptions WHERE device_id = :d", d=drained["device_id"]
            )
        )
    seconds = float(finished.get("seconds", 0.0))
    scans = int(finished.get("scans", 0))
    counts = finished.get("counts", {})
    return {
        "scans": scans,
        "crashes": result["crashes"],
        "rss_start_mb": day[0].rss_mb if day else None,
        "rss_end_mb": day[-1].rss_mb if day else None,
        "seconds": round(seconds, 1),
        "scans_per_second": round(scans / seconds, 1) if seconds else None,
        "display": args.display,
        "exit_code": result["exit_code"],
        "hung": result["hung"],
        "crash_signal": (
            signal.Signals(-result["exit_code"]).name if result["exit_code"] < 0 else None
        ),
        "rss_after_warmup_mb": warm[0].rss_mb if warm else None,
        "rss_max_mb": max((s.rss_mb for s in day), default=None),
        "rss_slope_mb_per_min_after_warmup": slope_per_minute([(s.t, s.rss_mb) for s in warm]),
        "rss_slope_mb_per_min_last_half": slope_per_minute(
            [(s.t, s.rss_mb) for s in day[len(day) // 2 :]]
        ),
        "fds_start_end": [day[0].fds, day[-1].fds] if day else None,
        "fds_max": max((s.fds for s in day), default=None),
        "threads_start_end": [day[0].threads, day[-1].threads] if day else None,
        "threads_max": max((s.threads for s in day), default=None),
        "anon_mb_start_warm_end": (
            [day[0].anon_mb, warm[0].anon_mb, day[-1].anon_mb] if warm else None
        ),
        "file_mb_start_warm_end": (
            [day[0].file_mb, warm[0].file_mb, day[-1].file_mb] if warm else None
        ),
        "anon_slope_mb_per_min_after_warmup": slope_per_minute([(s.t, s.anon_mb) for s in warm]),
        "rss_samples_columns": [
            "seconds_into_day",
            "rss_mb",
            "open_fds",
            "threads",
            "anon_mb",
            "file_mb",
        ],
        "rss_samples": [
            [round(s.t - (ready_at or 0), 1), s.rss_mb, s.fds, s.threads, s.anon_mb, s.file_mb]
            for s in day[:: max(1, len(day) // 40)]
        ],
        "book_copies": (events.last("book") or {}).get("copies"),
        "counts": counts,
        "undos": counts.get("undone", 0),
        "voids": counts.get("voided", 0),
        "manager_panel_opened": counts.get("manager_opened", 0),
        "backend_offline_periods": result["offline_periods"],
        "backend_restart_error": result["outage_error"],
        "left_in_outbox": drained.get("pending"),
        "redemptions_on_server": on_server,
        "heap_trims": finished.get("heap_trims"),
        "heap_trim_longest_ms": finished.get("heap_trim_longest_ms"),
        "tracemalloc": events.last("tracemalloc"),
        "heap_samples": events.all("heap"),
        "child_stderr_tail": err_tail or None,
    }


class Outages(threading.Thread):
    """Takes the backend away (SIGKILL) and starts it again, on a thread of its own so the
    sampling keeps its pace while uvicorn starts; from the day's start until its end, and
    always leaves it running (the kiosk then drains its outbox)."""

    def __init__(self, backend: Any, every_s: float, for_s: float) -> None:
        super().__init__(daemon=True)
        self.backend = backend
        self.every_s = every_s
        self.for_s = for_s
        self.ready = threading.Event()
        self.finished = threading.Event()
        self.periods = 0
        self.error: str | None = None

    def run(self) -> None:
        self.ready.wait()
        try:
            while self.every_s and not self.finished.wait(self.every_s):
                self.backend.kill()
                self.periods += 1
                self.finished.wait(self.for_s)
                self.backend.start()
        except Exception as exc:  # said in the report: the kiosk then cannot drain
            self.error = f"{type(exc).__name__}: {exc}"


def watch(
    args: argparse.Namespace, child: subprocess.Popen[str], events: ChildEvents, backend: Any
) -> dict[str, Any]:
    """Sample the child until it exits; take the backend away and back while the day runs."""
    started = time.monotonic()
    samples: list[Sample] = []
    ready_at: float | None = None
    finished_at: float | None = None
    outages = Outages(backend, args.offline_every, args.offline_for)
    outages.start()
    limit = started + args.seconds + 300  # set-up and the final drain on top of the day
    next_note = started
    hung = False
    while child.poll() is None:
        now = time.monotonic()
        if now > limit:  # a hang: counted as a crash, and said
            hung = True
            child.kill()
            break
        if ready_at is None and events.last("ready") is not None:
            ready_at = now - started
            outages.ready.set()
        if finished_at is None and events.last("finished") is not None:
            finished_at = now - started
            outages.finished.set()
        sample = proc_sample(child.pid, now - started)
        if sample is not None:
            samples.append(sample)
            if now >= next_note:  # a long run says how it goes, on stderr (stdout is the JSON)
                next_note = now + 30
                progress = events.last("progress") or {}
                print(
                    f"soak: {progress.get('scans', 0)} scans, RSS {sample.rss_mb} MB, "
                    f"{sample.fds} fds, {sample.threads} threads, sync {progress.get('sync')}",
                    file=sys.stderr,
                )
        time.sleep(args.sample_seconds)
    code = child.wait()
    outages.ready.set()
    outages.finished.set()
    outages.join(60)
    crashed = code != 0 or events.last("exit") is None
    return {
        "samples": samples,
        "ready_at": ready_at,
        "finished_at": finished_at,
        "exit_code": code,
        "crashes": int(crashed),
        "offline_periods": outages.periods,
        "outage_error": outages.error,
        "hung": hung,
    }
