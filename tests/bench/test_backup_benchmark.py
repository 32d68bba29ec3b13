"""``pika-bench backup`` on a tiny year: its figures, a restore that matches, nothing left."""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from pika_bench import backup as bench
from pika_bench.cli import main

pytestmark = pytest.mark.postgres

KEYS = {"events", "database_bytes", "dump_bytes", "backup_s", "verify_s", "restore_s", "rows_match"}


def _databases(admin_url: str, names: list[str]) -> list[str]:
    """Which of ``names`` still exist on the server."""
    engine = sa.create_engine(admin_url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            found = conn.execute(
                sa.text("SELECT datname FROM pg_database WHERE datname = ANY(:names)"),
                {"names": names},
            ).scalars()
            return sorted(found)
    finally:
        engine.dispose()


def _argv(postgres_server: str, folder: Path) -> list[str]:
    return [
        "backup",
        "--json",
        "--events",
        "2000",
        "--businesses",
        "3",
        "--postgres",
        postgres_server,
        "--dir",
        str(folder),
    ]


def test_backup_benchmark_restores_the_same_rows_and_leaves_nothing(
    capsys: pytest.CaptureFixture[str], postgres_server: str, tmp_path: Path
) -> None:
    assert main(_argv(postgres_server, tmp_path)) == 0
    result = json.loads(capsys.readouterr().out)
    assert result.keys() >= KEYS
    assert result["rows_match"] is True and result["tables"] > 20
    assert result["events"] >= 2000 and result["rows"] > result["events"]
    assert 0 < result["dump_bytes"] < result["database_bytes"]
    assert min(result["backup_s"], result["verify_s"], result["restore_s"]) >= 0
    assert len(result["databases"]) == 2
    assert _databases(postgres_server, result["databases"]) == []
    assert list(tmp_path.iterdir()) == []


def _stop_in_the_restore(
    monkeypatch: pytest.MonkeyPatch, postgres_server: str, stop: Callable[[], None]
) -> list[str]:
    """Run the real backup, then ``stop`` in place of the restore; returns the names of the
    source and target databases as the run makes them."""
    made: list[str] = []
    real_backup = bench.take_backup

    def backup(url: str, folder: Path, **kwargs: Any) -> Any:
        made.append(sa.make_url(url).database or "")
        return real_backup(url, folder, **kwargs)

    def restore(url: str, dump: Path, **kwargs: Any) -> Any:
        made.append(sa.make_url(url).database or "")
        assert dump.is_file() and _databases(postgres_server, made) == sorted(made)
        stop()
        raise AssertionError("the run went on past its stop")

    monkeypatch.setattr(bench, "take_backup", backup)
    monkeypatch.setattr(bench, "restore_backup", restore)
    return made


def test_an_interrupted_restore_still_drops_both_databases_and_the_dump(
    monkeypatch: pytest.MonkeyPatch, postgres_server: str, tmp_path: Path
) -> None:
    def ctrl_c() -> None:
        raise KeyboardInterrupt  # Ctrl-C in the middle of the restore

    made = _stop_in_the_restore(monkeypatch, postgres_server, ctrl_c)
    with pytest.raises(KeyboardInterrupt):
        main(_argv(postgres_server, tmp_path))
    assert len(made) == 2
    assert _databases(postgres_server, made) == []
    assert list(tmp_path.iterdir()) == []


def test_a_terminated_run_drops_both_databases_and_the_dump(
    monkeypatch: pytest.MonkeyPatch, postgres_server: str, tmp_path: Path
) -> None:
    """SIGTERM (``timeout``, ``kill``) unwinds like Ctrl-C instead of killing the process
    where it stands, and the handler before the run is back after it."""

    def sigterm() -> None:
        os.kill(os.getpid(), signal.SIGTERM)  # the handler runs at the next bytecode

    made = _stop_in_the_restore(monkeypatch, postgres_server, sigterm)
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(SystemExit) as exited:
        main(_argv(postgres_server, tmp_path))
    assert exited.value.code == 128 + signal.SIGTERM
    assert len(made) == 2
    assert _databases(postgres_server, made) == []
    assert list(tmp_path.iterdir()) == []
    assert signal.getsignal(signal.SIGTERM) == before
