"""The kiosk's log file: in the OS's log folder, rotated, secrets masked."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from app.core import kiosk_log
from app.core.kiosk_log import LOG_FILE, log_dir, start_file_log, stop_file_log


def test_the_log_goes_to_the_os_log_folder_unless_told(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("PIKA_LOG_DIR", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    assert log_dir() == tmp_path / "state" / "pika-counter" / "log"  # platformdirs on Linux
    monkeypatch.setenv("PIKA_LOG_DIR", str(tmp_path / "it"))
    assert log_dir() == tmp_path / "it"


def test_lines_rotate_and_old_files_are_bounded(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(kiosk_log, "MAX_BYTES", 2000)
    handler = start_file_log(tmp_path)
    try:
        log = logging.getLogger("app.core.test")
        for n in range(400):
            log.info("redemption %d queued for head office", n)
    finally:
        stop_file_log(handler)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [LOG_FILE, *(f"{LOG_FILE}.{n}" for n in range(1, kiosk_log.BACKUP_COUNT + 1))]
    assert all(p.stat().st_size <= 2000 for p in tmp_path.iterdir())
    assert "redemption 399 queued" in (tmp_path / LOG_FILE).read_text(encoding="utf-8")
    assert handler not in logging.getLogger().handlers


def test_a_key_or_token_that_slips_into_a_line_is_masked(tmp_path: Path) -> None:
    api_key = "pika_" + "Zq9" * 14 + "k"
    token = "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43UOV3HO6DZPI" * 4
    handler = start_file_log(tmp_path)
    try:
        try:
            raise RuntimeError(f"answer refused for Bearer {api_key} scanning {token}")
        except RuntimeError:
            logging.getLogger("app.core.sync").exception("push failed")
    finally:
        stop_file_log(handler)
    written = (tmp_path / LOG_FILE).read_text(encoding="utf-8")
    assert "push failed" in written and "RuntimeError" in written
    assert api_key not in written and token not in written
    assert "answer refused for Bearer [redacted] scanning [redacted]" in written
