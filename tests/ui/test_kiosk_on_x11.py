"""The real ``pika-kiosk --kiosk`` on a real X server covers the whole screen, with a window
manager and without one (a kiosk started straight from xinit has none).

Offscreen Qt grants full screen to anyone who asks, so these run the program under Xvfb and
read the window's place back from the X server (xwininfo).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support.ci import running_in_ci
from tests.support.x11 import Geometry, missing_tools, viewable_windows, xvfb

ROOT = Path(__file__).resolve().parents[2]
#: The installed program (its X class is its name, which is how its window is found).
KIOSK = Path(sys.executable).with_name("pika-kiosk")
SCREEN = (1280, 800)
IN_CI = running_in_ci()

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        bool(missing_tools()) and not IN_CI,
        reason=f"needs {', '.join(missing_tools())} (scripts/setup.sh installs them as root)",
    ),
]


@contextmanager
def kiosk_on(display: str, tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    env = {
        **os.environ,
        "DISPLAY": display,
        "QT_QPA_PLATFORM": "xcb",
        "TMPDIR": str(tmp_path),
        "PYTHONPATH": str(ROOT),
    }
    kiosk = subprocess.Popen(
        [str(KIOSK), "--demo", "--kiosk"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield kiosk
    finally:
        kiosk.send_signal(signal.SIGTERM)
        try:
            kiosk.wait(timeout=15)
        except subprocess.TimeoutExpired:
            kiosk.kill()
            kiosk.wait()


def the_window_covers_the_screen(display: str, kiosk: subprocess.Popen[bytes]) -> None:
    """Wait for the kiosk window; it must come to cover the whole screen, nothing less."""
    screen = Geometry(0, 0, *SCREEN)
    seen: list[Geometry] = []
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        assert kiosk.poll() is None, f"the kiosk exited with {kiosk.returncode}"
        seen = viewable_windows(display, "pika-kiosk")
        if screen in seen:
            return
        time.sleep(0.5)
    pytest.fail(f"no kiosk window covers the {SCREEN} screen; windows seen: {seen}")


def test_without_a_window_manager_the_kiosk_covers_the_screen(tmp_path: Path) -> None:
    with xvfb(*SCREEN) as display, kiosk_on(display, tmp_path) as kiosk:
        the_window_covers_the_screen(display, kiosk)


@pytest.mark.skipif(
    shutil.which("matchbox-window-manager") is None and not IN_CI,
    reason="needs matchbox-window-manager (scripts/setup.sh installs it as root)",
)
def test_with_a_window_manager_the_kiosk_covers_the_screen(tmp_path: Path) -> None:
    with xvfb(*SCREEN) as display:
        manager = subprocess.Popen(
            ["matchbox-window-manager", "-use_titlebar", "yes"],
            env={**os.environ, "DISPLAY": display},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            with kiosk_on(display, tmp_path) as kiosk:
                the_window_covers_the_screen(display, kiosk)
        finally:
            manager.terminate()
            manager.wait(timeout=10)
