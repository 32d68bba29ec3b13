"""``pika-bench scan DIR``: the kiosk's own decoder chain on labelled QR photographs.

Every scored image (see :mod:`pika_bench.qr_sets` for the layout and the skip rules) is
decoded upright and turned 90, 180 and 270 degrees, because a voucher is held any way up.
An image counts as *read* when the expected payload is among the texts returned (exact
compare, no normalising), *wrong* when texts came back but none is the expected one (or any
text came from an image labelled empty), else *missed*. The chain runs without a validator:
in the kiosk the voucher signature would refuse a misread, here the exact compare does.

The same run measures plain zxing-cpp (QR only, plain text mode, its defaults otherwise) as
the baseline the chain must beat.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROTATIONS = (0, 90, 180, 270)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dir", type=Path, help="folder of NAME.ext + NAME.txt images")
    parser.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="GLOB",
        help="leave out folders whose path relative to DIR matches (repeatable)",
    )
    parser.add_argument("--verbose", action="store_true", help="list every miss and wrong read")
    parser.add_argument("--no-baseline", action="store_true", help="skip the plain zxing-cpp run")


def _rotate(image: Any, degrees: int) -> Any:
    import cv2

    codes = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}
    return image if degrees == 0 else cv2.rotate(image, codes[degrees])


def _score(texts: list[str], expected: str) -> str:
    if expected == "":
        return "wrong" if texts else "read"
    if expected in texts:
        return "read"
    return "wrong" if texts else "missed"


def run(args: argparse.Namespace) -> dict[str, Any]:
    import cv2
    import zxingcpp

    from app.core.scanning.decoders import DecoderChain
    from pika_bench.qr_sets import load_labelled_images
    from pika_bench.stats import summary_ms

    labelled = load_labelled_images(args.dir, args.exclude)
    chain = DecoderChain()

    def baseline(image: Any) -> list[str]:
        found = zxingcpp.read_barcodes(
            image,
            formats=zxingcpp.BarcodeFormats([zxingcpp.BarcodeFormat.QRCode]),
            text_mode=zxingcpp.TextMode.Plain,
        )
        return [b.text for b in found]

    read_by: dict[str, str] = {}

    def chain_texts(image: Any) -> list[str]:
        codes = chain.decode(image)
        read_by.clear()
        read_by.update((c.text, c.decoder) for c in codes)
        return list(read_by)

    runners = {"chain": chain_texts}
    if not args.no_baseline:
        runners["baseline"] = baseline
    tallies = {name: {r: Counter[str]() for r in ROTATIONS} for name in runners}
    timings: dict[str, list[float]] = {name: [] for name in runners}
    failures: list[dict[str, Any]] = []
    hits: Counter[str] = Counter()
    unreadable: list[str] = []
    for item in labelled.images:
        image = cv2.imread(str(item.path), cv2.IMREAD_COLOR)
        rel = item.path.relative_to(args.dir).as_posix()
        if image is None:
            unreadable.append(rel)
            continue
        for degrees in ROTATIONS:
            turned = _rotate(image, degrees)
            for name, decode in runners.items():
                start = time.perf_counter()
                texts = decode(turned)
                timings[name].append(time.perf_counter() - start)
                outcome = _score(texts, item.expected)
                tallies[name][degrees][outcome] += 1
                if name == "chain" and outcome == "read" and item.expected:
                    hits[read_by[item.expected]] += 1
                if name == "chain" and outcome != "read" and args.verbose:
                    failures.append(
                        {"image": rel, "rotation": degrees, "outcome": outcome, "got": texts}
                    )

    def shape(name: str) -> dict[str, Any]:
        rotations = {
            str(r): {
                "read": tallies[name][r]["read"],
                "wrong": tallies[name][r]["wrong"],
                "total": sum(tallies[name][r].values()),
            }
            for r in ROTATIONS
        }
        read = sum(v["read"] for v in rotations.values())
        total = sum(v["total"] for v in rotations.values())
        summary = summary_ms(timings[name]) if timings[name] else {}
        return {
            "rotations": rotations,
            "p50_ms": summary.get("p50_ms"),
            "p95_ms": summary.get("p95_ms"),
            "all_rotations_read_pct": round(100 * read / total, 2) if total else None,
            "wrong_total": sum(v["wrong"] for v in rotations.values()),
        }

    result: dict[str, Any] = shape("chain")
    result["images"] = len(labelled.images)
    if "baseline" in runners:
        result["baseline_zxingcpp"] = shape("baseline")
    result["read_by"] = dict(hits)
    result["decoder_errors"] = chain.stats.errors
    result["skipped_sets"] = labelled.skipped_sets
    result["unlabelled_images"] = labelled.unlabelled
    if labelled.bad_labels:
        result["bad_labels"] = labelled.bad_labels
    if unreadable:
        result["unreadable_images"] = unreadable
    if args.verbose:
        result["failures"] = failures
    return result
