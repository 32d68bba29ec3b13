"""What the counter window works with, handed to it by the composition root (``app/ui/app.py``).

The window builds its own widgets and nothing else: the counter and its store, the corrections
(undo and void), the manager PIN, the settings, how a camera is opened and turned into scans,
and the clock all arrive in one :class:`KioskParts`. A test builds the same object from a real
store with light or fake parts (a camera that is a video file, a fixed clock) and needs no
monkeypatching; the running kiosk gets the real ones from :func:`app.ui.app.parts_for`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from app.core.corrections import Corrections
from app.core.counter import Counter
from app.core.demo import DemoCatalogue
from app.core.kiosk_settings import KioskSettings
from app.core.manager_pin import ManagerPin
from app.core.scanning import (
    CameraInfo,
    FrameSource,
    Pacing,
    ScanPipeline,
    open_source,
    probe_cameras,
)


class OpenSource(Protocol):
    """Opens a camera index, video file or image folder (``app.core.scanning.open_source``)."""

    def __call__(
        self,
        spec: int | str,
        *,
        resolution: tuple[int, int] | None = ...,
        pacing: Pacing = ...,
    ) -> FrameSource: ...


class MakePipeline(Protocol):
    """Turns an open source into the scan loop the camera worker runs."""

    def __call__(
        self,
        source: FrameSource,
        public_keys: Mapping[int, Ed25519PublicKey],
        *,
        debounce_seconds: float,
    ) -> ScanPipeline: ...


@dataclass(frozen=True, slots=True)
class CameraParts:
    """How frames reach the counter: open a source, look for cameras, build the scan loop."""

    open_source: OpenSource = open_source
    probe: Callable[[], list[CameraInfo]] = probe_cameras
    pipeline: MakePipeline = ScanPipeline.for_counter


@dataclass(frozen=True, slots=True)
class KioskParts:
    """The counter window's collaborators.

    ``demo`` shows the demo notes and tools and opens the panel with the demo PIN;
    ``throwaway_key`` says the store's key is lost on exit; ``demo_catalogue`` (the demo's
    vouchers) enables printing the voucher sheet. ``clock`` times results on screen
    (``time.monotonic`` seconds).
    """

    counter: Counter
    corrections: Corrections
    pin: ManagerPin
    settings: KioskSettings = field(default_factory=KioskSettings)
    demo: bool = False
    throwaway_key: bool = False
    demo_catalogue: DemoCatalogue | None = None
    cameras: CameraParts = field(default_factory=CameraParts)
    clock: Callable[[], float] = time.monotonic
