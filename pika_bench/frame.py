"""``pika-bench frame``: ms the kiosk's decoder chain spends on one 1280x720 camera frame.

Most frames at the counter hold no voucher, so the cost of an empty frame decides how much
of a core the camera worker takes all day; a frame with a voucher adds the signature check.
Frames are synthetic (:mod:`app.core.scanning.demo`): a textured, noisy counter background,
and the same with a printed voucher (a real signed token) in mild perspective. The chain
runs with the kiosk's validator (Ed25519 signature). Plain zxing-cpp on the same frames is
the baseline.

Wall-clock figures include whatever else the machine runs; ``*_cpu_p95_ms`` is the process
CPU time per frame (all of its threads), the decoder's own cost on a shared machine.
"""

from __future__ import annotations

import argparse
import time
from typing import Any


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--frames", type=int, default=40, help="frames of each kind")
    parser.add_argument("--rounds", type=int, default=3, help="passes over the frames")
    parser.add_argument("--seed", type=int, default=0)


def run(args: argparse.Namespace) -> dict[str, Any]:
    import numpy as np
    import zxingcpp
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from app.core.scanning.decoded import signature_validator
    from app.core.scanning.decoders import DecoderChain
    from app.core.scanning.demo import camera_look, place_card, textured_background, voucher_card
    from pika_bench.stats import percentile
    from pika_protocol.tokens import VoucherClaims, sign

    size = (1280, 720)
    rng = np.random.default_rng(args.seed)
    key = Ed25519PrivateKey.generate()
    tokens = [
        sign(
            VoucherClaims(
                key_id=1,
                business_id=1,
                offer_id=i,
                serial=10_000 + i,
                valid_from=0,
                valid_until=2**32 - 1,
            ),
            key,
        )
        for i in range(args.frames)
    ]
    empty = [camera_look(textured_background(size, rng), rng) for _ in range(args.frames)]
    coded = [
        place_card(textured_background(size, rng), voucher_card(token), rng) for token in tokens
    ]
    chain = DecoderChain(validator=signature_validator({1: key.public_key()}))

    def plain(image: Any) -> object:
        return zxingcpp.read_barcodes(
            image, formats=zxingcpp.BarcodeFormats([zxingcpp.BarcodeFormat.QRCode])
        )

    for image in empty[:3] + coded[:3]:  # warm caches and lazy imports
        chain.decode(image)
        plain(image)

    cpu_ms: list[float] = []

    def timed(frames: list[Any], decode: Any) -> tuple[list[float], int]:
        samples: list[float] = []
        cpu_ms.clear()
        read = 0
        for _ in range(args.rounds):
            for i, image in enumerate(frames):
                start, start_cpu = time.perf_counter(), time.process_time()
                found = decode(image)
                samples.append((time.perf_counter() - start) * 1000)
                cpu_ms.append((time.process_time() - start_cpu) * 1000)
                read += any(getattr(c, "text", None) == tokens[i] for c in found)
        return samples, read

    events = chain.stats.events
    empty_ms, _ = timed(empty, chain.decode)
    empty_cpu_ms = list(cpu_ms)
    after = chain.stats.events
    empty_rescues = after.get("rescues", 0) - events.get("rescues", 0)
    empty_searches = after.get("texture_searches", 0) - events.get("texture_searches", 0)
    code_ms, code_read = timed(coded, chain.decode)
    plain_empty_ms, _ = timed(empty, plain)
    plain_empty_cpu_ms = list(cpu_ms)
    plain_code_ms, plain_read = timed(coded, plain)

    def r(x: float) -> float:
        return round(x, 3)

    return {
        "empty_p95_ms": r(percentile(empty_ms, 95)),
        "code_p95_ms": r(percentile(code_ms, 95)),
        "empty_p50_ms": r(percentile(empty_ms, 50)),
        "code_p50_ms": r(percentile(code_ms, 50)),
        "code_frames_read": f"{code_read}/{len(coded) * args.rounds}",
        "baseline_code_frames_read": f"{plain_read}/{len(coded) * args.rounds}",
        "empty_cpu_p95_ms": r(percentile(empty_cpu_ms, 95)),
        "baseline_zxingcpp_empty_cpu_p95_ms": r(percentile(plain_empty_cpu_ms, 95)),
        "empty_frames_rescued": f"{empty_rescues}/{len(empty) * args.rounds}",
        "empty_frames_texture_searched": f"{empty_searches}/{len(empty) * args.rounds}",
        "baseline_zxingcpp_empty_p95_ms": r(percentile(plain_empty_ms, 95)),
        "baseline_zxingcpp_code_p95_ms": r(percentile(plain_code_ms, 95)),
        "frame": f"{size[0]}x{size[1]}",
        "frames_each": args.frames,
        "rounds": args.rounds,
        "decoder_errors": chain.stats.error_total,
    }
