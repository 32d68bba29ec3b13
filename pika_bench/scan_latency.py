"""``pika-bench scan-latency``: ms from a camera frame to a validated scan, with a video as camera.

A generated video of printed vouchers (real signed tokens, see :mod:`app.core.scanning.demo`)
plays at its frame rate through the same capture code a webcam uses (a reader thread, latest
frame wins), into the kiosk's scan pipeline (decoder chain with the signature validator,
debounce) in a worker thread, then through :func:`app.core.validation.validate`.

Measured per scan: from the frame's capture time to the validation result being available
(``p50_ms``/``p95_ms``). This is the core's share of "frame enters the worker → result shown";
the Qt hop to the result screen is added by the UI layer. Also reported: from the moment a
voucher first appears in the video to its result (includes frames in which it was not yet
readable and frames dropped while the worker was busy).
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--vouchers", type=int, default=20, help="vouchers shown in the video")
    parser.add_argument("--fps", type=float, default=30.0)
    parser.add_argument("--hold", type=int, default=10, help="frames each voucher is shown")
    parser.add_argument("--gap", type=int, default=8, help="empty frames between vouchers")
    parser.add_argument("--seed", type=int, default=0)


def run(args: argparse.Namespace) -> dict[str, Any]:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from app.core.scanning.capture import Pacing, open_video
    from app.core.scanning.debounce import Debouncer
    from app.core.scanning.decoders import DecoderChain, signature_validator
    from app.core.scanning.demo import write_demo_video
    from app.core.scanning.pipeline import Scan, ScanPipeline
    from app.core.tokens import VoucherClaims, sign
    from app.core.validation import validate
    from pika_bench.stats import percentile

    key = Ed25519PrivateKey.generate()
    public_keys = {1: key.public_key()}
    tokens = [
        sign(
            VoucherClaims(
                key_id=1,
                business_id=1,
                offer_id=1,
                serial=1000 + i,
                valid_from=0,
                valid_until=2**32 - 1,
            ),
            key,
        )
        for i in range(args.vouchers)
    ]
    with tempfile.TemporaryDirectory(prefix="pika-scan-latency-") as tmp:
        video = Path(tmp) / "counter.avi"
        timeline = write_demo_video(
            video, tokens, fps=args.fps, hold_frames=args.hold, gap_frames=args.gap, seed=args.seed
        )
        first_frame = {segment.payload: segment.first for segment in timeline}
        latencies: list[float] = []
        appear: list[float] = []
        reasons: dict[str, int] = {}
        with open_video(video, pacing=Pacing.LIVE) as source:
            chain = DecoderChain(validator=signature_validator(public_keys))
            pipeline = ScanPipeline(source, chain=chain, debouncer=Debouncer())

            def on_scan(scan: Scan) -> None:
                result = validate(
                    scan.payload,
                    business_id=1,
                    public_keys=public_keys,
                    revoked_serials=(),
                    find_redemption=lambda serial: None,
                    now=datetime.now(UTC),
                )
                done = time.monotonic()
                latencies.append((done - scan.captured_at) * 1000)
                reasons[result.reason.value] = reasons.get(result.reason.value, 0) + 1
                if scan.payload in first_frame:
                    shown = source.started_at + first_frame[scan.payload] / source.fps
                    appear.append((done - shown) * 1000)

            worker = threading.Thread(target=pipeline.run, args=(on_scan,), name="scan-worker")
            worker.start()
            worker.join()
            frames_decoded = chain.stats.events.get("frames", 0)

    def r(x: float) -> float:
        return round(x, 2)

    return {
        "p50_ms": r(percentile(latencies, 50)),
        "p95_ms": r(percentile(latencies, 95)),
        "appear_to_result_p50_ms": r(percentile(appear, 50)),
        "appear_to_result_p95_ms": r(percentile(appear, 95)),
        "scans": len(latencies),
        "vouchers_shown": len(tokens),
        "results": reasons,
        "frames_decoded": frames_decoded,
        "frames_in_video": len(tokens) * (args.hold + args.gap) + args.gap,
        "measured_to": "validated result in the core (the Qt result screen is not included)",
    }
