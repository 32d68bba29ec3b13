"""Frame sources: a camera, a video file or an image folder behind one interface.

A live camera must never build up a backlog: if decoding is slower than the camera, the
cashier would see results for a voucher they put away seconds ago. So a camera is read by its
own thread that keeps only the newest frame (latest frame wins). A video file or an image
folder stands in for the camera in tests, the demo and the benchmarks; it can behave like a
camera (``Pacing.LIVE``), deliver every frame as fast as it is asked (``Pacing.ALL``, for
tests and decode benchmarks) or every frame no faster than its frame rate (``Pacing.PACED``).

Frames are BGR ``numpy`` arrays as OpenCV delivers them, never mirrored: mirroring is for the
preview only (:func:`mirror_for_display`), a mirrored QR does not decode.
"""

from __future__ import annotations

import contextlib
import enum
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

from app.core.scanning.errors import SourceError

#: Image files an image folder source reads, in sorted name order.
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff"})

#: A camera that fails this many reads in a row is reported lost (unplugged, taken by another
#: program) instead of being retried for ever.
CAMERA_FAILURES_BEFORE_LOST = 30


class Pacing(enum.Enum):
    """How a file or folder source hands out its frames."""

    ALL = "all"  # every frame, as fast as the reader asks (tests, decode benchmarks)
    PACED = "paced"  # every frame, but no faster than the source's frame rate
    LIVE = "live"  # like a camera: a thread plays at the frame rate, the newest frame wins


@dataclass(frozen=True, slots=True)
class Frame:
    """One image from a source. ``timestamp`` is ``time.monotonic()`` when it was captured
    (the pipeline's clock); ``index`` counts frames the source produced, so a gap shows how
    many frames the latest-frame-wins rule dropped."""

    image: np.ndarray
    timestamp: float
    index: int


@dataclass(frozen=True, slots=True)
class CameraInfo:
    """A camera found by :func:`probe_cameras`: its index and the size it delivers."""

    index: int
    width: int
    height: int

    @property
    def label(self) -> str:
        return f"Camera {self.index} ({self.width}x{self.height})"


class _Grabber(Protocol):
    """Sequential, blocking frame reading; ``None`` means the stream ended."""

    fps: float
    is_camera: bool

    def grab(self) -> np.ndarray | None: ...

    def close(self) -> None: ...


class _CaptureGrabber:
    """``cv2.VideoCapture`` over a camera index or a video file."""

    def __init__(self, capture: cv2.VideoCapture, *, what: str, is_camera: bool) -> None:
        self._capture = capture
        self._what = what
        self.is_camera = is_camera
        self._failures = 0
        fps = capture.get(cv2.CAP_PROP_FPS)
        self.fps = float(fps) if fps and 0 < fps < 1000 else 30.0

    def grab(self) -> np.ndarray | None:
        while True:
            ok, image = self._capture.read()
            if ok and image is not None:
                self._failures = 0
                return image
            if not self.is_camera:
                return None  # end of the file
            self._failures += 1
            if self._failures >= CAMERA_FAILURES_BEFORE_LOST:
                raise SourceError(f"{self._what} stopped delivering frames")
            time.sleep(0.01)

    def close(self) -> None:
        self._capture.release()


class _FolderGrabber:
    """The image files of a folder in sorted name order, one per frame."""

    is_camera = False

    def __init__(self, paths: list[Path], fps: float) -> None:
        self._paths = iter(paths)
        self.fps = fps

    def grab(self) -> np.ndarray | None:
        for path in self._paths:
            image = cv2.imread(str(path), cv2.IMREAD_COLOR)
            if image is not None:
                return image
            # An unreadable file in a demo folder is skipped, not fatal: the next one plays.
        return None

    def close(self) -> None:
        self._paths = iter(())


