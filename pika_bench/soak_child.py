"""The kiosk side of ``pika-bench soak``: the real counter window driven through a day.

    python -m pika_bench.soak_child CONFIG_JSON

Enrols a kiosk for real against the backend the parent started (set-up: enrolment, manager
PIN, the book pulled, the camera video filmed), then starts it with the kiosk's own
``app.ui.app.run_kiosk`` (kiosk mode, sync on, the video as its camera) and drives the window
that opened through its own entry points, one action at a time, each waiting for its result
on screen (``outcome_shown``) before the next:

* camera: the demo's video writer films copies of the book; the kiosk plays it through the
  real capture/decoder/debounce path at start, and again during the day (``replay_video``);
* camera payloads: ``submit_scan(payload, CAMERA)``, what the camera loop hands on once decoded;
* scanner: the wedge filter's ``scanned`` signal, i.e. the window's real scanner handler;
* typed short codes: the entry line's text and ``submit_entry``;
* undo through the undo bar, voids through the manager panel (PIN pad, panel, void, back);
* at the end, once the outbox has drained, the manager's Exit kiosk (``exit_kiosk``).

Progress goes to stdout as JSON lines, one per event; logs go to stderr.
"""

from __future__ import annotations

import json
import logging
import random
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication

log = logging.getLogger("pika_bench.soak_child")

SOAK_PIN = "2580"
#: How long one action may take to show its result before it counts as lost.
ACTION_TIMEOUT_MS = 5_000


def emit(event: str, **fields: Any) -> None:
    print(json.dumps({"event": event, **fields}), flush=True)


