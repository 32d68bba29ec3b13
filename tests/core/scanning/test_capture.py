from __future__ import annotations

import threading
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from app.core.scanning.capture import (
    FrameSource,
    Pacing,
    _CaptureGrabber,
    folder_images,
    mirror_for_display,
    open_camera,
    open_folder,
    open_source,
    open_video,
    probe_cameras,
)
from app.core.scanning.decoders import DecoderChain
from app.core.scanning.demo import write_demo_folder, write_demo_video
from app.core.scanning.errors import ScanError, SourceError

PAYLOADS = ["PIKA-VOUCHER-ONE", "PIKA-VOUCHER-TWO", "Ñandú ₲ 150.000"]


@pytest.fixture(scope="module")
def demo_video(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[object]]:
    path = tmp_path_factory.mktemp("video") / "demo.avi"
    timeline = write_demo_video(
        path, PAYLOADS, size=(640, 360), fps=30, hold_frames=4, gap_frames=3, seed=3
    )
    return path, list(timeline)


def test_video_file_source_delivers_every_frame_and_the_codes_it_shows(
    demo_video: tuple[Path, list[object]],
) -> None:
    path, timeline = demo_video
    chain = DecoderChain()
    seen: dict[int, list[str]] = {}
    with open_video(path, pacing=Pacing.ALL) as source:
        for frame in source.frames():
            assert frame.image.shape == (360, 640, 3)
            seen[frame.index] = [c.text for c in chain.decode(frame.image)]
    assert sorted(seen) == list(range(3 + len(PAYLOADS) * (4 + 3)))
    for segment in timeline:
        shown = [seen[i] for i in range(segment.first, segment.last + 1)]  # type: ignore[attr-defined]
        assert any(texts == [segment.payload] for texts in shown)  # type: ignore[attr-defined]
    gaps = [seen[i] for i in range(3)]
    assert gaps == [[], [], []]


def test_mp4_demo_video_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "demo.mp4"
    write_demo_video(path, ["ONE"], size=(320, 240), hold_frames=2, gap_frames=1)
    with open_video(path) as source:
        assert len(list(source.frames())) == 4


def test_demo_video_refuses_an_unknown_container(tmp_path: Path) -> None:
    with pytest.raises(ScanError):
        write_demo_video(tmp_path / "demo.mkv", ["ONE"])


def test_folder_source_reads_images_in_name_order(tmp_path: Path) -> None:
    timeline = write_demo_folder(tmp_path, PAYLOADS[:2], size=(480, 320), hold_frames=2)
    (tmp_path / "notes.txt").write_text("not a frame")
    (tmp_path / "frame-99999.png").write_bytes(b"broken png")  # skipped, not fatal
    chain = DecoderChain()
    with open_folder(tmp_path) as source:
        decoded = [[c.text for c in chain.decode(f.image)] for f in source.frames()]
    assert len(decoded) == 2 + 2 * (2 + 2)
    assert [d for d in decoded if d] == [[s.payload] for s in timeline for _ in range(2)]


def test_live_pacing_keeps_only_the_newest_frame(demo_video: tuple[Path, list[object]]) -> None:
    path, _ = demo_video
    with open_video(path, pacing=Pacing.LIVE) as source:
        first = source.read(timeout=2)
        assert first is not None
        time.sleep(0.3)  # a slow decoder: ~9 frames played meanwhile at 30 fps
        second = source.read(timeout=2)
        assert second is not None
        assert second.index > first.index + 1  # the frames in between were dropped
        peeked = source.peek_latest()
        assert peeked is not None and peeked.index >= second.index


def test_live_source_ends_at_the_end_of_the_file(tmp_path: Path) -> None:
    path = tmp_path / "short.avi"
    write_demo_video(path, ["A"], size=(160, 120), fps=60, hold_frames=2, gap_frames=1)
    with open_video(path, pacing=Pacing.LIVE) as source:
        frames = list(source.frames(timeout=2))
        assert frames and source.ended


def test_paced_source_is_no_faster_than_its_frame_rate(tmp_path: Path) -> None:
    write_demo_folder(tmp_path, ["A"], size=(160, 120), hold_frames=3, gap_frames=1)
    start = time.monotonic()
    with open_folder(tmp_path, pacing=Pacing.PACED, fps=20) as source:
        count = len(list(source.frames()))
    assert count == 5
    assert time.monotonic() - start >= 4 / 20 * 0.9


