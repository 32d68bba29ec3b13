"""``pika-bench scan-set DIR``: the decoder chain on a photo set with an ``index.csv``, by bucket.

A set such as ``../shared/data/voucher_photos/set-b`` holds ``NNNN.jpg`` frames with
``NNNN.txt`` beside each (the exact payload; empty = a frame with no code) and an
``index.csv`` with one row per frame: ``id``, ``bucket`` (easy / medium / hard / nocode) and
each effect's hardness ``h_*`` (0 easy → 1 hard). Every frame is decoded once, upright, by the
kiosk's :class:`~app.core.scanning.decoders.DecoderChain` and by plain zxing-cpp, and the
figures come out per bucket and per effect, to find out what a decoder loses on.

A frame's code is *read* when the expected payload is among the texts returned. Any other
text returned is a *false positive* (a wrong payload; the kiosk's signature check would refuse
it, this set's payloads are not signed so the exact compare plays its part). The chain runs
without a validator, as in ``pika-bench scan``.

``--split tune`` / ``--split holdout`` score only the even / odd rows of the index (in file
order), so a change tuned on one half can be checked on the other.
"""

from __future__ import annotations

import argparse
import csv
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Hardness bins for the per-effect figures: none, low, middle, high (low <= h < high).
HARDNESS_BINS: tuple[tuple[str, float, float], ...] = (
    ("0", 0.0, 0.0),
    ("<0.3", 0.0, 0.3),
    ("0.3-0.6", 0.3, 0.6),
    (">=0.6", 0.6, 1.0),
)
SPLITS = ("all", "tune", "holdout")


class SetIndexError(ValueError):
    """The folder is not a set this benchmark can score (no index, missing columns or files)."""


@dataclass(frozen=True, slots=True)
class Frame:
    id: str
    path: Path
    expected: str  # "" = no code in the frame
    bucket: str
    hardness: dict[str, float]  # h_* column -> value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dir", type=Path, help="set folder: index.csv, NNNN.jpg and NNNN.txt")
    parser.add_argument(
        "--split",
        choices=SPLITS,
        default="all",
        help="score every frame, or only the even (tune) or odd (holdout) rows of the index",
    )
    parser.add_argument("--verbose", action="store_true", help="list every miss and wrong read")
    parser.add_argument("--no-baseline", action="store_true", help="skip the plain zxing-cpp run")


def load_index(root: Path, split: str = "all") -> list[Frame]:
    """The frames of the set at ``root`` listed in its ``index.csv``, in file order."""
    from app.core.scanning.capture import IMAGE_SUFFIXES

    if split not in SPLITS:
        raise SetIndexError(f"unknown split {split!r}; one of {', '.join(SPLITS)}")
    index = root / "index.csv"
    if not index.is_file():
        raise SetIndexError(f"{root} has no index.csv")
    with index.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    if not rows:
        return []
    missing = {"id", "bucket"} - set(rows[0])
    if missing:
        raise SetIndexError(f"{index} lacks the column(s) {', '.join(sorted(missing))}")
    factors = [name for name in rows[0] if name.startswith("h_")]
    frames = []
    for number, row in enumerate(rows):
        if split != "all" and number % 2 != (split == "holdout"):
            continue
        frame_id = row["id"]
        images = [p for p in root.glob(f"{frame_id}.*") if p.suffix.lower() in IMAGE_SUFFIXES]
        label = root / f"{frame_id}.txt"
        if len(images) != 1 or not label.is_file():
            raise SetIndexError(f"{frame_id}: expected one image and {label.name} in {root}")
        try:
            hardness = {name: float(row[name]) for name in factors}
        except ValueError as exc:
            raise SetIndexError(f"{frame_id}: a hardness is not a number ({exc})") from exc
        expected = label.read_bytes().decode("utf-8")
        frames.append(Frame(frame_id, images[0], expected, row["bucket"], hardness))
    return frames


def hardness_bin(value: float) -> str:
    """The :data:`HARDNESS_BINS` name for one hardness (0 alone, then [0.3, 0.6) and so on)."""
    if value <= 0.0:
        return HARDNESS_BINS[0][0]
    for name, low, high in HARDNESS_BINS[1:]:
        if low <= value < high:
            return name
    return HARDNESS_BINS[-1][0]