class FrameSource:
    """Frames from one grabber with the chosen pacing; use :func:`open_camera`,
    :func:`open_video`, :func:`open_folder` or :func:`open_source` to make one.

    ``read(timeout)`` returns the next frame, or ``None`` at the end of a file or folder, after
    :meth:`close`, or when ``timeout`` seconds pass without a new frame (live sources only).
    A camera that stops delivering raises :class:`SourceError` from ``read``.
    """

    def __init__(self, grabber: _Grabber, *, name: str, pacing: Pacing) -> None:
        self.name = name
        self.pacing = pacing
        self._grabber = grabber
        self._index = 0
        self._closed = threading.Event()
        self._start = time.monotonic()
        # latest-frame-wins slot, filled by the reader thread (LIVE only)
        self._cond = threading.Condition()
        self._latest: Frame | None = None
        self._delivered = -1
        self._ended = False
        self._error: SourceError | None = None
        # OpenCV's capture is not safe to release while another thread reads it: every grab
        # and the release happen under this lock.
        self._grab_lock = threading.Lock()
        self._released = False
        self._thread: threading.Thread | None = None
        if pacing is Pacing.LIVE:
            self._thread = threading.Thread(target=self._reader, name=f"frames:{name}", daemon=True)
            self._thread.start()

    @property
    def fps(self) -> float:
        return self._grabber.fps

    @property
    def started_at(self) -> float:
        """``time.monotonic()`` when the source opened: a paced or live file shows frame
        ``i`` at ``started_at + i / fps``."""
        return self._start

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    @property
    def ended(self) -> bool:
        """True once a file or folder has no more frames (a live reader has stopped)."""
        with self._cond:
            return self._ended and (self._latest is None or self._latest.index <= self._delivered)

    def read(self, timeout: float | None = None) -> Frame | None:
        if self._closed.is_set():
            return None
        if self.pacing is Pacing.LIVE:
            return self._read_latest(timeout)
        if self.pacing is Pacing.PACED:
            due = self._start + self._index / self.fps
            delay = due - time.monotonic()
            if delay > 0 and self._closed.wait(delay):
                return None
        image = self._grab()
        if image is None:
            self._ended = True
            return None
        frame = Frame(image, time.monotonic(), self._index)
        self._index += 1
        return frame

    def peek_latest(self) -> Frame | None:
        """The newest frame without waiting or consuming it (live sources; ``None`` otherwise).

        The preview polls this at display rate, so it stays smooth while the scan worker is
        still decoding an older frame.
        """
        with self._cond:
            return self._latest

    def frames(self, timeout: float | None = None) -> Iterator[Frame]:
        """Every frame until the end of the stream or :meth:`close`."""
        while (frame := self.read(timeout)) is not None:
            yield frame

    def close(self) -> None:
        """Stop reading and release the device; safe to call twice and from any thread."""
        if self._closed.is_set():
            return
        self._closed.set()
        with self._cond:
            self._cond.notify_all()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=2.0)
        # A driver stuck in a read keeps the lock: then the reader releases on its way out.
        if self._grab_lock.acquire(timeout=2.0):
            try:
                self._release()
            finally:
                self._grab_lock.release()

    def _grab(self) -> np.ndarray | None:
        with self._grab_lock:
            if self._closed.is_set():
                self._release()
                return None
            return self._grabber.grab()

    def _release(self) -> None:
        """Release the device once; called with the grab lock held."""
        if not self._released:
            self._released = True
            self._grabber.close()

    def __enter__(self) -> FrameSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- live reading --

    def _reader(self) -> None:
        """Reads as fast as a camera delivers (a file or folder: at its frame rate), keeping
        only the newest frame."""
        try:
            while not self._closed.is_set():
                if not self._grabber.is_camera:
                    due = self._start + self._index / self.fps
                    delay = due - time.monotonic()
                    if delay > 0 and self._closed.wait(delay):
                        break
                image = self._grab()
                if image is None:
                    break
                frame = Frame(image, time.monotonic(), self._index)
                self._index += 1
                with self._cond:
                    self._latest = frame  # the older frame, if unread, is dropped here
                    self._cond.notify_all()
        except SourceError as exc:
            error: SourceError | None = exc
        except Exception as exc:  # an OpenCV failure is reported to the reader, not lost
            error = SourceError(f"{self.name}: {type(exc).__name__}: {exc}")
        else:
            error = None
        finally:
            if self._closed.is_set():
                with self._grab_lock:
                    self._release()
        with self._cond:
            self._error = error
            self._ended = True
            self._cond.notify_all()

    def _read_latest(self, timeout: float | None) -> Frame | None:
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while True:
                latest = self._latest
                if latest is not None and latest.index > self._delivered:
                    self._delivered = latest.index
                    return latest
                if self._error is not None:
                    raise self._error
                if self._ended or self._closed.is_set():
                    return None
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return None
                self._cond.wait(remaining)