def test_frames_are_never_mirrored_but_the_preview_copy_is(tmp_path: Path) -> None:
    image = np.zeros((40, 60, 3), np.uint8)
    image[:, :10] = 255  # a white stripe on the left
    cv2.imwrite(str(tmp_path / "a.png"), image)
    with open_folder(tmp_path) as source:
        frame = source.read()
    assert frame is not None
    assert np.array_equal(frame.image, image)
    assert np.array_equal(mirror_for_display(frame.image)[:, -10:], image[:, :10])


def test_bad_sources_are_typed_errors(tmp_path: Path) -> None:
    with pytest.raises(SourceError):
        open_video(tmp_path / "missing.avi")
    fake = tmp_path / "fake.avi"
    fake.write_text("not a video")
    with pytest.raises(SourceError):
        open_video(fake)
    with pytest.raises(SourceError):
        open_folder(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(SourceError):
        open_folder(tmp_path / "empty")
    with pytest.raises(SourceError):
        open_folder(tmp_path, fps=0)
    with pytest.raises(SourceError):
        open_camera(-1)
    with pytest.raises(SourceError):
        folder_images(fake)


def test_open_source_picks_the_kind_from_the_spec(
    tmp_path: Path, demo_video: tuple[Path, list[object]]
) -> None:
    write_demo_folder(tmp_path, ["A"], size=(160, 120), hold_frames=1, gap_frames=0)
    with open_source(str(tmp_path), pacing=Pacing.ALL) as folder:
        assert folder.name.startswith("folder:")
    with open_source(str(demo_video[0]), pacing=Pacing.ALL) as video:
        assert video.name.startswith("video:")


class FakeCapture:
    """Stands in for cv2.VideoCapture on a machine without cameras."""

    def __init__(self, opened: bool = True, frames: int = 10**6) -> None:
        self.opened = opened
        self.frames = frames
        self.released = False

    def isOpened(self) -> bool:
        return self.opened

    def read(self) -> tuple[bool, np.ndarray | None]:
        if self.frames <= 0:
            return False, None
        self.frames -= 1
        return True, np.zeros((48, 64, 3), np.uint8)

    def get(self, prop: int) -> float:
        return 30.0

    def release(self) -> None:
        self.released = True


def test_probe_cameras_lists_those_that_deliver_a_frame() -> None:
    captures = {0: FakeCapture(), 1: FakeCapture(opened=False), 2: FakeCapture(frames=0)}
    found = probe_cameras(3, opener=lambda i: captures[i])  # type: ignore[arg-type, return-value]
    assert [(c.index, c.width, c.height) for c in found] == [(0, 64, 48)]
    assert found[0].label == "Camera 0 (64x48)"
    assert all(c.released for c in captures.values())


def test_a_camera_that_stops_delivering_is_reported_lost() -> None:
    grabber = _CaptureGrabber(FakeCapture(frames=2), what="camera 0", is_camera=True)  # type: ignore[arg-type]
    source = FrameSource(grabber, name="camera:0", pacing=Pacing.LIVE)
    try:
        with pytest.raises(SourceError, match="stopped delivering"):
            while source.read(timeout=3) is not None:
                pass
    finally:
        source.close()


class SlowCapture(FakeCapture):
    """A capture that notices being released in the middle of a read (a crash in OpenCV)."""

    def __init__(self) -> None:
        super().__init__()
        self.release_calls = 0
        self.released_during_read = False

    def read(self) -> tuple[bool, np.ndarray | None]:
        time.sleep(0.02)
        if self.released:
            self.released_during_read = True
        return super().read()

    def release(self) -> None:
        self.release_calls += 1
        super().release()


@pytest.mark.parametrize("pacing", [Pacing.ALL, Pacing.LIVE])
def test_closing_from_another_thread_never_releases_mid_read(pacing: Pacing) -> None:
    capture = SlowCapture()
    grabber = _CaptureGrabber(capture, what="video x", is_camera=False)  # type: ignore[arg-type]
    source = FrameSource(grabber, name="video:x", pacing=pacing)
    worker = threading.Thread(target=lambda: list(source.frames(timeout=0.5)))
    worker.start()
    time.sleep(0.1)
    source.close()
    worker.join(timeout=3)
    assert not worker.is_alive()
    assert capture.release_calls == 1
    assert not capture.released_during_read
    assert source.read() is None
