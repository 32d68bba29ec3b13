"""The demo's stand-in camera footage: small, quick, every voucher readable, progress told."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.demo import make_catalogue
from app.core.scanning import DecoderChain
from app.core.scanning.capture import Pacing, open_source
from app.core.scanning.demo import (
    DemoVideo,
    demo_frame_count,
    write_counter_demo,
    write_demo_video,
)
from app.main import main


def read_back(path: Path) -> tuple[int, set[str]]:
    chain, read, frames = DecoderChain(), set(), 0
    with open_source(str(path), pacing=Pacing.ALL) as source:
        while (frame := source.read()) is not None:
            frames += 1
            read |= {code.text for code in chain.decode(frame.image)}
    return frames, read


@pytest.mark.parametrize("suffix", [".avi", ".mp4"])
def test_the_demo_video_is_small_and_every_voucher_reads(tmp_path: Path, suffix: str) -> None:
    tokens = [v.token for v in make_catalogue().vouchers[:3]]
    heard: list[tuple[int, int]] = []
    path = tmp_path / f"demo{suffix}"
    write_counter_demo(path, tokens, progress=lambda done, total: heard.append((done, total)))
    video = DemoVideo()
    total = demo_frame_count(3, hold_frames=video.hold_frames, gap_frames=video.gap_frames)
    assert heard == [(done, total) for done in range(1, total + 1)]
    frames, read = read_back(path)
    assert frames == total and read == set(tokens)
    # The footage as it was made before: 720p MJPG, 15 frames a second, a new wobble per frame.
    before = tmp_path / "before.avi"
    write_demo_video(before, tokens)
    assert path.stat().st_size * 4 < before.stat().st_size


@pytest.mark.slow
def test_make_video_shows_its_progress_and_names_the_file(tmp_path: Path, capsys) -> None:
    path = tmp_path / "demo.avi"
    assert main(["--demo", "--make-video", str(path)]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == str(path)
    steps = [line for line in err.split("\r") if line.startswith("Writing demo.avi:")]
    assert len(steps) >= 50 and steps[-1].startswith("Writing demo.avi: 100%")
    frames, read = read_back(path)
    assert frames == 605 and len(read) == len(make_catalogue().all_vouchers)
    assert path.stat().st_size < 15_000_000


@pytest.mark.parametrize(
    ("option", "name", "says"),
    [
        ("--make-video", "no-such-folder/demo.avi", "there is no folder"),
        ("--make-video", "demo.txt", "must end in .avi or .mp4"),
        ("--print-sheet", "no-such-folder/sheet.pdf", "there is no folder"),
        ("--print-sheet", "sheet.docx", "must end in .pdf or .png"),
    ],
)
def test_a_demo_file_that_cannot_be_written_is_a_usage_error(
    tmp_path: Path, capsys, option: str, name: str, says: str
) -> None:
    """Checked before the minute of work, exit 2 with what is wrong, no traceback."""
    with pytest.raises(SystemExit) as exited:
        main(["--demo", option, str(tmp_path / name)])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert says in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_a_demo_file_the_system_refuses_is_a_clear_error(
    tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    from pika_print import voucher_sheet

    def disk_full(*_args: object, **_kwargs: object) -> list[Path]:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(voucher_sheet, "write_sheet", disk_full)
    assert main(["--demo", "--print-sheet", str(tmp_path / "sheet.pdf")]) == 2
    err = capsys.readouterr().err
    assert "could not write the demo file" in err and "No space left" in err
