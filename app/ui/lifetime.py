"""Callbacks that outlive their widget: results of store or background work that arrive after
the dialog that asked for them was closed and deleted are dropped, not applied to a dead object.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import shiboken6
from PySide6.QtCore import QObject

T = TypeVar("T")


def while_alive(owner: QObject, callback: Callable[[T], None]) -> Callable[[T], None]:
    """``callback``, skipped once ``owner``'s Qt object has been deleted."""

    def deliver(value: T) -> None:
        if shiboken6.isValid(owner):
            callback(value)

    return deliver