def _quiet_opencv() -> None:
    # Probing absent camera indices makes OpenCV log warnings per index; they are expected.
    with contextlib.suppress(Exception):
        cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)


def open_camera(
    index: int,
    *,
    resolution: tuple[int, int] | None = None,
    api_preference: int = cv2.CAP_ANY,
) -> FrameSource:
    """A live camera (always latest-frame-wins). ``resolution`` is a request: the driver may
    pick the nearest size it supports; a frame's ``image.shape`` tells what came."""
    if not isinstance(index, int) or index < 0:
        raise SourceError(f"a camera index is a number from 0, got {index!r}")
    _quiet_opencv()
    capture = cv2.VideoCapture(index, api_preference)
    if not capture.isOpened():
        capture.release()
        raise SourceError(f"camera {index} cannot be opened")
    if resolution is not None:
        width, height = resolution
        capture.set(cv2.CAP_PROP_FRAME_WIDTH, width)
        capture.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
    with contextlib.suppress(Exception):
        capture.set(cv2.CAP_PROP_BUFFERSIZE, 1)  # keep the driver from queueing old frames
    grabber = _CaptureGrabber(capture, what=f"camera {index}", is_camera=True)
    return FrameSource(grabber, name=f"camera:{index}", pacing=Pacing.LIVE)


def open_video(path: str | os.PathLike[str], *, pacing: Pacing = Pacing.ALL) -> FrameSource:
    """A video file as a camera stand-in."""
    file = Path(path)
    if not file.is_file():
        raise SourceError(f"video file {file} does not exist")
    capture = cv2.VideoCapture(str(file))
    if not capture.isOpened():
        capture.release()
        raise SourceError(f"video file {file} cannot be read by this OpenCV build")
    grabber = _CaptureGrabber(capture, what=f"video {file.name}", is_camera=False)
    return FrameSource(grabber, name=f"video:{file.name}", pacing=pacing)


def folder_images(path: str | os.PathLike[str]) -> list[Path]:
    """The image files of a folder (not its subfolders), sorted by name."""
    folder = Path(path)
    if not folder.is_dir():
        raise SourceError(f"image folder {folder} does not exist")
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)


def open_folder(
    path: str | os.PathLike[str], *, pacing: Pacing = Pacing.ALL, fps: float = 10.0
) -> FrameSource:
    """An image folder as a camera stand-in: one file per frame at ``fps`` when paced."""
    if fps <= 0:
        raise SourceError(f"fps must be positive, got {fps}")
    paths = folder_images(path)
    if not paths:
        raise SourceError(f"image folder {path} holds no images")
    return FrameSource(_FolderGrabber(paths, fps), name=f"folder:{Path(path).name}", pacing=pacing)


def open_source(
    spec: str | int,
    *,
    pacing: Pacing = Pacing.LIVE,
    resolution: tuple[int, int] | None = None,
    fps: float = 10.0,
) -> FrameSource:
    """What a setting or command line names: a camera index (``0``), a video file or an
    image folder. Files and folders default to camera-like ``LIVE`` pacing."""
    if isinstance(spec, int) or (isinstance(spec, str) and spec.strip().isdigit()):
        return open_camera(int(spec), resolution=resolution)
    target = Path(spec)
    if target.is_dir():
        return open_folder(target, pacing=pacing, fps=fps)
    return open_video(target, pacing=pacing)


def probe_cameras(
    max_index: int = 8,
    *,
    opener: Callable[[int], cv2.VideoCapture] = cv2.VideoCapture,
) -> list[CameraInfo]:
    """The cameras at indices ``0..max_index-1`` that open and deliver a frame, for a picker.

    Slow (each index is opened): call it from a worker, not on the UI thread.
    """
    _quiet_opencv()
    found = []
    for index in range(max_index):
        capture = opener(index)
        try:
            if not capture.isOpened():
                continue
            ok, image = capture.read()
            if ok and image is not None:
                height, width = image.shape[:2]
                found.append(CameraInfo(index, int(width), int(height)))
        finally:
            capture.release()
    return found


def mirror_for_display(image: np.ndarray) -> np.ndarray:
    """The preview's selfie view: flipped left to right. Never decode this copy."""
    return cv2.flip(image, 1)