@dataclass
class Day:
    """What the cashier has in hand: the book's copies not yet redeemed, and those redeemed."""

    fresh: list[str]
    used: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    path: str = ""

    def count(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n
        if key.startswith("path_"):
            self.path = key[5:]


def forged(token: str, rng: random.Random) -> str:
    """The same text with one signature character changed: reads, fails the signature."""
    i = len(token) - 1 - rng.randrange(min(20, len(token) - 1))
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    choices = [c for c in alphabet if c != token[i]]
    return token[:i] + rng.choice(choices) + token[i + 1 :]


class Driver(QObject):
    """Runs the day on the GUI thread's event loop: one action, wait for its result, next."""

    def __init__(self, window: Any, day: Day, config: dict[str, Any]) -> None:
        super().__init__(window)
        self.window = window
        self.day = day
        self.config = config
        self.rng = random.Random(config.get("seed", 1))
        self.scans_target = int(config["scans"])
        self.deadline = time.monotonic() + float(config["seconds"])
        self.scans = 0
        self.last_report = 0.0
        self.waiting: str | None = None
        self.wedge_seen: dict[str, float] = {}
        self.last_outcome: Any = None
        self.started = time.monotonic()
        self.video_every = max(1, int(config.get("video_every", 5000)))
        self.manager_every = max(1, int(config.get("manager_every", 400)))
        self.next_video = self.video_every
        self.drain_until = 0.0
        self.snapshot: Any = None
        self.next_manager = self.manager_every
        self.watchdog = QTimer(self)
        self.watchdog.setSingleShot(True)
        self.watchdog.setInterval(ACTION_TIMEOUT_MS)
        self.watchdog.timeout.connect(self._timed_out)
        self.poll = QTimer(self)
        self.poll.setInterval(100)
        self.poll.timeout.connect(self._poll_camera)
        window.outcome_shown.connect(self._outcome)
        window.camera_result_shown.connect(self._camera_result)
        window.undo_bar.undone.connect(self._undone)
        window.manager.panel_opened.connect(self._panel_opened)
        window.manager.redemption_voided.connect(self._voided)
        if window.sync is not None:
            window.sync.status_changed.connect(self._sync_status)
        self.connection = ""

    # -- the loop -------------------------------------------------------------------------
    def start(self) -> None:
        """Begin once the kiosk's first play of the video (its camera at start) has ended."""
        camera = self.window.camera_column
        if camera.worker is not None or camera.video is not None:
            self.day.count("video_plays")
            self._wait("video")
            self.watchdog.setInterval(120_000)
            self.poll.start()
        else:
            QTimer.singleShot(0, self.step)

    def _wait(self, what: str) -> None:
        self.waiting = what
        self.watchdog.start()

    def _done(self) -> None:
        self.waiting = None
        self.watchdog.stop()
        QTimer.singleShot(0, self.step)

    def _timed_out(self) -> None:
        self.day.count(f"timeout_{self.waiting}_{self.day.path}")
        log.warning(
            "no result within %s ms waiting for %s (%s); status line: %r",
            self.watchdog.interval(),
            self.waiting,
            self.day.path,
            self.window.statusBar().currentMessage(),
        )
        if self.waiting == "panel" or self.waiting == "void":
            self._close_panel()
        self.poll.stop()
        self._done()

    def step(self) -> None:
        now = time.monotonic()
        if now - self.last_report >= 1.0:
            self.last_report = now
            emit(
                "progress",
                scans=self.scans,
                seconds=round(now - self.started, 1),
                counts=self.day.counts,
                sync=self._sync_words(),
            )
        if self.snapshot is None and self.scans >= self.scans_target // 4:
            self._trace()
        if self.scans >= self.scans_target or now >= self.deadline:
            self.finish()
            return
        if self.window.camera_column.video is not None and self.scans >= self.next_video:
            self.next_video += self.video_every
            self._play_video()
            return
        if self.scans >= self.next_manager:
            self.next_manager += self.manager_every
            self._open_manager()
            return
        self._scan_one()

    def _trace(self) -> None:
        """With ``--tracemalloc``: a snapshot after warm-up, and at the end where Python's own
        allocations grew (C libraries' memory, Qt's and SQLCipher's, is not traced)."""
        import tracemalloc

        if not tracemalloc.is_tracing():
            return
        snapshot = tracemalloc.take_snapshot().filter_traces(
            [tracemalloc.Filter(False, tracemalloc.__file__)]
        )
        if self.snapshot is None:
            self.snapshot = snapshot
            return
        grown = snapshot.compare_to(self.snapshot, "lineno")[:12]
        emit(
            "tracemalloc",
            grown_kb=round(
                sum(d.size_diff for d in snapshot.compare_to(self.snapshot, "filename")) / 1024, 1
            ),
            top=[str(d) for d in grown],
        )

    def finish(self) -> None:
        """The day is over: once the outbox has drained (backend back), exit as the manager
        would (the kiosk's own exit path; ``run_kiosk`` then stops sync and store)."""
        from app.ui.heap_trimmer import HeapTrimmer

        trimmers = self.window.findChildren(HeapTrimmer)
        emit(
            "finished",
            scans=self.scans,
            seconds=round(time.monotonic() - self.started, 2),
            counts=self.day.counts,
            sync=self._sync_words(),
            heap_trims=sum(t.trims for t in trimmers),
            heap_trim_longest_ms=round(max((t.longest_trim_ms for t in trimmers), default=0), 1),
        )
        self._trace()
        self.window.stop_camera()
        self.drain_until = time.monotonic() + float(self.config.get("drain_seconds", 90))
        self._check_drained()

    def _check_drained(self) -> None:
        store = self.window.counter.store
        self.window.ops.store_op(store.outbox.pending_count, self._drained, self._drain_failed)

    def _drained(self, pending: int) -> None:
        if pending and time.monotonic() < self.drain_until:
            if self.window.sync is not None:
                self.window.sync.sync_now()
            QTimer.singleShot(1000, self._check_drained)
            return
        emit("drained", pending=pending, device_id=self.window.counter.device.device_id)
        self.window.exit_kiosk()

    def _drain_failed(self, error: BaseException) -> None:
        log.error("reading the outbox failed: %s", error)
        emit("drained", pending=-1, device_id=self.window.counter.device.device_id)
        self.window.exit_kiosk()

    def _sync_words(self) -> str:
        status = self.window.sync_status
        return "none" if status is None else str(status.connection.value)

    def _sync_status(self, status: Any) -> None:
        """Count the badge's changes: the kiosk seeing head office go away and come back."""
        connection = str(status.connection.value)
        if connection != self.connection:
            self.connection = connection
            self.day.count(f"sync_became_{connection}")

    # -- scans ----------------------------------------------------------------------------
    def _scan_one(self) -> None:
        from app.core.store import ScanSource
        from pika_protocol.tokens import short_code_for

        day, rng, window = self.day, self.rng, self.window
        roll = rng.random()
        self.scans += 1
        self._wait("scan")
        if roll < 0.40 and day.fresh:
            token = day.fresh.pop()
            day.used.append(token)
            if rng.random() < 0.15:
                day.count("path_typed_valid")
                window.entry.setText(short_code_for(token))
                window.submit_entry()
            else:
                day.count("path_camera_valid")
                window.submit_scan(token, ScanSource.CAMERA)
        elif roll < 0.65 and day.used:
            # A code the scanner read in the last few seconds would rightly be debounced
            # (said on the status line, no result): pick one it has not read lately.
            token = day.used[rng.randrange(len(day.used))]
            if self.wedge_seen.get(token, -60.0) > time.monotonic() - 4.0:
                day.count("path_camera_forged")
                window.submit_scan(forged(token, rng), ScanSource.CAMERA)
                return
            now = time.monotonic()
            if len(self.wedge_seen) > 256:  # the soak's own bookkeeping must not grow either
                self.wedge_seen = {t: at for t, at in self.wedge_seen.items() if at > now - 4.0}
            self.wedge_seen[token] = now
            day.count("path_wedge_used")
            window.wedge.scanned.emit(token, "")
        elif roll < 0.80 and (day.used or day.fresh):
            day.count("path_camera_forged")
            window.submit_scan(forged(rng.choice(day.used or day.fresh), rng), ScanSource.CAMERA)
        elif roll < 0.90:
            day.count("path_wedge_unreadable")
            junk = "".join(rng.choice("0123456789ABCDEFXYZ-/:.") for _ in range(rng.randint(4, 60)))
            window.wedge.scanned.emit(f"{junk}#{self.scans}", "")
        else:
            day.count("path_typed_unreadable")
            window.entry.setText(f"{rng.randrange(10**7):07d}-{self.scans % 97}")
            window.submit_entry()

    def _outcome(self, outcome: Any) -> None:
        self.last_outcome = outcome
        reason = getattr(outcome.reason, "value", str(outcome.reason))
        self.day.count(f"result_{reason}")
        if self.waiting != "scan":
            return  # a camera result while the video plays; counted above
        if outcome.accepted and self.rng.random() < 0.08:
            self._undo()
            return
        self._done()

    def _undo(self) -> None:
        self.waiting = "undo"
        self.watchdog.start()
        self.window.undo_bar.undo()

    def _undone(self, _correction: object) -> None:
        self.day.count("undone")
        outcome = self.last_outcome
        token = self.day.used.pop() if self.day.used else None
        if token is not None and outcome is not None:
            self.day.fresh.insert(0, token)
        if self.waiting == "undo":
            self._done()

    # -- camera (video) -------------------------------------------------------------------
    def _play_video(self) -> None:
        """The "play it again" button: the same video through the camera path."""
        self.day.count("video_plays")
        self._wait("video")
        self.watchdog.setInterval(120_000)
        self.window.camera_column.replay()
        self.poll.start()

    def _poll_camera(self) -> None:
        if self.waiting == "video" and not self.window.camera_column.ended_bar.isHidden():
            self.poll.stop()
            self.window.stop_camera()
            self.watchdog.setInterval(ACTION_TIMEOUT_MS)
            self._done()

    def _camera_result(self, _scan: object, _outcome: object) -> None:
        self.day.count("path_camera_video")
        self.scans += 1

    # -- manager panel --------------------------------------------------------------------
    def _open_manager(self) -> None:
        self.day.count("manager_opened")
        self._wait("panel")
        pad = self.window.manager.open()
        for digit in SOAK_PIN:
            pad.press(digit)
        pad.submit()

    def _panel_opened(self, panel: Any) -> None:
        if self.waiting != "panel":
            return
        self.waiting = "void"
        QTimer.singleShot(300, self._void_first)

    def _void_first(self) -> None:
        """Void as a manager does: the row's Void… button, a reason, the dialog's Void."""
        from app.ui.manager_view import VOID_COLUMN

        panel = self.window.manager.panel
        if panel is None:
            self._done()
            return
        buttons = [
            panel.table.cellWidget(row, VOID_COLUMN) for row in range(panel.table.rowCount())
        ]
        buttons = [b for b in buttons if b is not None]
        if not buttons or self.rng.random() < 0.3:
            self.day.count("manager_no_void")
            self._close_panel()
            self._done()
            return
        buttons[0].click()
        dialog = panel.void_dialog
        dialog.reason_box.setEditText("soak: cobrado de más")
        dialog.ok_button.click()

    def _voided(self, _redemption_id: str) -> None:
        self.day.count("voided")
        if self.waiting == "void":
            self._close_panel()
            self._done()

    def _close_panel(self) -> None:
        panel = self.window.manager.panel
        if panel is not None:
            panel.accept()
            self.day.count("manager_closed")


def book_tokens(store: Any) -> list[str]:
    """Every cached copy's printed token."""
    import sqlalchemy as sa

    from app.core.store import schema

    with store._db.transaction() as conn:
        serials = list(conn.execute(sa.select(schema.vouchers.c.serial)).scalars())
    tokens = [store.reference.voucher_token(serial) for serial in serials]
    return [t for t in tokens if t]


def enrol(data_dir: Path, server_url: str, code: str, copies: int) -> list[str]:
    """Enrol as the enrolment screen does (keyring for both keys), set a manager PIN and pull
    the book (set-up, untimed); returns the printed tokens the cashier will be shown."""
    from app.core.manager_pin import ManagerPin
    from app.core.session import STORE_FILE
    from app.core.store.database_key import open_kiosk_store
    from app.core.sync import SyncApi, SyncEngine, apply_enrolment
    from app.core.sync.credentials import load_api_key

    store = open_kiosk_store(data_dir / STORE_FILE).store
    api = SyncApi(server_url)
    try:
        device = apply_enrolment(
            store, api.enrol(code, "Caja soak"), server_url=server_url, device_name="Caja soak"
        )
        ManagerPin(store).set_up(SOAK_PIN)
        api.api_key = load_api_key(store.path)
        engine = SyncEngine(store, api, device)
        tokens: list[str] = []
        give_up = time.monotonic() + 120
        while len(tokens) < copies and time.monotonic() < give_up:
            engine.pull()
            tokens = book_tokens(store)
        return tokens
    finally:
        api.close()
        store.close()


class Soak(QObject):
    """Finds the window ``run_kiosk`` opened and hands it to the :class:`Driver`."""

    def __init__(self, app: QApplication, day: Day, config: dict[str, Any]) -> None:
        super().__init__(app)
        self.day = day
        self.config = config
        self.driver: Driver | None = None
        self.probe = QTimer(self)
        self.probe.setInterval(int(float(config.get("heap_seconds") or 0) * 1000))
        self.probe.timeout.connect(self.heap)

    def heap(self) -> None:
        from pika_bench.heap_probe import snapshot

        scans = self.driver.scans if self.driver is not None else 0
        emit("heap", scans=scans, **snapshot())

    def attach(self) -> None:
        from app.ui.heap_trimmer import HeapTrimmer
        from app.ui.kiosk_window import KioskWindow

        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, KioskWindow)]
        if not windows:
            QTimer.singleShot(100, self.attach)
            return
        self.driver = Driver(windows[0], self.day, self.config)
        if self.probe.interval() > 0:
            self.probe.start()
            self.heap()
        if not self.config.get("kiosk_trim", True):  # to measure the kiosk without it
            for trimmer in windows[0].findChildren(HeapTrimmer):
                trimmer.stop()
        emit("ready")
        self.driver.start()


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    config = json.loads(Path(argv[0]).read_text())
    from app.core.scanning.demo import write_demo_video
    from app.ui.app import run_kiosk

    if config.get("tracemalloc"):
        import tracemalloc

        tracemalloc.start(4)
    with tempfile.TemporaryDirectory(prefix="pika-soak-") as tmp:
        data_dir = Path(tmp) / "kiosk"
        data_dir.mkdir()
        tokens = enrol(data_dir, config["server_url"], config["code"], int(config["copies"]))
        emit("book", copies=len(tokens))
        random.Random(config.get("seed", 1)).shuffle(tokens)
        filmed = int(config.get("video_vouchers", 0))
        video = None
        if filmed:
            video = Path(tmp) / "camera.avi"
            write_demo_video(video, tokens[:filmed], size=(640, 360), hold_frames=6, gap_frames=3)
            tokens = tokens[filmed:]
        app = QApplication(sys.argv[:1])
        soak = Soak(app, Day(fresh=tokens), config)
        QTimer.singleShot(0, soak.attach)
        # The kiosk's own start: store, window in kiosk mode, sync, the video as its camera.
        code = run_kiosk(data_dir=data_dir, demo=False, video=video, language="es", kiosk_mode=True)
    emit("exit", code=code)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
