"""Runs the core scan loop on its own thread and hands each scan to the GUI thread.

Decoding never happens on the GUI thread; the loop itself lives in
:class:`app.core.scanning.ScanPipeline`. This wrapper only owns the thread and turns scans and
failures into Qt signals (queued onto the GUI thread because they are emitted from another).
"""

from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QObject, Signal

from app.core.scanning import Scan, ScanPipeline, SourceError

log = logging.getLogger(__name__)


class CameraWorker(QObject):
    """One camera (or a video file / image folder standing in for one)."""

    scanned = Signal(object)  # app.core.scanning.Scan
    failed = Signal(str)
    finished = Signal()

    def __init__(self, pipeline: ScanPipeline, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pipeline = pipeline
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("camera worker already started")
        self._thread = threading.Thread(
            target=self._run, name=f"camera:{self.pipeline.source_label}", daemon=True
        )
        self._thread.start()

    def stop(self, wait_s: float = 2.0) -> None:
        """Ask the loop to end and wait for it (it checks its flag between frames)."""
        self.pipeline.stop()
        self.pipeline.source.close()
        if self._thread is not None:
            self._thread.join(wait_s)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        try:
            self.pipeline.run(self._emit)
        except SourceError as exc:
            log.warning("camera stopped: %s", exc)
            self.failed.emit(str(exc))
        except Exception as exc:  # the loop must never take the app down with it
            log.exception("camera loop crashed")
            self.failed.emit(repr(exc))
        finally:
            self.finished.emit()

    def _emit(self, scan: Scan) -> None:
        self.scanned.emit(scan)