def run(args: argparse.Namespace) -> dict[str, Any]:
    import cv2
    import zxingcpp

    from app.core.scanning.decoders import DecoderChain
    from pika_bench.stats import summary_ms

    frames = load_index(args.dir, args.split)
    chain = DecoderChain()
    read_by: Counter[str] = Counter()

    def chain_texts(image: Any) -> list[str]:
        codes = chain.decode(image)
        for code in codes:
            read_by[code.decoder] += 1
        return [code.text for code in codes]

    def baseline(image: Any) -> list[str]:
        found = zxingcpp.read_barcodes(
            image,
            formats=zxingcpp.BarcodeFormats([zxingcpp.BarcodeFormat.QRCode]),
            text_mode=zxingcpp.TextMode.Plain,
        )
        return [b.text for b in found]

    runners = {"chain": chain_texts}
    if not args.no_baseline:
        runners["baseline_zxingcpp"] = baseline
    outcomes: dict[str, dict[str, tuple[bool, bool]]] = {name: {} for name in runners}
    timings: dict[str, dict[str, list[float]]] = {name: {} for name in runners}
    failures: list[dict[str, Any]] = []
    for frame in frames:
        image = cv2.imread(str(frame.path), cv2.IMREAD_COLOR)
        if image is None:
            raise SetIndexError(f"{frame.path} is not an image OpenCV can read")
        for name, decode in runners.items():
            start = time.perf_counter()
            texts = decode(image)
            timings[name].setdefault(frame.bucket, []).append(time.perf_counter() - start)
            read = bool(frame.expected) and frame.expected in texts
            wrong = any(text != frame.expected for text in texts)
            outcomes[name][frame.id] = (read, wrong)
            if name == "chain" and args.verbose and (wrong or (frame.expected and not read)):
                failures.append({"id": frame.id, "bucket": frame.bucket, "got": texts})

    coded = [f for f in frames if f.expected]
    result: dict[str, Any] = {
        "frames": len(frames),
        "codes": len(coded),
        "nocode_frames": len(frames) - len(coded),
        "split": args.split,
    }
    for name in runners:
        every = [t for samples in timings[name].values() for t in samples]
        summary = summary_ms(every) if every else {}
        result[name] = {
            "codes_read": sum(outcomes[name][f.id][0] for f in coded),
            "false_positives": sum(outcomes[name][f.id][1] for f in frames),
            "p50_ms": summary.get("p50_ms"),
            "p95_ms": summary.get("p95_ms"),
        }
    result["buckets"] = _by_bucket(frames, outcomes, timings)
    result["factors"] = _by_factor(coded, outcomes)
    result["read_by"] = dict(read_by)
    result["decoder_errors"] = chain.stats.errors
    if args.verbose:
        result["failures"] = failures
    return result


def _by_bucket(
    frames: list[Frame],
    outcomes: dict[str, dict[str, tuple[bool, bool]]],
    timings: dict[str, dict[str, list[float]]],
) -> dict[str, dict[str, Any]]:
    from pika_bench.stats import summary_ms

    buckets: dict[str, dict[str, Any]] = {}
    for bucket in dict.fromkeys(f.bucket for f in frames):
        members = [f for f in frames if f.bucket == bucket]
        row: dict[str, Any] = {
            "frames": len(members),
            "codes": sum(bool(f.expected) for f in members),
        }
        for name, by_id in outcomes.items():
            row[name] = {
                "read": sum(by_id[f.id][0] for f in members),
                "false_positives": sum(by_id[f.id][1] for f in members),
                "p95_ms": summary_ms(timings[name][bucket])["p95_ms"],
            }
        buckets[bucket] = row
    return buckets


def _by_factor(
    coded: list[Frame], outcomes: dict[str, dict[str, tuple[bool, bool]]]
) -> dict[str, dict[str, str]]:
    """Per effect and hardness bin: ``"codes chain/baseline"`` as one compact string."""
    factors: dict[str, dict[str, str]] = {}
    names = list(outcomes)
    for factor in coded[0].hardness if coded else {}:
        cells: dict[str, str] = {}
        for bin_name, _, _ in HARDNESS_BINS:
            members = [f for f in coded if hardness_bin(f.hardness[factor]) == bin_name]
            reads = [str(sum(outcomes[n][f.id][0] for f in members)) for n in names]
            cells[bin_name] = f"{len(members)}: " + "/".join(reads)
        factors[factor.removeprefix("h_")] = cells
    return factors
