"""``pika-bench scan-set`` scores an indexed photo set by bucket and effect."""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import numpy as np
import pytest

from pika_bench import scan_set
from pika_bench.cli import main
from tests.core.scanning.conftest import padded_qr

HEADER = "id,has_code,h_size,h_glare,bucket\n"


def make_set(root: Path) -> Path:
    """Four frames: two readable codes, one mislabelled code (a wrong read), one empty frame."""
    root.mkdir()
    frames = [
        ("0000", "EASY-ONE", padded_qr("EASY-ONE"), "0,0.1", "easy"),
        ("0001", "HARD-TWO", padded_qr("HARD-TWO"), "0.7,0.45", "hard"),
        ("0002", "LABELLED", padded_qr("ACTUAL"), "0.3,0", "hard"),
        ("0003", "", np.full((200, 200), 255, np.uint8), "0,0", "nocode"),
    ]
    rows = []
    for frame_id, payload, image, hardness, bucket in frames:
        cv2.imwrite(str(root / f"{frame_id}.jpg"), image, [cv2.IMWRITE_JPEG_QUALITY, 95])
        (root / f"{frame_id}.txt").write_text(payload, encoding="utf-8")
        rows.append(f"{frame_id},{int(bool(payload))},{hardness},{bucket}\n")
    (root / "index.csv").write_text(HEADER + "".join(rows), encoding="utf-8")
    return root


def args(root: Path, **over: object) -> argparse.Namespace:
    values: dict[str, object] = {"dir": root, "split": "all", "verbose": True, "no_baseline": False}
    values.update(over)
    return argparse.Namespace(**values)


def test_counts_codes_read_and_false_positives_by_bucket(tmp_path: Path) -> None:
    result = scan_set.run(args(make_set(tmp_path / "set")))
    assert (result["frames"], result["codes"], result["nocode_frames"]) == (4, 3, 1)
    for name in ("chain", "baseline_zxingcpp"):
        assert result[name]["codes_read"] == 2
        assert result[name]["false_positives"] == 1  # "ACTUAL" where "LABELLED" was expected
        assert result["buckets"]["hard"][name]["read"] == 1
        assert result["buckets"]["hard"][name]["false_positives"] == 1
        assert result["buckets"]["nocode"][name]["false_positives"] == 0
    assert result["buckets"]["easy"]["codes"] == 1
    assert [f["id"] for f in result["failures"]] == ["0002"]
    assert result["factors"]["size"] == {
        "0": "1: 1/1",
        "<0.3": "0: 0/0",
        "0.3-0.6": "1: 0/0",
        ">=0.6": "1: 1/1",
    }


def test_splits_take_alternate_rows(tmp_path: Path) -> None:
    root = make_set(tmp_path / "set")
    assert [f.id for f in scan_set.load_index(root, "tune")] == ["0000", "0002"]
    assert [f.id for f in scan_set.load_index(root, "holdout")] == ["0001", "0003"]
    assert scan_set.run(args(root, split="holdout", no_baseline=True))["codes"] == 1


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0.0, "0"), (0.01, "<0.3"), (0.3, "0.3-0.6"), (0.6, ">=0.6"), (1, ">=0.6")],
)
def test_hardness_bins(value: float, expected: str) -> None:
    assert scan_set.hardness_bin(value) == expected


def test_a_folder_that_is_not_an_indexed_set_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(scan_set.SetIndexError, match=r"no index\.csv"):
        scan_set.load_index(tmp_path)
    (tmp_path / "index.csv").write_text("id,h_size\n0000,0.1\n", encoding="utf-8")
    with pytest.raises(scan_set.SetIndexError, match="bucket"):
        scan_set.load_index(tmp_path)
    (tmp_path / "index.csv").write_text("id,bucket\n0000,easy\n", encoding="utf-8")
    with pytest.raises(scan_set.SetIndexError, match=r"0000\.txt"):
        scan_set.load_index(tmp_path)


def test_registered_as_a_subcommand(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_set(tmp_path / "set")
    assert main(["scan-set", str(root), "--json", "--no-baseline", "--split", "tune"]) == 0
    assert '"buckets"' in capsys.readouterr().out
