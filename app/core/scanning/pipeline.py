"""The scan loop: frames from a source, through the decoder chain and the debouncer, out as scans.

This is the core of the kiosk's camera worker, without Qt: the integrator runs
:meth:`ScanPipeline.run` in a worker thread and forwards each :class:`Scan` to the GUI thread.
The loop blocks on the source (no busy waiting), checks its stop flag between frames, and
survives anything a frame can do to the decoders.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from app.core.scanning.capture import Frame, FrameSource
from app.core.scanning.debounce import Debouncer
from app.core.scanning.decoded import DecodedCode, DecodeStats, signature_validator
from app.core.scanning.decoders import DecoderChain
from app.core.scanning.errors import FrameError

#: How long one blocking read may wait before the loop looks at its stop flag again.
_READ_TIMEOUT_S = 0.25


@dataclass(frozen=True, slots=True)
class Scan:
    """One debounced payload: what the validator gets next.

    ``captured_at`` is when the frame was taken and ``decoded_at`` when its payload was ready
    (both ``time.monotonic()``); their difference is the pipeline's share of scan latency.
    """

    payload: str
    source: str
    captured_at: float
    decoded_at: float
    code: DecodedCode

    @property
    def validated(self) -> bool:
        """False when the chain's validator refused this text and nothing better was read."""
        return self.code.validated

    @property
    def latency_s(self) -> float:
        return self.decoded_at - self.captured_at


class ScanPipeline:
    """Source → decoder chain → debouncer, for one camera (or a file standing in for one)."""

    def __init__(
        self,
        source: FrameSource,
        *,
        chain: DecoderChain | None = None,
        debouncer: Debouncer | None = None,
        source_label: str | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.source = source
        self.chain = chain if chain is not None else DecoderChain()
        self.debouncer = debouncer if debouncer is not None else Debouncer()
        self.source_label = source_label or source.name
        self._clock = clock
        self._stop = threading.Event()

    @classmethod
    def for_counter(
        cls,
        source: FrameSource,
        public_keys: Mapping[int, Ed25519PublicKey],
        *,
        debounce_seconds: float,
    ) -> ScanPipeline:
        """The counter's pipeline: its decoders trust only texts that verify with the kiosk's
        keys (a misread goes on to the slower decoders instead of showing as forged), and a
        voucher held up for seconds is one scan."""
        chain = DecoderChain(validator=signature_validator(public_keys))
        return cls(source, chain=chain, debouncer=Debouncer(window_s=debounce_seconds))

    @property
    def stats(self) -> DecodeStats:
        return self.chain.stats

    def process(self, frame: Frame) -> list[Scan]:
        """Decode one frame; the new (not debounced away) scans it holds."""
        try:
            codes = self.chain.decode(frame.image)
        except FrameError as exc:  # a broken frame from a driver: counted, skipped
            self.chain.stats.error("frame", exc)
            return []
        decoded_at = self._clock()
        return [
            Scan(code.text, self.source_label, frame.timestamp, decoded_at, code)
            for code in codes
            if self.debouncer.admit(code.text, self.source_label, frame.timestamp)
        ]

    def scans(self) -> Iterator[Scan]:
        """Scans until :meth:`stop` or the end of a file source. A lost camera raises
        :class:`~app.core.scanning.errors.SourceError`."""
        while not self._stop.is_set():
            frame = self.source.read(timeout=_READ_TIMEOUT_S)
            if frame is None:
                if self.source.closed or self._source_ended():
                    return
                continue
            yield from self.process(frame)

    def run(self, on_scan: Callable[[Scan], None]) -> None:
        """The worker thread's body: calls ``on_scan`` for each scan until stopped."""
        for scan in self.scans():
            on_scan(scan)

    def stop(self) -> None:
        """Ask the loop to end (thread-safe); it returns within one read timeout."""
        self._stop.set()

    @property
    def source_ended(self) -> bool:
        """True when a file or folder ran out of frames (not when :meth:`stop` was asked):
        the kiosk then says the video is over instead of freezing on its last frame."""
        return not self._stop.is_set() and self.source.ended

    def _source_ended(self) -> bool:
        return self.source.ended
