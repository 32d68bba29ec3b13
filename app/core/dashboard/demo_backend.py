"""The manager demo's head office: a SQLite backend filled once with a realistic year, run as a
child process for as long as the app is open (``pika-manager --demo``).

The backend is a separate program (``pika-backend``, started as ``python -m sync_backend.cli``
with this interpreter), never imported: the manager app talks to it over HTTP exactly as to a
real head office. Filling the year (``pika-backend analytics demo-year``: a few dozen
businesses, about a million events) takes a minute or two on SQLite, so the filled file is
kept in the user's cache folder and reused while its year is recent; a fill that did not
finish leaves nothing to reuse. Each start makes a new admin token, known only to this process
and the child, so the demo's head office answers no one else.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import IO, Any

import httpx

DB_FILE = "demo-year.db"
YEAR_FILE = "demo-year.json"
LOG_FILE = "backend.log"
#: A year whose last day is older than this is made again (the presets ask about "this month").
STALE_AFTER = timedelta(days=7)
EVENTS = 1_000_000
BUSINESSES = 36
#: Bumped when ``demo-year`` makes a different year: a kept one of another version is made anew
#: (tests/backend/analytics/test_demo_year_version.py notices a change that needs a bump).
YEAR_VERSION = 2


class DemoBackendError(RuntimeError):
    """The demo backend could not be filled or started; the message says what its log says."""


@dataclass(frozen=True)
class DemoYear:
    """What ``demo-year`` made, as it printed it."""

    businesses: int
    events: int
    first_day: date
    last_day: date
    ab_winner_business: int
    ab_even_business: int

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DemoYear:
        return cls(
            businesses=int(data["businesses"]),
            events=int(data["events"]),
            first_day=date.fromisoformat(data["first_day"]),
            last_day=date.fromisoformat(data["last_day"]),
            ab_winner_business=int(data["ab_winner_business"]),
            ab_even_business=int(data["ab_even_business"]),
        )


def default_demo_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "pika-manager" / "demo"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class DemoBackend:
    """Fill (once), start, stop. ``events``/``businesses`` size the year (tests use a small one)."""

    def __init__(
        self,
        folder: Path,
        *,
        events: int = EVENTS,
        businesses: int = BUSINESSES,
        python: str = sys.executable,
    ) -> None:
        self.folder = Path(folder)
        self.events = events
        self.businesses = businesses
        self.python = python
        self.admin_token = secrets.token_urlsafe(32)
        self.url = ""
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def database(self) -> Path:
        return self.folder / DB_FILE

    # -- the year ------------------------------------------------------------------------------

    def kept_year(self, today: date) -> DemoYear | None:
        """The year filled earlier, when it is the size asked for and recent enough."""
        try:
            data = json.loads((self.folder / YEAR_FILE).read_text(encoding="utf-8"))
            year = DemoYear.from_json(data["year"])
            asked = (
                int(data["asked_events"]),
                int(data["asked_businesses"]),
                int(data.get("version", 0)),
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if asked != (self.events, self.businesses, YEAR_VERSION) or not self.database.exists():
            return None
        return year if today - year.last_day <= STALE_AFTER else None

    def fill(self, today: date, progress: IO[str] | None = None) -> DemoYear:
        """The kept year, or a new one (the database made aside, then moved into place)."""
        kept = self.kept_year(today)
        if kept is not None:
            return kept
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / YEAR_FILE).unlink(missing_ok=True)
        filling = self.folder / f"{DB_FILE}.filling"
        for stale in (filling, self.database):
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{stale}{suffix}").unlink(missing_ok=True)
        if progress is not None:
            print(
                f"Filling the demo head office with a year ({self.businesses} businesses, "
                f"about {self.events:,} events) in {self.folder}; this takes a minute or two "
                "once, later starts reuse it.",
                file=progress,
                flush=True,
            )
        demo = ["--demo", "--demo-db", str(filling)]
        self._backend("migrate", *demo)
        made = self._backend(
            "analytics",
            "demo-year",
            "--businesses",
            str(self.businesses),
            "--events",
            str(self.events),
            *demo,
        )
        filling.replace(self.database)
        year = DemoYear.from_json(made)
        record = {
            "year": made,
            "asked_events": self.events,
            "asked_businesses": self.businesses,
            "version": YEAR_VERSION,
        }
        (self.folder / YEAR_FILE).write_text(json.dumps(record, indent=1), encoding="utf-8")
        return year

    def _backend(self, *args: str) -> dict[str, Any]:
        done = subprocess.run(
            [self.python, "-m", "sync_backend.cli", *args],
            cwd=self.folder,
            env=self._env(),
            capture_output=True,
            check=False,
        )
        if done.returncode != 0:
            tail = done.stderr.decode(errors="replace")[-2000:]
            raise DemoBackendError(f"pika-backend {args[0]} failed:\n{tail}")
        result: dict[str, Any] = json.loads(done.stdout)
        return result

    def _env(self) -> dict[str, str]:
        """This start's admin token; no other admin secret or metrics port from the shell."""
        env = dict(os.environ)
        for name in ("PIKA_ADMIN_TOKEN_SHA256", "PIKA_METRICS_PORT", "PIKA_DATABASE_URL"):
            env.pop(name, None)
        env["PIKA_ADMIN_TOKEN"] = self.admin_token
        return env

    # -- the server ----------------------------------------------------------------------------

    def start(self, timeout_s: float = 60.0) -> str:
        """Serve the filled database on a free local port; returns its address once it answers."""
        port = _free_port()
        self.url = f"http://127.0.0.1:{port}"
        self._log = (self.folder / LOG_FILE).open("wb")
        self.process = subprocess.Popen(
            [
                self.python,
                "-m",
                "sync_backend.cli",
                "serve",
                "--demo",
                "--demo-db",
                str(self.database),
                "--port",
                str(port),
            ],
            cwd=self.folder,
            env=self._env(),
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/health/live", timeout=2).status_code == 200:
                    return self.url
            time.sleep(0.2)
        self.stop()
        log = (self.folder / LOG_FILE).read_text(encoding="utf-8", errors="replace")[-2000:]
        raise DemoBackendError(f"the demo head office did not start:\n{log}")

    def stop(self) -> None:
        """End the child (SIGTERM, then SIGKILL after 10 s); safe to call twice."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None
