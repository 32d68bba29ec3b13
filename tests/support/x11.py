"""A private X server (Xvfb) for tests that need a real one, and what it says about windows.

The offscreen Qt platform grants every window state it is asked for, so what a window manager
(or its absence) does to the kiosk window is only seen on a real X server, read back with
``xwininfo`` (x11-utils) as any other X client would see it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

#: A line of ``xwininfo -root -tree``: id "name": ("instance" "class")  WxH+x+y  +absx+absy
_TREE_LINE = re.compile(
    r'^\s*(?P<id>0x[0-9a-f]+) (?P<name>"[^"]*"|\(has no name\)):? '
    r"\((?P<klass>[^)]*)\)\s+(?P<w>\d+)x(?P<h>\d+)[+-]\d+[+-]\d+\s+\+(?P<x>-?\d+)\+(?P<y>-?\d+)"
)


def missing_tools(*extra: str) -> list[str]:
    """The programs these helpers need that are not installed (Xvfb, xwininfo, and ``extra``
    such as xdotool, which types on the X server's keyboard as a person would)."""
    return [tool for tool in ("Xvfb", "xwininfo", *extra) if shutil.which(tool) is None]


@dataclass(frozen=True, slots=True)
class Geometry:
    x: int
    y: int
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class Window:
    id: str
    name: str
    geometry: Geometry


@contextmanager
def xvfb(width: int, height: int) -> Iterator[str]:
    """Start Xvfb on a free display of ``width``×``height``; yields the DISPLAY value."""
    read, write = os.pipe()
    server = subprocess.Popen(
        [
            "Xvfb",
            "-displayfd",
            str(write),
            "-screen",
            "0",
            f"{width}x{height}x24",
            "-nolisten",
            "tcp",
        ],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    try:
        with os.fdopen(read) as answer:
            number = answer.readline().strip()
        if not number:
            raise RuntimeError(f"Xvfb did not start (exit code {server.poll()})")
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def viewable_windows(display: str, wm_class: str) -> list[Geometry]:
    """Where the mapped windows of X class ``wm_class`` are on screen (absolute geometry)."""
    return [window.geometry for window in viewable(display, wm_class)]


def viewable(display: str, wm_class: str) -> list[Window]:
    """The mapped windows of X class ``wm_class``: id, title and place on screen."""
    env = {**os.environ, "DISPLAY": display}
    tree = subprocess.run(
        ["xwininfo", "-root", "-tree"], env=env, capture_output=True, text=True, timeout=10
    ).stdout
    found = []
    for line in tree.splitlines():
        match = _TREE_LINE.match(line)
        if match is None or f'"{wm_class}"' not in match["klass"]:
            continue
        info = subprocess.run(
            ["xwininfo", "-id", match["id"]], env=env, capture_output=True, text=True, timeout=10
        ).stdout
        if "IsViewable" in info:
            place = Geometry(int(match["x"]), int(match["y"]), int(match["w"]), int(match["h"]))
            found.append(Window(match["id"], match["name"].strip('"'), place))
    return found


def press(display: str, *keys: str, window: str | None = None, delay_ms: int = 150) -> None:
    """Press ``keys`` (xdotool names: "shift+Tab", "space", "1", "Return") on the X server's
    keyboard, a key every ``delay_ms`` (a person's pace, not a scanner's burst); ``window``
    is given the input focus first (there may be no window manager to give it)."""
    env = {**os.environ, "DISPLAY": display}
    if window is not None:
        subprocess.run(
            ["xdotool", "windowfocus", "--sync", window], env=env, check=True, timeout=10
        )
    subprocess.run(
        ["xdotool", "key", "--delay", str(delay_ms), *keys], env=env, check=True, timeout=30
    )
