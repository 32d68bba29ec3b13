"""``pika-bench verify``: cost of parsing and verifying one token offline.

Verification runs on every camera read, so it bounds how fast the kiosk can answer. The
baseline in the same run is a bare Ed25519 verify of the same bytes: the ratio shows what our
parsing adds on top of the cryptography.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from pika_protocol.tokens import VoucherClaims, decode, sign, verify


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--tokens", type=int, default=2000, help="distinct tokens per round")
    parser.add_argument("--rounds", type=int, default=5)


def run(args: argparse.Namespace) -> dict[str, Any]:
    key = Ed25519PrivateKey.generate()
    keys = {1: key.public_key()}
    texts = [
        sign(
            VoucherClaims(
                key_id=1, business_id=1, offer_id=1, serial=i, valid_from=0, valid_until=2**32 - 1
            ),
            key,
        )
        for i in range(args.tokens)
    ]
    raw = [decode(t) for t in texts]
    public = keys[1]
    best_ours = best_bare = best_decode = float("inf")
    for _ in range(args.rounds):
        start = time.perf_counter()
        for t in texts:
            verify(t, keys)
        best_ours = min(best_ours, time.perf_counter() - start)
        start = time.perf_counter()
        for _claims, body, signature in raw:
            public.verify(signature, body)
        best_bare = min(best_bare, time.perf_counter() - start)
        start = time.perf_counter()
        for t in texts:
            decode(t)
        best_decode = min(best_decode, time.perf_counter() - start)
    us = best_ours / len(texts) * 1e6
    bare = best_bare / len(texts) * 1e6
    return {
        "us_per_token": round(us, 2),
        "bare_ed25519_us": round(bare, 2),
        "overhead_ratio": round(us / bare, 3),
        "decode_us": round(best_decode / len(texts) * 1e6, 2),
        "tokens": len(texts),
        "rounds": args.rounds,
    }
