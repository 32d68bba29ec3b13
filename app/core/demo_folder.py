"""The demo kiosk's data folder: made in the temporary folder, gone when the demo ends.

A demo started without ``--data-dir`` keeps nothing (the screen says so): its folder is
removed when the kiosk exits, normally or because it was asked to stop (SIGTERM, Ctrl+C; the
Qt layer turns those into a normal exit), and the store's key is taken out of the keyring if
one was put there. A demo killed outright (SIGKILL, a crash) cannot clean up after itself, so
each folder holds the id of the process that made it and the next demo start removes the
folders whose process is gone.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from keyring.errors import KeyringError

from app.core.session import STORE_FILE
from app.core.store import StoreError, forget_database_key

log = logging.getLogger(__name__)

PREFIX = "pika-demo-"
OWNER_FILE = "owner.pid"


@contextmanager
def demo_data_dir(parent: Path | None = None) -> Iterator[Path]:
    """A fresh demo folder in ``parent`` (the temporary folder), removed when the block ends.

    The kiosk must have closed its store by then (``run_kiosk`` returns only after it did).
    """
    remove_abandoned(parent)
    folder = Path(tempfile.mkdtemp(prefix=PREFIX, dir=parent))
    (folder / OWNER_FILE).write_text(f"{os.getpid()}\n")
    try:
        yield folder
    finally:
        _remove(folder)


def remove_abandoned(parent: Path | None = None) -> list[Path]:
    """Remove demo folders whose kiosk process is gone; returns them.

    Only folders with an owner file are touched (never one this code did not make), and only
    where a process can be asked whether it lives (POSIX).
    """
    if os.name != "posix":
        return []
    removed = []
    for folder in Path(parent or tempfile.gettempdir()).glob(PREFIX + "*"):
        owner = _owner(folder)
        if owner is not None and not _alive(owner):
            _remove(folder)
            removed.append(folder)
    return removed


def _owner(folder: Path) -> int | None:
    try:
        return int((folder / OWNER_FILE).read_text().strip())
    except (OSError, ValueError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def _remove(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    if folder.exists():
        log.warning("could not remove the demo folder %s", folder)
        return
    # A demo on a machine with a keyring kept its store key there: it opens nothing now.
    with contextlib.suppress(StoreError, KeyringError):
        forget_database_key(folder / STORE_FILE)
