"""Which cameras the manager's settings offer, decided without Qt.

The list holds every camera found, the camera the settings name even when it is not found
now (a webcam unplugged for a moment must not vanish from the settings), the one being
chosen, and any video file or image folder the manager picked, each once. The UI words each
choice by its :class:`ChoiceKind`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from app.core.scanning.capture import CameraInfo


class ChoiceKind(Enum):
    FOUND = "found"  # a camera that answered just now; ``info`` says its size
    LOOKING = "looking"  # a camera index while the cameras are still being looked for
    NOT_FOUND = "not_found"  # a camera index that did not answer
    FILE = "file"  # a video file or image folder standing in for a camera


@dataclass(frozen=True, slots=True)
class CameraChoice:
    """One entry: what it selects (a camera index or a path) and how to word it."""

    spec: int | str
    kind: ChoiceKind
    info: CameraInfo | None = None


def camera_choices(
    found: Sequence[CameraInfo] | None,
    saved: int | str,
    selected: int | str,
    chosen_paths: Sequence[str] = (),
) -> list[CameraChoice]:
    """The cameras ``found`` (None while still looking), then the ``saved`` and ``selected``
    specs and the ``chosen_paths`` that are not among them, without repeats."""
    choices = [CameraChoice(info.index, ChoiceKind.FOUND, info) for info in found or ()]
    missing = ChoiceKind.LOOKING if found is None else ChoiceKind.NOT_FOUND
    for spec in dict.fromkeys((saved, selected, *chosen_paths)):
        if any(choice.spec == spec for choice in choices):
            continue
        choices.append(CameraChoice(spec, missing if isinstance(spec, int) else ChoiceKind.FILE))
    return choices
