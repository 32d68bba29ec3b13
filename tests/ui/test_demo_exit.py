"""A demo keeps nothing: its temporary folder is gone after the kiosk exits, whether it was
closed or stopped with SIGTERM (a real ``pika-kiosk --demo`` process for the signal)."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from app.core.demo_folder import PREFIX
from app.main import main
from app.ui.kiosk_window import KioskWindow

ROOT = Path(__file__).resolve().parents[2]


def demo_folders(parent: Path) -> list[Path]:
    return sorted(parent.glob(PREFIX + "*"))


def wait_for_line(process: subprocess.Popen[str], text: str, timeout: float) -> list[str]:
    """Lines of the process's stderr up to the one holding ``text``."""
    assert process.stderr is not None
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stderr], [], [], 0.5)
        if ready:
            line = process.stderr.readline()
            if not line:
                break
            lines.append(line)
            if text in line:
                return lines
        assert process.poll() is None, "".join(lines)
    pytest.fail(f"no {text!r} on stderr:\n{''.join(lines)}")


@pytest.mark.slow
@pytest.mark.skipif(os.name != "posix", reason="SIGTERM is a POSIX signal")
@pytest.mark.parametrize("mode", [[], ["--kiosk"]], ids=["windowed", "kiosk-mode"])
def test_sigterm_ends_the_demo_and_removes_its_folder(tmp_path: Path, mode: list[str]) -> None:
    env = {**os.environ, "TMPDIR": str(tmp_path), "QT_QPA_PLATFORM": "offscreen"}
    kiosk = subprocess.Popen(
        [sys.executable, "-m", "app.main", "--demo", *mode],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for_line(kiosk, "counter window open", timeout=60)
        assert len(demo_folders(tmp_path)) == 1
        kiosk.send_signal(signal.SIGTERM)
        assert kiosk.wait(timeout=30) == 0
    finally:
        if kiosk.poll() is None:
            kiosk.kill()
            kiosk.wait()
    assert demo_folders(tmp_path) == []


def test_closing_the_demo_removes_its_folder(qapp, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    seen: list[list[Path]] = []

    def close_the_window() -> None:
        seen.append(demo_folders(tmp_path))
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, KioskWindow):
                widget.close()

    QTimer.singleShot(0, close_the_window)
    assert main(["--demo", "--lang", "en"]) == 0
    assert len(seen) == 1 and len(seen[0]) == 1  # it was there while the demo ran
    assert demo_folders(tmp_path) == []
