"""Scanning at the counter, without Qt: frame sources, the QR decoder chain, debounce, the
keyboard-wedge scanner logic and the loop that ties them together for the camera worker."""

from app.core.scanning.capture import (
    CameraInfo,
    Frame,
    FrameSource,
    Pacing,
    mirror_for_display,
    open_camera,
    open_folder,
    open_source,
    open_video,
    probe_cameras,
)
from app.core.scanning.debounce import Debouncer
from app.core.scanning.decoded import DecodedCode, DecodeStats, Validator, signature_validator
from app.core.scanning.decoders import DecoderChain
from app.core.scanning.errors import FrameError, ScanError, SourceError
from app.core.scanning.pipeline import Scan, ScanPipeline
from app.core.scanning.wedge import WedgeReader, WedgeScan, candidates, resolve

__all__ = [
    "CameraInfo",
    "Debouncer",
    "DecodeStats",
    "DecodedCode",
    "DecoderChain",
    "Frame",
    "FrameError",
    "FrameSource",
    "Pacing",
    "Scan",
    "ScanError",
    "ScanPipeline",
    "SourceError",
    "Validator",
    "WedgeReader",
    "WedgeScan",
    "candidates",
    "mirror_for_display",
    "open_camera",
    "open_folder",
    "open_source",
    "open_video",
    "probe_cameras",
    "resolve",
    "signature_validator",
]
