from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.core.scanning import zxing_passes
from app.core.scanning.capture import Pacing, open_video
from app.core.scanning.debounce import Debouncer
from app.core.scanning.decoders import DecoderChain
from app.core.scanning.demo import write_demo_video
from app.core.scanning.pipeline import Scan, ScanPipeline


def test_each_voucher_shown_is_one_scan(tmp_path: Path, token: str) -> None:
    path = tmp_path / "counter.avi"
    payloads = [token, "SECOND-VOUCHER", token]  # the first voucher comes back later
    write_demo_video(path, payloads, size=(640, 360), hold_frames=5, gap_frames=2, fps=30)
    # 7 frames at 30 fps apart is far inside a 3 s window: the third showing is debounced.
    with open_video(path, pacing=Pacing.ALL) as source:
        pipeline = ScanPipeline(source, source_label="camera:test")
        scans = list(pipeline.scans())
    assert [s.payload for s in scans] == [token, "SECOND-VOUCHER"]
    assert all(s.source == "camera:test" for s in scans)
    assert all(s.decoded_at >= s.captured_at for s in scans)


def test_refused_payloads_still_come_out_marked(tmp_path: Path, token: str) -> None:
    path = tmp_path / "counter.avi"
    write_demo_video(path, ["NOT-A-VOUCHER", token], size=(640, 360), hold_frames=3)
    with open_video(path) as source:
        chain = DecoderChain(validator=lambda text: text == token)
        scans = list(ScanPipeline(source, chain=chain, debouncer=Debouncer(10)).scans())
    assert [(s.payload, s.validated) for s in scans] == [
        ("NOT-A-VOUCHER", False),
        (token, True),
    ]
    assert chain.stats.events["rejected"] >= 1


def test_runs_in_a_plain_thread_and_stops_on_request(tmp_path: Path, token: str) -> None:
    path = tmp_path / "long.avi"
    write_demo_video(path, [token] * 20, size=(320, 240), hold_frames=5, fps=30)
    got: list[Scan] = []
    with open_video(path, pacing=Pacing.LIVE) as source:
        pipeline = ScanPipeline(source)
        worker = threading.Thread(target=pipeline.run, args=(got.append,))
        worker.start()
        deadline = time.monotonic() + 5
        while not got and time.monotonic() < deadline:
            time.sleep(0.02)
        pipeline.stop()
        worker.join(timeout=2)
        assert not worker.is_alive()
    assert got and got[0].payload == token
    assert got[0].latency_s >= 0


def test_a_decoder_that_keeps_crashing_never_stops_the_loop(
    tmp_path: Path, token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(image: object, binarizer: object, **options: object) -> list[object]:
        raise RuntimeError("hostile symbol")

    monkeypatch.setattr(zxing_passes, "read_zxing", explode)
    path = tmp_path / "counter.avi"
    write_demo_video(path, [token], size=(320, 240), hold_frames=3, gap_frames=2)
    with open_video(path) as source:
        pipeline = ScanPipeline(source)
        scans = list(pipeline.scans())
    assert source.ended
    assert pipeline.stats.events["frames"] == 2 + 3 + 2  # every frame was tried
    assert pipeline.stats.errors["zxing"] == 7
    assert all(s.payload == token for s in scans)  # whatever pyzbar/OpenCV still read


def test_the_counter_pipeline_trusts_only_signed_texts(
    tmp_path: Path, token: str, signing_key: Ed25519PrivateKey
) -> None:
    """A voucher signed with a known key is a validated scan; the same voucher with no known
    key is still handed on (fraud evidence) but marked unvalidated; held up for the whole
    video it is one scan, as the debounce window says."""
    path = tmp_path / "counter.avi"
    write_demo_video(path, [token], size=(640, 360), hold_frames=6, gap_frames=1)
    known = {1: signing_key.public_key()}
    for keys, validated in ((known, True), ({}, False)):
        with open_video(path) as source:
            pipeline = ScanPipeline.for_counter(source, keys, debounce_seconds=30.0)
            scans = list(pipeline.scans())
        assert [(s.payload, s.validated) for s in scans] == [(token, validated)]
        assert pipeline.debouncer.window_s == 30.0
