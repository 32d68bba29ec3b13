"""The one root error of the scan pipeline, so the camera worker can catch a single type."""

from __future__ import annotations


class ScanError(Exception):
    """Anything the scan pipeline refuses; the message says what and where."""


class FrameError(ScanError):
    """A frame that is not an image the decoders can read (wrong type, shape or depth)."""


class SourceError(ScanError):
    """A frame source that cannot be opened or stopped delivering (camera unplugged, bad file)."""
